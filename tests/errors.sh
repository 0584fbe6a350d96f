#!/bin/sh
# Bad inputs are tests too: each tests/errors/<case>/ holds input.yaml and
# expected.stderr (and optionally `args`, extra arguments to `ksim run`,
# and `stdin`, an empty file: input.yaml is given on the standard input as "-").
# ksim must exit 2, print exactly expected.stderr, and write no output file.
# needs the built ksim ($KSIM, which make check sets): skip (77) without it
if [ -z "$KSIM" ] || [ ! -x "$KSIM" ]; then
	echo "SKIP: \$KSIM does not name an executable ksim (make check sets it)"; exit 77
fi
srcdir=${srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
LC_ALL=C; TZ=UTC; export LC_ALL TZ
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
fail=0 n=0
for d in "$srcdir"/tests/errors/*/; do
	name=$(basename "$d")
	n=$((n + 1))
	args=""
	[ -f "$d/args" ] && args=$(cat "$d/args")
	# shellcheck disable=SC2086
	if [ -f "$d/stdin" ]; then	# the input on the standard input, as "-"
		(cd "$d" && "$KSIM" run -q $args -f "$tmp/out" - < input.yaml) > /dev/null 2> "$tmp/stderr"
	else
		(cd "$d" && "$KSIM" run -q $args -f "$tmp/out" input.yaml) > /dev/null 2> "$tmp/stderr"
	fi
	rc=$?
	if [ $rc -ne 2 ]; then
		echo "FAIL: $name: exit $rc, expected 2"; cat "$tmp/stderr"; fail=$((fail + 1)); continue
	fi
	if [ -e "$tmp/out" ]; then
		echo "FAIL: $name: an output file was written"; rm -f "$tmp/out"; fail=$((fail + 1)); continue
	fi
	if ! diff -u "$d/expected.stderr" "$tmp/stderr"; then
		echo "FAIL: $name: stderr differs"; fail=$((fail + 1))
	fi
done
echo "errors: $((n - fail)) passed, $fail failed"
[ $fail -eq 0 ]
