/*
 * check_quantity.c: Kubernetes quantities against the numbers upstream
 * (k8s.io/apimachinery/pkg/api/resource) produces.  Every expectation is
 * hand-computed; the arithmetic is in the comment beside it.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/quantity.h"
#include "testutil.h"
#include "util/error.h"

#define DSI	QTY_DECIMAL_SI
#define BSI	QTY_BINARY_SI
#define DEXP	QTY_DECIMAL_EXPONENT

/* qty_parse(): MilliValue() and Format. */
static const struct {
	const char	*in;
	int64_t		 milli;
	enum qty_fmt	 fmt;
} parse_cases[] = {
	{ "100m", 100, DSI },
	{ "0.5", 500, DSI },
	{ ".5", 500, DSI },			/* no integer digits */
	{ "1", 1000, DSI },
	{ "2", 2000, DSI },
	{ "587m", 587, DSI },
	{ "1500m", 1500, DSI },
	{ "1.5", 1500, DSI },
	{ "+5", 5000, DSI },
	{ "-1", -1000, DSI },			/* negatives parse */
	{ "0", 0, DSI },
	{ "-0", 0, DSI },
	{ "0Ki", 0, BSI },			/* zero keeps BinarySI */
	{ "1Ki", 1024000, BSI },		/* 1024 * 1000 */
	{ "1.5Ki", 1536000, BSI },		/* 1.5 * 1024 = 1536 */
	{ "50Mi", 52428800000, BSI },		/* 50 * 1048576 = 52428800 B */
	{ "2.5Gi", 2684354560000, BSI },	/* 2.5 * 2^30 = 2684354560 B */
	{ "0.9Gi", 966367641600, BSI },		/* 0.9 * 2^30 = 966367641.6 B */
	{ "262144k", 262144000000, DSI },	/* 262144 * 1000 B */
	{ "1M", 1000000000, DSI },
	{ "1P", 1000000000000000000, DSI },	/* 1e15 units = 1e18 milli */
	{ "1.G", 1000000000000, DSI },		/* "1." is a number */
	{ "1e3", 1000000, DEXP },
	{ "1E-3", 1, DEXP },
	{ "1.2e3", 1200000, DEXP },
	{ "5e+2", 500000, DEXP },		/* ParseInt takes "+2" */
	{ "0.1m", 1, DSI },			/* 0.1 milli rounds up to 1 */
	{ "1n", 1, DSI },			/* 1e-6 milli rounds up to 1 */
	{ "1000u", 1, DSI },			/* exactly 1 milli */
	{ "1001u", 2, DSI },			/* 1.001 milli -> 2 */
	{ "0.30000000000000004", 301, DSI },	/* 300.00000000000004 -> 301 */
	/* 123.456789012345678901234567890 -> 123456.789... milli -> 123457 */
	{ "123456789012345678901234567890e-27", 123457, DEXP },
	/* 0.0001 * 1024 = 0.1024, below 1: upstream switches to DecimalSI;
	 * 102.4 milli rounds up to 103 */
	{ "0.0001Ki", 103, DSI },
	{ "1e-10", 1, DEXP },			/* rounds up to 1n, then 1m */
	{ "-", 0, DSI },			/* upstream parses these as 0 */
	{ "+", 0, DSI },
	{ ".", 0, DSI },
	{ "00.000", 0, DSI },
};

START_TEST(test_parse)
{
	struct ks_error err = { 0 };
	enum qty_fmt fmt = (enum qty_fmt)-1;
	int64_t milli = -12345;
	int rc;

	rc = qty_parse(parse_cases[_i].in, &milli, &fmt, &err, NULL);
	ck_assert_msg(rc == 0, "%s: %s", parse_cases[_i].in, err.msg);
	ck_assert_int_eq(err.code, 0);
	ck_assert_msg(milli == parse_cases[_i].milli, "%s: milli %lld, want %lld",
	    parse_cases[_i].in, (long long)milli,
	    (long long)parse_cases[_i].milli);
	ck_assert_msg(fmt == parse_cases[_i].fmt, "%s: fmt %s, want %s",
	    parse_cases[_i].in, qty_fmt_name(fmt),
	    qty_fmt_name(parse_cases[_i].fmt));
}
END_TEST

/* qty_parse_cpu(): millicores. */
static const struct {
	const char	*in;
	int64_t		 m;
} cpu_cases[] = {
	{ "100m", 100 },
	{ "250m", 250 },
	{ "0.5", 500 },
	{ "2", 2000 },
	{ "1.5", 1500 },
	{ "0.0001", 1 },			/* 0.1m rounds up */
	{ "1e3", 1000000 },
	{ "-0", 0 },				/* zero is not negative */
	{ "15", 15000 },
};

START_TEST(test_cpu)
{
	struct ks_error err = { 0 };
	int64_t m = -1;

	ck_assert_msg(qty_parse_cpu(cpu_cases[_i].in, &m, &err, NULL) == 0,
	    "%s: %s", cpu_cases[_i].in, err.msg);
	ck_assert_msg(m == cpu_cases[_i].m, "%s: %lld, want %lld",
	    cpu_cases[_i].in, (long long)m, (long long)cpu_cases[_i].m);
}
END_TEST

/* qty_parse_bytes(): Value(), rounded up. */
static const struct {
	const char	*in;
	int64_t		 bytes;
} bytes_cases[] = {
	{ "50Mi", 52428800 },			/* 50 * 2^20 */
	{ "2.5Gi", 2684354560 },		/* 2.5 * 2^30 */
	{ "262144k", 262144000 },
	{ "1Ki", 1024 },
	{ "0.9Gi", 966367642 },			/* 966367641.6 rounds up */
	{ "1.5", 2 },				/* rounds up */
	{ "100m", 1 },				/* rounds up */
	{ "0", 0 },
	{ "1E", 1000000000000000000 },
	{ "10P", 10000000000000000 },		/* 1e16: too big in milli */
	{ "7Ei", 8070450532247928832 },		/* 7 * 2^60 */
	{ "9223372036854775807", INT64_MAX },
};

START_TEST(test_bytes)
{
	struct ks_error err = { 0 };
	int64_t b = -1;

	ck_assert_msg(qty_parse_bytes(bytes_cases[_i].in, &b, &err, NULL) == 0,
	    "%s: %s", bytes_cases[_i].in, err.msg);
	ck_assert_msg(b == bytes_cases[_i].bytes, "%s: %lld, want %lld",
	    bytes_cases[_i].in, (long long)b, (long long)bytes_cases[_i].bytes);
}
END_TEST

/* qty_format(): Quantity.String() of milli-units. */
static const struct {
	int64_t		 milli;
	enum qty_fmt	 fmt;
	const char	*out;
} format_cases[] = {
	{ 587, DSI, "587m" },
	{ 2000, DSI, "2" },
	{ 1500, DSI, "1500m" },
	{ 0, DSI, "0" },
	{ 0, BSI, "0" },
	{ 0, DEXP, "0" },
	{ 100, DSI, "100m" },
	{ 1000, DSI, "1" },
	{ 10000, DSI, "10" },
	{ 120000, DSI, "120" },
	{ 1000000, DSI, "1k" },
	{ 1500000, DSI, "1500" },		/* 1.5e3: not a whole k */
	{ 1000000000000000000, DSI, "1P" },
	{ -1000, DSI, "-1" },
	{ -100, DSI, "-100m" },
	{ 1024000, BSI, "1Ki" },
	{ 1023000, BSI, "1023" },		/* below 1024: DecimalSI */
	{ 1025000, BSI, "1025" },		/* not a multiple of 1024 */
	{ 1536000, BSI, "1536" },
	{ 1500, BSI, "1500m" },			/* below 1024 */
	{ 2048500, BSI, "2048500m" },		/* not whole: DecimalSI */
	{ -2048000, BSI, "-2Ki" },
	{ 52428800000, BSI, "50Mi" },
	{ 1610612736000, BSI, "1536Mi" },	/* 1.5Gi = 1572864Ki = 1536Mi */
	/* 966367641.6: not whole, DecimalSI; 9663676416 * 10^-1 -> m */
	{ 966367641600, BSI, "966367641600m" },
	{ 1000000, DEXP, "1e3" },
	{ 1500, DEXP, "1500e-3" },
	{ 1, DEXP, "1e-3" },
	{ 1000, DEXP, "1" },
	{ 10000000, DEXP, "10e3" },
	{ INT64_MAX, DSI, "9223372036854775807m" },
	{ INT64_MIN, DSI, "-9223372036854775808m" },
};

START_TEST(test_format)
{
	char buf[QTY_BUFSZ];

	ck_assert_str_eq(qty_format(format_cases[_i].milli,
	    format_cases[_i].fmt, buf, sizeof(buf)), format_cases[_i].out);
}
END_TEST

/* qty_format_bytes(): Quantity.String() of whole units. */
static const struct {
	int64_t		 bytes;
	enum qty_fmt	 fmt;
	const char	*out;
} format_bytes_cases[] = {
	{ 52428800, BSI, "50Mi" },
	/* the VPA (<= 1.4) prints memory recommendations as DecimalSI:
	 * 262144000 = 262144 * 10^3 */
	{ 262144000, DSI, "262144k" },
	{ 262144000, BSI, "250Mi" },		/* VPA >= 1.5: 262144000/2^20 */
	{ 1000, BSI, "1k" },			/* below 1024: DecimalSI */
	{ 1024, BSI, "1Ki" },
	{ 1536, BSI, "1536" },
	{ 1500, DSI, "1500" },
	{ 0, BSI, "0" },
	{ 1000000000000000000, DSI, "1E" },
	{ 1152921504606846976, BSI, "1Ei" },	/* 2^60 */
	{ INT64_MAX, BSI, "9223372036854775807" },
	{ INT64_MAX, DSI, "9223372036854775807" },
	{ 5000000000, DEXP, "5e9" },
};

START_TEST(test_format_bytes)
{
	char buf[QTY_BUFSZ];

	ck_assert_str_eq(qty_format_bytes(format_bytes_cases[_i].bytes,
	    format_bytes_cases[_i].fmt, buf, sizeof(buf)),
	    format_bytes_cases[_i].out);
}
END_TEST

START_TEST(test_format_cpu)
{
	char buf[QTY_BUFSZ];

	ck_assert_str_eq(qty_format_cpu(587, buf, sizeof(buf)), "587m");
	ck_assert_str_eq(qty_format_cpu(2000, buf, sizeof(buf)), "2");
	ck_assert_str_eq(qty_format_cpu(1500, buf, sizeof(buf)), "1500m");
	ck_assert_str_eq(qty_format_cpu(0, buf, sizeof(buf)), "0");
	ck_assert_str_eq(qty_format_cpu(100, buf, sizeof(buf)), "100m");
	ck_assert_str_eq(qty_format_cpu(1000, buf, sizeof(buf)), "1");
}
END_TEST

/* Parse, then print with the inferred format: what kubectl get -o yaml shows. */
static const struct {
	const char	*in;
	const char	*out;
} roundtrip_cases[] = {
	{ "100m", "100m" },
	{ "1000m", "1" },
	{ "0.5", "500m" },
	{ "1.5Gi", "1536Mi" },
	{ "2.5Gi", "2560Mi" },			/* 2.5 * 1024 Mi */
	{ "0.5Ki", "512" },			/* 512 < 1024: DecimalSI */
	{ "1e3", "1e3" },
	{ "12e6", "12e6" },
	{ "1.5e3", "1500" },			/* 1500 = 15e2 -> 1500e0 */
	{ "0.30000000000000004", "301m" },
	{ "0.9Gi", "966367641600m" },
	{ "262144000", "262144k" },
	{ "2048Ki", "2Mi" },
};

START_TEST(test_roundtrip)
{
	char buf[QTY_BUFSZ];
	enum qty_fmt fmt;
	int64_t milli;

	ck_assert_int_eq(qty_parse(roundtrip_cases[_i].in, &milli, &fmt, NULL,
	    NULL), 0);
	ck_assert_str_eq(qty_format(milli, fmt, buf, sizeof(buf)),
	    roundtrip_cases[_i].out);
}
END_TEST

/* Edges: int64 bounds, caps, long inputs, upstream's negative rounding. */
START_TEST(test_limits)
{
	char in[256];
	enum qty_fmt fmt;
	int64_t v;

	/* the largest milli value */
	ck_assert_int_eq(qty_parse("9223372036854775807m", &v, &fmt, NULL,
	    NULL), 0);
	ck_assert(v == INT64_MAX);
	/* BinarySI is capped at 2^63-1 by ParseQuantity: 8Ei = 2^63 */
	ck_assert_int_eq(qty_parse_bytes("8Ei", &v, NULL, NULL), 0);
	ck_assert(v == INT64_MAX);
	ck_assert_int_eq(qty_parse_bytes("100000000000000000000Ki", &v, NULL,
	    NULL), 0);
	ck_assert(v == INT64_MAX);
	ck_assert_int_eq(qty_parse_value("8Ei", &v, &fmt, NULL, NULL), 0);
	ck_assert_int_eq(fmt, BSI);
	/* 1e-84: the sticky digit path, rounds up to 1 milli */
	snprintf(in, sizeof(in), "0.%0*d1", 83, 0);
	ck_assert_int_eq(qty_parse(in, &v, NULL, NULL, NULL), 0);
	ck_assert(v == 1);
	/* 1 + 1e-84 milli: 2 */
	snprintf(in, sizeof(in), "0.001%0*d1", 80, 0);
	ck_assert_int_eq(qty_parse(in, &v, NULL, NULL, NULL), 0);
	ck_assert(v == 2);
	/* 200 digits of zeros after 1.000: exactly 1 */
	snprintf(in, sizeof(in), "1.%0*d", 200, 0);
	ck_assert_int_eq(qty_parse(in, &v, NULL, NULL, NULL), 0);
	ck_assert(v == 1000);
	/* a binary value with a long fraction: 0.5 + 1e-80 Ki = 512.00...1
	 * bytes, ceil 513 */
	snprintf(in, sizeof(in), "0.5%0*d1Ki", 79, 0);
	ck_assert_int_eq(qty_parse_bytes(in, &v, NULL, NULL), 0);
	ck_assert(v == 513);
	/* exponents beyond int32 are taken at face value (upstream would
	 * truncate them to 32 bits): 1e-4294967296 is tiny, 1m after
	 * rounding up */
	ck_assert_int_eq(qty_parse("1e-4294967296", &v, NULL, NULL, NULL), 0);
	ck_assert(v == 1);
	ck_assert_int_eq(qty_parse("0e4294967296", &v, NULL, NULL, NULL), 0);
	ck_assert(v == 0);

	/* Negative rounding follows upstream's two paths.  Fast path
	 * (int64Amount, negativeScaleInt64): away from zero, -0.1m -> -1. */
	ck_assert_int_eq(qty_parse("-0.1m", &v, NULL, NULL, NULL), 0);
	ck_assert(v == -1);
	ck_assert_int_eq(qty_parse("-1.5", &v, NULL, NULL, NULL), 0);
	ck_assert(v == -1500);
	/* Slow path (inf.Dec, scaledValue): -0.1024 = -102400000n;
	 * -102400000 / 1e6 = -102 (Go truncates), remainder != 0: -101 */
	ck_assert_int_eq(qty_parse("-0.0001Ki", &v, &fmt, NULL, NULL), 0);
	ck_assert(v == -101);
	ck_assert_int_eq(fmt, DSI);
	/* -1e-10 rounds away from zero to -1n; -1 / 1e6 = 0, +1 = 1 */
	ck_assert_int_eq(qty_parse("-1e-10", &v, NULL, NULL, NULL), 0);
	ck_assert(v == 1);
	/* but it is negative for validation */
	ck_assert_int_eq(qty_parse_cpu("-1e-10", &v, NULL, NULL), KS_EINVAL);
}
END_TEST

/* Which parser an error case goes through. */
enum { P_GENERIC, P_CPU, P_BYTES };

static const struct {
	const char	*in;
	int		 parser;
	const char	*msg;
} error_cases[] = {
#define SYNTAX(q) "invalid quantity " q ": expected a number with an optional " \
	"suffix (m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei) or exponent"
	{ "12Qi", P_GENERIC, SYNTAX("\"12Qi\"") },
	{ "", P_GENERIC, SYNTAX("\"\"") },
	{ "1.2.3", P_GENERIC, SYNTAX("\"1.2.3\"") },
	{ " 1", P_GENERIC, SYNTAX("\" 1\"") },
	{ "1 ", P_CPU, SYNTAX("\"1 \"") },
	{ "1e", P_GENERIC, SYNTAX("\"1e\"") },		/* "e" alone is no suffix */
	{ "1K", P_BYTES, SYNTAX("\"1K\"") },		/* k is lowercase */
	{ "1Ee3", P_GENERIC, SYNTAX("\"1Ee3\"") },
	{ "1i", P_GENERIC, SYNTAX("\"1i\"") },
	{ "5m3", P_CPU, SYNTAX("\"5m3\"") },
	{ "1e-", P_GENERIC, SYNTAX("\"1e-\"") },
	{ "--1", P_GENERIC, SYNTAX("\"--1\"") },
	{ "1e99999999999999999999", P_GENERIC,		/* ParseInt range */
	    SYNTAX("\"1e99999999999999999999\"") },
	{ "a\"b\n", P_GENERIC, SYNTAX("\"a\\\"b\\x0a\"") },
	{ "1e400", P_GENERIC, "quantity \"1e400\" is out of range" },
	{ "1e400", P_BYTES, "quantity \"1e400\" is out of range" },
	{ "1E", P_GENERIC, "quantity \"1E\" is out of range" },	/* 1e21 m */
	{ "9223372036854775808m", P_CPU,
	    "quantity \"9223372036854775808m\" is out of range" },
	{ "8Ei", P_GENERIC, "quantity \"8Ei\" is out of range" },
	{ "1e19", P_BYTES, "quantity \"1e19\" is out of range" },
	{ "9223372036854775808", P_BYTES,
	    "quantity \"9223372036854775808\" is out of range" },
	{ "-1", P_CPU, "quantity \"-1\" must not be negative" },
	{ "-0.1m", P_CPU, "quantity \"-0.1m\" must not be negative" },
	{ "-1Ki", P_BYTES, "quantity \"-1Ki\" must not be negative" },
	{ "-1e400", P_BYTES, "quantity \"-1e400\" must not be negative" },
#undef SYNTAX
};

START_TEST(test_errors)
{
	const struct ks_mark at = { "pod.yaml", 12, 17 };
	struct ks_error err = { 0 };
	int64_t v = 42;
	int rc;

	switch (error_cases[_i].parser) {
	case P_CPU:
		rc = qty_parse_cpu(error_cases[_i].in, &v, &err, &at);
		break;
	case P_BYTES:
		rc = qty_parse_bytes(error_cases[_i].in, &v, &err, &at);
		break;
	default:
		rc = qty_parse(error_cases[_i].in, &v, NULL, &err, &at);
		break;
	}
	ck_assert_int_eq(rc, KS_EINVAL);
	ck_assert_int_eq(err.code, KS_EINVAL);
	ck_assert_str_eq(err.at.file, "pod.yaml");
	ck_assert_int_eq(err.at.line, 12);
	ck_assert_int_eq(err.at.col, 17);
	ck_assert_str_eq(err.msg, error_cases[_i].msg);
	ck_assert(v == 42);		/* untouched on failure */
}
END_TEST

START_TEST(test_errors_misc)
{
	struct ks_error err = { 0 };
	char in[512];

	/* a NULL error struct is allowed */
	ck_assert_int_eq(qty_parse("x", NULL, NULL, NULL, NULL), KS_EINVAL);
	/* a long input is cut in the message */
	memset(in, '9', sizeof(in) - 2);
	in[sizeof(in) - 2] = 'x';
	in[sizeof(in) - 1] = '\0';
	ck_assert_int_eq(qty_parse(in, NULL, NULL, &err, NULL), KS_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "9999...\": expected"));
	ck_assert_int_lt(strlen(err.msg), 200);
	ck_assert_ptr_null(err.at.file);
	/* the first error wins */
	ck_assert_int_eq(qty_parse_cpu("-2", NULL, &err, NULL), KS_EINVAL);
	ck_assert_ptr_null(strstr(err.msg, "negative"));
}
END_TEST

Suite *quantity_suite(void);

Suite *
quantity_suite(void)
{
	Suite *s = suite_create("quantity");
	TCase *tc;

	tc = tcase_create("core");
	tcase_add_loop_test(tc, test_parse, 0,
	    sizeof(parse_cases) / sizeof(parse_cases[0]));
	tcase_add_loop_test(tc, test_cpu, 0,
	    sizeof(cpu_cases) / sizeof(cpu_cases[0]));
	tcase_add_loop_test(tc, test_bytes, 0,
	    sizeof(bytes_cases) / sizeof(bytes_cases[0]));
	tcase_add_loop_test(tc, test_format, 0,
	    sizeof(format_cases) / sizeof(format_cases[0]));
	tcase_add_loop_test(tc, test_format_bytes, 0,
	    sizeof(format_bytes_cases) / sizeof(format_bytes_cases[0]));
	tcase_add_test(tc, test_format_cpu);
	tcase_add_loop_test(tc, test_roundtrip, 0,
	    sizeof(roundtrip_cases) / sizeof(roundtrip_cases[0]));
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_test(tc, test_limits);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_loop_test(tc, test_errors, 0,
	    sizeof(error_cases) / sizeof(error_cases[0]));
	tcase_add_test(tc, test_errors_misc);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_main(quantity_suite());
}
