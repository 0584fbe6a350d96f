/*
 * plan/flags.c: the values of the plan commands' flags: instance types as
 * names and shell globs over the catalog, capacity types, amounts of US
 * dollars, regions.  Errors are values (KS_EUSAGE) naming the flag.
 */
#include "plan/plan.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cloud/catalog.h"
#include "util/intern.h"
#include "util/xmalloc.h"

/* ---- flags ---- */

static int
has_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

int
plan_types_parse(const struct catalog *cat, const char *flag, const char *list,
    const struct cat_itype ***out, size_t *n, struct ks_error *err)
{
	size_t nc = catalog_count(cat), k = 0;
	char *copy = xstrdup(list), *save = NULL, *tok;
	unsigned char *pick = xcalloc(nc ? nc : 1, 1);
	int rc = 0;

	*out = NULL;
	*n = 0;
	for (tok = strtok_r(copy, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		int found = 0;

		while (*tok == ' ')
			tok++;
		if (*tok == '\0')
			continue;
		for (size_t i = 0; i < nc; i++) {
			const struct cat_itype *it = catalog_at(cat, i);

			if (has_glob(tok) ? fnmatch(tok, it->name, 0) == 0 : strcmp(tok, it->name) == 0) {
				pick[i] = 1;
				found = 1;
			}
		}
		if (!found) {
			rc = has_glob(tok) ?
			    ks_error_set(err, NULL, KS_EUSAGE,
				"%s: \"%s\" matches no instance type in the catalog", flag, tok) :
			    ks_error_set(err, NULL, KS_EUSAGE,
				"%s: unknown instance type \"%s\"", flag, tok);
			goto cleanup;
		}
	}
	for (size_t i = 0; i < nc; i++)
		k += pick[i];
	if (k == 0) {
		rc = ks_error_set(err, NULL, KS_EUSAGE,
		    "%s: expected instance types or globs, found \"%s\"", flag, list);
		goto cleanup;
	}
	*out = xcalloc(k, sizeof(**out));
	for (size_t i = 0; i < nc; i++)
		if (pick[i])
			(*out)[(*n)++] = catalog_at(cat, i);
cleanup:
	free(pick);
	free(copy);
	return rc;
}

int
plan_captypes_parse(const char *flag, const char *list, unsigned *mask, struct ks_error *err)
{
	char *copy = xstrdup(list), *save = NULL, *tok;
	int rc = 0;

	*mask = 0;
	for (tok = strtok_r(copy, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		if (strcmp(tok, "on-demand") == 0) {
			*mask |= 1;
		} else if (strcmp(tok, "spot") == 0) {
			*mask |= 2;
		} else {
			rc = ks_error_set(err, NULL, KS_EUSAGE,
			    "%s: expected spot or on-demand, found \"%s\"", flag, tok);
			break;
		}
	}
	if (rc == 0 && *mask == 0)
		rc = ks_error_set(err, NULL, KS_EUSAGE,
		    "%s: expected spot or on-demand, found \"%s\"", flag, list);
	free(copy);
	return rc;
}

int
plan_usd_parse(const char *flag, const char *s, int64_t *nusd, struct ks_error *err)
{
	int64_t whole = 0, frac = 0, scale = CAT_NUSD_PER_USD;
	const char *p = s;
	int digits = 0;

	*nusd = 0;
	for (; *p >= '0' && *p <= '9'; p++, digits++) {
		if (whole > INT64_MAX / 10 / CAT_NUSD_PER_USD - 1)
			goto bad;
		whole = whole * 10 + (*p - '0');
	}
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, digits++) {
			if (scale > 1) {
				scale /= 10;
				frac += (*p - '0') * scale;
			}
		}
	}
	if (*p != '\0' || digits == 0)
		goto bad;
	*nusd = whole * CAT_NUSD_PER_USD + frac;
	return 0;
bad:
	return ks_error_set(err, NULL, KS_EUSAGE,
	    "%s: expected an amount of US dollars such as 25 or 0.75, found \"%s\"", flag, s);
}

const char *
plan_region_intern(const struct catalog *cat, const char *flag, const char *region,
    struct ks_error *err)
{
	if (!catalog_has_region(cat, region)) {
		ks_error_set(err, NULL, KS_EUSAGE, "%s: no prices for region \"%s\" in the catalog",
		    flag, region);
		return NULL;
	}
	return intern(region);
}
