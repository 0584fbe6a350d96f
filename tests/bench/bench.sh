#!/bin/sh
# bench.sh: the ksim benchmark (not part of make check).
#
#   sh tests/bench/bench.sh BUILDDIR [NODES [PODS]]
#
# BUILDDIR is a configured and built tree (it has ./ksim and
# src/libksim.a).  Writes the two scenarios of gen.sh into a temporary
# directory, then:
#   1. builds tests/bench/bench.c against BUILDDIR/src/libksim.a and runs it
#      on the static-node scenario: load, set-up, scheduling pass (every pod
#      is created at t=0 and placed in one pass), lifecycle, JSON report;
#   2. times `ksim validate` (load only) and `ksim run -o json` on the
#      snapshot scenario (nodes and bound pods as kubectl prints them);
#   3. if perf(1) works, prints `perf stat` for the static run;
#   4. times ten simulated minutes of genday.sh's day with autoscalers
#      (Karpenter, NODES/5 nodes, from 08:00); day.sh is the full benchmark.
# Defaults: 5000 nodes, 150000 pods.
set -eu

if [ $# -lt 1 ]; then
	echo "usage: sh tests/bench/bench.sh BUILDDIR [NODES [PODS]]" >&2
	exit 2
fi
b=$(cd "$1" && pwd)
nodes=${2:-5000}
pods=${3:-150000}
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ksim-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

sh "$here/gen.sh" "$nodes" "$pods" > "$tmp/static.yaml"
sh "$here/gen.sh" -s "$nodes" "$pods" > "$tmp/snapshot.yaml"
echo "scenarios: $nodes nodes, $pods pods; snapshot $(wc -c < "$tmp/snapshot.yaml") bytes," \
    "$(wc -l < "$tmp/snapshot.yaml") lines"

${CC:-cc} -std=c11 -D_GNU_SOURCE -O2 -I"$src/src" -I"$b" -I"$b/src" \
    $(pkg-config --cflags yaml-0.1 jansson) "$here/bench.c" "$b/src/libksim.a" \
    $(pkg-config --libs yaml-0.1 jansson) -lm -o "$tmp/bench"
echo
echo "== static nodes, every pod scheduled at t=0 (bench.c)"
"$tmp/bench" "$tmp/static.yaml"

tm() {
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f "%e s wall, %U s user, %S s sys, %M KiB max RSS" "$@"
	else
		time "$@"
	fi
}
echo
echo "== snapshot: ksim validate (load only)"
tm "$b/ksim" validate -q "$tmp/snapshot.yaml"
echo "== snapshot: ksim run -o json"
tm "$b/ksim" run -q -o json --output-file "$tmp/out.json" "$tmp/snapshot.yaml"
echo "== static: ksim run -o json"
tm "$b/ksim" run -q -o json --output-file "$tmp/out.json" "$tmp/static.yaml"

if command -v perf >/dev/null 2>&1 && perf stat -e task-clock true >/dev/null 2>&1; then
	echo
	echo "== perf stat: static, ksim run -o json"
	perf stat -e task-clock,instructions,cycles,page-faults \
	    "$b/ksim" run -q -o json --output-file "$tmp/out.json" "$tmp/static.yaml" 2>&1 |
	    grep -E "task-clock|instructions|cycles|page-faults|elapsed"
fi

dn=$((nodes / 5))
[ "$dn" -ge 5 ] || dn=5
sh "$here/genday.sh" -v karpenter -s 8 "$dn" > "$tmp/day.yaml"
echo
echo "== a day with HPAs and Karpenter (genday.sh, $dn nodes), 10 simulated minutes from 08:00"
tm "$b/ksim" run -q -d 10m -o json --output-file "$tmp/out.json" "$tmp/day.yaml"
