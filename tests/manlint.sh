#!/bin/sh
# The man pages are part of the product: mandoc must find nothing to warn
# about, and every long option of every command must be in ksim.1.  The
# options come from the command table itself (src/cmd/cmd.c), through the
# hidden `ksim --list-options` ("COMMAND --OPTION" per line).
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
opts=$("$KSIM" --list-options | awk '{ print $NF }' | sort -u)
[ -n "$opts" ] || { echo "FAIL: ksim --list-options lists no options"; fail=1; }
for opt in $opts; do
	o=${opt#--}
	grep -qE "^\.It Fl .*-$o( |$)|Fl \\\\-$o|Fl -$o" "$srcdir/man/ksim.1" || {
		echo "FAIL: $opt is an option of ksim (--list-options) but not in man/ksim.1"; fail=1; }
done
# `ksim CMD --help` comes from the same table: it lists each option of CMD.
tmph=$(mktemp) || exit 99
"$KSIM" --list-options > "$tmph"
while read -r line; do
	cmd=${line% --*}
	opt=${line##* }
	# shellcheck disable=SC2086
	if ! "$KSIM" $cmd --help | grep -qE -- "(^| )$opt( |$)"; then
		echo "FAIL: ksim $cmd --help does not list $opt"; fail=1
	fi
done < "$tmph"
rm -f "$tmph"
# Examples are tests: every `ksim run|validate|check ...` shown with
# .Dl in an EXAMPLES section must exit 0.  Paths under scenarios/ are taken
# from $srcdir; the commands run in a scratch directory, so files they write
# (-f report.json) land there.  A pipe and what follows it are not run.
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
nex=0
for m in "$srcdir"/man/ksim.1 "$srcdir"/man/ksim-scenario.5; do
	awk '/^\.Sh / { ex = ($2 == "EXAMPLES") ; next }
	    ex && /^\.Dl ksim (run|validate|check)( |$)/ { sub(/^\.Dl /, ""); print }' "$m" |
	    sed -e 's/\\-/-/g' -e 's/\\&//g' -e 's/ |.*//' > "$tmp/examples"
	while read -r line; do
		nex=$((nex + 1))
		# shellcheck disable=SC2086
		set -- $line
		shift
		args=""
		for a in "$@"; do
			case $a in
			scenarios/*) a="$srcdir/$a" ;;
			esac
			args="$args $a"
		done
		# shellcheck disable=SC2086
		(cd "$tmp" && "$KSIM" $args) > "$tmp/out" 2>&1 < /dev/null
		rc=$?
		if [ $rc -ne 0 ]; then
			echo "FAIL: example in $(basename "$m") exits $rc: $line"
			cat "$tmp/out"
			fail=1
		fi
	done < "$tmp/examples"
done
[ $nex -gt 0 ] || { echo "FAIL: no ksim examples found in the EXAMPLES sections"; fail=1; }
[ $fail -eq 0 ] && echo "manlint: 1 passed, 0 failed ($nex examples run)" ||
	echo "manlint: 0 passed, 1 failed"
exit $fail
