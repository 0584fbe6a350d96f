/*
 * yaml.c: the JSON report as YAML (`ksim run -o yaml`), as `kubectl -o
 * yaml` prints an object: the same document, key for key and in the same
 * order (see json.c and ksim-scenario(5)), in the block style kubectl's
 * YAML printer uses: two spaces per level, a sequence's "- " at its key's
 * indent, empty collections as [] and {}.
 *
 * Scalars: a string is printed plain when that cannot be read back as
 * anything else (letters, digits and ./_- beginning with a letter or a
 * slash, and not one of YAML 1.1's booleans or null), else double-quoted
 * with JSON's escapes, which are YAML's too; numbers, booleans and null
 * as JSON prints them (money with the same 15 significant digits), so a
 * YAML reader gets the values a JSON reader gets.
 *
 * Cost: the document is built as a jansson tree first (report_json_detail),
 * unlike the streamed JSON report; use --detail on a very big run.
 */
#include "report/report.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A string YAML reads back as the same string when printed plain. */
static int
yaml_plain(const char *s)
{
	static const char *const words[] = { "true", "false", "yes", "no", "on", "off", "y", "n",
		"null", NULL };

	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') || s[0] == '/'))
		return 0;
	for (const char *p = s; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("./_-", *p) != NULL))
			return 0;
	for (size_t i = 0; words[i] != NULL; i++)
		if (strcasecmp(s, words[i]) == 0)
			return 0;
	return 1;
}

/* A scalar, after "key: " or "- ". */
static void
yaml_scalar(FILE *fp, json_t *v)
{
	char *text;

	if (json_is_string(v) && yaml_plain(json_string_value(v))) {
		fputs(json_string_value(v), fp);
		return;
	}
	text = json_dumps(v, JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
	assert(text != NULL);
	fputs(text, fp);
	free(text);
}

/* A collection holds something to print on lines of its own. */
static int
yaml_block(json_t *v)
{
	return (json_is_object(v) && json_object_size(v) > 0) ||
	    (json_is_array(v) && json_array_size(v) > 0);
}

/* A value that is not a block, and the end of its line. */
static void
yaml_inline(FILE *fp, json_t *v)
{
	if (json_is_array(v))
		fputs("[]", fp);
	else if (json_is_object(v))
		fputs("{}", fp);
	else
		yaml_scalar(fp, v);
	fputc('\n', fp);
}

/* v after "key:" or "-" on the current line: a scalar, [] or {} there, else a block below. */
static void
yaml_after(FILE *fp, json_t *v, int depth)
{
	if (!yaml_block(v)) {
		fputc(' ', fp);
		yaml_inline(fp, v);
		return;
	}
	fputc('\n', fp);
	report_yaml_value(fp, v, depth);
}

/*
 * The members of an object, the first on the current line (after "- ")
 * when first_inline, the others at `depth`.
 */
static void
yaml_members(FILE *fp, json_t *obj, int depth, int first_inline)
{
	const char *key;
	json_t *v;
	int first = 1;

	json_object_foreach(obj, key, v) {
		if (!(first && first_inline))
			fprintf(fp, "%*s", 2 * depth, "");
		first = 0;
		if (yaml_plain(key))
			fputs(key, fp);
		else {
			json_t *k = json_string(key);

			yaml_scalar(fp, k);
			json_decref(k);
		}
		fputc(':', fp);
		/* a sequence's items at the key's indent, as kubectl prints them */
		yaml_after(fp, v, json_is_array(v) ? depth : depth + 1);
	}
}

void
report_yaml_value(FILE *fp, json_t *v, int depth)
{
	size_t i;
	json_t *e;

	if (json_is_object(v) && json_object_size(v) > 0) {
		yaml_members(fp, v, depth, 0);
		return;
	}
	if (!json_is_array(v) || json_array_size(v) == 0) {
		fprintf(fp, "%*s", 2 * depth, "");
		yaml_inline(fp, v);
		return;
	}
	json_array_foreach(v, i, e) {
		fprintf(fp, "%*s-", 2 * depth, "");
		if (json_is_object(e) && json_object_size(e) > 0) {
			fputc(' ', fp);
			yaml_members(fp, e, depth + 1, 1);
		} else {
			yaml_after(fp, e, depth + 1);
		}
	}
}

void
report_yaml_write(struct ks_run *r, enum report_detail detail, FILE *fp)
{
	json_t *root = report_json_detail(r, detail);

	report_yaml_value(fp, root, 0);
	json_decref(root);
}
