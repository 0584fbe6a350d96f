#compdef ksim
# zsh completion for ksim, written by `ksim completion zsh`:
#     ksim completion zsh > "${fpath[1]}/_ksim"
_ksim()
{
	local cmd
	if (( CURRENT == 2 )); then
		local -a cmds=('run:simulate and print the report' 'validate:load and check the scenario without simulating' 'check:simulate and evaluate the scenario'\''s expectations' 'compare:run two variants and compare them' 'sweep:run a grid of variants' 'merge:join the outputs of sweep --shard' 'plan:capacity planning: headroom, nodes or cost' 'completion:print a shell completion script' 'explain:say why a pod, node, HPA, VPA or NodeClaim is as it is')
		_describe command cmds
		return
	fi
	cmd=$words[2]
	case $cmd in
	plan)
		if (( CURRENT == 3 )); then
			local -a subs=('headroom:how many more of a pod fit' 'nodes:the cheapest instance types for the workloads' 'cost:what the run costs per day or month')
			_describe subcommand subs
			return
		fi
		cmd="$cmd $words[3]"
		shift words
		(( CURRENT-- )) ;;
	esac
	shift words
	(( CURRENT-- ))
	case $cmd in
	"run")
		_arguments -s \
		    '--output=[text (default), json; run: also yaml, wide]:FORMAT:(text json yaml wide)' \
		    '-o+[text (default), json; run: also yaml, wide]:FORMAT:(text json yaml wide)' \
		    '--output-file=[write the report to PATH (atomically)]:PATH:_files' \
		    '-f+[write the report to PATH (atomically)]:PATH:_files' \
		    '--duration=[simulate DUR (e.g. 30m) instead of the scenario'\''s]:DUR: ' \
		    '-d+[simulate DUR (e.g. 30m) instead of the scenario'\''s]:DUR: ' \
		    '--seed=[use seed N instead of the scenario'\''s]:N: ' \
		    '-s+[use seed N instead of the scenario'\''s]:N: ' \
		    '--catalog=[read instance types and prices from DIR]:DIR:_files -/' \
		    '-c+[read instance types and prices from DIR]:DIR:_files -/' \
		    '--quiet[do not print warnings]' \
		    '-q[do not print warnings]' \
		    '--junit=[check: also write JUnit XML to FILE]:FILE:_files' \
		    '-j+[check: also write JUnit XML to FILE]:FILE:_files' \
		    '--tap[check: print TAP instead of one line per expectation]' \
		    '-t[check: print TAP instead of one line per expectation]' \
		    '--set=[change a Scenario or manifest field (repeatable)]:PATH=VALUE: ' \
		    '-S+[change a Scenario or manifest field (repeatable)]:PATH=VALUE: ' \
		    '--csv=[run: also write the time series as CSV files into DIR]:DIR:_files -/' \
		    '--svg=[run: also write a timeline chart as SVG to FILE]:FILE:_files' \
		    '--help[print this help]' \
		    '-h[print this help]' \
		    '--version[print the version]' \
		    '-V[print the version]' \
		    '--verbose[print every warning, not one line per kind]' \
		    '-v[print every warning, not one line per kind]' \
		    '--strict[make every warning an error (exit 2, nothing written)]' \
		    '--detail=[run: summary, workloads, pods or events]:LEVEL:(summary workloads pods events)' \
		    '--explain[run: add the decisions (ksim explain) to the JSON report]' \
		    '*:file:_files' ;;
	"validate")
		_arguments -s \
		    '--output=[text (default), json; run: also yaml, wide]:FORMAT:(text json)' \
		    '-o+[text (default), json; run: also yaml, wide]:FORMAT:(text json)' \
		    '--output-file=[write the report to PATH (atomically)]:PATH:_files' \
		    '-f+[write the report to PATH (atomically)]:PATH:_files' \
		    '--duration=[simulate DUR (e.g. 30m) instead of the scenario'\''s]:DUR: ' \
		    '-d+[simulate DUR (e.g. 30m) instead of the scenario'\''s]:DUR: ' \
		    '--seed=[use seed N instead of the scenario'\''s]:N: ' \
		    '-s+[use seed N instead of the scenario'\''s]:N: ' \
		    '--catalog=[read instance types and prices from DIR]:DIR:_files -/' \
		    '-c+[read instance types and prices from DIR]:DIR:_files -/' \
		    '--quiet[do not print warnings]' \
		    '-q[do not print warnings]' \
		    '--junit=[check: also write JUnit XML to FILE]:FILE:_files' \
		    '-j+[check: also write JUnit XML to FILE]:FILE:_files' \
		    '--tap[check: print TAP instead of one line per expectation]' \
		    '-t[check: print TAP instead of one line per expectation]' \
		    '--set=[change a Scenario or manifest field (repeatable)]:PATH=VALUE: ' \
		    '-S+[change a Scenario or manifest field (repeatable)]:PATH=VALUE: ' \
		    '--csv=[run: also write the time series as CSV files into DIR]:DIR:_files -/' \
		    '--svg=[run: also write a timeline chart as SVG to FILE]:FILE:_files' \
		    '--help[print this help]' \
		    '-h[print this help]' \
		    '--version[print the version]' \
		    '-V[print the version]' \
		    '--verbose[print every warning, not one line per kind]' \
		    '-v[print every warning, not one line per kind]' \
		    '--strict[make every warning an error (exit 2, nothing written)]' \
		    '--explain[run: add the decisions (ksim explain) to the JSON report]' \
		    '*:file:_files' ;;
	"check")
		_arguments -s \
		    '--output=[text (default), json; run: also yaml, wide]:FORMAT:(text json)' \
		    '-o+[text (default), json; run: also yaml, wide]:FORMAT:(text json)' \
		    '--output-file=[write the report to PATH (atomically)]:PATH:_files' \
		    '-f+[write the report to PATH (atomically)]:PATH:_files' \
		    '--duration=[simulate DUR (e.g. 30m) instead of the scenario'\''s]:DUR: ' \
		    '-d+[simulate DUR (e.g. 30m) instead of the scenario'\''s]:DUR: ' \
		    '--seed=[use seed N instead of the scenario'\''s]:N: ' \
		    '-s+[use seed N instead of the scenario'\''s]:N: ' \
		    '--catalog=[read instance types and prices from DIR]:DIR:_files -/' \
		    '-c+[read instance types and prices from DIR]:DIR:_files -/' \
		    '--quiet[do not print warnings]' \
		    '-q[do not print warnings]' \
		    '--junit=[check: also write JUnit XML to FILE]:FILE:_files' \
		    '-j+[check: also write JUnit XML to FILE]:FILE:_files' \
		    '--tap[check: print TAP instead of one line per expectation]' \
		    '-t[check: print TAP instead of one line per expectation]' \
		    '--set=[change a Scenario or manifest field (repeatable)]:PATH=VALUE: ' \
		    '-S+[change a Scenario or manifest field (repeatable)]:PATH=VALUE: ' \
		    '--csv=[run: also write the time series as CSV files into DIR]:DIR:_files -/' \
		    '--svg=[run: also write a timeline chart as SVG to FILE]:FILE:_files' \
		    '--help[print this help]' \
		    '-h[print this help]' \
		    '--version[print the version]' \
		    '-V[print the version]' \
		    '--verbose[print every warning, not one line per kind]' \
		    '-v[print every warning, not one line per kind]' \
		    '--strict[make every warning an error (exit 2, nothing written)]' \
		    '--explain[run: add the decisions (ksim explain) to the JSON report]' \
		    '*:file:_files' ;;
	"compare")
		_arguments -s \
		    '--output=[text (default), json; run: also yaml, wide]:FORMAT:(text json)' \
		    '-o+[text (default), json; run: also yaml, wide]:FORMAT:(text json)' \
		    '--output-file=[write the report to PATH (atomically)]:PATH:_files' \
		    '-f+[write the report to PATH (atomically)]:PATH:_files' \
		    '--duration=[simulate DUR (e.g. 30m) instead of the scenario'\''s]:DUR: ' \
		    '-d+[simulate DUR (e.g. 30m) instead of the scenario'\''s]:DUR: ' \
		    '--seed=[use seed N instead of the scenario'\''s]:N: ' \
		    '-s+[use seed N instead of the scenario'\''s]:N: ' \
		    '--catalog=[read instance types and prices from DIR]:DIR:_files -/' \
		    '-c+[read instance types and prices from DIR]:DIR:_files -/' \
		    '--quiet[do not print warnings]' \
		    '-q[do not print warnings]' \
		    '--set=[change a Scenario or manifest field (repeatable)]:PATH=VALUE: ' \
		    '-S+[change a Scenario or manifest field (repeatable)]:PATH=VALUE: ' \
		    '--help[print this help]' \
		    '-h[print this help]' \
		    '--a=[variant A: a --set of its own (repeatable)]:PATH=VALUE: ' \
		    '--b=[variant B: a --set of its own (repeatable)]:PATH=VALUE: ' \
		    '*:file:_files' ;;
	"sweep")
		_arguments -s \
		    '--output=[text (default), json; run: also yaml, wide]:FORMAT:(text json)' \
		    '-o+[text (default), json; run: also yaml, wide]:FORMAT:(text json)' \
		    '--output-file=[write the report to PATH (atomically)]:PATH:_files' \
		    '-f+[write the report to PATH (atomically)]:PATH:_files' \
		    '--duration=[simulate DUR (e.g. 30m) instead of the scenario'\''s]:DUR: ' \
		    '-d+[simulate DUR (e.g. 30m) instead of the scenario'\''s]:DUR: ' \
		    '--seed=[use seed N instead of the scenario'\''s]:N: ' \
		    '-s+[use seed N instead of the scenario'\''s]:N: ' \
		    '--catalog=[read instance types and prices from DIR]:DIR:_files -/' \
		    '-c+[read instance types and prices from DIR]:DIR:_files -/' \
		    '--quiet[do not print warnings]' \
		    '-q[do not print warnings]' \
		    '--set=[change a Scenario or manifest field (repeatable)]:PATH=VALUE: ' \
		    '-S+[change a Scenario or manifest field (repeatable)]:PATH=VALUE: ' \
		    '--help[print this help]' \
		    '-h[print this help]' \
		    '--vary=[run every value of PATH (repeatable: a grid)]:PATH=V1,V2,...: ' \
		    '--jobs=[run at most N simulations at once]:N: ' \
		    '-j+[run at most N simulations at once]:N: ' \
		    '--shard=[run the combinations with index % N == I, as JSON lines]:I/N: ' \
		    '--metrics=[the summary metrics to print]:M1,M2,...: ' \
		    '-m+[the summary metrics to print]:M1,M2,...: ' \
		    '*:file:_files' ;;
	"merge")
		_arguments -s \
		    '--output=[text (default), json; run: also yaml, wide]:FORMAT:(text json)' \
		    '-o+[text (default), json; run: also yaml, wide]:FORMAT:(text json)' \
		    '--output-file=[write the report to PATH (atomically)]:PATH:_files' \
		    '-f+[write the report to PATH (atomically)]:PATH:_files' \
		    '--duration=[simulate DUR (e.g. 30m) instead of the scenario'\''s]:DUR: ' \
		    '-d+[simulate DUR (e.g. 30m) instead of the scenario'\''s]:DUR: ' \
		    '--seed=[use seed N instead of the scenario'\''s]:N: ' \
		    '-s+[use seed N instead of the scenario'\''s]:N: ' \
		    '--catalog=[read instance types and prices from DIR]:DIR:_files -/' \
		    '-c+[read instance types and prices from DIR]:DIR:_files -/' \
		    '--quiet[do not print warnings]' \
		    '-q[do not print warnings]' \
		    '--set=[change a Scenario or manifest field (repeatable)]:PATH=VALUE: ' \
		    '-S+[change a Scenario or manifest field (repeatable)]:PATH=VALUE: ' \
		    '--help[print this help]' \
		    '-h[print this help]' \
		    '--metrics=[the summary metrics to print]:M1,M2,...: ' \
		    '-m+[the summary metrics to print]:M1,M2,...: ' \
		    '*:file:_files' ;;
	"plan headroom")
		_arguments -s \
		    '--output=[text (default), json; run: also yaml, wide]:FORMAT:(text json)' \
		    '-o+[text (default), json; run: also yaml, wide]:FORMAT:(text json)' \
		    '--output-file=[write the report to PATH (atomically)]:PATH:_files' \
		    '-f+[write the report to PATH (atomically)]:PATH:_files' \
		    '--duration=[simulate DUR (e.g. 30m) instead of the scenario'\''s]:DUR: ' \
		    '-d+[simulate DUR (e.g. 30m) instead of the scenario'\''s]:DUR: ' \
		    '--seed=[use seed N instead of the scenario'\''s]:N: ' \
		    '-s+[use seed N instead of the scenario'\''s]:N: ' \
		    '--catalog=[read instance types and prices from DIR]:DIR:_files -/' \
		    '-c+[read instance types and prices from DIR]:DIR:_files -/' \
		    '--quiet[do not print warnings]' \
		    '-q[do not print warnings]' \
		    '--set=[change a Scenario or manifest field (repeatable)]:PATH=VALUE: ' \
		    '-S+[change a Scenario or manifest field (repeatable)]:PATH=VALUE: ' \
		    '--help[print this help]' \
		    '-h[print this help]' \
		    '--pod=[the pod to fit, from a manifest]:FILE:_files' \
		    '--replicas-of=[the pod to fit: a workload'\''s]:KIND/NAME: ' \
		    '--at=[look at the cluster at DUR (default: just after t=0)]:DUR: ' \
		    '*:file:_files' ;;
	"plan nodes")
		_arguments -s \
		    '--output=[text (default), json; run: also yaml, wide]:FORMAT:(text json)' \
		    '-o+[text (default), json; run: also yaml, wide]:FORMAT:(text json)' \
		    '--output-file=[write the report to PATH (atomically)]:PATH:_files' \
		    '-f+[write the report to PATH (atomically)]:PATH:_files' \
		    '--duration=[simulate DUR (e.g. 30m) instead of the scenario'\''s]:DUR: ' \
		    '-d+[simulate DUR (e.g. 30m) instead of the scenario'\''s]:DUR: ' \
		    '--seed=[use seed N instead of the scenario'\''s]:N: ' \
		    '-s+[use seed N instead of the scenario'\''s]:N: ' \
		    '--catalog=[read instance types and prices from DIR]:DIR:_files -/' \
		    '-c+[read instance types and prices from DIR]:DIR:_files -/' \
		    '--quiet[do not print warnings]' \
		    '-q[do not print warnings]' \
		    '--set=[change a Scenario or manifest field (repeatable)]:PATH=VALUE: ' \
		    '-S+[change a Scenario or manifest field (repeatable)]:PATH=VALUE: ' \
		    '--help[print this help]' \
		    '-h[print this help]' \
		    '--jobs=[run at most N simulations at once]:N: ' \
		    '-j+[run at most N simulations at once]:N: ' \
		    '--instance-types=[candidate types: names and globs]:LIST: ' \
		    '--capacity-type=[on-demand, spot or both]:LIST: ' \
		    '--region=[price the nodes in region R]:R: ' \
		    '--max-cost=[exit 1 when the cheapest option costs more]:USD: ' \
		    '--karpenter[also try a Karpenter NodePool of every candidate]' \
		    '--method=[size static node groups, or autoscale them]:static|ca:(static ca)' \
		    '*:file:_files' ;;
	"plan cost")
		_arguments -s \
		    '--output=[text (default), json; run: also yaml, wide]:FORMAT:(text json)' \
		    '-o+[text (default), json; run: also yaml, wide]:FORMAT:(text json)' \
		    '--output-file=[write the report to PATH (atomically)]:PATH:_files' \
		    '-f+[write the report to PATH (atomically)]:PATH:_files' \
		    '--duration=[simulate DUR (e.g. 30m) instead of the scenario'\''s]:DUR: ' \
		    '-d+[simulate DUR (e.g. 30m) instead of the scenario'\''s]:DUR: ' \
		    '--seed=[use seed N instead of the scenario'\''s]:N: ' \
		    '-s+[use seed N instead of the scenario'\''s]:N: ' \
		    '--catalog=[read instance types and prices from DIR]:DIR:_files -/' \
		    '-c+[read instance types and prices from DIR]:DIR:_files -/' \
		    '--quiet[do not print warnings]' \
		    '-q[do not print warnings]' \
		    '--set=[change a Scenario or manifest field (repeatable)]:PATH=VALUE: ' \
		    '-S+[change a Scenario or manifest field (repeatable)]:PATH=VALUE: ' \
		    '--help[print this help]' \
		    '-h[print this help]' \
		    '--region=[price the nodes in region R]:R: ' \
		    '--period=[scale the cost to a day or a month]:day|month:(day month)' \
		    '*:file:_files' ;;
	completion)
		_arguments '1:shell:(bash zsh)' ;;
	"explain")
		_arguments -s \
		    '--output=[text (default), json; run: also yaml, wide]:FORMAT:(text json)' \
		    '-o+[text (default), json; run: also yaml, wide]:FORMAT:(text json)' \
		    '--output-file=[write the report to PATH (atomically)]:PATH:_files' \
		    '-f+[write the report to PATH (atomically)]:PATH:_files' \
		    '--duration=[simulate DUR (e.g. 30m) instead of the scenario'\''s]:DUR: ' \
		    '-d+[simulate DUR (e.g. 30m) instead of the scenario'\''s]:DUR: ' \
		    '--seed=[use seed N instead of the scenario'\''s]:N: ' \
		    '-s+[use seed N instead of the scenario'\''s]:N: ' \
		    '--catalog=[read instance types and prices from DIR]:DIR:_files -/' \
		    '-c+[read instance types and prices from DIR]:DIR:_files -/' \
		    '--quiet[do not print warnings]' \
		    '-q[do not print warnings]' \
		    '--set=[change a Scenario or manifest field (repeatable)]:PATH=VALUE: ' \
		    '-S+[change a Scenario or manifest field (repeatable)]:PATH=VALUE: ' \
		    '--help[print this help]' \
		    '-h[print this help]' \
		    '--at=[look at the cluster at DUR (default: just after t=0)]:DUR: ' \
		    '*:file:_files' ;;
	esac
}
_ksim "$@"
