/*
 * ytree.c: libyaml events -> a read-only node tree with 1-based marks.
 *
 * What it models.  The input side of every Kubernetes tool: a YAML (or JSON)
 * stream of documents.  Kubernetes decodes YAML with go-yaml v2 through
 * sigs.k8s.io/yaml, so the semantics follow go-yaml v2 (yaml.v2/decode.go,
 * resolve.go) where it matters to a loader: aliases share the anchored
 * value, merge keys `<<: *base` and `<<: [*a, *b]` add the keys of the
 * merged mappings that the mapping does not set itself (an earlier mapping
 * in the list wins over a later one), and the YAML 1.1 booleans yes/no/on/off
 * are booleans.  Unlike go-yaml v2, a duplicate key is an error (as in
 * go-yaml v3 and in kubectl's strict decoding): a silently dropped
 * `replicas:` is a wrong simulation.
 *
 * How.  libyaml's event parser (src/parser.c) drives a stack machine: a
 * collection start pushes a frame, every finished node is pushed on one
 * shared child stack, and a collection end moves its children from that
 * stack into one exactly sized array.  Nodes, strings and arrays come from
 * an arena of 1 MiB chunks freed all at once, because a `kubectl get pods
 * -A -o yaml` dump of 150,000 pods is hundreds of MB and tens of millions
 * of nodes: a malloc per node would double the memory and the time.
 *
 * Aliases are bounded.  An alias shares its target (no copy), but a
 * consumer that walks the tree pays for the expanded size, so each document
 * keeps the sum of the expanded sizes of all alias targets it references
 * (an alias costs the whole target, aliases inside it included) and stops at
 * YT_MAX_ALIAS_NODES with the mark of the alias that crossed the bound.
 * Only what aliases add is counted, so a literal 20-million-node dump still
 * loads while the billion laughs fails after a few hundred events.  An alias
 * to a collection that is still open (`&a [*a]`) is refused: it would make
 * the tree cyclic.  Anchors are document-scoped, as YAML says.
 *
 * JSON.  `kubectl get -o json` output is YAML flow syntax except that other
 * JSON writers indent with tabs, which YAML forbids.  When the first
 * non-blank byte is `{` or `[`, the read handler turns every tab outside a
 * quoted string into a space as it feeds libyaml; one byte for one byte, so
 * marks stay right and the input buffer is never copied.
 *
 * Costs.  Time is dominated by libyaml's scanner and the kernel's zeroing
 * of fresh pages; the tree adds one arena copy of each scalar and one
 * pointer per child.  Measured on the 2-core dev machine: a generated 50 MB
 * `kubectl get pods -o yaml` List (43,580 pods, 5 M events) loads in about
 * 1.0-1.1 s (~50 MB/s; libyaml's bare event loop alone takes 0.7 s), and
 * the tree takes about 8 times the file size in memory (72 bytes a node
 * plus strings and arrays).  Duplicate keys are found with a hash set rebuilt per mapping,
 * linear in the mapping's size.  Rejected alternatives: libyaml's document
 * API (yaml_parser_load) copies every alias target into a node array with
 * no bound and allocates per node; keeping byte offsets instead of line and
 * column would make every error message re-scan the file.
 */
#include "io/ytree.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "util/duration.h"
#include "util/intern.h"
#include "util/xmalloc.h"

#define ARENA_CHUNK	(1024 * 1024)

struct yt_chunk {
	struct yt_chunk	*next;	/* older chunks */
	size_t		 used;	/* bytes handed out from data */
	size_t		 size;	/* bytes in data */
	_Alignas(8) char data[];
};

struct yt_arena {
	struct yt_chunk	*head;	/* chunk being filled */
};

/*
 * Nodes, pairs and item arrays hold only pointers, size_t and int, so 8-byte
 * alignment is enough; strings take align 1.  (16 would cost 8 bytes on
 * every 72-byte node, 10% of a big dump.)
 */
static void *
arena_alloc_align(struct yt_arena *a, size_t n, size_t align)
{
	struct yt_chunk *c = a->head;

	assert(align == 1 || align == 8);
	if (n > ARENA_CHUNK / 4) {
		/* A big array gets its own chunk behind the current one. */
		c = xmalloc(sizeof(*c) + n);
		c->used = c->size = n;
		if (a->head == NULL) {
			c->next = NULL;
			a->head = c;
		} else {
			c->next = a->head->next;
			a->head->next = c;
		}
		return c->data;
	}
	if (c != NULL)
		c->used = (c->used + align - 1) & ~(align - 1);
	if (c == NULL || c->used > c->size || c->size - c->used < n) {
		c = xmalloc(sizeof(*c) + ARENA_CHUNK);
		c->next = a->head;
		c->used = 0;
		c->size = ARENA_CHUNK;
		a->head = c;
	}
	c->used += n;
	return c->data + c->used - n;
}

static void *
arena_alloc(struct yt_arena *a, size_t n)
{
	return arena_alloc_align(a, n, 8);
}

static char *
arena_strndup(struct yt_arena *a, const char *s, size_t n)
{
	char *p = arena_alloc_align(a, n + 1, 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/*
 * The read handler: hands libyaml the input, turning tabs outside quoted
 * strings into spaces when the input is JSON.
 */
struct yt_source {
	const unsigned char	*p;	/* next byte to hand out */
	size_t			 left;	/* bytes not yet handed out */
	int			 json;	/* 1 to rewrite tabs */
	char			 quote;	/* '"' or '\'' inside a string, else 0 */
	int			 escape; /* 1 after a backslash in a "string" */
};

static int
source_read(void *data, unsigned char *buf, size_t size, size_t *nread)
{
	struct yt_source *src = data;
	size_t n = size < src->left ? size : src->left;

	memcpy(buf, src->p, n);
	src->p += n;
	src->left -= n;
	*nread = n;
	if (!src->json)
		return 1;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = buf[i];

		if (src->escape)
			src->escape = 0;
		else if (src->quote == '"' && c == '\\')
			src->escape = 1;
		else if (src->quote != 0 && c == (unsigned char)src->quote)
			src->quote = 0;
		else if (src->quote == 0 && (c == '"' || c == '\''))
			src->quote = (char)c;
		else if (src->quote == 0 && c == '\t')
			buf[i] = ' ';
	}
	return 1;
}

static int
source_is_json(const char *buf, size_t len)
{
	size_t i = 0;

	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	for (; i < len; i++) {
		if (buf[i] != ' ' && buf[i] != '\t' && buf[i] != '\r' &&
		    buf[i] != '\n')
			return buf[i] == '{' || buf[i] == '[';
	}
	return 0;
}

/*
 * The builder's state while one stream is parsed.
 */
struct yt_frame {
	struct yt_node	*node;	/* the open collection */
	size_t		 base;	/* its first child's index in kids */
	size_t		 size;	/* expanded nodes so far, itself included */
	size_t		 anchor; /* anchors[] index + 1, or 0 if not anchored */
};

struct yt_anchor {
	char		*name;	/* owned (xstrdup) */
	struct yt_node	*node;	/* target; shared by every alias */
	size_t		 size;	/* expanded nodes of the target */
	int		 done;	/* 0 while the target collection is open */
};

struct yt_builder {
	struct yt_stream	 *st;		/* the stream being filled */
	struct yt_arena		 *arena;	/* st->arena */
	const char		 *file;		/* interned name for marks */
	size_t			  capdocs;	/* slots in st->docs */
	struct yt_frame		 *frames;	/* open collections, innermost last */
	size_t			  nframes, capframes;
	struct yt_node		**kids;		/* finished children of open frames */
	size_t			  nkids, capkids;
	struct yt_anchor	 *anchors;	/* this document's anchors */
	size_t			  nanchors, capanchors;
	size_t			 *atab;		/* hash: anchors[] index + 1, 0 free */
	size_t			  capatab;	/* slots in atab, a power of two */
	size_t			  alias_nodes;	/* expanded nodes added by aliases */
	struct yt_node		**keyset;	/* hash set of key nodes (map_finish) */
	size_t			  capkeyset;	/* slots in keyset */
};

static uint64_t
hash_bytes(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static struct ks_mark
mark_of(const struct yt_builder *b, yaml_mark_t m)
{
	struct ks_mark at = { b->file, (int)m.line + 1, (int)m.column + 1 };

	return at;
}

static void
anchors_reset(struct yt_builder *b)
{
	for (size_t i = 0; i < b->nanchors; i++)
		free(b->anchors[i].name);
	b->nanchors = 0;
	if (b->atab != NULL)
		memset(b->atab, 0, b->capatab * sizeof(*b->atab));
}

/* The slot of name in atab: holding its index + 1, or 0 where it would go. */
static size_t *
anchor_slot(struct yt_builder *b, const char *name)
{
	size_t i = hash_bytes(name, strlen(name)) & (b->capatab - 1);

	while (b->atab[i] != 0 &&
	    strcmp(b->anchors[b->atab[i] - 1].name, name) != 0)
		i = (i + 1) & (b->capatab - 1);
	return &b->atab[i];
}

/* Define (or redefine: the latest wins) an anchor; returns its index + 1. */
static size_t
anchor_define(struct yt_builder *b, const char *name, struct yt_node *node,
    int done)
{
	struct yt_anchor a = { NULL, node, 1, done };
	size_t *slot;

	if (2 * (b->nanchors + 1) > b->capatab) {
		size_t ncap = b->capatab ? 2 * b->capatab : 64;

		free(b->atab);
		b->atab = xcalloc(ncap, sizeof(*b->atab));
		b->capatab = ncap;
		for (size_t i = 0; i < b->nanchors; i++)
			*anchor_slot(b, b->anchors[i].name) = i + 1;
	}
	slot = anchor_slot(b, name);
	if (*slot != 0) {
		struct yt_anchor *old = &b->anchors[*slot - 1];

		old->node = node;
		old->size = 1;
		old->done = done;
		return *slot;
	}
	a.name = xstrdup(name);
	VEC_PUSH(b->anchors, b->nanchors, b->capanchors, a);
	*slot = b->nanchors;
	return *slot;
}

static struct yt_anchor *
anchor_find(struct yt_builder *b, const char *name)
{
	size_t *slot;

	if (b->capatab == 0)
		return NULL;
	slot = anchor_slot(b, name);
	return *slot ? &b->anchors[*slot - 1] : NULL;
}

/* A finished node (expanding to `size` nodes) joins its parent's children. */
static void
child_push(struct yt_builder *b, struct yt_node *node, size_t size)
{
	if (b->nframes > 0)
		b->frames[b->nframes - 1].size += size;
	VEC_PUSH(b->kids, b->nkids, b->capkids, node);
}

static struct yt_node *
node_new(struct yt_builder *b, enum yt_kind kind, yaml_mark_t m)
{
	struct yt_node *n = arena_alloc(b->arena, sizeof(*n));

	memset(n, 0, sizeof(*n));
	n->kind = kind;
	n->mark = mark_of(b, m);
	return n;
}

static int
is_merge_key(const struct yt_node *k)
{
	return k->kind == YT_SCALAR && k->plain && k->len == 2 &&
	    memcmp(k->str, "<<", 2) == 0;
}

/* Size the key set for n keys and empty it. */
static void
keyset_reset(struct yt_builder *b, size_t n)
{
	size_t cap = 16;

	while (cap < 2 * n)
		cap *= 2;
	if (cap > b->capkeyset) {
		free(b->keyset);
		b->keyset = xcalloc(cap, sizeof(*b->keyset));
		b->capkeyset = cap;
	} else
		memset(b->keyset, 0, b->capkeyset * sizeof(*b->keyset));
}

/* Insert a scalar key; returns the key node already there, or NULL. */
static struct yt_node *
keyset_add(struct yt_builder *b, struct yt_node *k)
{
	size_t mask = b->capkeyset - 1;
	size_t i = hash_bytes(k->str, k->len) & mask;

	assert(k->kind == YT_SCALAR);
	for (; b->keyset[i] != NULL; i = (i + 1) & mask) {
		struct yt_node *o = b->keyset[i];

		if (o->len == k->len && memcmp(o->str, k->str, k->len) == 0)
			return o;
	}
	b->keyset[i] = k;
	return NULL;
}

static int
merge_check(const struct yt_node *v, struct ks_error *err)
{
	char buf[64];

	if (v->kind == YT_MAP)
		return 0;
	if (v->kind == YT_SEQ) {
		for (size_t i = 0; i < v->nitems; i++) {
			if (v->items[i]->kind != YT_MAP)
				return ks_error_set(err, &v->items[i]->mark,
				    KS_EINVAL, "expected a mapping to merge, "
				    "found %s", yt_describe(v->items[i], buf,
				    sizeof(buf)));
		}
		return 0;
	}
	return ks_error_set(err, &v->mark, KS_EINVAL, "expected a mapping or "
	    "a sequence of mappings to merge, found %s",
	    yt_describe(v, buf, sizeof(buf)));
}

static void
merge_emit(struct yt_builder *b, const struct yt_node *src,
    struct yt_pair *out, size_t *n)
{
	for (size_t i = 0; i < src->npairs; i++) {
		struct yt_pair p = src->pairs[i];

		if (p.key->kind == YT_SCALAR && keyset_add(b, p.key) != NULL)
			continue;
		out[(*n)++] = p;
	}
}

/*
 * Close a mapping: its children kids[base..] alternate key, value.  Explicit
 * keys must be unique; merged keys fill in what the explicit ones do not
 * set, in place of the `<<` pair, the first merged mapping winning.
 */
static int
map_finish(struct yt_builder *b, struct yt_node *map, size_t base,
    struct ks_error *err)
{
	struct yt_node **kv = b->kids + base;
	size_t n = (b->nkids - base) / 2, room = 0, out = 0;
	int merges = 0, rc;

	assert((b->nkids - base) % 2 == 0);
	for (size_t i = 0; i < n; i++) {
		const struct yt_node *v = kv[2 * i + 1];

		if (!is_merge_key(kv[2 * i])) {
			room++;
			continue;
		}
		if ((rc = merge_check(v, err)) != 0)
			return rc;
		merges = 1;
		if (v->kind == YT_MAP)
			room += v->npairs;
		for (size_t j = 0; v->kind == YT_SEQ && j < v->nitems; j++)
			room += v->items[j]->npairs;
	}
	keyset_reset(b, room);
	for (size_t i = 0; i < n; i++) {
		struct yt_node *k = kv[2 * i], *first;

		if (k->kind != YT_SCALAR || is_merge_key(k))
			continue;
		if ((first = keyset_add(b, k)) != NULL)
			return ks_error_set(err, &k->mark, KS_EINVAL,
			    "duplicate key \"%s\" (first at line %d)", k->str,
			    first->mark.line);
	}
	if (room == 0)
		return 0;
	map->pairs = arena_alloc(b->arena, room * sizeof(*map->pairs));
	for (size_t i = 0; i < n; i++) {
		struct yt_node *k = kv[2 * i], *v = kv[2 * i + 1];

		if (!merges || !is_merge_key(k)) {
			map->pairs[out].key = k;
			map->pairs[out++].value = v;
		} else if (v->kind == YT_MAP)
			merge_emit(b, v, map->pairs, &out);
		else {
			for (size_t j = 0; j < v->nitems; j++)
				merge_emit(b, v->items[j], map->pairs, &out);
		}
	}
	assert(out <= room);
	map->npairs = out;
	return 0;
}

/* Close the innermost collection and hand it to its parent. */
static int
frame_pop(struct yt_builder *b, struct ks_error *err)
{
	struct yt_frame f;
	struct yt_node *n;
	size_t nk;
	int rc;

	assert(b->nframes > 0);
	f = b->frames[--b->nframes];
	n = f.node;
	nk = b->nkids - f.base;
	if (n->kind == YT_SEQ && nk > 0) {
		n->items = arena_alloc(b->arena, nk * sizeof(*n->items));
		memcpy(n->items, b->kids + f.base, nk * sizeof(*n->items));
		n->nitems = nk;
	} else if (n->kind == YT_MAP) {
		if ((rc = map_finish(b, n, f.base, err)) != 0)
			return rc;
	}
	b->nkids = f.base;
	if (f.anchor != 0 && b->anchors[f.anchor - 1].node == n) {
		b->anchors[f.anchor - 1].size = f.size;
		b->anchors[f.anchor - 1].done = 1;
	}
	child_push(b, n, f.size);
	return 0;
}

static void
doc_begin(struct yt_builder *b, yaml_mark_t m)
{
	struct yt_doc d = { NULL, mark_of(b, m) };

	VEC_PUSH(b->st->docs, b->st->ndocs, b->capdocs, d);
	anchors_reset(b);
	b->alias_nodes = 0;
	b->nkids = 0;
}

static void
doc_end(struct yt_builder *b)
{
	struct yt_doc *d = &b->st->docs[b->st->ndocs - 1];
	struct yt_node *root;

	assert(b->nframes == 0 && b->nkids <= 1);
	root = b->nkids ? b->kids[0] : NULL;
	/* libyaml reports a document with no content as a plain "". */
	if (root != NULL && root->kind == YT_SCALAR && root->plain &&
	    root->len == 0)
		root = NULL;
	d->root = root;
	b->nkids = 0;
}

static int
event_scalar(struct yt_builder *b, const yaml_event_t *ev)
{
	struct yt_node *n = node_new(b, YT_SCALAR, ev->start_mark);
	const char *tag = (const char *)ev->data.scalar.tag;

	n->str = arena_strndup(b->arena, (const char *)ev->data.scalar.value,
	    ev->data.scalar.length);
	n->len = ev->data.scalar.length;
	n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	    (tag == NULL || strcmp(tag, "!") == 0);
	if (ev->data.scalar.anchor != NULL)
		anchor_define(b, (const char *)ev->data.scalar.anchor, n, 1);
	child_push(b, n, 1);
	return 0;
}

static int
event_open(struct yt_builder *b, const yaml_event_t *ev, enum yt_kind kind,
    struct ks_error *err)
{
	struct yt_frame f;
	const yaml_char_t *anchor = kind == YT_SEQ ?
	    ev->data.sequence_start.anchor : ev->data.mapping_start.anchor;

	if (b->nframes >= YT_MAX_DEPTH) {
		struct ks_mark at = mark_of(b, ev->start_mark);

		return ks_error_set(err, &at, KS_EINVAL, "expected at most %d "
		    "nested sequences and mappings, found more", YT_MAX_DEPTH);
	}

	f.node = node_new(b, kind, ev->start_mark);
	f.base = b->nkids;
	f.size = 1;
	f.anchor = anchor ? anchor_define(b, (const char *)anchor, f.node,
	    0) : 0;
	VEC_PUSH(b->frames, b->nframes, b->capframes, f);
	return 0;
}

static int
event_alias(struct yt_builder *b, const yaml_event_t *ev,
    struct ks_error *err)
{
	const char *name = (const char *)ev->data.alias.anchor;
	struct yt_anchor *a = anchor_find(b, name);
	struct ks_mark at = mark_of(b, ev->start_mark);

	if (a == NULL)
		return ks_error_set(err, &at, KS_EINVAL,
		    "undefined alias \"*%s\"", name);
	if (!a->done)
		return ks_error_set(err, &at, KS_EINVAL,
		    "alias \"*%s\" refers to a node that contains it", name);
	b->alias_nodes += a->size;
	if (b->alias_nodes > YT_MAX_ALIAS_NODES)
		return ks_error_set(err, &at, KS_EINVAL,
		    "expected a document of at most %d nodes once aliases are "
		    "expanded, found more (an alias bomb?)", YT_MAX_ALIAS_NODES);
	child_push(b, a->node, a->size);
	return 0;
}

/* Line and column (in characters, as libyaml counts) of a byte offset. */
static struct ks_mark
mark_at_offset(const char *file, const char *buf, size_t len, size_t off)
{
	struct ks_mark at = { file, 1, 1 };

	for (size_t i = 0; i < off && i < len; i++) {
		if (buf[i] == '\n' && at.line < INT_MAX) {
			at.line++;
			at.col = 1;
		} else if (((unsigned char)buf[i] & 0xc0) != 0x80 &&
		    at.col < INT_MAX)
			at.col++;
	}
	return at;
}

static int
parser_error(struct yt_builder *b, const yaml_parser_t *p, const char *buf,
    size_t len, struct ks_error *err)
{
	struct ks_mark at = mark_of(b, p->problem_mark);
	const char *problem = p->problem ? p->problem : "invalid YAML";

	switch (p->error) {
	case YAML_MEMORY_ERROR:
		fprintf(stderr, "ksim: out of memory in the YAML parser\n");
		abort();
	case YAML_READER_ERROR:
		at = mark_at_offset(b->file, buf, len, p->problem_offset);
		if (p->problem_value != -1)
			return ks_error_set(err, &at, KS_EINVAL,
			    "%s (#x%X)", problem, (unsigned)p->problem_value);
		return ks_error_set(err, &at, KS_EINVAL, "%s", problem);
	default:
		break;
	}
	/* libyaml says "cannot start any token" for a tab; say what it is */
	if (p->problem_mark.index < len && buf[p->problem_mark.index] == '\t')
		return ks_error_set(err, &at, KS_EINVAL,
		    "found a tab character: YAML indentation and separation must use spaces");
	if (p->context != NULL)
		return ks_error_set(err, &at, KS_EINVAL, "%s (%s at line %d)",
		    problem, p->context, (int)p->context_mark.line + 1);
	return ks_error_set(err, &at, KS_EINVAL, "%s", problem);
}

static void
builder_free(struct yt_builder *b)
{
	anchors_reset(b);
	free(b->anchors);
	free(b->atab);
	free(b->frames);
	free(b->kids);
	free(b->keyset);
}

int
yt_load_buffer(const char *name, const char *buf, size_t len,
    struct yt_stream **out, struct ks_error *err)
{
	struct yt_builder b;
	struct yt_source src;
	yaml_parser_t parser;
	yaml_event_t ev;
	int rc = 0, done = 0;

	assert(name != NULL && (buf != NULL || len == 0) && out != NULL);
	*out = NULL;
	memset(&b, 0, sizeof(b));
	b.file = intern(name);
	b.st = xcalloc(1, sizeof(*b.st));
	b.st->file = b.file;
	b.st->arena = b.arena = xcalloc(1, sizeof(*b.arena));

	memset(&src, 0, sizeof(src));
	src.p = (const unsigned char *)buf;
	src.left = len;
	src.json = source_is_json(buf, len);
	if (!yaml_parser_initialize(&parser)) {
		fprintf(stderr, "ksim: out of memory in the YAML parser\n");
		abort();
	}
	yaml_parser_set_input(&parser, source_read, &src);

	while (!done) {
		if (!yaml_parser_parse(&parser, &ev)) {
			rc = parser_error(&b, &parser, buf, len, err);
			goto cleanup;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		case YAML_DOCUMENT_START_EVENT:
			doc_begin(&b, ev.start_mark);
			break;
		case YAML_DOCUMENT_END_EVENT:
			doc_end(&b);
			break;
		case YAML_SCALAR_EVENT:
			rc = event_scalar(&b, &ev);
			break;
		case YAML_SEQUENCE_START_EVENT:
			rc = event_open(&b, &ev, YT_SEQ, err);
			break;
		case YAML_MAPPING_START_EVENT:
			rc = event_open(&b, &ev, YT_MAP, err);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			rc = frame_pop(&b, err);
			break;
		case YAML_ALIAS_EVENT:
			rc = event_alias(&b, &ev, err);
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
		if (rc != 0)
			goto cleanup;
	}
	*out = b.st;
	b.st = NULL;
cleanup:
	yaml_parser_delete(&parser);
	builder_free(&b);
	yt_stream_free(b.st);
	return rc;
}

int
yt_load_file(const char *path, struct yt_stream **out, struct ks_error *err)
{
	return yt_load_file_max(path, YT_MAX_INPUT_BYTES, out, err);
}

int
yt_load_file_max(const char *path, size_t max, struct yt_stream **out,
    struct ks_error *err)
{
	struct ks_mark at = { NULL, 0, 0 };
	struct stat sb;
	FILE *fp;
	char *buf = NULL;
	size_t len = 0, cap = 0, n;
	int rc;

	assert(path != NULL && out != NULL && max < SIZE_MAX / 2);
	*out = NULL;
	/* "-": standard input (cmd.c spools it to a file), named <stdin> */
	at.file = intern(strcmp(path, "-") == 0 ? "<stdin>" : path);
	if ((fp = fopen(strcmp(path, "-") == 0 ? "/dev/stdin" : path, "rb")) == NULL)
		return ks_error_set(err, &at, errno == ENOENT ? KS_ENOENT :
		    KS_EIO, "cannot open: %s", strerror(errno));
	/* Size the buffer from fstat so a big dump is read without copies;
	 * the loop still copes with files that grow or lie (/proc, pipes).
	 * One byte more than max is read, to tell max bytes from more. */
	if (fstat(fileno(fp), &sb) == 0 && S_ISREG(sb.st_mode) &&
	    sb.st_size > 0)
		cap = (uintmax_t)sb.st_size < max ? (size_t)sb.st_size + 1 : max + 1;
	if (cap == 0)
		cap = 65536 < max + 1 ? 65536 : max + 1;
	buf = xmalloc(cap);
	while ((n = fread(buf + len, 1, cap - len, fp)) > 0) {
		len += n;
		if (len > max) {
			at = mark_at_offset(at.file, buf, len, max);
			rc = ks_error_set(err, &at, KS_EINVAL, "expected at most "
			    "%zu bytes of input, found more (the input size "
			    "limit)", max);
			goto cleanup;
		}
		if (len == cap) {
			cap = cap < (max + 1) / 2 ? 2 * cap : max + 1;
			buf = xrealloc(buf, cap);
		}
	}
	if (ferror(fp)) {
		rc = ks_error_set(err, &at, KS_EIO, "cannot read %s: %s", path,
		    strerror(errno));
		goto cleanup;
	}
	rc = yt_load_buffer(at.file, buf, len, out, err);
cleanup:
	fclose(fp);
	free(buf);
	return rc;
}

void
yt_stream_free(struct yt_stream *st)
{
	struct yt_chunk *c, *next;

	if (st == NULL)
		return;
	for (c = st->arena->head; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	free(st->arena);
	free(st->docs);
	free(st);
}

/*
 * Accessors and typed getters.
 */
const struct yt_node *
yt_map_get(const struct yt_node *map, const char *key)
{
	size_t klen;

	if (map == NULL || map->kind != YT_MAP)
		return NULL;
	klen = strlen(key);
	for (size_t i = 0; i < map->npairs; i++) {
		const struct yt_node *k = map->pairs[i].key;

		if (k->kind == YT_SCALAR && k->len == klen &&
		    memcmp(k->str, key, klen) == 0)
			return map->pairs[i].value;
	}
	return NULL;
}

static int
str_in(const char *s, const char *const *set)
{
	for (; *set != NULL; set++) {
		if (strcmp(s, *set) == 0)
			return 1;
	}
	return 0;
}

/* go-yaml v2 resolve.go's boolean table. */
static const char *const bool_true[] = { "y", "Y", "yes", "Yes", "YES",
	"true", "True", "TRUE", "on", "On", "ON", NULL };
static const char *const bool_false[] = { "n", "N", "no", "No", "NO",
	"false", "False", "FALSE", "off", "Off", "OFF", NULL };
static const char *const nulls[] = { "", "~", "null", "Null", "NULL", NULL };
static const char *const float_specials[] = { ".inf", ".Inf", ".INF",
	"+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", ".nan", ".NaN",
	".NAN", NULL };

int
yt_is_null(const struct yt_node *n)
{
	return n == NULL || (n->kind == YT_SCALAR && n->plain &&
	    str_in(n->str, nulls));
}

static int
is_decimal(const char *s)
{
	if (*s == '+' || *s == '-')
		s++;
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return 0;
	}
	return 1;
}

/* What go-yaml v2 parses as an integer: strconv base 0, underscores. */
static int
is_yaml_int(const char *s)
{
	const char *digits = "0123456789_";

	if (*s == '+' || *s == '-')
		s++;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		digits = "0123456789abcdefABCDEF_";
		s += 2;
	} else if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) {
		digits = "01_";
		s += 2;
	} else if (s[0] == '0' && (s[1] == 'o' || s[1] == 'O')) {
		digits = "01234567_";
		s += 2;
	}
	if (*s == '\0' || *s == '_')
		return 0;
	return strspn(s, digits) == strlen(s);
}

/* yamlStyleFloat: ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ */
static int
is_yaml_float(const char *s)
{
	size_t n;

	if (*s == '+' || *s == '-')
		s++;
	if (*s == '.') {
		if ((n = strspn(s + 1, "0123456789")) == 0)
			return 0;
		s += 1 + n;
	} else {
		if ((n = strspn(s, "0123456789")) == 0)
			return 0;
		s += n;
		if (*s == '.')
			s += 1 + strspn(s + 1, "0123456789");
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if ((n = strspn(s, "0123456789")) == 0)
			return 0;
		s += n;
	}
	return *s == '\0';
}

const char *
yt_kind_name(const struct yt_node *n)
{
	if (yt_is_null(n))
		return "null";
	if (n->kind == YT_MAP)
		return "a mapping";
	if (n->kind == YT_SEQ)
		return "a sequence";
	if (!n->plain)
		return "a string";
	if (str_in(n->str, bool_true) || str_in(n->str, bool_false))
		return "a boolean";
	if (is_yaml_int(n->str))
		return "an integer";
	if (is_yaml_float(n->str) || str_in(n->str, float_specials))
		return "a number";
	return "a string";
}

const char *
yt_describe(const struct yt_node *n, char *buf, size_t size)
{
	size_t max = 40, len;
	const char *nl;

	assert(buf != NULL && size > 0);
	if (yt_is_null(n) || n->kind != YT_SCALAR) {
		snprintf(buf, size, "%s", yt_kind_name(n));
		return buf;
	}
	len = n->len;
	if ((nl = memchr(n->str, '\n', len)) != NULL)
		len = (size_t)(nl - n->str);
	if (len > max) {
		len = max;
		/* Do not cut a UTF-8 sequence. */
		while (len > 0 && ((unsigned char)n->str[len] & 0xc0) == 0x80)
			len--;
	}
	snprintf(buf, size, "\"%.*s%s\"", (int)len, n->str,
	    len < n->len ? "..." : "");
	return buf;
}

static int
mismatch(const struct yt_node *n, const char *expected, struct ks_error *err)
{
	char buf[64];

	return ks_error_set(err, &n->mark, KS_EINVAL, "expected %s, found %s",
	    expected, yt_describe(n, buf, sizeof(buf)));
}

int
yt_get_str(const struct yt_node *n, const char **out, struct ks_error *err)
{
	assert(n != NULL && out != NULL);
	if (n->kind != YT_SCALAR || yt_is_null(n))
		return mismatch(n, "a string", err);
	*out = n->str;
	return 0;
}

int
yt_get_int64(const struct yt_node *n, int64_t *out, struct ks_error *err)
{
	const char *s;
	uint64_t v = 0, limit;
	int neg;

	assert(n != NULL && out != NULL);
	if (n->kind != YT_SCALAR || !n->plain || !is_decimal(n->str))
		return mismatch(n, "an integer", err);
	s = n->str;
	neg = *s == '-';
	if (*s == '+' || *s == '-')
		s++;
	limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; *s != '\0'; s++) {
		unsigned d = (unsigned)(*s - '0');

		if (v > (limit - d) / 10)
			return ks_error_set(err, &n->mark, KS_EINVAL,
			    "integer \"%s\" is out of range", n->str);
		v = v * 10 + d;
	}
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

int
yt_get_bool(const struct yt_node *n, int *out, struct ks_error *err)
{
	assert(n != NULL && out != NULL);
	if (n->kind == YT_SCALAR && n->plain) {
		if (str_in(n->str, bool_true)) {
			*out = 1;
			return 0;
		}
		if (str_in(n->str, bool_false)) {
			*out = 0;
			return 0;
		}
	}
	return mismatch(n, "a boolean", err);
}

int
yt_get_double(const struct yt_node *n, double *out, struct ks_error *err)
{
	const char *s;
	char *end;
	double v;

	assert(n != NULL && out != NULL);
	if (n->kind != YT_SCALAR || !n->plain)
		return mismatch(n, "a number", err);
	s = n->str;
	if (str_in(s, float_specials)) {
		if (s[0] == '.' && (s[1] == 'n' || s[1] == 'N'))
			*out = NAN;
		else
			*out = *s == '-' ? -INFINITY : INFINITY;
		return 0;
	}
	if (!is_yaml_float(s))
		return mismatch(n, "a number", err);
	errno = 0;
	v = strtod(s, &end);
	if (*end != '\0' || (errno == ERANGE && isinf(v)))
		return ks_error_set(err, &n->mark, KS_EINVAL,
		    "number \"%s\" is out of range", s);
	*out = v;
	return 0;
}

int
yt_get_duration(const struct yt_node *n, int64_t *ms, struct ks_error *err)
{
	assert(n != NULL && ms != NULL);
	if (n->kind != YT_SCALAR || yt_is_null(n))
		return mismatch(n, "a duration such as \"90s\" or \"5m\"", err);
	return ks_duration_parse(n->str, ms, err, &n->mark);
}

int
yt_expect_map(const struct yt_node *n, struct ks_error *err)
{
	assert(n != NULL);
	return n->kind == YT_MAP ? 0 : mismatch(n, "a mapping", err);
}

int
yt_expect_seq(const struct yt_node *n, struct ks_error *err)
{
	assert(n != NULL);
	return n->kind == YT_SEQ ? 0 : mismatch(n, "a sequence", err);
}

/*
 * Edits for --set (io/override.c): new nodes live in the stream's arena
 * and die with it, like the parsed ones.
 */
struct yt_node *
yt_new_scalar(struct yt_stream *st, const char *str, const struct ks_mark *at)
{
	struct yt_node *n;
	size_t len;

	assert(st != NULL && str != NULL);
	len = strlen(str);
	n = arena_alloc(st->arena, sizeof(*n));
	memset(n, 0, sizeof(*n));
	n->kind = YT_SCALAR;
	n->plain = 1;
	n->str = arena_strndup(st->arena, str, len);
	n->len = len;
	if (at != NULL)
		n->mark = *at;
	return n;
}

struct yt_node *
yt_new_map(struct yt_stream *st, const struct ks_mark *at)
{
	struct yt_node *n;

	assert(st != NULL);
	n = arena_alloc(st->arena, sizeof(*n));
	memset(n, 0, sizeof(*n));
	n->kind = YT_MAP;
	if (at != NULL)
		n->mark = *at;
	return n;
}

void
yt_map_append(struct yt_stream *st, struct yt_node *map, const char *key,
    struct yt_node *value)
{
	struct yt_pair *pairs;

	assert(st != NULL && map != NULL && map->kind == YT_MAP && value != NULL);
	pairs = arena_alloc(st->arena, (map->npairs + 1) * sizeof(*pairs));
	if (map->npairs > 0)
		memcpy(pairs, map->pairs, map->npairs * sizeof(*pairs));
	pairs[map->npairs].key = yt_new_scalar(st, key, &value->mark);
	pairs[map->npairs].value = value;
	map->pairs = pairs;
	map->npairs++;
}
