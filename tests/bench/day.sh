#!/bin/sh
# day.sh: what a simulated day with autoscalers costs (issue 12's benchmark;
# not part of make check).
#
#   sh tests/bench/day.sh [-v VARIANTS] [-s HOUR] [-t SECONDS] BUILDDIR [RUN...]
#
# Each RUN is NODES:DURATION[@HOUR]: write the workload of genday.sh for
# NODES nodes starting at HOUR (default -s, 8), then time
#   BUILDDIR/ksim run -q -d DURATION -o json -f OUT.json DAY.yaml
# under /usr/bin/time (user + system CPU seconds and maximum RSS of the
# ksim process), with a limit of -t (default 300) CPU seconds (ulimit -t)
# and six times that in wall-clock seconds (timeout(1)): a run that takes
# longer is killed and reported as such.  The default runs are
#   1000:1h 2000:1h 4000:1h 5000:24h@0
# one simulated hour at 1k, 2k and 4k nodes from 08:00 (the morning ramp:
# every HPA scaling up, the autoscalers adding nodes, consolidation
# looking at all of them), and the whole day at 5,000 nodes from midnight.
# VARIANTS is a comma-separated list of genday.sh's -v (default
# karpenter,ca; hpa is the third).
#
# For each run it prints the CPU seconds, CPU seconds per simulated hour,
# that rate times 24 (a day, when the run was shorter), the maximum RSS,
# the events and pods in the JSON report and events per CPU second.  It then
# prints, for each variant, the growth of the hourly cost between the sizes
# measured for the same duration and start hour (issue 12's target: an hour
# at 4,000 nodes at most 5x an hour at 1,000), and, when the day at 5,000
# nodes was not measured, an estimate of it: from the longest runs measured
# at two sizes or more, the cost per simulated hour at the largest size,
# grown to 5,000 nodes by the power law through the two largest sizes,
# times 24.  Rough: hours of the day differ (at 1,000 nodes an hour from
# 00:00 costs a fifth of one from 08:00; 08:00 is near the day's mean),
# and ten minutes from 08:00 see no consolidation yet (consolidateAfter).
#
# Runs are one at a time (one core); CPU seconds, not wall time, are the
# figure to trust on a shared machine.
set -eu

variants=karpenter,ca
hour=8
limit=300
while [ $# -gt 0 ]; do
	case "$1" in
	-v) variants=$2; shift 2 ;;
	-s) hour=$2; shift 2 ;;
	-t) limit=$2; shift 2 ;;
	-*) echo "day.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
if [ $# -lt 1 ]; then
	echo "usage: sh tests/bench/day.sh [-v VARIANTS] [-s HOUR] [-t SECONDS] BUILDDIR [NODES:DURATION[@HOUR]...]" >&2
	exit 2
fi
b=$(cd "$1" && pwd)
shift
[ $# -gt 0 ] || set -- 1000:1h 2000:1h 4000:1h 5000:24h@0
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ksim-day.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

# seconds of a duration as ksim's -d takes it (h, m, s and their sums)
secs() {
	echo "$1" | awk '{
		s = 0; n = ""
		for (i = 1; i <= length($0); i++) {
			c = substr($0, i, 1)
			if (c ~ /[0-9.]/) { n = n c; continue }
			s += n * (c == "h" ? 3600 : c == "m" ? 60 : 1); n = ""
		}
		print s + 0
	}'
}

echo "ksim day benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "binary: $b/ksim ($("$b/ksim" --version 2>&1 | head -1))"
echo "machine: $(nproc) cpu, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)"
echo "runs: ksim run -q -d DUR -o json -f OUT DAY.yaml; CPU = user + sys of ksim (/usr/bin/time), limit ${limit} s CPU"
echo
printf "%-9s %6s %5s %5s %8s %9s %9s %7s %8s %9s %7s %7s\n" \
    variant nodes start sim "CPU s" "CPU s/h" "day est" "RSS MiB" events "events/s" pods "wall s"
: > "$tmp/results"
for v in $(echo "$variants" | tr , ' '); do
	for r in "$@"; do
		n=${r%%:*}
		rest=${r#*:}
		d=${rest%@*}
		h=$hour
		case "$rest" in *@*) h=${rest#*@} ;; esac
		sh "$here/genday.sh" -v "$v" -s "$h" "$n" > "$tmp/day.yaml"
		rm -f "$tmp/out.json"
		rc=0
		(ulimit -t "$limit"
		 exec /usr/bin/time -f "%U %S %M %e" -o "$tmp/time" timeout $((limit * 6)) \
		    "$b/ksim" run -q -d "$d" -o json -f "$tmp/out.json" "$tmp/day.yaml") || rc=$?
		if [ "$rc" -ne 0 ]; then
			printf "%-9s %6d %02d:00 %5s   %s\n" "$v" "$n" "$h" "$d" \
			    "stopped (status $rc) at the ${limit} s CPU limit or $((limit * 6)) s wall"
			continue
		fi
		ev=$(grep -o '"object":' "$tmp/out.json" | wc -l)
		pods=$(grep -o '"workload":' "$tmp/out.json" | wc -l)
		tail -1 "$tmp/time" | awk -v v="$v" -v n="$n" -v h="$h" -v d="$d" \
		    -v sim="$(secs "$d")" -v ev="$ev" -v pods="$pods" '{
			cpu = $1 + $2
			ph = cpu * 3600 / sim
			printf "%-9s %6d %02d:00 %5s %8.2f %9.2f %9.0f %7.0f %8d %9.0f %7d %7.1f\n",
			    v, n, h, d, cpu, ph, ph * 24, $3 / 1024, ev, (cpu > 0 ? ev / cpu : 0), pods, $4
			print v, n, h, sim, cpu, $3, d > "/dev/stderr"
		}' 2>> "$tmp/results"
	done
done

echo
awk '{
	key = $1 " " $3 " " $4
	if (!(key in seen)) { seen[key] = 1; keys[nk++] = key }
	cnt[key]++; node[key, cnt[key]] = $2; cpu[key, cnt[key]] = $5; dur[key] = $7
	if ($2 == 5000 && $4 == 86400) day[$1] = $5
	vs[$1] = 1
}
END {
	for (i = 0; i < nk; i++) {
		k = keys[i]; split(k, f, " ")
		if (cnt[k] < 2)
			continue
		line = sprintf("%s, %s from %02d:00:", f[1], dur[k], f[2])
		for (j = 2; j <= cnt[k]; j++) {
			r = cpu[k, j] / cpu[k, j - 1]
			b = log(r) / log(node[k, j] / node[k, j - 1])
			line = line sprintf("  %d->%d nodes x%.2f (n^%.2f)", node[k, j - 1], node[k, j], r, b)
		}
		print line
		for (j = 1; j <= cnt[k]; j++) {
			if (node[k, j] == 1000) a = cpu[k, j]
			if (node[k, j] == 4000 && a > 0)
				printf "%s: %s at 4,000 nodes / at 1,000 = %.2f (target <= 5)\n", f[1], dur[k], cpu[k, j] / a
		}
		a = 0
		# the estimate comes from the longest runs measured at two sizes
		if (!(f[1] in day) && node[k, cnt[k]] < 5000 && f[3] > long[f[1]]) {
			b = log(cpu[k, cnt[k]] / cpu[k, cnt[k] - 1]) / log(node[k, cnt[k]] / node[k, cnt[k] - 1])
			long[f[1]] = f[3]
			est[f[1]] = cpu[k, cnt[k]] * 86400 / f[3] * (5000 / node[k, cnt[k]]) ^ b
			from[f[1]] = dur[k]
		}
	}
	for (v in est)
		printf "%s: a day at 5,000 nodes, estimated from the %s runs: %.0f s CPU (%.2fx real time)\n",
		    v, from[v], est[v], est[v] / 86400
	for (v in day)
		printf "%s: a day at 5,000 nodes, measured: %.1f s CPU (%.3fx real time)\n", v, day[v], day[v] / 86400
}' "$tmp/results"
