/*
 * fmt.c: simulated times and money as text (see fmt.h).
 *
 * Money is kept in integer nano-USD everywhere and rounded to micro-USD
 * only here, when it is printed: as a decimal string with exactly six
 * digits, or as a JSON real whose value is a whole number of micro-USD
 * (jansson prints it with the shortest exact representation), so no
 * platform's float formatting shows through.
 */
#include "util/fmt.h"

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
