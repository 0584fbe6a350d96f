#!/bin/sh
# gen.sh: write a large ksim scenario to stdout, for benchmarks.
#
#   sh tests/bench/gen.sh [-s | -d] [NODES [PODS [SEED]]] > big.yaml
#
# Defaults: 5000 m5.xlarge nodes, 150000 pods.  85% of the nodes are general
# purpose, spread over three zones; 15% are a "batch" pool with the label
# pool=batch and the taint dedicated=batch:NoSchedule.  The pods come from
# Deployments of 500 replicas each, in a repeating mix of six shapes:
#   web    100m / 128Mi, required pod anti-affinity on the hostname
#   api    150m / 512Mi, topology spread on the zone (maxSkew 1)
#   cache   50m /  64Mi           jvm    200m / 1Gi
#   zonal   50m / 128Mi, nodeSelector zone us-east-1b
#   batch   50m / 128Mi, nodeSelector pool=batch + a toleration
# and one Deployment ("huge", 8 cpu per pod, 500 replicas) that fits nowhere,
# so the FailedScheduling path is exercised too.  The mix fills the cluster
# to about 80% of its cpu and memory.
#
# Without -s, the nodes are the Scenario's static nodes and every pod is
# created and scheduled at t=0: a scheduler benchmark.  With -s, the output
# is a cluster snapshot as `kubectl get nodes,pods -A -o yaml` prints it (a
# List of Node objects with allocatable, and of Running pods bound by
# spec.nodeName and owned by their Deployment's ReplicaSet), followed by the
# Deployments: a loader benchmark (about 25 YAML lines per pod); only the
# "huge" pods are left Pending for the scheduler.
#
# With -d, the run lasts a simulated day (24h) and a Cluster Autoscaler node
# group of m5.4xlarge (0 to 600) serves the "huge" pods, which are scaled to
# 0 at 12h: 500 nodes added, then removed, over 8,600 CA loops.
#
# The output is deterministic: the same arguments give the same bytes.
set -eu

snapshot=0
day=0
while [ $# -gt 0 ]; do
	case "$1" in
	-s) snapshot=1; shift ;;
	-d) day=1; shift ;;
	*) break ;;
	esac
done
nodes=${1:-5000}
pods=${2:-150000}
seed=${3:-1}

awk -v nodes="$nodes" -v pods="$pods" -v seed="$seed" -v snap="$snapshot" -v day="$day" 'BEGIN {
	batch = int(nodes * 15 / 100)
	general = nodes - batch
	per = int(general / 3)
	na = general - 2 * per		# zone a, then b, then c, then batch (zone c)
	printf "apiVersion: ksim/v1alpha1\nkind: Scenario\n"
	printf "metadata: {name: bench-%s%d-%d}\n", snap ? "snapshot-" : "", nodes, pods
	printf "spec:\n  duration: %s\n  seed: %d\n  region: us-east-1\n", day ? "24h" : "2m", seed
	if (day) {
		# a simulated day: the Cluster Autoscaler scales a group of
		# m5.4xlarge for the 8-cpu "huge" pods, which go away at 12h
		printf "  clusterAutoscaler: {scaleDownUnneededTime: 10m}\n"
		printf "  nodeGroups:\n    - {name: big, instanceType: m5.4xlarge, minSize: 0, maxSize: 600, desiredCapacity: 0}\n"
		printf "  timeline:\n    - {at: 12h, scale: {kind: Deployment, name: huge, namespace: bench, replicas: 0}}\n"
	}
	printf "  timing: {imagePull: 10s, containerStart: 1s}\n"
	if (!snap) {
		printf "  nodes:\n"
		printf "  - {instanceType: m5.xlarge, count: %d, zone: us-east-1a}\n", na
		printf "  - {instanceType: m5.xlarge, count: %d, zone: us-east-1b}\n", per
		printf "  - {instanceType: m5.xlarge, count: %d, zone: us-east-1c}\n", per
		if (batch > 0)
			printf "  - {instanceType: m5.xlarge, count: %d, zone: us-east-1c, labels: {pool: batch}, taints: [{key: dedicated, value: batch, effect: NoSchedule}]}\n", batch
	}
	split("web api cache jvm zonal batch", name, " ")
	split("100m 150m 50m 200m 50m 50m", cpu, " ")
	split("128Mi 512Mi 64Mi 1Gi 128Mi 128Mi", mem, " ")
	huge = pods >= 1000 ? 500 : 0
	left = pods - huge
	nd = 0
	for (d = 0; left > 0; d++) {
		k = d % 6 + 1
		r = left < 500 ? left : 500
		left -= r
		dname[nd] = sprintf("%s-%d", name[k], d)
		dreps[nd] = r
		dcpu[nd] = cpu[k]
		dmem[nd] = mem[k]
		dkind[nd++] = k
	}
	if (huge > 0) {
		dname[nd] = "huge"
		dreps[nd] = huge
		dcpu[nd] = "8"
		dmem[nd] = "1Gi"
		dkind[nd++] = 0
	}
	if (snap)
		snapshot()
	for (i = 0; i < nd; i++)
		deployment(dname[i], dreps[i], dcpu[i], dmem[i], dkind[i])
}
function nodename(i) {
	return sprintf("ip-10-%d-%d-%d.ec2.internal", int(i / 62500), int(i / 250) % 250, 10 + i % 250)
}
function zone(i) {
	return i < na ? "us-east-1a" : i < na + per ? "us-east-1b" : "us-east-1c"
}
function hash(s,    h, i) {
	h = 7
	for (i = 1; i <= length(s); i++)
		h = (h * 31 + index("abcdefghijklmnopqrstuvwxyz0123456789-", substr(s, i, 1))) % 1000000007
	return sprintf("%09d", h)
}
function snapshot(    i, j, n, z, t, rr, ra, rb, rt) {
	printf "---\napiVersion: v1\nkind: List\nitems:\n"
	for (i = 0; i < nodes; i++) {
		n = nodename(i)
		z = zone(i)
		printf "- apiVersion: v1\n  kind: Node\n  metadata:\n    name: %s\n    labels:\n", n
		printf "      kubernetes.io/hostname: %s\n      kubernetes.io/os: linux\n", n
		printf "      kubernetes.io/arch: amd64\n      node.kubernetes.io/instance-type: m5.xlarge\n"
		printf "      topology.kubernetes.io/region: us-east-1\n      topology.kubernetes.io/zone: %s\n", z
		if (i >= general) {
			printf "      pool: batch\n  spec:\n    taints:\n"
			printf "    - {key: dedicated, value: batch, effect: NoSchedule}\n"
		}
		printf "  status:\n    allocatable: {cpu: 3920m, ephemeral-storage: \"18242267924\", memory: 14502152Ki, pods: \"58\"}\n"
		printf "    capacity: {cpu: \"4\", ephemeral-storage: 20959212Ki, memory: 16099080Ki, pods: \"58\"}\n"
	}
	# round-robin placement over the nodes each shape may use
	ra = 0; rb = 0; rt = 0
	for (i = 0; i < nd; i++) {
		if (dkind[i] == 0)
			continue
		t = dname[i] "-" hash(dname[i])
		for (j = 0; j < dreps[i]; j++) {
			if (dkind[i] == 5)
				n = na + (rb++ % per)
			else if (dkind[i] == 6)
				n = general + (rt++ % batch)
			else
				n = ra++ % general
			pod(sprintf("%s-%05d", t, j), dname[i], t, dcpu[i], dmem[i], dkind[i], nodename(n))
		}
	}
	for (j = 0; j < huge; j++)
		pod(sprintf("huge-%s-%05d", hash("huge"), j), "huge", "huge-" hash("huge"), "8", "1Gi", 0, "")
}
function pod(p, app, rs, c, m, k, node) {
	printf "- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: %s\n    namespace: bench\n", p
	printf "    labels: {app: %s, pod-template-hash: \"%s\"}\n", app, substr(rs, length(app) + 2)
	printf "    ownerReferences:\n    - apiVersion: apps/v1\n      kind: ReplicaSet\n"
	printf "      name: %s\n      controller: true\n      blockOwnerDeletion: true\n", rs
	printf "  spec:\n"
	if (node != "")
		printf "    nodeName: %s\n", node
	constraints(app, k, "    ")
	printf "    containers:\n    - name: app\n      image: registry.example/%s:1\n", app
	printf "      resources:\n        requests: {cpu: %s, memory: %s}\n", c, m
	printf "  status:\n    phase: %s\n", node != "" ? "Running" : "Pending"
}
function constraints(app, k, ind) {
	if (k == 1) {
		printf "%saffinity:\n%s  podAntiAffinity:\n", ind, ind
		printf "%s    requiredDuringSchedulingIgnoredDuringExecution:\n", ind
		printf "%s    - {topologyKey: kubernetes.io/hostname, labelSelector: {matchLabels: {app: %s}}}\n", ind, app
	}
	if (k == 2) {
		printf "%stopologySpreadConstraints:\n", ind
		printf "%s- {maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: %s}}}\n", ind, app
	}
	if (k == 5)
		printf "%snodeSelector: {topology.kubernetes.io/zone: us-east-1b}\n", ind
	if (k == 6) {
		printf "%snodeSelector: {pool: batch}\n", ind
		printf "%stolerations: [{key: dedicated, operator: Equal, value: batch, effect: NoSchedule}]\n", ind
	}
}
function deployment(n, r, c, m, k) {
	printf "---\napiVersion: apps/v1\nkind: Deployment\n"
	printf "metadata: {name: %s, namespace: bench}\n", n
	printf "spec:\n  replicas: %d\n  selector: {matchLabels: {app: %s}}\n", r, n
	printf "  template:\n    metadata: {labels: {app: %s}}\n    spec:\n", n
	constraints(n, k, "      ")
	printf "      containers:\n      - name: app\n        image: registry.example/%s:1\n", n
	printf "        resources: {requests: {cpu: %s, memory: %s}}\n", c, m
}'
