/*
 * duration.h: Go time.Duration strings ("1m30s", "300ms", "1.5h") as integer
 * milliseconds, the way Kubernetes and its autoscalers write every period
 * and delay (--scan-interval=10s, consolidateAfter: 30s).
 */
#ifndef KS_DURATION_H
#define KS_DURATION_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

/*
 * Parse s as Go's time.ParseDuration does (units ns, us, µs, μs, ms, s, m,
 * h; decimal fractions; a sign; "0" alone), then truncate to whole ms toward
 * zero as Duration.Milliseconds() does.  "1d" is rejected (Go has no day
 * unit) and so is a bare number other than 0, with a hint.  On error returns
 * KS_EINVAL with err at `at` (which may be NULL).
 */
int	ks_duration_parse(const char *s, int64_t *ms, struct ks_error *err,
	    const struct ks_mark *at);
/*
 * Print ms as Go's Duration.String() does: "1m30s", "5m0s", "500ms", "0s",
 * "1h0m0s", "1.5s".  Returns buf; 24 bytes always suffice.
 */
char	*ks_duration_format(int64_t ms, char *buf, size_t n);

#endif
