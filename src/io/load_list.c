/*
 * load_list.c: lists of objects, as kubectl and the API server print them.
 *
 * `kubectl get -o yaml` prints `kind: List` whose items carry their own
 * kind; the API server (`kubectl get --raw`, client libraries, backups)
 * prints typed lists -- DeploymentList, PodList, ConfigMapList, a CRD's
 * NodePoolList -- whose items may omit kind and apiVersion, since the
 * list's kind says them.  Every kind that ends in "List" and has `items`
 * is a list here, so no typed list is skipped with its pods in it; an item
 * without kind is of the list's kind minus "List", at the list's
 * apiVersion.  An item that is not an object is an error at its line:
 * kubectl refuses such a list too.
 */
#include "io/load.h"

#include <stdio.h>
#include <string.h>

#include "util/intern.h"

int
load_is_list(const struct yt_node *root)
{
	const struct yt_node *kn = yt_map_get(root, "kind");
	size_t n;

	if (kn == NULL || kn->str == NULL)
		return 0;
	if (strcmp(kn->str, "List") == 0)
		return 1;
	n = strlen(kn->str);
	return n > 4 && strcmp(kn->str + n - 4, "List") == 0 && yt_map_get(root, "items") != NULL;
}

int
load_list_items(const struct yt_node *root, load_item_fn *fn, void *arg, struct ks_error *err)
{
	const struct yt_node *items = yt_map_get(root, "items");
	const struct yt_node *an = yt_map_get(root, "apiVersion");
	const char *lk = yt_map_get(root, "kind")->str, *kind = NULL, *api = NULL;
	char buf[256];
	int rc;

	if (items == NULL || yt_is_null(items))
		return 0;
	if (yt_expect_seq(items, err) != 0)
		return KS_EINVAL;
	if (strcmp(lk, "List") != 0) {
		snprintf(buf, sizeof(buf), "%.*s", (int)(strlen(lk) - 4), lk);
		kind = intern(buf);
		api = intern(an != NULL && an->str != NULL ? an->str : "");
	}
	for (size_t i = 0; i < items->nitems; i++) {
		const struct yt_node *it = items->items[i];

		if (it->kind != YT_MAP)
			return ks_error_set(err, &it->mark, KS_EINVAL,
			    "item %zu of the %s is not an object: expected a mapping with "
			    "apiVersion and kind", i, lk);
		if ((rc = fn(arg, it, kind, api, err)) != 0)
			return rc;
	}
	return 0;
}
