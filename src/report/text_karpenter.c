/*
 * text_karpenter.c: Karpenter's section of the text report, rendered
 * from its data ("node_claims", "karpenter"; autoscale/karpenter/report.c).
 *
 * A row per NodeClaim (pool, type, capacity type, zone, times, why it
 * went), then a line with the NodePools, spot-to-spot consolidation, the
 * provisioning rounds and what spot interruptions cost.  Without
 * --detail at most REPORT_TEXT_ROWS NodeClaims are printed (text.h).
 */
#include "report/text.h"

#include <stdio.h>

#include "util/fmt.h"

/* A time of the data, or "-" when null (not happened). */
static const char *
kp_time(const json_t *o, const char *key, char *buf, size_t n)
{
	const json_t *t = json_object_get(o, key);

	return json_is_integer(t) ? fmt_time(json_integer_value(t), buf, n) : "-";
}

void
report_text_karpenter(const struct report_account *a, const struct report_view *v,
    const json_t *root, FILE *fp)
{
	const json_t *claims = json_object_get(root, "node_claims");
	const json_t *kp = json_object_get(root, "karpenter");
	size_t n = json_array_size(claims), rows = report_text_rows(v, n);
	char t1[32], t2[32], t3[32];

	(void)a;
	fprintf(fp, "\nKARPENTER\n%-22s %-16s %-14s %-10s %-12s %-10s %-10s %-10s %s\n",
	    "NODECLAIM", "NODEPOOL", "TYPE", "CAPACITY", "ZONE", "LAUNCHED", "READY", "GONE",
	    "REASON");
	for (size_t i = 0; i < rows; i++) {
		const json_t *k = json_array_get(claims, i);

		fprintf(fp, "%-22s %-16s %-14s %-10s %-12s %-10s %-10s %-10s %s\n",
		    report_data_str(k, "name"), report_data_str(k, "node_pool"),
		    report_data_str(k, "instance_type"), report_data_str(k, "capacity_type"),
		    report_data_str(k, "zone"), kp_time(k, "launched_at_ms", t1, sizeof(t1)),
		    kp_time(k, "ready_at_ms", t2, sizeof(t2)),
		    kp_time(k, "terminated_at_ms", t3, sizeof(t3)), report_data_str(k, "reason"));
	}
	report_text_more(fp, rows, n, "NodeClaims", "workloads");
	fprintf(fp, "nodepools: %zu; spotToSpotConsolidation %s; provisioning rounds: %llu; "
	    "spot interruptions: %llu (%llu pods rescheduled, %lld pod-seconds until running "
	    "again, %lld extra node-seconds)\n", json_array_size(json_object_get(kp, "node_pools")),
	    json_is_true(json_object_get(kp, "spot_to_spot_consolidation")) ? "on" : "off",
	    (unsigned long long)report_data_int(kp, "provisioning_rounds"),
	    (unsigned long long)report_data_int(kp, "spot_interruptions"),
	    (unsigned long long)report_data_int(kp, "interrupted_pods"),
	    (long long)report_data_int(kp, "interrupted_pod_seconds"),
	    (long long)report_data_int(kp, "interrupted_node_seconds"));
}
