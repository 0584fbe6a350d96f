#!/bin/sh
# The examples of the man pages are tests: every example in the EXAMPLES
# sections of man/ksim.1 and man/ksim-scenario.5 runs, and what it prints
# and writes must match tests/golden/man-NAME.txt.
#
# An example is marked in the page by an mdoc comment, which readers do not
# see, naming it:
#     .\" example: NAME
#     .Dl ksim run scenarios/kubeflow-notebooks-static.yaml
# Every .Dl line and every .Bd -literal block that follows the mark, up to
# the next .Pp or .Sh, is one shell script (\e, \- and \& are unescaped as
# mandoc prints them); an unmarked .Dl or .Bd -literal in EXAMPLES is an
# error, so a new example cannot go untested.
#
# A file shown elsewhere in a page can be used by an example: the mark
#     .\" example-file: scenario.yaml
# before a .Bd -literal block saves that block as scenario.yaml.
#
# Each script runs with sh in a scratch directory holding `scenarios` (the
# source tree's), the fixtures of tests/man/ (snapshot.yaml,
# notebooks.yaml, timeline.yaml) and the files marked in the pages, with ksim on PATH and a stub kubectl that
# prints tests/man/snapshot.yaml, as `kubectl get nodes,pods -A -o yaml`
# would for a small cluster.  The transcript is: the script, its standard
# output and error, its exit status, then every file it wrote (contents when
# under 4 KiB, else the size), with JUnit's time="..." attributes, which
# change from run to run, replaced by time="T".
#
# KSIM_REGEN=1 rewrites the goldens and prints their diffs, as golden.sh.
srcdir=${srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
. "$srcdir/tests/testlib.sh"	# skip without $KSIM; C locale, UTC; $tmp
fail=0 n=0 changed=0
cd "$srcdir" || exit 99
. tests/golden-lib.sh

mkdir "$tmp/bin" "$tmp/ex" "$tmp/ex/files" || exit 99
ln -s "$KSIM" "$tmp/bin/ksim" || exit 99
printf '#!/bin/sh\n# a stub: what kubectl get nodes,pods -A -o yaml prints\ncat "%s"\n' \
    "$PWD/tests/man/snapshot.yaml" > "$tmp/bin/kubectl"
chmod +x "$tmp/bin/kubectl"

# extract PAGE: one file per example in $tmp/ex/NAME.sh; prints the names
# of unmarked examples as "UNMARKED line N" on stdout
extract() {
	awk -v dir="$tmp/ex" '
	function unesc(s) {
		gsub(/\\e/, "\\", s); gsub(/\\-/, "-", s); gsub(/\\&/, "", s)
		gsub(/\\\(dq/, "\"", s)
		return s
	}
	/^\.Sh / { ex = ($2 == "EXAMPLES"); name = ""; next }
	/^\.\\" example-file: / { file = $3; next }
	file != "" && /^\.Bd -literal/ { flit = 1; next }
	flit && /^\.Ed/ { flit = 0; file = ""; next }
	flit { print unesc($0) > (dir "/files/" file); next }
	!ex { next }
	/^\.\\" example: / { name = $3; next }
	/^\.Pp/ && !lit { name = ""; next }
	/^\.Bd -literal/ { lit = 1; if (name == "") print "UNMARKED line " NR; next }
	/^\.Ed/ { lit = 0; next }
	lit { if (name != "") print unesc($0) >> (dir "/" name ".sh"); next }
	/^\.Dl / {
		if (name == "") { print "UNMARKED line " NR; next }
		sub(/^\.Dl /, ""); print unesc($0) >> (dir "/" name ".sh")
	}' "$1"
}

for m in man/ksim.1 man/ksim-scenario.5; do
	extract "$m" > "$tmp/unmarked"
	while read -r what; do
		echo "FAIL: $m: an example without a mark (.\\\" example: NAME), $what"
		fail=$((fail + 1))
	done < "$tmp/unmarked"
done

for x in "$tmp"/ex/*.sh; do
	[ -f "$x" ] || continue
	name=$(basename "$x" .sh)
	n=$((n + 1))
	w="$tmp/w-$name"
	mkdir "$w" && ln -s "$PWD/scenarios" "$w/scenarios" && cp tests/man/*.yaml "$w/" || exit 99
	for f in "$tmp"/ex/files/*; do [ -f "$f" ] && cp "$f" "$w/"; done
	touch "$tmp/stamp"
	out="$tmp/man-$name.txt"
	{
		sed 's/^/$ /' "$x"
		(cd "$w" && PATH="$tmp/bin:$PATH" sh "$x" 2>&1 < /dev/null)
		echo "exit $?"
	} > "$out"
	# the files it wrote, in name order
	(cd "$w" && find . -type f -newer "$tmp/stamp" | sort) | while read -r f; do
		size=$(wc -c < "$w/$f" | tr -d ' ')
		if [ "$size" -lt 4096 ]; then
			echo "==> ${f#./} <=="
			sed 's/ time="[0-9.]*"/ time="T"/g' "$w/$f"
		else
			echo "==> ${f#./} ($size bytes) <=="
		fi
	done >> "$out"
	settle "man-$name.txt" "$out"
done
[ $n -gt 0 ] || { echo "FAIL: no marked examples in the EXAMPLES sections"; fail=$((fail + 1)); }
summary manexamples $n
[ $fail -eq 0 ]
