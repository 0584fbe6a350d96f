#!/bin/sh
# The man pages are part of the product: mandoc must find nothing to warn
# about, and every long option `ksim --help` lists must be in ksim.1.
: "${KSIM:?}" "${srcdir:?}"
fail=0
if [ -n "$MANDOC" ] || command -v mandoc >/dev/null 2>&1; then
	for m in "$srcdir"/man/ksim.1 "$srcdir"/man/ksim-scenario.5; do
		out=$(mandoc -T lint -W warning "$m" 2>&1)
		if [ -n "$out" ]; then echo "FAIL: mandoc -T lint $m:"; echo "$out"; fail=1; fi
	done
else
	echo "SKIP: mandoc not installed (lint)"
fi
for opt in $("$KSIM" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u); do
	o=${opt#--}
	grep -qE "^\.It Fl .*-$o( |$)|Fl \\\\-$o|Fl -$o" "$srcdir/man/ksim.1" || {
		echo "FAIL: $opt is in ksim --help but not in man/ksim.1"; fail=1; }
done
[ $fail -eq 0 ] && echo "manlint: 1 passed, 0 failed" || echo "manlint: 0 passed, 1 failed"
exit $fail
