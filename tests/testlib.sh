# tests/testlib.sh: the prologue every shell test shares.  A test sets
# srcdir (make check exports it; run by hand, the tree above the script)
# and sources this first:
#     srcdir=${srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
#     . "$srcdir/tests/testlib.sh"
# It skips the test (exit 77) without the built ksim ($KSIM, which make
# check sets), sets the C locale and UTC as make check does, and makes a
# scratch directory $tmp, removed when the test exits.
if [ -z "$KSIM" ] || [ ! -x "$KSIM" ]; then
	echo "SKIP: \$KSIM does not name an executable ksim (make check sets it)"; exit 77
fi
LC_ALL=C; TZ=UTC; export LC_ALL TZ
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
