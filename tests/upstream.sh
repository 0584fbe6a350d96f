#!/bin/sh
# ksim must load every upstream manifest unchanged (SCENARIOS.md "Beyond the
# reports").  They live beside the project in ../shared/upstream, which only
# developers and CI have: skip (77) when it is absent.
# needs the built ksim ($KSIM, which make check sets): skip (77) without it
if [ -z "$KSIM" ] || [ ! -x "$KSIM" ]; then
	echo "SKIP: \$KSIM does not name an executable ksim (make check sets it)"; exit 77
fi
srcdir=${srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
up="$srcdir/../shared/upstream"
[ -d "$up" ] || { echo "SKIP: $up not present"; exit 77; }
err=$(mktemp) || exit 99
trap 'rm -f "$err"' EXIT
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
