/*
 * report.c: the Cluster Autoscaler's data for the run report.
 *
 * Node groups with their desired/ready samples, CA's version, config and
 * expander, every scale-up and scale-down decision, and each node's last
 * scale-down status, as the JSON sections "node_groups" and
 * "cluster_autoscaler" (absent when CA is off).  The formats render them:
 * report/text_ca.c prints the text section from this data alone (and the
 * cluster's nodes), so nothing here formats text.
 */
#include <math.h>
#include <stdio.h>

#include "autoscale/ca/ca.h"

static const char *
expander_text(const struct ca_state *st, char *buf, size_t n)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int e = 0; e < st->o.nexp; e++)
		len += (size_t)snprintf(buf + len, len < n ? n - len : 0, "%s%s", e ? "," : "",
		    ca_exp_name[st->o.exp[e]]);
	return buf;
}

/* The data of the CA section (see above), added to root. */
void
ca_report_json(struct ks_run *r, void *state, json_t *root)
{
	struct ca_state *st = state;
	struct ks_cluster *c = &r->cluster;
	json_t *groups = json_array(), *ca = json_object(), *ups = json_array(),
	    *downs = json_array(), *nodes = json_array();
	char buf[128];

	for (size_t i = 0; i < st->ngroups; i++) {
		struct ca_group *g = st->groups[i];
		json_t *o = json_object(), *samples = json_array();

		json_object_set_new(o, "name", json_string(g->name));
		json_object_set_new(o, "instance_type", json_string(g->itype->name));
		json_object_set_new(o, "capacity_type", json_string(g->spot ? "spot" : "on-demand"));
		json_object_set_new(o, "min", json_integer(g->min));
		json_object_set_new(o, "max", json_integer(g->max));
		json_object_set_new(o, "desired", json_integer(g->desired));
		json_object_set_new(o, "scale_ups", json_integer(g->nscaleups));
		json_object_set_new(o, "scale_downs", json_integer(g->nscaledowns));
		for (size_t k = 0; k < g->nsamples; k++) {
			json_t *s = json_object();

			json_object_set_new(s, "at_ms", json_integer(g->samples[k].at_ms));
			json_object_set_new(s, "desired", json_integer(g->samples[k].desired));
			json_object_set_new(s, "ready", json_integer(g->samples[k].ready));
			json_array_append_new(samples, s);
		}
		json_object_set_new(o, "samples", samples);
		json_array_append_new(groups, o);
	}
	json_object_set_new(root, "node_groups", groups);
	if (!st->enabled) {
		json_decref(ca);
		json_decref(ups);
		json_decref(downs);
		json_decref(nodes);
		return;
	}
	snprintf(buf, sizeof(buf), "1.%d", st->version);
	json_object_set_new(ca, "version", json_string(buf));
	json_object_set_new(ca, "config", json_string(st->source));
	json_object_set_new(ca, "expander", json_string(expander_text(st, buf, sizeof(buf))));
	json_object_set_new(ca, "loops", json_integer((json_int_t)st->loops));
	for (size_t i = 0; i < st->nrecs; i++) {
		const struct ca_record *rec = &st->recs[i];
		json_t *o = json_object();

		json_object_set_new(o, "at_ms", json_integer(rec->at_ms));
		json_object_set_new(o, "group", json_string(rec->group));
		json_object_set_new(o, "from", json_integer(rec->from));
		json_object_set_new(o, "to", json_integer(rec->to));
		if (rec->up) {
			json_object_set_new(o, "expander", json_string(rec->expander));
			json_object_set_new(o, "score", isnan(rec->score) ? json_null() :
			    json_real(round(rec->score * 1000) / 1000));
			json_object_set_new(o, "options", json_integer(rec->options));
			json_object_set_new(o, "pods", json_integer(rec->pods));
			json_array_append_new(ups, o);
		} else {
			json_object_set_new(o, "node", json_string(rec->node));
			json_object_set_new(o, "empty", json_boolean(rec->empty));
			json_array_append_new(downs, o);
		}
	}
	for (size_t i = 0; i < c->nnodes; i++) {
		const struct ks_node *n = c->nodes[i];
		json_t *o;

		if (n->id >= st->nni || st->ni[n->id].why == NULL)
			continue;
		o = json_object();
		json_object_set_new(o, "name", json_string(n->name));
		json_object_set_new(o, "utilization", json_real(round(st->ni[n->id].util * 1000) / 1000));
		json_object_set_new(o, "status", json_string(n->state == NODE_GONE ? "Removed" :
		    st->ni[n->id].why));
		json_array_append_new(nodes, o);
	}
	json_object_set_new(ca, "scale_ups", ups);
	json_object_set_new(ca, "scale_downs", downs);
	json_object_set_new(ca, "nodes", nodes);
	json_object_set_new(root, "cluster_autoscaler", ca);
}
