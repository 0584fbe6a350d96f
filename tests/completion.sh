#!/bin/sh
# `ksim completion bash|zsh`: the scripts parse, and the bash one completes
# commands, subcommands, options and option values from the command table.
if [ -z "$KSIM" ] || [ ! -x "$KSIM" ]; then
	echo "SKIP: \$KSIM does not name an executable ksim (make check sets it)"; exit 77
fi
command -v bash > /dev/null 2>&1 || { echo "SKIP: no bash"; exit 77; }
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
"$KSIM" completion bash > "$tmp/ksim.bash" || exit 1
"$KSIM" completion zsh > "$tmp/_ksim" || exit 1
bash -n "$tmp/ksim.bash" || { echo "FAIL: the bash script does not parse"; exit 1; }
if command -v zsh > /dev/null 2>&1; then
	zsh -n "$tmp/_ksim" || { echo "FAIL: the zsh script does not parse"; exit 1; }
fi
cat > "$tmp/t.bash" <<'EOT'
. "$1"
fail=0
t() {	# t WANT WORD...: completing the last WORD offers exactly WANT
	want=$1; shift
	COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=()
	_ksim
	if [ "${COMPREPLY[*]}" != "$want" ]; then
		echo "FAIL: ksim ${*:2}: got \"${COMPREPLY[*]}\", want \"$want\""; fail=1
	fi
}
t "run" ksim ru
t "compare completion" ksim comp
t "--detail" ksim run --det
t "summary workloads pods events" ksim run --detail ""
t "text json yaml wide" ksim run -o ""
t "text json" ksim check --output ""
t "headroom nodes cost" ksim plan ""
t "--method" ksim plan nodes --meth
t "static ca" ksim plan nodes --method ""
t "day month" ksim plan cost --period ""
t "" ksim sweep --jobs ""
t "bash zsh" ksim completion ""
exit $fail
EOT
bash "$tmp/t.bash" "$tmp/ksim.bash" || exit 1
echo "completion: ok"
