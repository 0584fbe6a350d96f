#!/bin/sh
# ksim must load every upstream manifest unchanged (SCENARIOS.md "Beyond the
# reports").  They live beside the project in ../shared/upstream, which only
# developers and CI have: skip (77) when it is absent.
srcdir=${srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
. "$srcdir/tests/testlib.sh"	# skip without $KSIM; C locale, UTC; $tmp
up="$srcdir/../shared/upstream"
[ -d "$up" ] || { echo "SKIP: $up not present"; exit 77; }
err="$tmp/err"
fail=0 n=0
for f in $(find "$up" -name '*.yaml' -o -name '*.json' | sort); do
	n=$((n + 1))
	if ! "$KSIM" validate -q "$f" > /dev/null 2> "$err"; then
		echo "FAIL: $f"; cat "$err"; fail=$((fail + 1))
	fi
done
[ $n -gt 0 ] || { echo "SKIP: no manifests in $up"; exit 77; }
echo "upstream: $((n - fail)) passed, $fail failed"
[ $fail -eq 0 ]
