/*
 * override.h: --set PATH=VALUE, applied to the YAML documents before they
 * are parsed, so a what-if run changes any Scenario or manifest field
 * without editing files.
 */
#ifndef KS_OVERRIDE_H
#define KS_OVERRIDE_H

#include <stddef.h>

#include "util/error.h"

struct yt_stream;

/* Apply each "PATH=VALUE" to the streams' documents; unknown paths are errors. */
int	override_apply(struct yt_stream **streams, size_t nstreams,
	    const char *const *sets, size_t nsets, struct ks_error *err);

#endif
