#!/bin/sh
# Hostile names and output paths, through the built ksim ($KSIM):
#  - tests/secure/escape.yaml's names hold newlines and terminal escapes,
#    and its expectation names try to forge TAP lines: the text report and
#    `check --tap` must match escape.txt and escape.tap byte for byte;
#  - -f on a FIFO is written in place (the FIFO stays a FIFO);
#  - -f /dev/full exits 2 naming the file, and /dev/full stays a device
#    (only tried when it is a character device here);
#  - a run whose --svg cannot be written writes neither its -f report nor
#    its --csv files (all of a run's files or none).
# needs the built ksim ($KSIM, which make check sets): skip (77) without it
if [ -z "$KSIM" ] || [ ! -x "$KSIM" ]; then
	echo "SKIP: \$KSIM does not name an executable ksim (make check sets it)"; exit 77
fi
srcdir=${srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
LC_ALL=C; TZ=UTC; export LC_ALL TZ
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
fail=0
d="$srcdir/tests/secure"

(cd "$d" && "$KSIM" run -q escape.yaml) > "$tmp/escape.txt"
diff -u "$d/escape.txt" "$tmp/escape.txt" || { echo "FAIL: escaped text report"; fail=1; }
(cd "$d" && "$KSIM" check --tap escape.yaml) > "$tmp/escape.tap"
[ $? -eq 1 ] || { echo "FAIL: check --tap: expected exit 1"; fail=1; }
diff -u "$d/escape.tap" "$tmp/escape.tap" || { echo "FAIL: escaped TAP"; fail=1; }

mkfifo "$tmp/fifo" || exit 99
cat "$tmp/fifo" > "$tmp/from-fifo" &
(cd "$d" && "$KSIM" run -q -f "$tmp/fifo" escape.yaml) || { echo "FAIL: -f FIFO"; fail=1; }
wait
[ -p "$tmp/fifo" ] || { echo "FAIL: -f replaced the FIFO"; fail=1; }
cmp -s "$tmp/from-fifo" "$d/escape.txt" || { echo "FAIL: -f FIFO: wrong content"; fail=1; }
[ "$(ls "$tmp")" = "escape.tap
escape.txt
fifo
from-fifo" ] || { echo "FAIL: -f FIFO left files behind:"; ls "$tmp"; fail=1; }

if [ -c /dev/full ]; then
	(cd "$d" && "$KSIM" run -q -f /dev/full escape.yaml) 2> "$tmp/stderr"
	rc=$?
	[ $rc -eq 2 ] || { echo "FAIL: -f /dev/full: exit $rc, expected 2"; fail=1; }
	echo "ksim: /dev/full: cannot write: No space left on device" | diff -u - "$tmp/stderr" ||
		{ echo "FAIL: -f /dev/full: message"; fail=1; }
	[ -c /dev/full ] || { echo "FAIL: /dev/full is no longer a device"; fail=1; }
fi
mkdir "$tmp/all" || exit 99
(cd "$d" && "$KSIM" run -q -f "$tmp/all/report.txt" --csv "$tmp/all/csv" \
    --svg "$tmp/all/none/run.svg" escape.yaml) 2> "$tmp/stderr"
rc=$?
[ $rc -eq 2 ] || { echo "FAIL: --svg into a missing directory: exit $rc, expected 2"; fail=1; }
echo "ksim: $tmp/all/none/run.svg: cannot write: No such file or directory" |
	diff -u - "$tmp/stderr" || { echo "FAIL: --svg: message"; fail=1; }
[ "$(cd "$tmp/all" && find . | sort | tr '\n' ' ')" = ". ./csv " ] ||
	{ echo "FAIL: a failed --svg left files:"; find "$tmp/all"; fail=1; }
[ $fail -eq 0 ] && echo "secure: passed"
exit $fail
