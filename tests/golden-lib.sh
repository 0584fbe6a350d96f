# Sourced by tests/golden.sh and tests/manexamples.sh: compare an output
# with its golden in tests/golden/, or regenerate the golden.  The caller
# has cd'd to $srcdir and counts failures in $fail and rewrites in
# $changed.
#
# settle GOLDEN OUT: compare OUT with tests/golden/GOLDEN (a diff and a FAIL
# line when they differ), or, when KSIM_REGEN is set and not empty, copy
# OUT over it and print the diff of what changed.
settle() {
	g="tests/golden/$1"
	if [ -n "$KSIM_REGEN" ]; then
		if [ ! -f "$g" ]; then
			echo "REGEN: new golden $g"; cp "$2" "$g"; changed=$((changed + 1))
		elif ! cmp -s "$g" "$2"; then
			echo "REGEN: $g changed:"; diff -u "$g" "$2"; cp "$2" "$g"
			changed=$((changed + 1))
		fi
		return 0
	fi
	if [ ! -f "$g" ]; then
		echo "FAIL: $g is missing (KSIM_REGEN=1 writes it)"; fail=$((fail + 1)); return 1
	fi
	if ! diff -u "$g" "$2"; then
		echo "FAIL: output differs from $g"; fail=$((fail + 1)); return 1
	fi
}

# summary NAME N: the last line of a golden test's log
summary() {
	if [ -n "$KSIM_REGEN" ]; then
		echo "$1: regenerated, $changed file(s) changed, $fail failed"
	else
		echo "$1: $(($2 - fail)) passed, $fail failed"
	fi
}
