/*
 * quantity.h: Kubernetes resource quantities ("100m", "0.5", "50Mi",
 * "2.5Gi", "262144k", "1e3") parsed into integers and printed back in
 * the canonical Kubernetes form.
 *
 * Ownership: nothing here allocates.  Parsers fill caller-provided
 * out-parameters; formatters write into a caller-provided buffer of at
 * least QTY_BUFSZ bytes and return it.
 *
 * Units: CPU in millicores, memory and storage in bytes, generic values in
 * milli-units (thousandths), all int64_t.
 */
#ifndef KS_QUANTITY_H
#define KS_QUANTITY_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

/* The three Kubernetes formats (resource.Format), inferred from the suffix. */
enum qty_fmt {
	QTY_DECIMAL_SI,		/* "", n, u, m, k, M, G, T, P, E */
	QTY_BINARY_SI,		/* Ki, Mi, Gi, Ti, Pi, Ei */
	QTY_DECIMAL_EXPONENT,	/* e<n> or E<n>, as in 1e3, 1E-3 */
};

/* Enough for "-9223372036854775808e-3" and its NUL. */
#define QTY_BUFSZ 32

/*
 * Parse a quantity string.  *milli = the value in thousandths, rounded up
 * as Quantity.MilliValue() rounds; *fmt = the format Kubernetes infers
 * (either out-parameter may be NULL).  Negative values parse.  Returns 0,
 * or KS_EINVAL with *err set at `at` on a syntax error or when the value
 * does not fit int64 milli-units.
 */
int	 qty_parse(const char *s, int64_t *milli, enum qty_fmt *fmt,
	    struct ks_error *err, const struct ks_mark *at);
/* CPU: millicores rounded up (Quantity.MilliValue); rejects negatives. */
int	 qty_parse_cpu(const char *s, int64_t *millicores,
	    struct ks_error *err, const struct ks_mark *at);
/*
 * Memory, storage, counts: whole units rounded up (Quantity.Value());
 * rejects negatives.  Values above int64 fail, except BinarySI ones, which
 * Kubernetes caps at 2^63-1 ("8Ei" is 9223372036854775807).
 */
int	 qty_parse_bytes(const char *s, int64_t *bytes,
	    struct ks_error *err, const struct ks_mark *at);
/* Like qty_parse_bytes but also returns the inferred format (may be NULL). */
int	 qty_parse_value(const char *s, int64_t *value, enum qty_fmt *fmt,
	    struct ks_error *err, const struct ks_mark *at);

/*
 * Canonical Kubernetes string (Quantity.String()) of a value given in
 * milli-units and a format.  buf has n >= QTY_BUFSZ bytes; returns buf.
 */
char	*qty_format(int64_t milli, enum qty_fmt fmt, char *buf, size_t n);
/* 587 -> "587m", 2000 -> "2", 1500 -> "1500m", 0 -> "0" (DecimalSI). */
char	*qty_format_cpu(int64_t millicores, char *buf, size_t n);
/* 52428800 BinarySI -> "50Mi"; 262144000 DecimalSI -> "262144k". */
char	*qty_format_bytes(int64_t bytes, enum qty_fmt fmt, char *buf,
	    size_t n);
/* "DecimalSI", "BinarySI", "DecimalExponent" (the upstream Format names). */
const char *qty_fmt_name(enum qty_fmt fmt);

#endif
