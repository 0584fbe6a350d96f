/*
 * check_ytree.c: the YAML tree (io/ytree.c) and Go durations
 * (util/duration.c).
 *
 * "core": structure, marks (1-based line:col of keys, values and items),
 * plain vs quoted, documents, aliases, merge keys, JSON with tabs, the
 * cluster dumps in shared/upstream, getters, duration parse/format tables.
 * "limits": the alias expansion bound (exact boundary and the billion
 * laughs), integer and duration ranges, big mappings.
 * "errors": every load and getter error with its code, line and column.
 */
#include <check.h>
#include <glob.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "io/ytree.h"
#include "testutil.h"
#include "util/duration.h"
#include "util/xmalloc.h"

Suite *ytree_suite(void);

/*
 * The cluster dumps beside the project (../shared/upstream), which only
 * developers and CI have: the test that reads them is added only when
 * they are there, and says SKIP otherwise.
 */
static const char *
dumps_dir(void)
{
	static char buf[1024];

	snprintf(buf, sizeof(buf), "%s/../shared/upstream/cluster-dumps", tu_srcdir());
	return buf;
}

static struct yt_stream *
load_ok(const char *text)
{
	struct yt_stream *st = NULL;
	struct ks_error err = { 0 };
	int rc = yt_load_buffer("t.yaml", text, strlen(text), &st, &err);

	ck_assert_msg(rc == 0, "load failed: %d:%d: %s", err.at.line,
	    err.at.col, err.msg);
	ck_assert_ptr_nonnull(st);
	return st;
}

static const struct yt_node *
root1(struct yt_stream *st)
{
	ck_assert_uint_eq(st->ndocs, 1);
	ck_assert_ptr_nonnull(st->docs[0].root);
	return st->docs[0].root;
}

/* Loading text must fail with code at line:col and exactly msg. */
static void
load_fails(const char *text, int code, int line, int col, const char *msg)
{
	struct yt_stream *st = (struct yt_stream *)1;
	struct ks_error err = { 0 };
	int rc = yt_load_buffer("f.yaml", text, strlen(text), &st, &err);

	ck_assert_int_eq(rc, code);
	ck_assert_int_eq(err.code, code);
	ck_assert_ptr_null(st);
	ck_assert_str_eq(err.at.file, "f.yaml");
	ck_assert_msg(err.at.line == line && err.at.col == col,
	    "expected %d:%d, got %d:%d (%s)", line, col, err.at.line,
	    err.at.col, err.msg);
	ck_assert_str_eq(err.msg, msg);
}

static void
mark_is(const struct yt_node *n, int line, int col)
{
	ck_assert_ptr_nonnull(n);
	ck_assert_msg(n->mark.line == line && n->mark.col == col,
	    "expected %d:%d, got %d:%d", line, col, n->mark.line,
	    n->mark.col);
}

/* A growable string for generated inputs. */
struct sbuf {
	char	*s;	/* NUL-terminated text */
	size_t	 len;	/* bytes before the NUL */
	size_t	 cap;	/* bytes allocated */
};

static void
sb_add(struct sbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
sb_add(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (b->s != NULL && (size_t)n < b->cap - b->len)
			break;
		b->cap = b->cap ? 2 * b->cap + (size_t)n : 4096 + (size_t)n;
		b->s = xrealloc(b->s, b->cap);
	}
	b->len += (size_t)n;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * core
 */
START_TEST(test_structure_marks)
{
	struct yt_stream *st = load_ok(
	    "apiVersion: apps/v1\n"		/* 1 */
	    "kind: Deployment\n"		/* 2 */
	    "spec:\n"				/* 3 */
	    "  replicas: 3\n"			/* 4 */
	    "  template:\n"			/* 5 */
	    "    containers:\n"			/* 6 */
	    "    - name: web\n"			/* 7 */
	    "      image: \"nginx:1.25\"\n"	/* 8 */
	    "    - name: side\n"		/* 9 */
	    "      args: [a, 'b', \"c\"]\n");	/* 10 */
	const struct yt_node *r = root1(st), *spec, *c, *args;

	ck_assert_str_eq(st->file, "t.yaml");
	ck_assert_int_eq(r->kind, YT_MAP);
	mark_is(r, 1, 1);
	ck_assert_uint_eq(r->npairs, 3);
	ck_assert_str_eq(r->pairs[0].key->str, "apiVersion");
	mark_is(r->pairs[1].key, 2, 1);
	mark_is(r->pairs[1].value, 2, 7);
	ck_assert_ptr_eq(r->pairs[0].key->mark.file, st->file);
	spec = yt_map_get(r, "spec");
	mark_is(spec, 4, 3);		/* a block mapping starts at its first key */
	ck_assert_str_eq(spec->pairs[0].key->str, "replicas");
	mark_is(spec->pairs[0].key, 4, 3);
	mark_is(yt_map_get(spec, "replicas"), 4, 13);
	c = yt_map_get(yt_map_get(spec, "template"), "containers");
	ck_assert_int_eq(c->kind, YT_SEQ);
	mark_is(c, 7, 5);		/* the first '-' */
	ck_assert_uint_eq(c->nitems, 2);
	mark_is(c->items[0], 7, 7);	/* the item mapping: its first key */
	mark_is(c->items[1], 9, 7);
	mark_is(yt_map_get(c->items[0], "image"), 8, 14);	/* the quote */
	ck_assert_str_eq(yt_map_get(c->items[0], "image")->str, "nginx:1.25");
	ck_assert_int_eq(yt_map_get(c->items[0], "image")->plain, 0);
	args = yt_map_get(c->items[1], "args");
	mark_is(args, 10, 13);
	ck_assert_uint_eq(args->nitems, 3);
	mark_is(args->items[0], 10, 14);
	mark_is(args->items[1], 10, 17);
	mark_is(args->items[2], 10, 22);
	ck_assert_int_eq(args->items[0]->plain, 1);
	ck_assert_int_eq(args->items[1]->plain, 0);
	ck_assert_int_eq(args->items[2]->plain, 0);
	ck_assert_ptr_null(yt_map_get(r, "status"));
	ck_assert_ptr_null(yt_map_get(args, "a"));
	ck_assert_ptr_null(yt_map_get(NULL, "a"));
	yt_stream_free(st);
}
END_TEST

START_TEST(test_plain_and_null)
{
	struct yt_stream *st = load_ok(
	    "a: 123\nb: \"123\"\nc: null\nd: \"null\"\ne:\nf: ~\ng: ''\n"
	    "h: NULL\ni: !!str 7\nj: |\n  line1\n  line2\n");
	const struct yt_node *r = root1(st);

	ck_assert_int_eq(yt_map_get(r, "a")->plain, 1);
	ck_assert_int_eq(yt_map_get(r, "b")->plain, 0);
	ck_assert_str_eq(yt_map_get(r, "b")->str, "123");
	ck_assert_int_eq(yt_is_null(yt_map_get(r, "c")), 1);
	ck_assert_int_eq(yt_is_null(yt_map_get(r, "d")), 0);
	ck_assert_int_eq(yt_is_null(yt_map_get(r, "e")), 1);
	ck_assert_str_eq(yt_map_get(r, "e")->str, "");
	ck_assert_int_eq(yt_is_null(yt_map_get(r, "f")), 1);
	ck_assert_int_eq(yt_is_null(yt_map_get(r, "g")), 0);
	ck_assert_int_eq(yt_is_null(yt_map_get(r, "h")), 1);
	ck_assert_int_eq(yt_is_null(yt_map_get(r, "absent")), 1);
	ck_assert_int_eq(yt_map_get(r, "i")->plain, 0);	/* tagged !!str */
	ck_assert_str_eq(yt_map_get(r, "j")->str, "line1\nline2\n");
	ck_assert_uint_eq(yt_map_get(r, "j")->len, 12);
	ck_assert_str_eq(yt_kind_name(yt_map_get(r, "a")), "an integer");
	ck_assert_str_eq(yt_kind_name(yt_map_get(r, "b")), "a string");
	ck_assert_str_eq(yt_kind_name(yt_map_get(r, "c")), "null");
	ck_assert_str_eq(yt_kind_name(r), "a mapping");
	ck_assert_str_eq(yt_kind_name(NULL), "null");
	yt_stream_free(st);

	st = load_ok("[yes, Off, 1.5, .inf, 0x1F, 1_000, 2e3, abc, [], {}]");
	r = root1(st);
	ck_assert_str_eq(yt_kind_name(r->items[0]), "a boolean");
	ck_assert_str_eq(yt_kind_name(r->items[1]), "a boolean");
	ck_assert_str_eq(yt_kind_name(r->items[2]), "a number");
	ck_assert_str_eq(yt_kind_name(r->items[3]), "a number");
	ck_assert_str_eq(yt_kind_name(r->items[4]), "an integer");
	ck_assert_str_eq(yt_kind_name(r->items[5]), "an integer");
	ck_assert_str_eq(yt_kind_name(r->items[6]), "a number");
	ck_assert_str_eq(yt_kind_name(r->items[7]), "a string");
	ck_assert_str_eq(yt_kind_name(r->items[8]), "a sequence");
	ck_assert_uint_eq(r->items[8]->nitems, 0);
	ck_assert_ptr_null(r->items[8]->items);
	ck_assert_str_eq(yt_kind_name(r->items[9]), "a mapping");
	ck_assert_uint_eq(r->items[9]->npairs, 0);
	yt_stream_free(st);
}
END_TEST

START_TEST(test_documents)
{
	/* Empty documents are kept with root NULL: index i = i-th document. */
	struct yt_stream *st = load_ok(
	    "a: 1\n"		/* 1 */
	    "---\n"		/* 2: empty */
	    "---\n"		/* 3: only a comment */
	    "# nothing\n"	/* 4 */
	    "--- 5\n"		/* 5 */
	    "---\n"		/* 6 */
	    "b: 2\n");		/* 7 */

	ck_assert_uint_eq(st->ndocs, 5);
	ck_assert_int_eq(st->docs[0].root->kind, YT_MAP);
	ck_assert_ptr_null(st->docs[1].root);
	ck_assert_int_eq(st->docs[1].mark.line, 2);
	ck_assert_ptr_null(st->docs[2].root);
	ck_assert_int_eq(st->docs[2].mark.line, 3);
	ck_assert_str_eq(st->docs[3].root->str, "5");
	mark_is(st->docs[3].root, 5, 5);
	ck_assert_str_eq(st->docs[4].root->pairs[0].key->str, "b");
	mark_is(st->docs[4].root, 7, 1);
	yt_stream_free(st);

	st = load_ok("--- 5\n...\n--- \"\"\n");
	ck_assert_uint_eq(st->ndocs, 2);
	ck_assert_str_eq(st->docs[0].root->str, "5");
	ck_assert_ptr_nonnull(st->docs[1].root);	/* quoted "" is content */
	yt_stream_free(st);

	st = load_ok("");
	ck_assert_uint_eq(st->ndocs, 0);
	yt_stream_free(st);
	st = load_ok("# just a comment\n");
	ck_assert_uint_eq(st->ndocs, 0);
	yt_stream_free(st);
	yt_stream_free(NULL);
}
END_TEST

START_TEST(test_aliases_share)
{
	struct yt_stream *st = load_ok(
	    "base: &b {cpu: 100m}\n"
	    "x: *b\n"
	    "y: [*b, &s str, *s]\n");
	const struct yt_node *r = root1(st), *y = yt_map_get(r, "y");

	ck_assert_ptr_eq(yt_map_get(r, "x"), yt_map_get(r, "base"));
	ck_assert_ptr_eq(y->items[0], yt_map_get(r, "base"));
	ck_assert_ptr_eq(y->items[1], y->items[2]);
	mark_is(yt_map_get(r, "x"), 1, 7);	/* the shared node's own mark */
	yt_stream_free(st);

	/* Anchors are per document; redefinition: the latest wins. */
	st = load_ok("a: &x 1\nb: &x 2\nc: *x\n");
	ck_assert_str_eq(yt_map_get(root1(st), "c")->str, "2");
	yt_stream_free(st);
	load_fails("a: &x 1\n---\nb: *x\n", KS_EINVAL, 3, 4,
	    "undefined alias \"*x\"");
}
END_TEST

START_TEST(test_merge_keys)
{
	struct yt_stream *st = load_ok(
	    "base: &base {cpu: 1, mem: 2, gpu: 0}\n"		/* 1 */
	    "extra: &extra {gpu: 8, zone: a, cpu: 9}\n"		/* 2 */
	    "one:\n"						/* 3 */
	    "  name: one\n"					/* 4 */
	    "  <<: *base\n"					/* 5 */
	    "  mem: 4\n"					/* 6 */
	    "two:\n"						/* 7 */
	    "  <<: [*base, *extra]\n"				/* 8 */
	    "  zone: b\n"					/* 9 */
	    "lit:\n"						/* 10 */
	    "  <<: {k: v}\n"					/* 11 */
	    "  \"<<\": quoted\n");				/* 12 */
	const struct yt_node *r = root1(st), *one, *two, *lit;

	/* one = name, then base's cpu and gpu in place of <<, then mem:
	 * mem is set explicitly (4) so base's mem is dropped. */
	one = yt_map_get(r, "one");
	ck_assert_uint_eq(one->npairs, 4);
	ck_assert_str_eq(one->pairs[0].key->str, "name");
	ck_assert_str_eq(one->pairs[1].key->str, "cpu");
	ck_assert_str_eq(one->pairs[2].key->str, "gpu");
	ck_assert_str_eq(one->pairs[3].key->str, "mem");
	ck_assert_str_eq(yt_map_get(one, "mem")->str, "4");
	ck_assert_str_eq(yt_map_get(one, "cpu")->str, "1");
	mark_is(yt_map_get(one, "cpu"), 1, 19);	/* where base defined it */
	/* two: base first (cpu 1, mem 2, gpu 0), extra adds only zone, and
	 * zone is explicit (b): cpu 1, mem 2, gpu 0, zone b. */
	two = yt_map_get(r, "two");
	ck_assert_uint_eq(two->npairs, 4);
	ck_assert_str_eq(yt_map_get(two, "cpu")->str, "1");
	ck_assert_str_eq(yt_map_get(two, "gpu")->str, "0");
	ck_assert_str_eq(yt_map_get(two, "zone")->str, "b");
	ck_assert_str_eq(two->pairs[3].key->str, "zone");
	ck_assert_ptr_null(yt_map_get(two, "<<"));
	/* A literal mapping merges too; a quoted "<<" is an ordinary key. */
	lit = yt_map_get(r, "lit");
	ck_assert_uint_eq(lit->npairs, 2);
	ck_assert_str_eq(yt_map_get(lit, "k")->str, "v");
	ck_assert_str_eq(yt_map_get(lit, "<<")->str, "quoted");
	yt_stream_free(st);
}
END_TEST

START_TEST(test_json_tabs)
{
	/* Tabs outside strings become spaces; the one inside "x\ty" stays. */
	const char *json =
	    "\t{\n"
	    "\t\"kind\":\t\"Pod\",\n"
	    "\t\"spec\": {\"args\": [\"x\ty\", \"q\\\"\t\", 'it''s\t']},\n"
	    "\t\"n\": 3\n"
	    "}\n";
	struct yt_stream *st = load_ok(json);
	const struct yt_node *r = root1(st), *args;

	mark_is(r, 1, 2);
	mark_is(r->pairs[0].key, 2, 2);
	mark_is(yt_map_get(r, "kind"), 2, 10);
	ck_assert_str_eq(yt_map_get(r, "kind")->str, "Pod");
	args = yt_map_get(yt_map_get(r, "spec"), "args");
	ck_assert_str_eq(args->items[0]->str, "x\ty");
	ck_assert_str_eq(args->items[1]->str, "q\"\t");
	ck_assert_str_eq(args->items[2]->str, "it's\t");
	ck_assert_int_eq(yt_map_get(r, "n")->plain, 1);
	yt_stream_free(st);

	/* JSON escapes libyaml knows: \/ and \u. */
	st = load_ok("[\"a\\/b\", \"\\u00e9\"]");
	ck_assert_str_eq(root1(st)->items[0]->str, "a/b");
	ck_assert_str_eq(root1(st)->items[1]->str, "\xc3\xa9");
	yt_stream_free(st);
}
END_TEST

START_TEST(test_cluster_dumps)
{
	glob_t g;
	int n = 0;
	char pat[1100];

	/* The JSON dumps (kubectl -o json) and the YAML ones alike. */
	snprintf(pat, sizeof(pat), "%s/*.json", dumps_dir());
	ck_assert_int_eq(glob(pat, 0, NULL, &g), 0);
	snprintf(pat, sizeof(pat), "%s/*.yaml", dumps_dir());
	glob(pat, GLOB_APPEND, NULL, &g);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		struct yt_stream *st = NULL;
		struct ks_error err = { 0 };
		const struct yt_node *kind;

		ck_assert_msg(yt_load_file(g.gl_pathv[i], &st, &err) == 0,
		    "%s:%d:%d: %s", g.gl_pathv[i], err.at.line, err.at.col,
		    err.msg);
		ck_assert_uint_eq(st->ndocs, 1);
		ck_assert_int_eq(st->docs[0].root->kind, YT_MAP);
		kind = yt_map_get(st->docs[0].root, "kind");
		ck_assert_ptr_nonnull(kind);
		ck_assert_ptr_nonnull(yt_map_get(st->docs[0].root,
		    "apiVersion"));
		if (strstr(g.gl_pathv[i], ".json") != NULL)	/* 4 spaces */
			mark_is(yt_map_get(st->docs[0].root, "apiVersion"),
			    2, 19);
		ck_assert_str_eq(st->file, g.gl_pathv[i]);
		yt_stream_free(st);
		n++;
	}
	globfree(&g);
	ck_assert_int_gt(n, 0);
}
END_TEST

START_TEST(test_load_file)
{
	char *path = tu_write("kind: Node\nmetadata: {name: n1}\n");
	struct yt_stream *st = NULL;
	struct ks_error err = { 0 };

	ck_assert_int_eq(yt_load_file(path, &st, &err), 0);
	ck_assert_str_eq(st->file, path);
	mark_is(yt_map_get(yt_map_get(root1(st), "metadata"), "name"), 2, 18);
	ck_assert_str_eq(yt_map_get(root1(st), "metadata")->pairs[0].key
	    ->mark.file, path);
	yt_stream_free(st);
	unlink(path);
	free(path);
}
END_TEST

START_TEST(test_getters)
{
	struct yt_stream *st = load_ok(
	    "i: -42\nj: +7\nb1: true\nb2: no\nb3: On\nd1: 2.5\nd2: -1e3\n"
	    "d3: .5\nd4: 3\nd5: -.inf\nd6: .NaN\ns: hello\nq: \"1\"\n"
	    "t1: 1m30s\nt2: \"300ms\"\nt3: 0\n");
	const struct yt_node *r = root1(st);
	struct ks_error err = { 0 };
	int64_t i;
	int b;
	double d;
	const char *s;

	ck_assert_int_eq(yt_get_int64(yt_map_get(r, "i"), &i, &err), 0);
	ck_assert_int_eq(i, -42);
	ck_assert_int_eq(yt_get_int64(yt_map_get(r, "j"), &i, &err), 0);
	ck_assert_int_eq(i, 7);
	ck_assert_int_eq(yt_get_bool(yt_map_get(r, "b1"), &b, &err), 0);
	ck_assert_int_eq(b, 1);
	ck_assert_int_eq(yt_get_bool(yt_map_get(r, "b2"), &b, &err), 0);
	ck_assert_int_eq(b, 0);
	ck_assert_int_eq(yt_get_bool(yt_map_get(r, "b3"), &b, &err), 0);
	ck_assert_int_eq(b, 1);
	ck_assert_int_eq(yt_get_double(yt_map_get(r, "d1"), &d, &err), 0);
	ck_assert_double_eq(d, 2.5);
	ck_assert_int_eq(yt_get_double(yt_map_get(r, "d2"), &d, &err), 0);
	ck_assert_double_eq(d, -1000.0);
	ck_assert_int_eq(yt_get_double(yt_map_get(r, "d3"), &d, &err), 0);
	ck_assert_double_eq(d, 0.5);
	ck_assert_int_eq(yt_get_double(yt_map_get(r, "d4"), &d, &err), 0);
	ck_assert_double_eq(d, 3.0);
	ck_assert_int_eq(yt_get_double(yt_map_get(r, "d5"), &d, &err), 0);
	ck_assert(isinf(d) && d < 0);
	ck_assert_int_eq(yt_get_double(yt_map_get(r, "d6"), &d, &err), 0);
	ck_assert(isnan(d));
	ck_assert_int_eq(yt_get_str(yt_map_get(r, "s"), &s, &err), 0);
	ck_assert_str_eq(s, "hello");
	ck_assert_int_eq(yt_get_str(yt_map_get(r, "i"), &s, &err), 0);
	ck_assert_str_eq(s, "-42");		/* plain ints read as text too */
	ck_assert_int_eq(yt_get_str(yt_map_get(r, "q"), &s, &err), 0);
	ck_assert_str_eq(s, "1");
	ck_assert_int_eq(yt_get_duration(yt_map_get(r, "t1"), &i, &err), 0);
	ck_assert_int_eq(i, 90000);
	ck_assert_int_eq(yt_get_duration(yt_map_get(r, "t2"), &i, &err), 0);
	ck_assert_int_eq(i, 300);
	ck_assert_int_eq(yt_get_duration(yt_map_get(r, "t3"), &i, &err), 0);
	ck_assert_int_eq(i, 0);
	ck_assert_int_eq(yt_expect_map(r, &err), 0);
	ck_assert_int_eq(yt_expect_seq(r, &err), KS_EINVAL);
	ck_assert_int_eq(err.code, KS_EINVAL);
	ck_assert_str_eq(err.msg, "expected a sequence, found a mapping");
	mark_is(r, 1, 1);
	ck_assert_int_eq(err.at.line, 1);
	ck_assert_int_eq(err.at.col, 1);
	yt_stream_free(st);
}
END_TEST

/* Go's time.ParseDuration, truncated to ms as Duration.Milliseconds(). */
static const struct {
	const char	*in;	/* duration string */
	int64_t		 ms;	/* expected milliseconds */
} dur_ok[] = {
	{ "1m30s", 90000 },		/* 60 000 + 30 000 */
	{ "300ms", 300 },
	{ "1.5h", 5400000 },		/* 1.5 * 3 600 000 */
	{ "10s", 10000 },
	{ "0", 0 },
	{ "-0", 0 },
	{ "+0", 0 },
	{ "0s", 0 },
	{ "1h0m0s", 3600000 },
	{ "2h45m", 9900000 },		/* 7 200 000 + 2 700 000 */
	{ "-1.5s", -1500 },
	{ "+5m", 300000 },
	{ ".5s", 500 },
	{ "1.s", 1000 },
	{ "1.1s", 1100 },		/* 1e9 + 1 * (1e9 / 10) ns */
	{ "1500us", 1 },		/* 1.5 ms truncated toward zero */
	{ "-1500us", -1 },
	{ "1500\xc2\xb5s", 1 },		/* micro sign */
	{ "2000\xce\xbcs", 2 },		/* Greek mu */
	{ "999999ns", 0 },
	{ "1h1m1s1ms", 3661001 },
	{ "2562047h47m16.854775807s", INT64_C(9223372036854) },
	{ "-2562047h47m16.854775808s", -INT64_C(9223372036854) },
};

START_TEST(test_duration_parse)
{
	struct ks_error err = { 0 };
	int64_t ms = -12345;

	ck_assert_msg(ks_duration_parse(dur_ok[_i].in, &ms, &err, NULL) == 0,
	    "%s: %s", dur_ok[_i].in, err.msg);
	ck_assert_msg(ms == dur_ok[_i].ms, "%s: %" PRId64 " != %" PRId64,
	    dur_ok[_i].in, ms, dur_ok[_i].ms);
}
END_TEST

static const struct {
	int64_t		 ms;	/* milliseconds */
	const char	*out;	/* Go's Duration.String() */
} dur_fmt[] = {
	{ 90000, "1m30s" },
	{ 300000, "5m0s" },
	{ 500, "500ms" },
	{ 0, "0s" },
	{ 3600000, "1h0m0s" },
	{ 1500, "1.5s" },
	{ 1010, "1.01s" },
	{ 1001, "1.001s" },
	{ 1, "1ms" },
	{ 999, "999ms" },
	{ 1000, "1s" },
	{ 59999, "59.999s" },
	{ 3601500, "1h0m1.5s" },	/* 3600 s + 1.5 s */
	{ 86400000, "24h0m0s" },	/* no days, as Go */
	{ -90000, "-1m30s" },
	{ -500, "-500ms" },
	/* 9223372036854775808 ms = 9223372036854775 s + 808 ms
	 * = 2562047788015 h (9223372036854000 s) + 775 s = 12 m 55 s */
	{ INT64_MIN, "-2562047788015h12m55.808s" },
	{ INT64_MAX, "2562047788015h12m55.807s" },
};

START_TEST(test_duration_format)
{
	char buf[32];

	ck_assert_str_eq(ks_duration_format(dur_fmt[_i].ms, buf, sizeof(buf)),
	    dur_fmt[_i].out);
}
END_TEST

START_TEST(test_duration_roundtrip)
{
	char buf[32];
	int64_t ms;

	for (int64_t v = -5000; v <= 200000; v += 7) {
		ks_duration_format(v, buf, sizeof(buf));
		ck_assert_int_eq(ks_duration_parse(buf, &ms, NULL, NULL), 0);
		ck_assert_int_eq(ms, v);
	}
}
END_TEST

/*
 * limits
 */
START_TEST(test_alias_bound_exact)
{
	/* a is a sequence of 999 scalars: 1 + 999 = 1000 nodes.  1000
	 * aliases to it add 1000 * 1000 = 1 000 000 nodes: at the bound,
	 * accepted.  One more alias to a scalar (1 node) crosses it. */
	struct sbuf b = { 0 };
	struct yt_stream *st;

	sb_add(&b, "a: &a [");
	for (int i = 0; i < 999; i++)
		sb_add(&b, "%s%d", i ? "," : "", i);
	sb_add(&b, "]\ns: &s x\nl:\n");		/* lines 1, 2, 3 */
	for (int i = 0; i < 1000; i++)
		sb_add(&b, "- *a\n");		/* lines 4 .. 1003 */
	st = load_ok(b.s);
	ck_assert_uint_eq(yt_map_get(root1(st), "l")->nitems, 1000);
	yt_stream_free(st);
	sb_add(&b, "- *s\n");			/* line 1004 */
	load_fails(b.s, KS_EINVAL, 1004, 3,
	    "expected a document of at most 1000000 nodes once aliases are expanded, found more (an alias bomb?)");
	free(b.s);
}
END_TEST

START_TEST(test_billion_laughs)
{
	/* Each level is a sequence of 10 aliases to the previous one:
	 * level k expands to about 10^k nodes, level 9 to 10^9. */
	const char *bomb =
	    "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
	    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
	    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
	    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
	    "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
	    "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
	    "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
	    "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
	    "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n";
	struct yt_stream *st = NULL;
	struct ks_error err = { 0 };
	double t0 = now_s(), dt;
	int rc;

	rc = yt_load_buffer("bomb.yaml", bomb, strlen(bomb), &st, &err);
	dt = now_s() - t0;
	ck_assert_int_eq(rc, KS_EINVAL);
	ck_assert_ptr_null(st);
	ck_assert_str_eq(err.msg,
	    "expected a document of at most 1000000 nodes once aliases are expanded, found more (an alias bomb?)");
	/* Sizes: a 10, b 1+9*10 = 91, c 820, d 7381, e 66430, f 597871.
	 * Aliases so far: 9 b-items (90) + 9*91 + 9*820 + 9*7381 + 9*66430
	 * = 90 + 819 + 7380 + 66429 + 597870 = 672588 after line 6; in
	 * line 7 the first *f adds 597871 -> 1270459 > 10^6: 7:8. */
	ck_assert_int_eq(err.at.line, 7);
	ck_assert_int_eq(err.at.col, 8);
	/* "must fail fast": it is a few hundred events; a generous bound so
	 * a loaded CI machine does not flake. */
	ck_assert_msg(dt < 1.0, "bomb took %.3f s", dt);
}
END_TEST

START_TEST(test_int_limits)
{
	struct yt_stream *st = load_ok(
	    "[9223372036854775807, -9223372036854775808, 007, -0]");
	const struct yt_node *r = root1(st);
	int64_t v;

	ck_assert_int_eq(yt_get_int64(r->items[0], &v, NULL), 0);
	ck_assert_int_eq(v, INT64_MAX);
	ck_assert_int_eq(yt_get_int64(r->items[1], &v, NULL), 0);
	ck_assert_int_eq(v, INT64_MIN);
	ck_assert_int_eq(yt_get_int64(r->items[2], &v, NULL), 0);
	ck_assert_int_eq(v, 7);
	ck_assert_int_eq(yt_get_int64(r->items[3], &v, NULL), 0);
	ck_assert_int_eq(v, 0);
	yt_stream_free(st);
}
END_TEST

START_TEST(test_big_mapping)
{
	/* 20 000 keys; a duplicate of key 17 at the end (line 20 002). */
	struct sbuf b = { 0 };
	struct yt_stream *st;

	for (int i = 1; i <= 20000; i++)
		sb_add(&b, "k%d: %d\n", i, i);
	sb_add(&b, "long: %s\n", "x");
	st = load_ok(b.s);
	ck_assert_uint_eq(root1(st)->npairs, 20001);
	ck_assert_str_eq(yt_map_get(root1(st), "k19999")->str, "19999");
	mark_is(yt_map_get(root1(st), "k19999"), 19999, 9);
	yt_stream_free(st);
	sb_add(&b, "k17: again\n");
	load_fails(b.s, KS_EINVAL, 20002, 1,
	    "duplicate key \"k17\" (first at line 17)");
	free(b.s);
}
END_TEST

START_TEST(test_deep_nesting)
{
	/* YT_MAX_DEPTH nested flow sequences load: the builder's stacks are
	 * heap vectors, not C recursion. */
	struct sbuf b = { 0 };
	struct yt_stream *st;
	const struct yt_node *n;
	int depth = 0;

	for (int i = 0; i < YT_MAX_DEPTH; i++)
		sb_add(&b, "[");
	for (int i = 0; i < YT_MAX_DEPTH; i++)
		sb_add(&b, "]");
	st = load_ok(b.s);
	for (n = root1(st); n->nitems > 0; n = n->items[0])
		depth++;
	ck_assert_int_eq(depth, YT_MAX_DEPTH - 1);
	yt_stream_free(st);
	free(b.s);
}
END_TEST

/*
 * errors
 */
START_TEST(test_syntax_errors)
{
	load_fails("a: 1\nb: c: d\n", KS_EINVAL, 2, 5,
	    "mapping values are not allowed in this context");
	load_fails("kind: Pod\nspec:\n  x: 1\n y: 2\n", KS_EINVAL, 4, 2,
	    "did not find expected key (while parsing a block mapping at "
	    "line 1)");
	load_fails("a: [1, 2\nb: 3\n", KS_EINVAL, 2, 2,
	    "did not find expected ',' or ']' (while parsing a flow sequence "
	    "at line 1)");
	load_fails("a: \"abc\n", KS_EINVAL, 2, 1,
	    "found unexpected end of stream (while scanning a quoted scalar "
	    "at line 1)");
	/* A tab used as indentation in YAML (not JSON) stays an error. */
	load_fails("a:\n\t- b\n", KS_EINVAL, 2, 1,
	    "found a tab character: YAML indentation and separation must use spaces");
	/* Invalid UTF-8: a reader error, located from its byte offset. */
	load_fails("a: 1\nb: x\xff\n", KS_EINVAL, 2, 5,
	    "invalid leading UTF-8 octet (#xFF)");
	load_fails("a: \xc3\xa9\xff\n", KS_EINVAL, 1, 5,
	    "invalid leading UTF-8 octet (#xFF)");
}
END_TEST

START_TEST(test_tree_errors)
{
	load_fails("kind: Deployment\nspec:\n  replicas: 1\n  x: 2\n"
	    "  replicas: 3\n", KS_EINVAL, 5, 3,
	    "duplicate key \"replicas\" (first at line 3)");
	/* Quoted and plain spellings of a key are the same JSON key. */
	load_fails("{a: 1, \"a\": 2}", KS_EINVAL, 1, 8,
	    "duplicate key \"a\" (first at line 1)");
	load_fails("a: *nope\n", KS_EINVAL, 1, 4, "undefined alias \"*nope\"");
	load_fails("a: &a\n  - 1\n  - *a\n", KS_EINVAL, 3, 5,
	    "alias \"*a\" refers to a node that contains it");
	/* An alias shares its target, so the error points at the target. */
	load_fails("a: &a [1]\nb:\n  <<: *a\n", KS_EINVAL, 1, 8,
	    "expected a mapping to merge, found \"1\"");
	load_fails("a: &a 7\nb:\n  <<: *a\n", KS_EINVAL, 1, 4,
	    "expected a mapping or a sequence of mappings to merge, found "
	    "\"7\"");
	load_fails("b:\n  <<: [[1]]\n", KS_EINVAL, 2, 8,
	    "expected a mapping to merge, found a sequence");
	load_fails("b:\n  <<: [{x: 1}, 7]\n", KS_EINVAL, 2, 16,
	    "expected a mapping to merge, found \"7\"");
	load_fails("b:\n  <<: str\n", KS_EINVAL, 2, 7,
	    "expected a mapping or a sequence of mappings to merge, found "
	    "\"str\"");
}
END_TEST

START_TEST(test_too_deep)
{
	/* One level more fails at the collection that crosses the bound,
	 * block and flow alike; 100 000 levels fail as fast (libyaml would
	 * take 20 s to parse them). */
	struct sbuf b = { 0 };
	char msg[128];
	double t0;

	snprintf(msg, sizeof(msg), "expected at most %d nested sequences and "
	    "mappings, found more", YT_MAX_DEPTH);
	for (int i = 0; i <= YT_MAX_DEPTH; i++)
		sb_add(&b, "[");
	load_fails(b.s, KS_EINVAL, 1, YT_MAX_DEPTH + 1, msg);
	b.len = 0;
	for (int i = 0; i <= YT_MAX_DEPTH; i++)
		sb_add(&b, "%*s- \n", 2 * i, "");
	load_fails(b.s, KS_EINVAL, YT_MAX_DEPTH + 1, 2 * YT_MAX_DEPTH + 1, msg);
	b.len = 0;
	for (int i = 0; i < 100000; i++)
		sb_add(&b, "[");
	t0 = now_s();
	load_fails(b.s, KS_EINVAL, 1, YT_MAX_DEPTH + 1, msg);
	ck_assert_msg(now_s() - t0 < 1.0, "100k levels took %.2fs", now_s() - t0);
	free(b.s);
}
END_TEST

START_TEST(test_input_limit)
{
	/* Exactly max bytes load; one more fails where the limit falls, so
	 * an endless stream stops too. */
	char *path = tu_write("a: 1\nb: 2\n");	/* 10 bytes */
	struct yt_stream *st = NULL;
	struct ks_error err = { 0 };

	ck_assert_int_eq(yt_load_file_max(path, 10, &st, &err), 0);
	yt_stream_free(st);
	ck_assert_int_eq(yt_load_file_max(path, 9, &st, &err), KS_EINVAL);
	ck_assert_ptr_null(st);
	ck_assert_str_eq(err.at.file, path);
	ck_assert_int_eq(err.at.line, 2);
	ck_assert_int_eq(err.at.col, 5);
	ck_assert_str_eq(err.msg, "expected at most 9 bytes of input, found "
	    "more (the input size limit)");
	unlink(path);
	free(path);
	if (access("/dev/zero", R_OK) != 0)
		return;
	ks_error_clear(&err);
	ck_assert_int_eq(yt_load_file_max("/dev/zero", 1 << 20, &st, &err),
	    KS_EINVAL);
	ck_assert_int_eq(err.at.line, 1);
	ck_assert_int_eq(err.at.col, (1 << 20) + 1);
	ck_assert_str_eq(err.msg, "expected at most 1048576 bytes of input, "
	    "found more (the input size limit)");
}
END_TEST

START_TEST(test_missing_file)
{
	struct yt_stream *st = (struct yt_stream *)1;
	struct ks_error err = { 0 };

	ck_assert_int_eq(yt_load_file("/nonexistent/x.yaml", &st, &err),
	    KS_ENOENT);
	ck_assert_ptr_null(st);
	ck_assert_int_eq(err.code, KS_ENOENT);
	ck_assert_str_eq(err.at.file, "/nonexistent/x.yaml");
	ck_assert_int_eq(err.at.line, 0);
	ck_assert_str_eq(err.msg,
	    "cannot open: No such file or directory");
}
END_TEST

START_TEST(test_getter_errors)
{
	struct yt_stream *st = load_ok(
	    "a: {x: 1}\n"		/* 1 */
	    "b: yes please\n"		/* 2 */
	    "c: \"12\"\n"		/* 3 */
	    "d: 1.5\n"			/* 4 */
	    "e: 9223372036854775808\n"	/* 5 */
	    "f:\n"			/* 6 */
	    "g: [1]\n"			/* 7 */
	    "h: 90\n"			/* 8 */
	    "i: 1d\n"			/* 9 */
	    "j: abc\n"			/* 10 */
	    "k: 1e999\n"		/* 11 */
	    "l: \"true\"\n"		/* 12 */
	    "m: 0123456789012345678901234567890123456789-tail\n");	/* 13 */
	const struct yt_node *r = root1(st);
	struct ks_error err;
	int64_t i;
	int b;
	double d;
	const char *s;

#define GETTER_FAILS(call, ln, cl, text) do {			\
	ks_error_clear(&err);						\
	ck_assert_int_eq((call), KS_EINVAL);				\
	ck_assert_int_eq(err.code, KS_EINVAL);				\
	ck_assert_int_eq(err.at.line, (ln));				\
	ck_assert_int_eq(err.at.col, (cl));				\
	ck_assert_str_eq(err.at.file, "t.yaml");			\
	ck_assert_str_eq(err.msg, (text));				\
} while (0)
	GETTER_FAILS(yt_get_int64(yt_map_get(r, "a"), &i, &err), 1, 4,
	    "expected an integer, found a mapping");
	GETTER_FAILS(yt_get_bool(yt_map_get(r, "b"), &b, &err), 2, 4,
	    "expected a boolean, found \"yes please\"");
	GETTER_FAILS(yt_get_int64(yt_map_get(r, "c"), &i, &err), 3, 4,
	    "expected an integer, found \"12\"");
	GETTER_FAILS(yt_get_int64(yt_map_get(r, "d"), &i, &err), 4, 4,
	    "expected an integer, found \"1.5\"");
	GETTER_FAILS(yt_get_int64(yt_map_get(r, "e"), &i, &err), 5, 4,
	    "integer \"9223372036854775808\" is out of range");
	GETTER_FAILS(yt_get_str(yt_map_get(r, "f"), &s, &err), 6, 3,
	    "expected a string, found null");
	GETTER_FAILS(yt_get_str(yt_map_get(r, "g"), &s, &err), 7, 4,
	    "expected a string, found a sequence");
	GETTER_FAILS(yt_expect_map(yt_map_get(r, "g"), &err), 7, 4,
	    "expected a mapping, found a sequence");
	GETTER_FAILS(yt_expect_seq(yt_map_get(r, "a"), &err), 1, 4,
	    "expected a sequence, found a mapping");
	GETTER_FAILS(yt_get_duration(yt_map_get(r, "h"), &i, &err), 8, 4,
	    "expected a duration such as \"90s\" or \"5m\", found \"90\"");
	GETTER_FAILS(yt_get_duration(yt_map_get(r, "i"), &i, &err), 9, 4,
	    "unknown unit \"d\" in duration \"1d\" (valid units are ns, us, "
	    "ms, s, m, h)");
	GETTER_FAILS(yt_get_duration(yt_map_get(r, "f"), &i, &err), 6, 3,
	    "expected a duration such as \"90s\" or \"5m\", found null");
	GETTER_FAILS(yt_get_double(yt_map_get(r, "j"), &d, &err), 10, 4,
	    "expected a number, found \"abc\"");
	GETTER_FAILS(yt_get_double(yt_map_get(r, "k"), &d, &err), 11, 4,
	    "number \"1e999\" is out of range");
	GETTER_FAILS(yt_get_bool(yt_map_get(r, "l"), &b, &err), 12, 4,
	    "expected a boolean, found \"true\"");
	GETTER_FAILS(yt_get_bool(yt_map_get(r, "m"), &b, &err), 13, 4,
	    "expected a boolean, found "
	    "\"0123456789012345678901234567890123456789...\"");
#undef GETTER_FAILS
	yt_stream_free(st);
}
END_TEST

static const struct {
	const char	*in;	/* bad duration */
	const char	*msg;	/* expected message */
} dur_bad[] = {
	{ "90", "expected a duration such as \"90s\" or \"5m\", found \"90\"" },
	{ "1.5", "expected a duration such as \"90s\" or \"5m\", found \"1.5\"" },
	{ "-5", "expected a duration such as \"90s\" or \"5m\", found \"-5\"" },
	{ "", "expected a duration such as \"90s\" or \"5m\", found \"\"" },
	{ "abc", "expected a duration such as \"90s\" or \"5m\", found \"abc\"" },
	{ ".", "expected a duration such as \"90s\" or \"5m\", found \".\"" },
	{ "-", "expected a duration such as \"90s\" or \"5m\", found \"-\"" },
	{ ".s", "expected a duration such as \"90s\" or \"5m\", found \".s\"" },
	{ "s", "expected a duration such as \"90s\" or \"5m\", found \"s\"" },
	{ " 1s", "expected a duration such as \"90s\" or \"5m\", found \" 1s\"" },
	{ "1d", "unknown unit \"d\" in duration \"1d\" (valid units are ns, "
	    "us, ms, s, m, h)" },
	{ "1s ", "unknown unit \"s \" in duration \"1s \" (valid units are "
	    "ns, us, ms, s, m, h)" },
	{ "5M", "unknown unit \"M\" in duration \"5M\" (valid units are ns, "
	    "us, ms, s, m, h)" },
	{ "1m30", "missing unit in duration \"1m30\" (valid units are ns, "
	    "us, ms, s, m, h)" },
	{ "9999999999h", "duration \"9999999999h\" is out of range" },
	{ "2562047h47m16.854775808s",
	    "duration \"2562047h47m16.854775808s\" is out of range" },
	{ "99999999999999999999ns",
	    "duration \"99999999999999999999ns\" is out of range" },
};

START_TEST(test_duration_errors)
{
	struct ks_error err = { 0 };
	struct ks_mark at = { "s.yaml", 4, 9 };
	int64_t ms = 77;

	ck_assert_int_eq(ks_duration_parse(dur_bad[_i].in, &ms, &err, &at),
	    KS_EINVAL);
	ck_assert_int_eq(err.code, KS_EINVAL);
	ck_assert_int_eq(err.at.line, 4);
	ck_assert_int_eq(err.at.col, 9);
	ck_assert_str_eq(err.msg, dur_bad[_i].msg);
	ck_assert_int_eq(ms, 77);	/* untouched on error */
}
END_TEST

Suite *
ytree_suite(void)
{
	Suite *s = suite_create("ytree");
	TCase *tc;

	tc = tcase_create("core");
	tcase_add_test(tc, test_structure_marks);
	tcase_add_test(tc, test_plain_and_null);
	tcase_add_test(tc, test_documents);
	tcase_add_test(tc, test_aliases_share);
	tcase_add_test(tc, test_merge_keys);
	tcase_add_test(tc, test_json_tabs);
	if (access(dumps_dir(), R_OK) == 0)
		tcase_add_test(tc, test_cluster_dumps);
	else
		fprintf(stderr, "SKIP: test_cluster_dumps: %s not present\n", dumps_dir());
	tcase_add_test(tc, test_load_file);
	tcase_add_test(tc, test_getters);
	tcase_add_loop_test(tc, test_duration_parse, 0,
	    sizeof(dur_ok) / sizeof(dur_ok[0]));
	tcase_add_loop_test(tc, test_duration_format, 0,
	    sizeof(dur_fmt) / sizeof(dur_fmt[0]));
	tcase_add_test(tc, test_duration_roundtrip);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_alias_bound_exact);
	tcase_add_test(tc, test_billion_laughs);
	tcase_add_test(tc, test_int_limits);
	tcase_add_test(tc, test_big_mapping);
	tcase_add_test(tc, test_deep_nesting);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_test(tc, test_syntax_errors);
	tcase_add_test(tc, test_tree_errors);
	tcase_add_test(tc, test_too_deep);
	tcase_add_test(tc, test_input_limit);
	tcase_add_test(tc, test_missing_file);
	tcase_add_test(tc, test_getter_errors);
	tcase_add_loop_test(tc, test_duration_errors, 0,
	    sizeof(dur_bad) / sizeof(dur_bad[0]));
	suite_add_tcase(s, tc);
	return s;
}

#ifndef KS_NO_TEST_MAIN
int
main(void)
{
	return tu_main(ytree_suite());
}
#endif
