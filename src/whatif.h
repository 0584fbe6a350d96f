/*
 * whatif.h: the what-if commands: compare, sweep, merge.  Each takes the
 * command line after its name and returns an exit status (0, 1, 2).
 *
 * Ownership: whatif_summary() returns a new reference (json_decref it).
 */
#ifndef KS_WHATIF_H
#define KS_WHATIF_H

#include <jansson.h>
#include <stddef.h>

int	whatif_main(const char *cmd, int argc, char **argv);

/*
 * The numbers compare and sweep print, from a run's JSON report: cost_usd,
 * nodes_launched, max_nodes, peak_nodes_by_type, pods, pending_at_end,
 * p50/p95/max_pending_s, max_replicas, workloads (the same per workload),
 * events (count per timeline event type), expectations {passed, total}.
 */
json_t	*whatif_summary(json_t *report);
/* Combination index -> the value chosen for each --vary (the last varies fastest). */
void	 whatif_combo(const size_t *nvalues, size_t nvary, size_t index, size_t *choice);
/* Shard `shard` of `nshards` runs combination index (index % nshards == shard). */
int	 whatif_in_shard(size_t index, size_t shard, size_t nshards);

#endif
