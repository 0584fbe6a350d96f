#!/bin/sh
# Golden end-to-end tests: every scenarios/*.yaml is run, and its text and
# JSON reports must match tests/golden/<name>.{txt,json} byte for byte.
# A second run must print the same bytes (determinism).
# KSIM_REGEN=1 rewrites the golden files instead of comparing.
: "${KSIM:?KSIM must name the ksim binary}" "${srcdir:?srcdir must be set}"
LC_ALL=C; TZ=UTC; export LC_ALL TZ
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
fail=0 n=0
cd "$srcdir" || exit 99
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
	for fmt in txt json; do
		n=$((n + 1))
		out="$tmp/$name.$fmt"
		if [ "$fmt" = json ]; then opt="-o json"; else opt=""; fi
		# shellcheck disable=SC2086
		"$KSIM" run -q $opt "$s" > "$out" 2> "$tmp/err"
		rc=$?
		if [ $rc -ne 0 ]; then
			echo "FAIL: $name.$fmt: exit $rc"; cat "$tmp/err"; fail=$((fail + 1)); continue
		fi
		# shellcheck disable=SC2086
		"$KSIM" run -q $opt "$s" > "$out.2" 2>/dev/null
		if ! cmp -s "$out" "$out.2"; then
			echo "FAIL: $name.$fmt: two runs differ (not deterministic)"; fail=$((fail + 1)); continue
		fi
		if [ -n "$KSIM_REGEN" ]; then
			cp "$out" "tests/golden/$name.$fmt"; continue
		fi
		if ! diff -u "tests/golden/$name.$fmt" "$out"; then
			echo "FAIL: $name.$fmt differs from tests/golden/$name.$fmt"; fail=$((fail + 1))
		fi
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
	if [ -n "$KSIM_REGEN" ]; then
		cp "$out" "tests/golden/$name.check.txt"; continue
	fi
	if ! diff -u "tests/golden/$name.check.txt" "$out"; then
		echo "FAIL: ksim check $name differs from tests/golden/$name.check.txt"; fail=$((fail + 1))
	fi
done
echo "golden: $((n - fail)) passed, $fail failed"
[ $fail -eq 0 ]
