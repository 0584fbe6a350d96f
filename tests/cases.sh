#!/bin/sh
# Behavioural tests as data: every tests/cases/NAME.yaml is a scenario with
# an expect: block, and `ksim check` of it must exit 0 (every expectation
# holds).  A case that deliberately shows a failing expectation says so in
# its first five lines:
#     # ksim-check: exit 1
# and then must exit with that status instead (1: an expectation failed).
# Extra arguments for `ksim check` (such as --set PATH=VALUE) go on a line
#     # ksim-check: args --set nodes.0.count=3
# Each case states in comments where its numbers come from (a case without
# any comment fails); see tests/README.md.  The check runs in tests/cases/, so a trace file named by
# a case is found beside it.
srcdir=${srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
. "$srcdir/tests/testlib.sh"	# skip without $KSIM; C locale, UTC; $tmp
fail=0 n=0
cd "$srcdir/tests/cases" || exit 99
for c in *.yaml; do
	[ -f "$c" ] || continue
	n=$((n + 1))
	want=0 args=""
	hdr=$(head -n 5 "$c")
	w=$(printf '%s\n' "$hdr" | sed -n 's/^# ksim-check: exit \([0-9][0-9]*\)$/\1/p')
	[ -n "$w" ] && want=$w
	args=$(printf '%s\n' "$hdr" | sed -n 's/^# ksim-check: args //p')
	if ! grep -q '^  expect:' "$c"; then
		echo "FAIL: $c has no spec.expect block"; fail=$((fail + 1)); continue
	fi
	# a case says where its numbers come from
	if ! grep -v '^# ksim-check:' "$c" | grep -q '^ *#'; then
		echo "FAIL: $c has no comment deriving its expectations"; fail=$((fail + 1)); continue
	fi
	# shellcheck disable=SC2086
	"$KSIM" check -q $args "$c" > "$tmp/out" 2>&1
	rc=$?
	if [ $rc -ne "$want" ]; then
		echo "FAIL: ksim check $c: exit $rc, expected $want"; cat "$tmp/out"
		fail=$((fail + 1))
	fi
done
[ $n -gt 0 ] || { echo "FAIL: no cases in tests/cases"; exit 1; }
echo "cases: $((n - fail)) passed, $fail failed"
[ $fail -eq 0 ]
