#!/bin/sh
# Golden end-to-end tests, one driver for every golden in tests/golden/:
#
#  - run goldens: every scenarios/NAME.yaml is run, and its text and JSON
#    reports must match tests/golden/NAME.{txt,json} byte for byte.  A
#    scenario whose leading comment says `# ksim-golden: txt` has a text
#    golden only (its JSON would be too big to review; its expect: block
#    states what it shows instead).
#  - check goldens: `ksim check` of every scenario with an expect: block,
#    its verdicts and exit status, in tests/golden/NAME.check.txt.
#  - argument goldens: every tests/golden/FILE.args holds the arguments of
#    one ksim command (compare, sweep, plan, ... run from the source tree,
#    shell quoting allowed); its standard output must match
#    tests/golden/FILE byte for byte, and it must exit 0.
#
# Every command runs twice and must print the same bytes (determinism).
# A golden is a regression guard, not evidence: the evidence is in the
# expect: blocks of scenarios/ and tests/cases/, whose comments derive the
# numbers.
#
# KSIM_REGEN=1 (any non-empty value) rewrites the goldens instead of
# comparing them, and prints the diff of each file it changed:
#     KSIM_REGEN=1 make check TESTS=tests/golden.sh
# then read the diffs in tests/golden.sh.log of the build directory (or
# `git diff tests/golden`) before committing.
srcdir=${srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
. "$srcdir/tests/testlib.sh"	# skip without $KSIM; C locale, UTC; $tmp
fail=0 n=0 changed=0
cd "$srcdir" || exit 99

. tests/golden-lib.sh

# twice OUT CMD...: run CMD into OUT, then again; 0 when it exited 0 both
# times with the same output
twice() {
	o=$1; shift
	"$@" > "$o" 2> "$tmp/err"
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "FAIL: $*: exit $rc"; cat "$tmp/err"; fail=$((fail + 1)); return 1
	fi
	"$@" > "$o.2" 2> /dev/null
	if ! cmp -s "$o" "$o.2"; then
		echo "FAIL: $*: two runs differ (not deterministic)"; fail=$((fail + 1)); return 1
	fi
}

for s in scenarios/*.yaml; do
	name=$(basename "$s" .yaml)
	# files that are not runnable on their own (an Indexed Job manifest)
	# say so on their first line; they must still load
	if head -n 1 "$s" | grep -q '^# ksim: not a scenario'; then
		n=$((n + 1))
		if ! "$KSIM" validate -q "$s" 2> "$tmp/err"; then
			echo "FAIL: $name does not load"; cat "$tmp/err"; fail=$((fail + 1))
		fi
		continue
	fi
	fmts="txt json"
	grep -q '^# ksim-golden: txt$' "$s" && fmts=txt
	for fmt in $fmts; do
		n=$((n + 1))
		out="$tmp/$name.$fmt"
		if [ "$fmt" = json ]; then opt="-o json"; else opt=""; fi
		# shellcheck disable=SC2086
		twice "$out" "$KSIM" run -q $opt "$s" || continue
		settle "$name.$fmt" "$out"
	done
done
# ksim check on the scenarios that carry expectations: its verdicts and its
# exit status (0 when all hold) are golden too
for s in scenarios/*.yaml; do
	name=$(basename "$s" .yaml)
	grep -q '^  expect:' "$s" || continue
	n=$((n + 1))
	out="$tmp/$name.check.txt"
	"$KSIM" check -q "$s" > "$out" 2> "$tmp/err"
	echo "exit $?" >> "$out"
	settle "$name.check.txt" "$out"
done
# compare, sweep, plan, ...: one golden per tests/golden/FILE.args
for a in tests/golden/*.args; do
	[ -f "$a" ] || continue
	g=$(basename "$a" .args)
	n=$((n + 1))
	# the arguments are shell words: quotes keep a glob such as 'm5.*' whole
	eval "set -- $(cat "$a")"
	twice "$tmp/$g" "$KSIM" "$@" || continue
	settle "$g" "$tmp/$g"
done
summary golden $n
[ $fail -eq 0 ]
