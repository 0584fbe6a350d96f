/*
 * override.c: --set PATH=VALUE, the what-if knob.
 *
 * A what-if question is "the same scenario, but with maxReplicas 5", so an
 * override edits the YAML documents themselves, before any loader reads
 * them: every loader, strict or lenient, then sees the changed value
 * exactly as if the user had edited the file, and reports a bad value with
 * the same message it would give for the file (the new node is marked
 * with the file name "--set PATH=VALUE" and no line, so the message says
 * which --set the value came from: `ksim: --set seed=x: expected ...`).  The alternative, a per-module override table, would
 * have to be taught to every loader and controller.
 *
 * Paths:
 *   duration=30m, seed=2, timing.imagePull=30s   the Scenario's spec.<path>
 *   spec.X, metadata.X                             the Scenario, as written
 *   ca.X, karpenter.X                              spec.clusterAutoscaler.X, spec.karpenter.X
 *   kind/name.path, kind/ns/name.path              a manifest, e.g.
 *       hpa/php-apache.spec.maxReplicas=5, deployment/web.spec.replicas=3
 * Kinds match case-insensitively, by kubectl's short names (hpa, vpa,
 * deploy, sts, ds, rs, po, no, pdb) or by the singular or plural kind;
 * objects the Scenario's timeline creates count as manifests.
 * Segments are map keys separated by dots; a key that itself holds dots
 * (annotations such as ksim.io/run-duration) matches when it is a key of
 * the map there.  In a sequence a segment is an index (`containers.0`,
 * `containers[0]`) or the value of an item's `name` (`containers.app`).
 *
 * A value replaces a scalar (null included); it cannot replace a mapping or
 * a sequence.  For the Scenario, missing keys are created (its loader is
 * strict and names the allowed fields if the key is wrong); for a manifest
 * the path must exist, because a lenient loader would silently ignore a
 * typo: the error lists the keys that do exist.
 *
 * Costs: one walk over the documents per --set; nodes are added to the
 * stream's arena and never freed before the stream.
 */
#include "io/override.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "io/ytree.h"
#include "util/intern.h"
#include "util/xmalloc.h"


/* kubectl's short names, and the kinds a scenario may hold. */
static const struct {
	const char	*alias;		/* kubectl's short name, lowercase */
	const char	*kind;		/* as the document writes it */
} kind_alias[] = {
	{ "hpa", "HorizontalPodAutoscaler" },
	{ "vpa", "VerticalPodAutoscaler" },
	{ "deploy", "Deployment" },
	{ "sts", "StatefulSet" },
	{ "ds", "DaemonSet" },
	{ "rs", "ReplicaSet" },
	{ "po", "Pod" },
	{ "no", "Node" },
	{ "pdb", "PodDisruptionBudget" },
	{ "pc", "PriorityClass" },
	{ "cj", "CronJob" },
	{ NULL, NULL }
};

/* One --set being applied: the text, for messages. */
struct ov {
	const char	*set;		/* "PATH=VALUE" as given */
	const char	*value;		/* after the '=' */
	char		 what[160];	/* "HorizontalPodAutoscaler php-apache", "the Scenario" */
	int		 create;	/* missing keys may be created (the Scenario) */
	struct ks_mark	 mark;		/* of every node written: file "--set PATH=VALUE", no line */
};

/* A document (or a List item) and the stream whose arena it uses. */
struct ov_obj {
	struct yt_stream	 *st;		/* the stream whose arena new nodes go to */
	struct yt_node		**slot;		/* where the root is held */
	const char		 *kind;		/* kind: as written (borrowed) */
	const char		 *ns;		/* metadata.namespace, "default" when absent */
	const char		 *name;		/* metadata.name, "" when absent */
};

static const char *
scalar_at(const struct yt_node *map, const char *a, const char *b)
{
	const struct yt_node *n = yt_map_get(map, a);

	if (b != NULL)
		n = yt_map_get(n, b);
	if (n == NULL || n->kind != YT_SCALAR)
		return NULL;
	return n->str;
}

static void
objs_add(struct ov_obj **v, size_t *n, size_t *cap, struct yt_stream *st,
    struct yt_node **slot)
{
	struct yt_node *root = *slot;
	const char *kind = scalar_at(root, "kind", NULL);
	const struct yt_node *items;

	if (root == NULL || root->kind != YT_MAP || kind == NULL)
		return;
	if (strcmp(kind, "List") == 0 && (items = yt_map_get(root, "items")) != NULL &&
	    items->kind == YT_SEQ) {
		for (size_t i = 0; i < items->nitems; i++)
			objs_add(v, n, cap, st, &((struct yt_node *)items)->items[i]);
		return;
	}
	if (strcmp(kind, "Scenario") == 0 &&
	    (items = yt_map_get(yt_map_get(root, "spec"), "timeline")) != NULL &&
	    items->kind == YT_SEQ) {
		/* objects the timeline creates are manifests too */
		for (size_t i = 0; i < items->nitems; i++) {
			struct yt_node *a = items->items[i];

			for (size_t j = 0; a->kind == YT_MAP && j < a->npairs; j++)
				if (a->pairs[j].key->kind == YT_SCALAR &&
				    strcmp(a->pairs[j].key->str, "create") == 0)
					objs_add(v, n, cap, st, &a->pairs[j].value);
		}
	}
	VEC_GROW(*v, *n, *cap);
	(*v)[*n].st = st;
	(*v)[*n].slot = slot;
	(*v)[*n].kind = kind;
	(*v)[*n].name = scalar_at(root, "metadata", "name");
	(*v)[*n].ns = scalar_at(root, "metadata", "namespace");
	if ((*v)[*n].ns == NULL || (*v)[*n].ns[0] == '\0')
		(*v)[*n].ns = "default";
	if ((*v)[*n].name == NULL)
		(*v)[*n].name = "";
	(*n)++;
}

/* Does the user's kind word name this document kind? */
static int
kind_matches(const char *want, const char *kind)
{
	size_t wl = strlen(want), kl = strlen(kind);

	for (size_t i = 0; kind_alias[i].alias != NULL; i++)
		if (strcasecmp(want, kind_alias[i].alias) == 0)
			return strcmp(kind, kind_alias[i].kind) == 0;
	if (strcasecmp(want, kind) == 0)
		return 1;
	/* plurals: deployments, nodepools, poddisruptionbudgets; provisioners */
	if (wl == kl + 1 && (want[wl - 1] == 's' || want[wl - 1] == 'S'))
		return strncasecmp(want, kind, kl) == 0;
	if (wl == kl + 2 && strcasecmp(want + kl, "es") == 0)
		return strncasecmp(want, kind, kl) == 0;
	return 0;
}

/* Append ", key" for every key of map to buf, cut with ", ..." when long. */
static void
list_keys(const struct yt_node *map, char *buf, size_t n)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < map->npairs; i++) {
		const struct yt_node *k = map->pairs[i].key;
		int w;

		if (k->kind != YT_SCALAR)
			continue;
		if (len > 200) {
			snprintf(buf + len, n - len, ", ...");
			return;
		}
		w = snprintf(buf + len, n - len, "%s%s", len ? ", " : "", k->str);
		if (w < 0 || (size_t)w >= n - len)
			return;
		len += (size_t)w;
	}
}

/*
 * The key of map that the path p starts with, longest first, so that
 * "ksim.io/run-duration" wins over a key "ksim".  The index of the pair,
 * or -1.  *rest points after the key (at "", "." or "[").
 */
static long
map_match(const struct yt_node *map, const char *p, const char **rest)
{
	long best = -1;
	size_t bestlen = 0;

	for (size_t i = 0; i < map->npairs; i++) {
		const struct yt_node *k = map->pairs[i].key;

		if (k->kind != YT_SCALAR || k->len == 0 || k->len < bestlen)
			continue;
		if (strncmp(p, k->str, k->len) != 0)
			continue;
		if (p[k->len] != '\0' && p[k->len] != '.' && p[k->len] != '[')
			continue;
		if (k->len == bestlen && best >= 0)
			continue;
		best = (long)i;
		bestlen = k->len;
	}
	if (best >= 0)
		*rest = p + bestlen;
	return best;
}

static int
ov_fail(const struct ov *o, struct ks_error *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
ov_fail(const struct ov *o, struct ks_error *err, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return ks_error_set(err, NULL, KS_EUSAGE, "--set %s: %s", o->set, msg);
}

/* "spec.template" for the first `len` bytes of the path, or "the top level". */
static const char *
where(const char *path, size_t len, char *buf, size_t n)
{
	if (len > 0 && path[len - 1] == '.')
		len--;
	if (len == 0)
		snprintf(buf, n, "at the top level");
	else
		snprintf(buf, n, "in %.*s", (int)len, path);
	return buf;
}

/*
 * Walk path from *slot and replace the scalar it ends at.  path is the
 * whole path (for messages); p the part still to walk.
 */
static int
ov_walk(const struct ov *o, struct yt_stream *st, struct yt_node **slot, const char *path,
    const char *p, struct ks_error *err)
{
	char keys[300], w[200];

	for (;;) {
		struct yt_node *n = *slot;
		size_t done = (size_t)(p - path);

		if (*p == '\0') {
			if (n != NULL && n->kind != YT_SCALAR)
				return ov_fail(o, err, "%s %s is %s; --set replaces single values, "
				    "so name a field inside it", o->what, path, yt_kind_name(n));
			*slot = yt_new_scalar(st, o->value, &o->mark);
			return 0;
		}
		if (*p == '.')
			p++, done++;
		if (*p == '\0' || *p == '.')
			return ov_fail(o, err, "expected a field name after \"%.*s\"", (int)done, path);
		if (n != NULL && n->kind == YT_SCALAR && yt_is_null(n) && o->create) {
			/* `clusterAutoscaler:` with nothing under it yet */
			n = *slot = yt_new_map(st, &o->mark);
		}
		if (n == NULL || n->kind == YT_SCALAR)
			return ov_fail(o, err, "%s has a value, not fields, %s (it is %s), so it has "
			    "no field \"%s\"", o->what, where(path, done, w, sizeof(w)),
			    n ? yt_kind_name(n) : "null", p);
		if (n->kind == YT_SEQ) {
			char seg[128];
			size_t len;
			char *end;
			long idx = -1;

			if (*p == '[') {
				len = strcspn(p + 1, "]");
				if (p[1 + len] != ']')
					return ov_fail(o, err, "expected \"]\" after \"%s\"", p);
				snprintf(seg, sizeof(seg), "%.*s", (int)len, p + 1);
				p += len + 2;
			} else {
				len = strcspn(p, ".[");
				snprintf(seg, sizeof(seg), "%.*s", (int)len, p);
				p += len;
			}
			if (seg[0] != '\0' && isdigit((unsigned char)seg[0])) {
				idx = strtol(seg, &end, 10);
				if (*end != '\0' || idx < 0 || (size_t)idx >= n->nitems)
					return ov_fail(o, err, "%s has no item %s %s (it has %zu item%s, "
					    "counted from 0)", o->what, seg, where(path, done, w, sizeof(w)),
					    n->nitems, n->nitems == 1 ? "" : "s");
			} else {
				keys[0] = '\0';
				for (size_t i = 0; i < n->nitems && idx < 0; i++) {
					const char *nm = scalar_at(n->items[i], "name", NULL);

					if (nm != NULL && strcmp(nm, seg) == 0)
						idx = (long)i;
				}
				if (idx < 0) {
					size_t kl = 0;

					for (size_t i = 0; i < n->nitems && kl < 200; i++) {
						const char *nm = scalar_at(n->items[i], "name", NULL);

						if (nm != NULL)
							kl += (size_t)snprintf(keys + kl, sizeof(keys) - kl,
							    "%s%s", kl ? ", " : "", nm);
					}
					return ov_fail(o, err, "%s has no item named \"%s\" %s (%s%s%s)",
					    o->what, seg, where(path, done, w, sizeof(w)),
					    kl ? "it has " : "write an index from 0 to ",
					    kl ? keys : "", kl ? "" : (snprintf(keys, sizeof(keys), "%zu",
					    n->nitems ? n->nitems - 1 : 0), keys));
				}
			}
			slot = &n->items[idx];
			continue;
		}
		{
			const char *rest;
			long i = map_match(n, p, &rest);

			if (i >= 0) {
				slot = &n->pairs[i].value;
				p = rest;
				continue;
			}
			if (!o->create) {
				size_t len = strcspn(p, ".[");

				list_keys(n, keys, sizeof(keys));
				return ov_fail(o, err, "%s has no field \"%.*s\" %s (it has %s)", o->what,
				    (int)len, p, where(path, done, w, sizeof(w)),
				    keys[0] ? keys : "no fields");
			}
			/* the Scenario: create the key, then walk into it */
			{
				size_t len = strcspn(p, ".[");
				char *key = xasprintf("%.*s", (int)len, p);
				struct yt_node *v;

				if (p[len] == '[')
					return free(key), ov_fail(o, err, "%s has no sequence \"%.*s\" %s to "
					    "index", o->what, (int)len, p, where(path, done, w, sizeof(w)));
				v = p[len] == '\0' ? yt_new_scalar(st, o->value, &o->mark) :
				    yt_new_map(st, &o->mark);
				yt_map_append(st, n, key, v);
				free(key);
				slot = &n->pairs[n->npairs - 1].value;
				p += len;
				if (*p == '\0')
					return 0;
			}
		}
	}
}

static int
ov_scenario(struct ov *o, struct ov_obj *objs, size_t nobjs, const char *path,
    struct ks_error *err)
{
	char *full;
	int rc;

	for (size_t i = 0; i < nobjs; i++) {
		if (strcmp(objs[i].kind, "Scenario") != 0)
			continue;
		if (strncmp(path, "spec.", 5) == 0 || strncmp(path, "metadata.", 9) == 0)
			full = xstrdup(path);
		else if (strncmp(path, "ca.", 3) == 0)
			full = xasprintf("spec.clusterAutoscaler.%s", path + 3);
		else
			full = xasprintf("spec.%s", path);
		snprintf(o->what, sizeof(o->what), "the Scenario");
		o->create = 1;
		rc = ov_walk(o, objs[i].st, objs[i].slot, full, full, err);
		free(full);
		return rc;
	}
	return ov_fail(o, err, "there is no Scenario document to change (a path without "
	    "kind/name names a field of the Scenario's spec)");
}

static int
ov_manifest(struct ov *o, struct ov_obj *objs, size_t nobjs, const char *path,
    struct ks_error *err)
{
	const char *slash = strchr(path, '/'), *rest = slash + 1, *ns = NULL;
	const char *dot = strchr(rest, '.'), *s2 = strchr(rest, '/');
	char kind[64], nsbuf[128], names[300];
	const char *kindname = NULL, *best_ns = NULL, *after = NULL;
	size_t best = 0, nl = 0, nmatch = 0;
	int rc = 0;

	if ((size_t)(slash - path) >= sizeof(kind) || slash == path)
		return ov_fail(o, err, "expected kind/name.path, found \"%s\"", path);
	snprintf(kind, sizeof(kind), "%.*s", (int)(slash - path), path);
	if (s2 != NULL && (dot == NULL || s2 < dot)) {
		snprintf(nsbuf, sizeof(nsbuf), "%.*s", (int)(s2 - rest), rest);
		ns = nsbuf;
		rest = s2 + 1;
	}
	/* the longest name that the rest starts with (names may hold dots) */
	names[0] = '\0';
	for (size_t i = 0; i < nobjs; i++) {
		size_t len = strlen(objs[i].name);

		if (!kind_matches(kind, objs[i].kind))
			continue;
		kindname = objs[i].kind;
		if (nl < 200)
			nl += (size_t)snprintf(names + nl, sizeof(names) - nl, "%s%s/%s",
			    nl ? ", " : "", objs[i].ns, objs[i].name);
		if (ns != NULL && strcmp(ns, objs[i].ns) != 0)
			continue;
		if (len == 0 || strncmp(rest, objs[i].name, len) != 0 ||
		    (rest[len] != '.' && rest[len] != '\0'))
			continue;
		if (len > best) {
			best = len;
			best_ns = objs[i].ns;
			nmatch = 0;
		}
		if (len == best && strcmp(best_ns, objs[i].ns) != 0)
			return ov_fail(o, err, "%s %s exists in namespaces %s and %s; write "
			    "%s/NAMESPACE/%s.PATH", objs[i].kind, objs[i].name, best_ns, objs[i].ns,
			    kind, objs[i].name);
		if (len == best)
			nmatch++;
	}
	if (kindname == NULL)
		return ov_fail(o, err, "the scenario has no object of kind \"%s\"", kind);
	if (nmatch == 0) {
		size_t len = strcspn(rest, ".");

		return ov_fail(o, err, "there is no %s named \"%.*s\"%s%s (there are: %s)",
		    kindname, (int)len, rest, ns ? " in namespace " : "", ns ? ns : "", names);
	}
	after = rest + best;
	if (*after == '\0')
		return ov_fail(o, err, "expected a field path after %s %.*s, e.g. %s.spec.replicas",
		    kindname, (int)best, rest, path);
	after++;
	for (size_t i = 0; i < nobjs && rc == 0; i++) {
		if (!kind_matches(kind, objs[i].kind) || strlen(objs[i].name) != best ||
		    strncmp(rest, objs[i].name, best) != 0 || strcmp(objs[i].ns, best_ns) != 0)
			continue;
		snprintf(o->what, sizeof(o->what), "%s %s", objs[i].kind, objs[i].name);
		o->create = 0;
		rc = ov_walk(o, objs[i].st, objs[i].slot, after, after, err);
	}
	return rc;
}

int
override_apply(struct yt_stream **streams, size_t nstreams, const char *const *sets,
    size_t nsets, struct ks_error *err)
{
	struct ov_obj *objs = NULL;
	size_t nobjs = 0, cap = 0;
	int rc = 0;

	for (size_t k = 0; k < nsets && rc == 0; k++) {
		const char *eq = strchr(sets[k], '=');
		struct ov o;
		char *path;
		size_t head;

		memset(&o, 0, sizeof(o));
		o.set = sets[k];
		if (eq == NULL || eq == sets[k]) {
			rc = ks_error_set(err, NULL, KS_EUSAGE, "--set: expected PATH=VALUE, found \"%s\"",
			    sets[k]);
			break;
		}
		o.value = eq + 1;
		/* a loader's message about the value then names the --set it came from */
		{
			char *m = xasprintf("--set %s", sets[k]);

			o.mark.file = intern(m);
			free(m);
		}
		path = xasprintf("%.*s", (int)(eq - sets[k]), sets[k]);
		/* the documents, again for every --set: an earlier one may add a List item */
		nobjs = 0;
		for (size_t f = 0; f < nstreams; f++)
			for (size_t d = 0; d < streams[f]->ndocs; d++)
				objs_add(&objs, &nobjs, &cap, streams[f], &streams[f]->docs[d].root);
		head = strcspn(path, ".");
		if (memchr(path, '/', head) != NULL)
			rc = ov_manifest(&o, objs, nobjs, path, err);
		else
			rc = ov_scenario(&o, objs, nobjs, path, err);
		free(path);
	}
	free(objs);
	return rc;
}
