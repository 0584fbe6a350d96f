/*
 * load_admit.c: what the API server's admission does to a pod (or a pod
 * template, for the pods it will make) before kube-scheduler sees it,
 * which changes what the pod asks for or where it stands in the queue:
 *
 *  - LimitRanger: the container defaults of the namespace's LimitRanges
 *    (requests and limits a container sets none of);
 *  - Priority: the value of its PriorityClass (the input's, or one of the
 *    two every cluster has), or of the globalDefault class when it names
 *    none.
 *
 * The loader applies them once everything is read (load_admit); the
 * CronJob controller applies them to each Job it creates
 * (ks_scenario_admit).  Quotas and the LimitRange's min/max checks are
 * not modelled.
 */
#include "io/load.h"

#include <string.h>

#include "util/xmalloc.h"

/*
 * A LimitRange: each item of type Container, its defaults completed as
 * the API server completes them (SetDefaults_LimitRangeItem: default
 * limit <- max; default request <- default limit, else min).
 */
int
load_limit_range(struct ks_scenario *s, const struct yt_node *root, struct ks_error *err)
{
	const struct yt_node *l = yt_map_get(yt_map_get(root, "spec"), "limits");
	const char *ns, *name;

	if (load_meta(root, &ns, &name, err) != 0)
		return KS_EINVAL;
	if (l == NULL || yt_is_null(l))
		return 0;
	if (yt_expect_seq(l, err) != 0)
		return KS_EINVAL;
	for (size_t i = 0; i < l->nitems; i++) {
		const struct yt_node *e = l->items[i], *t;
		struct ks_res def, defreq, max, min;

		if (yt_expect_map(e, err) != 0)
			return KS_EINVAL;
		t = yt_map_get(e, "type");
		if (t == NULL || t->str == NULL || strcmp(t->str, "Container") != 0)
			continue;
		if (load_resources(yt_map_get(e, "default"), &def, err) != 0 ||
		    load_resources(yt_map_get(e, "defaultRequest"), &defreq, err) != 0 ||
		    load_resources(yt_map_get(e, "max"), &max, err) != 0 ||
		    load_resources(yt_map_get(e, "min"), &min, err) != 0)
			return KS_EINVAL;
		for (int r = 0; r < RES_N; r++) {
			if (def.v[r] == 0)
				def.v[r] = max.v[r];
			if (defreq.v[r] == 0)
				defreq.v[r] = def.v[r] != 0 ? def.v[r] : min.v[r];
		}
		s->lrs = xreallocarray(s->lrs, s->nlrs + 1, sizeof(*s->lrs));
		s->lrs[s->nlrs++] = (struct ks_limitrange){ ns, def, defreq };
	}
	return 0;
}

/*
 * LimitRanger's defaults for sp (mergeContainerResources): each container,
 * init containers too, gets each default request it has none of (a
 * request defaulted from its limit counts as one) and each default limit
 * it has none of.  Then the pod's requests again.
 */
static void
limit_ranges_apply(const struct ks_scenario *s, const char *ns, struct ks_podspec *sp)
{
	int changed = 0;

	for (size_t k = 0; k < s->nlrs; k++) {
		const struct ks_limitrange *lr = &s->lrs[k];

		if (lr->ns != ns)
			continue;
		for (size_t i = 0; i < sp->nctrs; i++) {
			struct ks_container *c = &sp->ctrs[i];

			for (int r = 0; r < RES_N; r++) {
				if (!(c->req_set & 1u << r) && lr->defreq.v[r] != 0) {
					c->req.v[r] = lr->defreq.v[r];
					c->req_set |= 1u << r;
					changed = 1;
				}
				if (c->lim.v[r] == 0 && lr->def.v[r] != 0)
					c->lim.v[r] = lr->def.v[r];
			}
		}
	}
	if (!changed)
		return;
	for (size_t i = 0; i < sp->nctrs; i++)
		if (sp->ctrs[i].req.v[RES_CPU] || sp->ctrs[i].req.v[RES_MEM])
			sp->has_requests = 1;
	podspec_effective(sp, NULL, &sp->req);
}

void
ks_scenario_admit(const struct ks_scenario *s, const char *ns, struct ks_podspec *sp)
{
	if (sp == NULL)
		return;
	limit_ranges_apply(s, ns, sp);
	ks_scenario_priority(s, sp);
}

/* The PriorityClasses every cluster has (pkg/apis/scheduling/types.go). */
static const struct {
	const char	*name;		/* metadata.name */
	int32_t		 value;		/* its value */
} builtin_pc[] = {
	{ "system-node-critical", 2000001000 },
	{ "system-cluster-critical", 2000000000 },
};

/* The value of the PriorityClass name (interned): the input's, else a built-in one. */
static int
pc_lookup(const struct ks_scenario *s, const char *name, int32_t *out)
{
	for (size_t i = 0; i < s->npc; i++)
		if (s->pc_names[i] == name) {
			*out = s->pc_values[i];
			return 1;
		}
	for (size_t i = 0; i < sizeof(builtin_pc) / sizeof(builtin_pc[0]); i++)
		if (strcmp(builtin_pc[i].name, name) == 0) {
			*out = builtin_pc[i].value;
			return 1;
		}
	return 0;
}

void
ks_scenario_priority(const struct ks_scenario *s, struct ks_podspec *sp)
{
	const char *name;
	int32_t v;

	if (sp == NULL)
		return;
	name = sp->priority_class != NULL ? sp->priority_class : s->pc_default;
	if (name != NULL && pc_lookup(s, name, &v))
		sp->priority = v;
}

/* ks_scenario_admit() at load, with a warning for a PriorityClass the input lacks. */
void
load_admit(const struct ks_scenario *s, const char *ns, struct ks_podspec *sp)
{
	int32_t v;

	limit_ranges_apply(s, ns, sp);

	if (sp->priority_class != NULL && !pc_lookup(s, sp->priority_class, &v) &&
	    sp->priority == 0)
		ks_warn(&sp->mark, "PriorityClass %s is not in the input: ksim gives its pods "
		    "priority 0", sp->priority_class);
	ks_scenario_priority(s, sp);
}
