/*
 * fmt.c: simulated times and money as text (see fmt.h).
 *
 * Money is kept in integer nano-USD everywhere and rounded to micro-USD
 * only here, when it is printed: as a decimal string with exactly six
 * digits, or as a JSON real whose value is a whole number of micro-USD
 * (jansson prints it with the shortest exact representation), so no
 * platform's float formatting shows through.
 *
 * Names and messages from the input reach the text reports, so a name
 * holding a newline or a terminal escape could forge a line of a report or
 * rewrite the reader's terminal: fmt_safe() writes control characters as
 * C escapes (\n, \r, \t, \xHH, and \u0080 to \u009f for the C1
 * controls encoded in UTF-8), like Go's %q without the quotes.  A name
 * without control characters is returned as it is (no copy, the same
 * bytes as ever); an escaped one is interned, so callers print the result
 * and never free it.  fmt_tap_safe() also escapes what TAP gives a meaning
 * to in a description: '#' starts a directive and '\' escapes (TAP 14),
 * so both are written backslash-escaped.
 */
#include "util/fmt.h"

#include <string.h>

#include "util/intern.h"
#include "util/xmalloc.h"

char *
fmt_time(int64_t ms, char *buf, size_t n)
{
	int64_t s = ms / 1000;

	if (ms % 1000 != 0)
		snprintf(buf, n, "%lld:%02lld:%02lld.%03lld", (long long)(s / 3600),
		    (long long)(s / 60 % 60), (long long)(s % 60), (long long)(ms % 1000));
	else
		snprintf(buf, n, "%lld:%02lld:%02lld", (long long)(s / 3600),
		    (long long)(s / 60 % 60), (long long)(s % 60));
	return buf;
}

char *
fmt_usd(int64_t nusd, char *buf, size_t n)
{
	int64_t micro = (nusd + 500) / 1000;

	snprintf(buf, n, "%lld.%06lld", (long long)(micro / 1000000), (long long)(micro % 1000000));
	return buf;
}

json_t *
fmt_json_usd(int64_t nusd)
{
	int64_t micro = (nusd + 500) / 1000;

	return json_real((double)micro / 1e6);
}

void
fmt_xml_escape(FILE *fp, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<':
			fputs("&lt;", fp);
			break;
		case '>':
			fputs("&gt;", fp);
			break;
		case '&':
			fputs("&amp;", fp);
			break;
		case '"':
			fputs("&quot;", fp);
			break;
		case '\'':
			fputs("&apos;", fp);
			break;
		default:
			if ((unsigned char)*s >= 0x20 || *s == '\n' || *s == '\t')
				fputc(*s, fp);
		}
	}
}

/* Bytes of s that need an escape: control characters, and '#' and '\\' when tap. */
static int
needs_escape(const unsigned char *s, int tap)
{
	if (s[0] < 0x20 || s[0] == 0x7f)
		return 1;
	if (s[0] == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f)
		return 2;
	return tap && (s[0] == '#' || s[0] == '\\');
}

static const char *
escape(const char *s, int tap)
{
	const unsigned char *p = (const unsigned char *)s;
	char *buf, *out;
	const char *r;
	size_t k;

	if (s == NULL)
		return NULL;
	for (k = 0; p[k] != '\0' && needs_escape(p + k, tap) == 0; k++)
		;
	if (p[k] == '\0')
		return s;
	out = buf = xmalloc(strlen(s) * 6 + 1);
	memcpy(out, s, k);
	out += k;
	for (p += k; *p != '\0'; p++) {
		switch (needs_escape(p, tap)) {
		case 0:
			*out++ = (char)*p;
			break;
		case 2:
			out += sprintf(out, "\\u%04x", p[1]);
			p++;
			break;
		default:
			if (*p == '\n')
				out += sprintf(out, "\\n");
			else if (*p == '\r')
				out += sprintf(out, "\\r");
			else if (*p == '\t')
				out += sprintf(out, "\\t");
			else if (*p == '#' || *p == '\\')
				out += sprintf(out, "\\%c", *p);
			else
				out += sprintf(out, "\\x%02x", *p);
		}
	}
	*out = '\0';
	r = intern(buf);
	free(buf);
	return r;
}

const char *
fmt_safe(const char *s)
{
	return escape(s, 0);
}

const char *
fmt_tap_safe(const char *s)
{
	return escape(s, 1);
}
