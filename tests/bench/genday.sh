#!/bin/sh
# genday.sh: write a simulated day of a cluster with its autoscalers (issue
# 12's workload) to stdout, for benchmarks.
#
#   sh tests/bench/genday.sh [-v hpa|karpenter|ca] [-s HOUR] [NODES [SEED]] > day.yaml
#
# Defaults: -v karpenter, start at 00:00, 5000 nodes, seed 1.
#
# The cluster is NODES m5.xlarge at the peak, over three zones:
#   -v hpa        NODES static nodes (sized for the peak), HPAs only;
#   -v karpenter  40% of NODES static, plus a karpenter.sh/v1 NodePool of
#                 m5.xlarge on-demand (WhenEmptyOrUnderutilized,
#                 consolidateAfter 5m, three zones);
#   -v ca         40% of NODES static, plus one Cluster Autoscaler node
#                 group of m5.xlarge over the three zones, its desired
#                 capacity what the start hour needs.
# NODES/5 Deployments (1,000 at 5,000 nodes), in namespace bench, each with
# one of four request shapes (100m/128Mi for 6 in 10 Deployments, 120m/256Mi
# for 2 in 10, 150m/256Mi and 200m/512Mi for 1 in 10 each; 119m on average)
# and a peak size P drawn between 50 and 250 (150 on average), so that the
# peak is about 30 pods per node (about 147,000 pods at 5,000 nodes, some
# 89% of the cpu allocatable).
#
# Each Deployment has an autoscaling/v2 HPA on cpu at 70% average
# utilization, minReplicas 10% and maxReplicas 250% of P, and a shared cpu
# load (spec.load, split over its ready pods as a Service does) that follows
# a diurnal curve: hourly points g(h) = 0.7 - 0.3 cos(2 pi (h - 2) / 24)
# of P x request x 70%, with linear ramps between them: a trough of 40% at
# 02:00 and the peak (the HPA's equilibrium at P replicas) at 14:00.  Each
# Deployment's curve is shifted by its own phase jitter, a whole number of
# minutes in [-120, 120].  Its replicas at the start are the HPA's
# equilibrium for the load at the start: ceil(load / (70% x request)).
# The load points cover a day from the start hour; the run lasts 24h
# (ksim run -d overrides it).
#
# The random draws come from a Park-Miller generator seeded with SEED, all
# arithmetic is exact in awk's doubles, so the same arguments give the
# same bytes with any POSIX awk.
set -eu

variant=karpenter
start=0
while [ $# -gt 0 ]; do
	case "$1" in
	-v) variant=$2; shift 2 ;;
	-s) start=$2; shift 2 ;;
	-h|--help) sed -n '2,8p' "$0"; exit 0 ;;
	-*) echo "genday.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
case "$variant" in
hpa|karpenter|ca) ;;
*) echo "genday.sh: -v takes hpa, karpenter or ca" >&2; exit 2 ;;
esac
nodes=${1:-5000}
seed=${2:-1}

awk -v nodes="$nodes" -v seed="$seed" -v variant="$variant" -v start="$start" 'BEGIN {
	if (nodes < 5 || start < 0 || start > 23) {
		print "genday.sh: NODES must be at least 5, HOUR 0 to 23" > "/dev/stderr"
		exit 2
	}
	pi = atan2(0, -1)
	rng = seed % 2147483646 + 1
	for (i = 0; i < 8; i++)
		draw()		# the first draws of a small seed are small
	ndep = int(nodes / 5)
	static = variant == "hpa" ? nodes : int(nodes * 40 / 100)
	split("100m 120m 150m 200m", scpu, " ")
	split("100 120 150 200", scpum, " ")
	split("128Mi 256Mi 256Mi 512Mi", smem, " ")
	split("1 1 1 1 1 1 2 2 3 4", shapeof, " ")
	for (h = 0; h < 24; h++)
		g[h] = 0.7 - 0.3 * cos(2 * pi * (h - 2) / 24)
	reqs = 0
	for (d = 0; d < ndep; d++) {
		name[d] = sprintf("app-%05d", d)
		k = shapeof[d % 10 + 1]
		shape[d] = k
		peak[d] = 50 + int(draw() * 201)
		phase[d] = int(draw() * 241) - 120		# minutes
		# the load at the start, as the curve interpolates it there
		tau = start * 60 - phase[d]			# minutes, local
		j = floor(tau / 60)
		f = g[mod24(j)] + (g[mod24(j + 1)] - g[mod24(j)]) * (tau - 60 * j) / 60
		l0[d] = load(d, f)
		r0[d] = clamp(ceildiv(l0[d] * 10, scpum[k] * 7), d)
		reqs += r0[d] * scpum[k]
	}
	header(reqs)
	for (d = 0; d < ndep; d++)
		loadentry(d)
	if (variant == "karpenter")
		nodepool()
	for (d = 0; d < ndep; d++)
		deployment(d)
}
function draw() {
	rng = (rng * 16807) % 2147483647
	return (rng - 1) / 2147483646
}
function floor(x,    i) {
	i = int(x)
	return i > x ? i - 1 : i
}
function mod24(h) {
	h = h % 24
	return h < 0 ? h + 24 : h
}
function ceildiv(a, b) {
	return int((a + b - 1) / b)
}
function minr(d) {
	return int((peak[d] + 5) / 10)
}
function maxr(d) {
	return ceildiv(peak[d] * 5, 2)
}
function clamp(r, d) {
	return r < minr(d) ? minr(d) : r > maxr(d) ? maxr(d) : r
}
# the shared cpu demand in millicores at the fraction f of the peak
function load(d, f) {
	return int(peak[d] * scpum[shape[d]] * 0.7 * f + 0.5)
}
function zonecount(z, n) {
	return int(n / 3) + (z < n % 3 ? 1 : 0)
}
function header(reqs,    z, cap, need) {
	printf "# genday.sh -v %s -s %d %d %d\n", variant, start, nodes, seed
	printf "apiVersion: ksim/v1alpha1\nkind: Scenario\n"
	printf "metadata: {name: day-%s-%d}\n", variant, nodes
	printf "spec:\n  duration: 24h\n  seed: %d\n  region: us-east-1\n", seed
	printf "  timing: {imagePull: 10s, containerStart: 1s}\n"
	printf "  nodes:\n"
	for (z = 0; z < 3; z++)
		if (zonecount(z, static) > 0)
			printf "  - {instanceType: m5.xlarge, count: %d, zone: us-east-1%s}\n", zonecount(z, static), substr("abc", z + 1, 1)
	if (variant == "ca") {
		# the group holds what the static nodes cannot at the start, at
		# 85% of an m5.xlarge (3920m allocatable)
		need = ceildiv(reqs, 3332) - static
		cap = int((nodes - static) * 3 / 2)
		if (need < 0)
			need = 0
		if (need > cap)
			need = cap
		printf "  clusterAutoscaler: {expander: least-waste}\n"
		printf "  nodeGroups:\n"
		printf "    - name: workers\n      instanceType: m5.xlarge\n"
		printf "      minSize: 0\n      maxSize: %d\n      desiredCapacity: %d\n", cap, need
		printf "      availabilityZones: [us-east-1a, us-east-1b, us-east-1c]\n"
	}
	printf "  load:\n"
}
function loadentry(d,    tau0, tau1, j, k, t) {
	printf "  - workload: Deployment/%s\n    namespace: bench\n", name[d]
	printf "    shared:\n      series:\n"
	printf "      - {at: 0s, cpu: %dm}\n", l0[d]
	# the hourly points of the local curve, from the start to a day on
	tau0 = start * 60 - phase[d]
	tau1 = tau0 + 24 * 60
	for (j = floor(tau0 / 60) + 1; 60 * (j - 1) < tau1; j++) {
		t = 60 * j - tau0
		printf "      - {at: %dm, cpu: %dm, ramp: linear}\n", t, load(d, g[mod24(j)])
	}
}
function nodepool(    lim) {
	lim = int((nodes - static) * 3 / 2) * 4
	printf "---\napiVersion: karpenter.sh/v1\nkind: NodePool\nmetadata: {name: default}\n"
	printf "spec:\n  template:\n    spec:\n"
	printf "      nodeClassRef: {group: karpenter.k8s.aws, kind: EC2NodeClass, name: default}\n"
	printf "      requirements:\n"
	printf "        - {key: node.kubernetes.io/instance-type, operator: In, values: [m5.xlarge]}\n"
	printf "        - {key: karpenter.sh/capacity-type, operator: In, values: [on-demand]}\n"
	printf "  limits: {cpu: %d}\n", lim
	printf "  disruption: {consolidationPolicy: WhenEmptyOrUnderutilized, consolidateAfter: 5m}\n"
	printf "---\napiVersion: karpenter.k8s.aws/v1\nkind: EC2NodeClass\nmetadata: {name: default}\n"
	printf "spec:\n  amiSelectorTerms: [{alias: al2023@latest}]\n  role: KarpenterNodeRole-bench\n"
	printf "  subnetSelectorTerms: [{tags: {karpenter.sh/discovery: bench}}]\n"
	printf "  securityGroupSelectorTerms: [{tags: {karpenter.sh/discovery: bench}}]\n"
}
function deployment(d,    k) {
	k = shape[d]
	printf "---\napiVersion: apps/v1\nkind: Deployment\n"
	printf "metadata: {name: %s, namespace: bench}\n", name[d]
	printf "spec:\n  replicas: %d\n  selector: {matchLabels: {app: %s}}\n", r0[d], name[d]
	printf "  template:\n    metadata: {labels: {app: %s}}\n    spec:\n", name[d]
	printf "      containers:\n      - name: app\n        image: registry.example/%s:1\n", name[d]
	printf "        resources: {requests: {cpu: %s, memory: %s}}\n", scpu[k], smem[k]
	printf "---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\n"
	printf "metadata: {name: %s, namespace: bench}\n", name[d]
	printf "spec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: %s}\n", name[d]
	printf "  minReplicas: %d\n  maxReplicas: %d\n", minr(d), maxr(d)
	printf "  metrics:\n  - type: Resource\n"
	printf "    resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}\n"
}'
