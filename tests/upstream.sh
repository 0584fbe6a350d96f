#!/bin/sh
# ksim must load every upstream manifest unchanged (SCENARIOS.md "Beyond the
# reports").  They live beside the project in ../shared/upstream, which only
# developers and CI have: skip (77) when it is absent.
: "${KSIM:?}" "${srcdir:?}"
up="$srcdir/../shared/upstream"
[ -d "$up" ] || { echo "SKIP: $up not present"; exit 77; }
fail=0 n=0
for f in $(find "$up" -name '*.yaml' -o -name '*.json' | sort); do
	n=$((n + 1))
	if ! "$KSIM" validate -q "$f" > /dev/null 2> /tmp/ksim-upstream.$$; then
		echo "FAIL: $f"; cat /tmp/ksim-upstream.$$; fail=$((fail + 1))
	fi
done
rm -f /tmp/ksim-upstream.$$
echo "upstream: $((n - fail)) passed, $fail failed"
[ $fail -eq 0 ]
