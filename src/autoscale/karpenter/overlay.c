/*
 * overlay.c: NodeOverlay (karpenter.sh/v1alpha1, kubernetes-sigs/karpenter
 * pkg/apis/v1alpha1/nodeoverlay.go): a user's correction to the price of
 * the offerings its requirements match, and the extended resources it adds
 * to their capacity.  Overlays are ordered by weight, higher first, and
 * by name, later in the alphabet first (OrderByWeight); for an offering's
 * price the first matching overlay with `price` (the new price, $/h) or
 * `priceAdjustment` (a signed amount, "+0.1" / "-0.5", or a percentage,
 * "+10%" / "-15%") wins; `capacity` adds extended resources, the first
 * matching overlay per resource winning.  Requirements match against the
 * instance type's labels, the offering's capacity type and zone, and the
 * NodePool's own labels (karpenter.sh/nodepool and its template labels, as
 * In requirements of the claim).  Karpenter v1.x applies overlays only
 * with featureGates.nodeOverlay (alpha, default false); ksim does the
 * same and warns when overlays are declared and the gate is off.  The
 * price is used wherever Karpenter compares offerings (launch order and
 * filters, consolidation) and is what the node costs in the report.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autoscale/karpenter/karpenter.h"
#include "cluster/quantity.h"
#include "util/intern.h"
#include "util/xmalloc.h"

static int
kp_overlay_cmp(const void *a, const void *b)
{
	const struct kp_overlay *x = a, *y = b;

	if (x->weight != y->weight)
		return x->weight > y->weight ? -1 : 1;
	return -strcmp(x->name, y->name);
}

/* "+0.1", "-0.5", "+10%", "-15%" (the CRD's pattern) into o. */
static int
kp_overlay_adjust(const char *s, struct kp_overlay *o, const struct ks_mark *m,
    struct ks_error *err)
{
	size_t len = strlen(s);
	char *end;
	double x;

	if (len < 2 || (s[0] != '+' && s[0] != '-'))
		goto bad;
	x = strtod(s, &end);
	if (end == s)
		goto bad;
	if (*end == '%' && end[1] == '\0') {
		if (x < -100)
			goto bad;
		o->adj_kind = KP_ADJ_PCT;
	} else if (*end == '\0') {
		o->adj_kind = KP_ADJ_ABS;
	} else {
		goto bad;
	}
	o->adj = x;
	return 0;
bad:
	return ks_error_set(err, m, KS_EINVAL, "expected a priceAdjustment such as \"+0.1\", "
	    "\"-0.5\", \"+10%%\" or \"-15%%\", found \"%s\"", s);
}

static int
kp_overlay_capacity(const struct yt_node *m, struct kp_overlay *o, struct ks_error *err)
{
	if (m == NULL || yt_is_null(m))
		return 0;
	if (yt_expect_map(m, err) != 0)
		return KS_EINVAL;
	for (size_t i = 0; i < m->npairs; i++) {
		const char *k = m->pairs[i].key->str, *v;
		int ri = k ? res_index(k) : -1;
		int64_t x;

		if (k == NULL)
			continue;
		if (strcmp(k, "cpu") == 0 || strcmp(k, "memory") == 0 ||
		    strcmp(k, "ephemeral-storage") == 0 || strcmp(k, "pods") == 0)
			return ks_error_set(err, &m->pairs[i].key->mark, KS_EINVAL,
			    "invalid resource restricted: a NodeOverlay's capacity adds extended "
			    "resources only, found \"%s\"", k);
		if (ri < 0) {
			ks_warn(&m->pairs[i].key->mark, "NodeOverlay \"%s\": resource \"%s\" is not "
			    "modelled; ignored", o->name, k);
			continue;
		}
		if (yt_get_str(m->pairs[i].value, &v, err) != 0 ||
		    qty_parse_value(v, &x, NULL, err, &m->pairs[i].value->mark) != 0)
			return KS_EINVAL;
		o->cap.v[ri] = x;
		o->capmask |= 1u << ri;
	}
	return 0;
}

int
kp_overlay_parse(struct kp_state *st, const struct ks_doc *d, struct ks_error *err)
{
	static const char *const keys[] = { "requirements", "price", "priceAdjustment",
		"capacity", "weight", NULL };
	const struct yt_node *spec = yt_map_get(d->root, "spec"), *v;
	struct kp_overlay o;
	const char *price = NULL, *adj = NULL;

	if (strcmp(d->api_version, "karpenter.sh/v1alpha1") != 0)
		return ks_error_set(err, &d->mark, KS_EINVAL, "expected apiVersion "
		    "karpenter.sh/v1alpha1 for NodeOverlay \"%s\", found %s", d->name,
		    d->api_version);
	if (spec == NULL || yt_is_null(spec))
		return ks_error_set(err, &d->mark, KS_EINVAL,
		    "expected a spec in NodeOverlay \"%s\", found none", d->name);
	memset(&o, 0, sizeof(o));
	o.name = d->name;
	o.mark = d->mark;
	if (yt_expect_map(spec, err) != 0 || load_strict(spec, keys, "a NodeOverlay spec",
	    err) != 0 || load_str_opt(spec, "price", &price, err) != 0 ||
	    load_str_opt(spec, "priceAdjustment", &adj, err) != 0)
		return KS_EINVAL;
	if ((v = yt_map_get(spec, "weight")) != NULL && !yt_is_null(v)) {
		int64_t w;

		if (yt_get_int64(v, &w, err) != 0)
			return KS_EINVAL;
		if (w < 1 || w > 10000)
			return ks_error_set(err, &v->mark, KS_EINVAL,
			    "expected a weight between 1 and 10000, found %lld", (long long)w);
		o.weight = (int)w;
	}
	if (price != NULL && adj != NULL)
		return ks_error_set(err, &spec->mark, KS_EINVAL,
		    "cannot set both 'price' and 'priceAdjustment'");
	if (price != NULL) {
		char *end;
		double x = strtod(price, &end);

		if (end == price || *end != '\0' || x < 0 || price[0] == '+' || price[0] == '-')
			return ks_error_set(err, load_mark(yt_map_get(spec, "price")), KS_EINVAL,
			    "expected a price such as \"0.25\" (USD per hour), found \"%s\"", price);
		o.price_nusd = llround(x * 1e9);
		o.adj_kind = KP_ADJ_PRICE;
	}
	if (adj != NULL &&
	    kp_overlay_adjust(adj, &o, load_mark(yt_map_get(spec, "priceAdjustment")), err) != 0)
		return KS_EINVAL;
	if (kp_parse_reqs(st, yt_map_get(spec, "requirements"), &o.reqs,
	    "a NodeOverlay requirement", err) != 0 ||
	    kp_overlay_capacity(yt_map_get(spec, "capacity"), &o, err) != 0) {
		kp_reqs_free(&o.reqs);
		return KS_EINVAL;
	}
	st->overlays = xreallocarray(st->overlays, st->noverlays + 1, sizeof(*st->overlays));
	st->overlays[st->noverlays++] = o;
	qsort(st->overlays, st->noverlays, sizeof(*st->overlays), kp_overlay_cmp);
	return 0;
}

void
kp_overlays_free(struct kp_state *st)
{
	for (size_t i = 0; i < st->noverlays; i++)
		kp_reqs_free(&st->overlays[i].reqs);
	free(st->overlays);
	st->overlays = NULL;
	st->noverlays = 0;
}

/* The value the offering has for key: type label, capacity type, pool label, or NULL. */
static int
kp_overlay_req_ok(const struct kp_state *st, const struct kp_req *r, const struct kp_it *k,
    const struct kp_reqs *rs, int spot)
{
	int li = kp_label_index(st, r->key);
	const struct kp_req *pr;

	if (li >= 0)
		return kp_req_admits(r, k->lab[li]);
	if (r->key == st->ct_key)
		return kp_req_admits(r, spot ? kp_spot_s : kp_od_s);
	if (r->key == st->zone_key) {
		const struct kp_req *zr = kp_reqs_get(rs, st->zone_key);

		for (size_t z = 0; z < st->nzones; z++)
			if ((zr == NULL || kp_req_admits(zr, st->zones[z])) &&
			    kp_req_admits(r, st->zones[z]))
				return 1;
		return 0;
	}
	pr = kp_reqs_get(rs, r->key);
	if (pr != NULL && !pr->comp && pr->nvals == 1)
		return kp_req_admits(r, pr->vals[0]);
	return kp_req_admits(r, NULL);
}

static int
kp_overlay_match(const struct kp_state *st, const struct kp_overlay *o, const struct kp_it *k,
    const struct kp_reqs *rs, int spot)
{
	for (size_t i = 0; i < o->reqs.n; i++)
		if (!kp_overlay_req_ok(st, &o->reqs.v[i], k, rs, spot))
			return 0;
	return 1;
}

int64_t
kp_offer_price(const struct kp_state *st, const struct kp_it *k, const struct kp_reqs *rs,
    int spot)
{
	int64_t base = spot ? k->spot_nusd : k->od_nusd, p;

	if (base <= 0 || !st->overlay_gate)
		return base;
	for (size_t i = 0; i < st->noverlays; i++) {
		const struct kp_overlay *o = &st->overlays[i];

		if (o->adj_kind == KP_ADJ_NONE || !kp_overlay_match(st, o, k, rs, spot))
			continue;
		p = o->adj_kind == KP_ADJ_PRICE ? o->price_nusd :
		    o->adj_kind == KP_ADJ_ABS ? base + llround(o->adj * 1e9) :
		    llround((double)base * (1.0 + o->adj / 100.0));
		return p > 0 ? p : 1;	/* 0 would read as "no offering" */
	}
	return base;
}

void
kp_overlay_capacity_of(const struct kp_state *st, const struct kp_it *k, const struct kp_reqs *rs,
    struct ks_res *cap)
{
	unsigned done = 0;

	if (!st->overlay_gate)
		return;
	for (size_t i = 0; i < st->noverlays; i++) {
		const struct kp_overlay *o = &st->overlays[i];
		unsigned m = o->capmask & ~done;

		if (m == 0 || !kp_overlay_match(st, o, k, rs, k->spot_nusd > 0 &&
		    kp_it_price(st, k, rs, 1, NULL) > 0))
			continue;
		for (int r = 0; r < RES_N; r++)
			if (m & (1u << r))
				cap->v[r] += o->cap.v[r];
		done |= m;
	}
}
