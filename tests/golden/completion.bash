# bash completion for ksim, written by `ksim completion bash`:
#     source <(ksim completion bash)
_ksim()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	local cmd=${COMP_WORDS[1]} opts=
	if [ "$COMP_CWORD" -eq 1 ]; then
		COMPREPLY=($(compgen -W "run validate check compare sweep merge plan completion explain --help --version" -- "$cur"))
		return
	fi
	case $cmd in
	plan)
		if [ "$COMP_CWORD" -eq 2 ]; then
			COMPREPLY=($(compgen -W "headroom nodes cost" -- "$cur"))
			return
		fi
		cmd="$cmd ${COMP_WORDS[2]}" ;;
	esac
	case $cmd in
	"run")
		opts="--output -o --output-file -f --duration -d --seed -s --catalog -c --quiet -q --junit -j --tap -t --set -S --csv --svg --help -h --version -V --verbose -v --strict --detail --explain"
		case $prev in
		--output|-o) COMPREPLY=($(compgen -W "text json yaml wide" -- "$cur")); return ;;
		--output-file|-f) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--duration|-d) COMPREPLY=(); return ;;
		--seed|-s) COMPREPLY=(); return ;;
		--catalog|-c) COMPREPLY=($(compgen -d -- "$cur")); return ;;
		--junit|-j) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--set|-S) COMPREPLY=(); return ;;
		--csv) COMPREPLY=($(compgen -d -- "$cur")); return ;;
		--svg) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--detail) COMPREPLY=($(compgen -W "summary workloads pods events" -- "$cur")); return ;;
		esac ;;
	"validate")
		opts="--output -o --output-file -f --duration -d --seed -s --catalog -c --quiet -q --junit -j --tap -t --set -S --csv --svg --help -h --version -V --verbose -v --strict --explain"
		case $prev in
		--output|-o) COMPREPLY=($(compgen -W "text json" -- "$cur")); return ;;
		--output-file|-f) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--duration|-d) COMPREPLY=(); return ;;
		--seed|-s) COMPREPLY=(); return ;;
		--catalog|-c) COMPREPLY=($(compgen -d -- "$cur")); return ;;
		--junit|-j) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--set|-S) COMPREPLY=(); return ;;
		--csv) COMPREPLY=($(compgen -d -- "$cur")); return ;;
		--svg) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		esac ;;
	"check")
		opts="--output -o --output-file -f --duration -d --seed -s --catalog -c --quiet -q --junit -j --tap -t --set -S --csv --svg --help -h --version -V --verbose -v --strict --explain"
		case $prev in
		--output|-o) COMPREPLY=($(compgen -W "text json" -- "$cur")); return ;;
		--output-file|-f) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--duration|-d) COMPREPLY=(); return ;;
		--seed|-s) COMPREPLY=(); return ;;
		--catalog|-c) COMPREPLY=($(compgen -d -- "$cur")); return ;;
		--junit|-j) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--set|-S) COMPREPLY=(); return ;;
		--csv) COMPREPLY=($(compgen -d -- "$cur")); return ;;
		--svg) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		esac ;;
	"compare")
		opts="--output -o --output-file -f --duration -d --seed -s --catalog -c --quiet -q --set -S --help -h --a --b"
		case $prev in
		--output|-o) COMPREPLY=($(compgen -W "text json" -- "$cur")); return ;;
		--output-file|-f) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--duration|-d) COMPREPLY=(); return ;;
		--seed|-s) COMPREPLY=(); return ;;
		--catalog|-c) COMPREPLY=($(compgen -d -- "$cur")); return ;;
		--set|-S) COMPREPLY=(); return ;;
		--a) COMPREPLY=(); return ;;
		--b) COMPREPLY=(); return ;;
		esac ;;
	"sweep")
		opts="--output -o --output-file -f --duration -d --seed -s --catalog -c --quiet -q --set -S --help -h --vary --jobs -j --shard --metrics -m"
		case $prev in
		--output|-o) COMPREPLY=($(compgen -W "text json" -- "$cur")); return ;;
		--output-file|-f) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--duration|-d) COMPREPLY=(); return ;;
		--seed|-s) COMPREPLY=(); return ;;
		--catalog|-c) COMPREPLY=($(compgen -d -- "$cur")); return ;;
		--set|-S) COMPREPLY=(); return ;;
		--vary) COMPREPLY=(); return ;;
		--jobs|-j) COMPREPLY=(); return ;;
		--shard) COMPREPLY=(); return ;;
		--metrics|-m) COMPREPLY=(); return ;;
		esac ;;
	"merge")
		opts="--output -o --output-file -f --duration -d --seed -s --catalog -c --quiet -q --set -S --help -h --metrics -m"
		case $prev in
		--output|-o) COMPREPLY=($(compgen -W "text json" -- "$cur")); return ;;
		--output-file|-f) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--duration|-d) COMPREPLY=(); return ;;
		--seed|-s) COMPREPLY=(); return ;;
		--catalog|-c) COMPREPLY=($(compgen -d -- "$cur")); return ;;
		--set|-S) COMPREPLY=(); return ;;
		--metrics|-m) COMPREPLY=(); return ;;
		esac ;;
	"plan headroom")
		opts="--output -o --output-file -f --duration -d --seed -s --catalog -c --quiet -q --set -S --help -h --pod --replicas-of --at"
		case $prev in
		--output|-o) COMPREPLY=($(compgen -W "text json" -- "$cur")); return ;;
		--output-file|-f) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--duration|-d) COMPREPLY=(); return ;;
		--seed|-s) COMPREPLY=(); return ;;
		--catalog|-c) COMPREPLY=($(compgen -d -- "$cur")); return ;;
		--set|-S) COMPREPLY=(); return ;;
		--pod) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--replicas-of) COMPREPLY=(); return ;;
		--at) COMPREPLY=(); return ;;
		esac ;;
	"plan nodes")
		opts="--output -o --output-file -f --duration -d --seed -s --catalog -c --quiet -q --set -S --help -h --jobs -j --instance-types --capacity-type --region --max-cost --karpenter --method"
		case $prev in
		--output|-o) COMPREPLY=($(compgen -W "text json" -- "$cur")); return ;;
		--output-file|-f) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--duration|-d) COMPREPLY=(); return ;;
		--seed|-s) COMPREPLY=(); return ;;
		--catalog|-c) COMPREPLY=($(compgen -d -- "$cur")); return ;;
		--set|-S) COMPREPLY=(); return ;;
		--jobs|-j) COMPREPLY=(); return ;;
		--instance-types) COMPREPLY=(); return ;;
		--capacity-type) COMPREPLY=(); return ;;
		--region) COMPREPLY=(); return ;;
		--max-cost) COMPREPLY=(); return ;;
		--method) COMPREPLY=($(compgen -W "static ca" -- "$cur")); return ;;
		esac ;;
	"plan cost")
		opts="--output -o --output-file -f --duration -d --seed -s --catalog -c --quiet -q --set -S --help -h --region --period"
		case $prev in
		--output|-o) COMPREPLY=($(compgen -W "text json" -- "$cur")); return ;;
		--output-file|-f) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--duration|-d) COMPREPLY=(); return ;;
		--seed|-s) COMPREPLY=(); return ;;
		--catalog|-c) COMPREPLY=($(compgen -d -- "$cur")); return ;;
		--set|-S) COMPREPLY=(); return ;;
		--region) COMPREPLY=(); return ;;
		--period) COMPREPLY=($(compgen -W "day month" -- "$cur")); return ;;
		esac ;;
	completion)
		COMPREPLY=($(compgen -W "bash zsh" -- "$cur"))
		return ;;
	"explain")
		opts="--output -o --output-file -f --duration -d --seed -s --catalog -c --quiet -q --set -S --help -h --at"
		case $prev in
		--output|-o) COMPREPLY=($(compgen -W "text json" -- "$cur")); return ;;
		--output-file|-f) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--duration|-d) COMPREPLY=(); return ;;
		--seed|-s) COMPREPLY=(); return ;;
		--catalog|-c) COMPREPLY=($(compgen -d -- "$cur")); return ;;
		--set|-S) COMPREPLY=(); return ;;
		--at) COMPREPLY=(); return ;;
		esac ;;
	*) return ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
	else
		COMPREPLY=($(compgen -f -- "$cur"))
	fi
}
complete -o filenames -o bashdefault -F _ksim ksim
