/*
 * billing.h: what a node costs, as EC2 bills it.
 *
 * EC2 bills Linux on-demand and spot instances per second with a minimum
 * of 60 seconds, from launch (when it is asked for: booting is billed) to
 * termination.  Prices are the node's own (price_nusd_h, fixed at launch:
 * the catalog's on-demand price or its spot estimate).  Units: nano-USD,
 * exact; rounding to micro-USD happens only when printed (util/fmt.h).
 */
#ifndef KS_CLOUD_BILLING_H
#define KS_CLOUD_BILLING_H

#include <stdint.h>

struct ks_node;

/* Nano-USD for running `ms` at price_nusd_h per hour: per second, 60 s minimum. */
int64_t	billing_nusd(int64_t price_nusd_h, int64_t ms);
/* Nano-USD the node costs from launch to its termination, or to end_ms while alive. */
int64_t	billing_node_cost_nusd(const struct ks_node *, int64_t end_ms);
/* Nano-USD the node has cost by time t: 0 before its launch, its final cost after it is gone. */
int64_t	billing_node_cost_at(const struct ks_node *, int64_t t);

#endif
