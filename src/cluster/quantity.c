/*
 * quantity.c: Kubernetes resource quantities, parsed and printed exactly as
 * k8s.io/apimachinery/pkg/api/resource does (quantity.go, suffix.go,
 * amount.go, scale_int.go).
 *
 * Parsing.  The lexer follows parseQuantityString(): an optional sign,
 * leading zeros dropped, integer digits, an optional '.' and fraction
 * digits (so ".5", "1." and even "." are numbers), then a suffix made of
 * the letters "eEinumkKMGTP", an optional sign and digits.  The suffix is
 * then interpreted as suffix.go does: a decimal SI suffix (n u m "" k M G
 * T P E), a binary one (Ki Mi Gi Ti Pi Ei), or e/E and a base-10 int64
 * exponent.  Upstream quirks kept on purpose: "-", "+", "." and "-0" parse
 * as zero; "1.G" is 1G; the string "0" is DecimalSI.
 *
 * Values.  Upstream keeps small values as an int64 mantissa and scale
 * (the "fast path") and everything else as an arbitrary-precision decimal
 * rounded away from zero to nano-units, with BinarySI values capped at
 * 2^63-1.  We compute one number for both: U = ceil(|x| * 1e9), exactly,
 * with a fixed 512-bit integer (no allocation).  Long inputs stay cheap:
 * fraction digits beyond 64 places below the nano point only matter as a
 * "sticky" non-zero flag, which is replaced by a single trailing 1 (the
 * scaled value then has the same ceiling, because 10^F is a multiple of
 * every binary suffix 2^b with b <= 60 < F).  Values of 1e19 or more are
 * out of range for every output unit, so they never reach the bignum.
 *
 * Rounding.  MilliValue() and Value() round up.  For positive values that
 * is the ceiling.  For negative values upstream differs by path, and we
 * reproduce both: the fast path rounds away from zero (amount.go
 * negativeScaleInt64: -0.1m -> -1m), the slow path truncates toward zero
 * and adds one when inexact (scale_int.go scaledValue: "-0.0001Ki", that
 * is -0.1024, gives -101 milli, and "-1e-10" gives +1).  Only qty_parse()
 * lets negatives through, so the simulator's own units never see this.
 *
 * Deliberate differences from upstream (which returns garbage rather than
 * an error): values whose milli (or unit) value overflows int64 are
 * rejected as out of range, where MilliValue() would wrap; exponents
 * beyond int32 are taken at face value instead of being truncated to
 * 32 bits ("1e-4294967296" is tiny, not 1).
 *
 * Printing follows Quantity.CanonicalizeBytes(): zero is "0"; BinarySI
 * prints as DecimalSI when |x| < 1024 or x is not whole, else as the
 * mantissa with the largest exact power-of-1024 suffix; DecimalSI and
 * DecimalExponent strip factors of ten and move the exponent down to a
 * multiple of three ("1500m", "262144k", "1500e-3").  Costs: parsing is
 * linear in the input; formatting is a few divisions.
 */
#include "cluster/quantity.h"

#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define QTY_SYNTAX_MSG "expected a number with an optional suffix " \
	"(m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei) or exponent"

/* Fraction digits kept below the nano point before the sticky digit. */
#define QTY_FRAC_KEEP	64

/* ---------------------------------------------------------------- bignum */

#define BIG_LIMBS	16

struct big {
	uint32_t	 w[BIG_LIMBS];	/* little-endian base 2^32 magnitude */
};

static void
big_set_u64(struct big *b, uint64_t v)
{
	memset(b, 0, sizeof(*b));
	b->w[0] = (uint32_t)v;
	b->w[1] = (uint32_t)(v >> 32);
}

/* b = b * m + a */
static void
big_muladd(struct big *b, uint32_t m, uint32_t a)
{
	uint64_t carry = a, t;
	int i;

	for (i = 0; i < BIG_LIMBS; i++) {
		t = (uint64_t)b->w[i] * m + carry;
		b->w[i] = (uint32_t)t;
		carry = t >> 32;
	}
	assert(carry == 0);	/* sizes are bounded by the 1e19 range check */
}

/* b = b / d; returns b % d */
static uint32_t
big_divmod(struct big *b, uint32_t d)
{
	uint64_t r = 0, cur;
	int i;

	assert(d != 0);
	for (i = BIG_LIMBS - 1; i >= 0; i--) {
		cur = (r << 32) | b->w[i];
		b->w[i] = (uint32_t)(cur / d);
		r = cur % d;
	}
	return (uint32_t)r;
}

static int
big_cmp(const struct big *a, const struct big *b)
{
	int i;

	for (i = BIG_LIMBS - 1; i >= 0; i--) {
		if (a->w[i] != b->w[i])
			return a->w[i] < b->w[i] ? -1 : 1;
	}
	return 0;
}

/* True and *out set when b fits 64 bits. */
static bool
big_to_u64(const struct big *b, uint64_t *out)
{
	int i;

	for (i = 2; i < BIG_LIMBS; i++) {
		if (b->w[i] != 0)
			return false;
	}
	*out = ((uint64_t)b->w[1] << 32) | b->w[0];
	return true;
}

/* ----------------------------------------------------------------- lexer */

/* One quantity string split as parseQuantityString() splits it. */
struct qty_lex {
	bool		 neg;		/* a leading '-' */
	const char	*num;		/* integer digits after leading zeros */
	size_t		 num_len;	/* may be 0 (upstream then uses "0") */
	const char	*den;		/* fraction digits after '.' */
	size_t		 den_len;	/* 0 when absent or "1." */
	const char	*suf;		/* suffix text */
	size_t		 suf_len;	/* 0 for no suffix */
};

static bool
qty_isdigit(char c)
{
	return c >= '0' && c <= '9';
}

/* 0, or -1 when s is not a quantity. */
static int
qty_lex_split(const char *s, struct qty_lex *lx)
{
	size_t end = strlen(s), pos = 0, i;

	memset(lx, 0, sizeof(*lx));
	lx->num = lx->den = lx->suf = s + end;
	if (end == 0)
		return -1;
	if (s[0] == '-') {
		lx->neg = true;
		pos++;
	} else if (s[0] == '+')
		pos++;
	while (pos < end && s[pos] == '0')
		pos++;
	if (pos >= end)
		return 0;
	for (i = pos; i < end && qty_isdigit(s[i]); i++)
		;
	lx->num = s + pos;
	lx->num_len = i - pos;
	pos = i;
	if (pos < end && s[pos] == '.') {
		pos++;
		for (i = pos; i < end && qty_isdigit(s[i]); i++)
			;
		lx->den = s + pos;
		lx->den_len = i - pos;
		pos = i;
	}
	lx->suf = s + pos;
	while (pos < end && strchr("eEinumkKMGTP", s[pos]) != NULL)
		pos++;
	if (pos < end && (s[pos] == '-' || s[pos] == '+'))
		pos++;
	while (pos < end && qty_isdigit(s[pos]))
		pos++;
	if (pos < end)
		return -1;
	lx->suf_len = end - (size_t)(lx->suf - s);
	return 0;
}

/* Go's strconv.ParseInt(s, 10, 64): sign, at least one digit, no overflow. */
static bool
qty_parse_int64(const char *s, size_t len, int64_t *out)
{
	uint64_t v = 0, lim;
	bool neg = false;
	size_t i = 0;

	if (i < len && (s[i] == '+' || s[i] == '-'))
		neg = s[i++] == '-';
	if (i == len)
		return false;
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; i < len; i++) {
		if (!qty_isdigit(s[i]))
			return false;
		if (v > (lim - (uint64_t)(s[i] - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return true;
}

static const struct {
	const char	*name;	/* suffix text */
	int		 exp;	/* power of ten, or of two for binary */
} qty_dec_suffixes[] = {
	{ "n", -9 }, { "u", -6 }, { "m", -3 }, { "", 0 }, { "k", 3 },
	{ "M", 6 }, { "G", 9 }, { "T", 12 }, { "P", 15 }, { "E", 18 },
}, qty_bin_suffixes[] = {
	{ "", 0 }, { "Ki", 10 }, { "Mi", 20 }, { "Gi", 30 }, { "Ti", 40 },
	{ "Pi", 50 }, { "Ei", 60 },
};

#define nitems(a) (sizeof(a) / sizeof((a)[0]))

/* suffix.go interpret(): 0 and the format and exponent, or -1. */
static int
qty_suffix_interpret(const char *suf, size_t len, enum qty_fmt *fmt,
    int64_t *exp)
{
	size_t i;

	for (i = 0; i < nitems(qty_dec_suffixes); i++) {
		if (strlen(qty_dec_suffixes[i].name) == len &&
		    memcmp(qty_dec_suffixes[i].name, suf, len) == 0) {
			*fmt = QTY_DECIMAL_SI;
			*exp = qty_dec_suffixes[i].exp;
			return 0;
		}
	}
	for (i = 1; i < nitems(qty_bin_suffixes); i++) {
		if (len == 2 && memcmp(qty_bin_suffixes[i].name, suf, 2) == 0) {
			*fmt = QTY_BINARY_SI;
			*exp = qty_bin_suffixes[i].exp;
			return 0;
		}
	}
	if (len > 1 && (suf[0] == 'e' || suf[0] == 'E') &&
	    qty_parse_int64(suf + 1, len - 1, exp)) {
		*fmt = QTY_DECIMAL_EXPONENT;
		return 0;
	}
	return -1;
}

/* ----------------------------------------------------------------- value */

/* A parsed quantity, reduced to what MilliValue() and Value() need. */
struct qty_val {
	bool		 neg;	/* negative and non-zero */
	bool		 fast;	/* upstream keeps it as int64Amount */
	bool		 huge;	/* |x| >= 1e19, not BinarySI: out of range */
	enum qty_fmt	 fmt;	/* Quantity.Format after parsing */
	struct big	 u;	/* ceil(|x| * 1e9), BinarySI capped at 2^63-1 */
};

enum { QTY_OK = 0, QTY_SYNTAX = -1, QTY_RANGE = -2 };

static int
qty_scan(const char *s, struct qty_val *v)
{
	struct qty_lex lx;
	struct big cap;
	int64_t exp, e, s9, lead, drop;
	size_t i, L, keep, num_len;
	const char *p;
	bool sticky = false, inexact = false, split;
	int bin = 0;
	char dig[2 * QTY_FRAC_KEEP + 64];	/* kept significant digits */
	size_t ndig = 0;

	memset(v, 0, sizeof(*v));
	if (qty_lex_split(s, &lx) != 0)
		return QTY_SYNTAX;
	if (qty_suffix_interpret(lx.suf, lx.suf_len, &v->fmt, &exp) != 0)
		return QTY_SYNTAX;
	if (v->fmt == QTY_BINARY_SI) {
		bin = (int)exp;
		exp = 0;
	}

	/* Upstream's fast path: only matters for rounding negatives. */
	num_len = lx.num_len ? lx.num_len : 1;
	if (v->fmt == QTY_BINARY_SI)
		v->fast = lx.den_len == 0 &&
		    14 - (int64_t)num_len - 3 * (bin / 10) >= 0;
	else
		v->fast = num_len + lx.den_len <= 18 &&
		    exp - (int64_t)lx.den_len >= -9;

	/*
	 * The significant digits D of num+den without leading zeros, and
	 * the decimal exponent e with |x| = D * 10^e * 2^bin.
	 */
	if (exp > INT64_MAX / 4)
		exp = INT64_MAX / 4;
	if (exp < INT64_MIN / 4)
		exp = INT64_MIN / 4;
	e = exp - (int64_t)lx.den_len;
	p = lx.num;
	L = lx.num_len + lx.den_len;
	split = lx.num_len != 0;	/* D continues from num into den */
	if (!split) {
		p = lx.den;
		while (L > 0 && *p == '0') {
			p++;
			L--;
		}
	}
	if (L == 0)
		return QTY_OK;		/* zero, whatever the sign */
	v->neg = lx.neg;

	lead = (int64_t)L - 1 + e;	/* power of ten of the first digit */
	s9 = e + 9;			/* |x| * 1e9 = D * 10^s9 * 2^bin */
	if (lead >= 19) {
		if (v->fmt != QTY_BINARY_SI) {
			v->huge = true;
			return QTY_OK;
		}
		big_set_u64(&v->u, INT64_MAX);
		big_muladd(&v->u, 1000000000, 0);
		return QTY_OK;
	}

	/* Keep at most QTY_FRAC_KEEP digits below the nano point. */
	keep = L;
	if (s9 < -QTY_FRAC_KEEP) {
		drop = -s9 - QTY_FRAC_KEEP;
		keep = (int64_t)L > drop ? L - (size_t)drop : 0;
		s9 = -QTY_FRAC_KEEP;
	}
	for (i = 0; i < L; i++) {
		/* digit i of D lives in num, then den */
		char c;

		if (split)
			c = i < lx.num_len ? lx.num[i] : lx.den[i - lx.num_len];
		else
			c = p[i];
		if (i < keep) {
			assert(ndig < sizeof(dig));
			dig[ndig++] = c;
		} else if (c != '0') {
			sticky = true;
			break;
		}
	}
	if (sticky) {
		dig[ndig++] = '1';
		s9--;
	}

	big_set_u64(&v->u, 0);
	for (i = 0; i < ndig; i++)
		big_muladd(&v->u, 10, (uint32_t)(dig[i] - '0'));
	for (i = 0; i < (size_t)bin / 10; i++)
		big_muladd(&v->u, 1024, 0);
	for (; s9 > 0; s9--)
		big_muladd(&v->u, 10, 0);
	for (; s9 < 0; s9++)
		if (big_divmod(&v->u, 10) != 0)
			inexact = true;
	if (inexact)
		big_muladd(&v->u, 1, 1);

	if (v->fmt == QTY_BINARY_SI) {
		big_set_u64(&cap, INT64_MAX);
		big_muladd(&cap, 1000000000, 0);
		if (big_cmp(&v->u, &cap) > 0)
			v->u = cap;
		/* 0 < |x| < 1 after rounding: upstream switches to DecimalSI */
		big_set_u64(&cap, 1000000000);
		if (big_cmp(&v->u, &cap) < 0)
			v->fmt = QTY_DECIMAL_SI;
	}
	return QTY_OK;
}

/*
 * The value at 10^-digits units (3: MilliValue, 0: Value), rounded as
 * upstream rounds; QTY_RANGE when it does not fit int64.
 */
static int
qty_scaled(const struct qty_val *v, int digits, int64_t *out)
{
	struct big q = v->u, imax;
	uint64_t qv, u64;
	bool inexact;

	assert(digits == 0 || digits == 3);
	if (v->huge)
		return QTY_RANGE;
	inexact = big_divmod(&q, digits == 3 ? 1000000 : 1000000000) != 0;
	if (!big_to_u64(&q, &qv) || qv > INT64_MAX)
		return QTY_RANGE;
	if (!v->neg || v->fast) {
		if (inexact && qv == INT64_MAX)
			return QTY_RANGE;
		qv += inexact;
		*out = v->neg ? -(int64_t)qv : (int64_t)qv;
		return QTY_OK;
	}
	/* scaledValue(): truncate, then +1 when inexact, if |U| < 2^63-1 */
	big_set_u64(&imax, INT64_MAX);
	if (big_to_u64(&v->u, &u64) && big_cmp(&v->u, &imax) < 0)
		*out = -(int64_t)qv + inexact;
	else
		*out = -(int64_t)qv;
	return QTY_OK;
}

/* Quote s for a message: at most 64 bytes, non-printables escaped. */
static const char *
qty_quote(const char *s, char *buf, size_t n)
{
	size_t o = 0, i;

	assert(n >= 80);
	buf[o++] = '"';
	for (i = 0; s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (o + 8 >= n || i >= 64) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		if (c == '"' || c == '\\') {
			buf[o++] = '\\';
			buf[o++] = (char)c;
		} else if (c < 0x20 || c >= 0x7f) {
			snprintf(buf + o, n - o, "\\x%02x", c);
			o += 4;
		} else
			buf[o++] = (char)c;
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}

static int
qty_fail(int rc, const char *s, struct ks_error *err,
    const struct ks_mark *at)
{
	char q[96];

	qty_quote(s, q, sizeof(q));
	if (rc == QTY_SYNTAX)
		return ks_error_set(err, at, KS_EINVAL,
		    "invalid quantity %s: " QTY_SYNTAX_MSG, q);
	return ks_error_set(err, at, KS_EINVAL,
	    "quantity %s is out of range", q);
}

static int
qty_parse_scaled(const char *s, int digits, bool nonneg, int64_t *out,
    enum qty_fmt *fmt, struct ks_error *err, const struct ks_mark *at)
{
	struct qty_val v;
	int64_t r = 0;
	int rc;

	assert(s != NULL);
	if ((rc = qty_scan(s, &v)) != QTY_OK)
		return qty_fail(rc, s, err, at);
	if (nonneg && v.neg) {
		char q[96];

		return ks_error_set(err, at, KS_EINVAL,
		    "quantity %s must not be negative", qty_quote(s, q,
		    sizeof(q)));
	}
	if ((rc = qty_scaled(&v, digits, &r)) != QTY_OK)
		return qty_fail(rc, s, err, at);
	if (out != NULL)
		*out = r;
	if (fmt != NULL)
		*fmt = v.fmt;
	return 0;
}

int
qty_parse(const char *s, int64_t *milli, enum qty_fmt *fmt,
    struct ks_error *err, const struct ks_mark *at)
{
	return qty_parse_scaled(s, 3, false, milli, fmt, err, at);
}

int
qty_parse_cpu(const char *s, int64_t *millicores, struct ks_error *err,
    const struct ks_mark *at)
{
	return qty_parse_scaled(s, 3, true, millicores, NULL, err, at);
}

int
qty_parse_bytes(const char *s, int64_t *bytes, struct ks_error *err,
    const struct ks_mark *at)
{
	return qty_parse_scaled(s, 0, true, bytes, NULL, err, at);
}

int
qty_parse_value(const char *s, int64_t *value, enum qty_fmt *fmt,
    struct ks_error *err, const struct ks_mark *at)
{
	return qty_parse_scaled(s, 0, true, value, fmt, err, at);
}

/* -------------------------------------------------------------- printing */

/*
 * amount.go removeInt64Factors(): divide out `base` while the magnitude
 * stays >= base.  INT64_MIN is left alone, as Go's negation leaves it.
 */
static int64_t
qty_remove_factors(int64_t v, int64_t base, int *times)
{
	bool neg = v < 0;

	*times = 0;
	if (v == INT64_MIN)
		return v;
	if (neg)
		v = -v;
	while (v >= base && v % base == 0) {
		v /= base;
		(*times)++;
	}
	return neg ? -v : v;
}

/* Quantity.String() of value * 10^scale (scale 0 or -3). */
static char *
qty_format_amount(int64_t value, int scale, enum qty_fmt fmt, char *buf,
    size_t n)
{
	const char *suffix = "";
	char expbuf[16];
	int64_t m;
	int times, exp;
	size_t i;

	assert(buf != NULL && n >= QTY_BUFSZ);
	assert(scale == 0 || scale == -3);
	if (value == 0) {
		snprintf(buf, n, "0");
		return buf;
	}
	if (fmt == QTY_BINARY_SI) {
		int64_t lim = scale == 0 ? 1024 : 1024000;

		if ((value > -lim && value < lim) ||
		    (scale == -3 && value % 1000 != 0))
			fmt = QTY_DECIMAL_SI;
	}
	if (fmt == QTY_BINARY_SI) {
		m = scale == 0 ? value : value / 1000;
		m = qty_remove_factors(m, 1024, &times);
		assert(times < (int)nitems(qty_bin_suffixes));
		snprintf(buf, n, "%lld%s", (long long)m,
		    qty_bin_suffixes[times].name);
		return buf;
	}

	m = qty_remove_factors(value, 10, &times);
	exp = scale + times;
	while (exp % 3 != 0) {
		m *= 10;	/* cannot overflow: we removed these factors */
		exp--;
	}
	if (fmt == QTY_DECIMAL_EXPONENT) {
		if (exp != 0) {
			snprintf(expbuf, sizeof(expbuf), "e%d", exp);
			suffix = expbuf;
		}
	} else {
		for (i = 0; i < nitems(qty_dec_suffixes); i++) {
			if (qty_dec_suffixes[i].exp == exp)
				suffix = qty_dec_suffixes[i].name;
		}
	}
	snprintf(buf, n, "%lld%s", (long long)m, suffix);
	return buf;
}

char *
qty_format(int64_t milli, enum qty_fmt fmt, char *buf, size_t n)
{
	return qty_format_amount(milli, -3, fmt, buf, n);
}

char *
qty_format_cpu(int64_t millicores, char *buf, size_t n)
{
	return qty_format_amount(millicores, -3, QTY_DECIMAL_SI, buf, n);
}

char *
qty_format_bytes(int64_t bytes, enum qty_fmt fmt, char *buf, size_t n)
{
	return qty_format_amount(bytes, 0, fmt, buf, n);
}

const char *
qty_fmt_name(enum qty_fmt fmt)
{
	switch (fmt) {
	case QTY_DECIMAL_SI:
		return "DecimalSI";
	case QTY_BINARY_SI:
		return "BinarySI";
	case QTY_DECIMAL_EXPONENT:
		return "DecimalExponent";
	}
	return "unknown";
}
