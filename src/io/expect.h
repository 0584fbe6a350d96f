/*
 * expect.h: expectations (the Scenario's spec.expect) and their verdicts.
 *
 * An expectation is parsed and checked at load time (so a typo is an input
 * error with a location, exit 2) and evaluated after the run against the
 * JSON report: the report is the documented, complete account of a run,
 * so an expectation can assert anything a user can read there, and the
 * controllers need not know that expectations exist.  A `plan:`
 * expectation is about the ranking `ksim plan nodes` prints and is
 * evaluated against that report instead; each command skips the
 * expectations that are the other's.
 *
 * No expectation reads the report's events, and expect_reads() says
 * whether any reads its pods or nodes: the report streams the arrays no
 * expectation reads and evaluates the expectations against a document
 * without them (report/json.c), so a big run with expectations about its
 * HPAs and cost never holds its pods in a tree.
 *
 * This module evaluates; it formats nothing but a verdict's message
 * (src/report/ renders the verdicts), so it depends on no report.
 */
#ifndef KS_EXPECT_H
#define KS_EXPECT_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "util/error.h"

struct yt_node;

struct expect_result {
	const char	*name;		/* the expectation's name (borrowed) */
	int		 ok;		/* it held (or was skipped) */
	int		 skipped;	/* not this command's to evaluate */
	char		 msg[512];	/* what was expected, what happened, when */
	struct ks_mark	 mark;		/* where it was written */
};

struct expect_set;

/* Parse spec.expect (NULL or a sequence); *out NULL when there is none. */
int	expect_parse(const struct yt_node *list, struct expect_set **out, struct ks_error *err);
void	expect_set_free(struct expect_set *);
size_t	expect_count(const struct expect_set *);
/* What a report is the report of. */
enum expect_ctx { EXPECT_RUN, EXPECT_PLAN };
/* Whether an expectation of s evaluated in ctx reads the report's array key ("pods", "nodes", "events"). */
int	expect_reads(const struct expect_set *, enum expect_ctx, const char *key);
/* Evaluate every expectation against a JSON report; results has expect_count() slots. */
void	expect_eval(const struct expect_set *, json_t *report, enum expect_ctx,
	    struct expect_result *results);
/* The verdicts are written by report/: text.c, tap.c and junit.c. */

#endif
