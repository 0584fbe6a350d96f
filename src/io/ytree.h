/*
 * ytree.h: a YAML document tree whose every node keeps its 1-based
 * file:line:col, so loaders can say `ksim: f.yaml:12:7: expected an
 * integer, found a mapping`.
 *
 * Ownership: yt_load_file()/yt_load_buffer() hand the caller a stream in
 * *out, released by yt_stream_free() (which accepts NULL).  Every node,
 * string, item and pair array belongs to the stream's arena: pointers into
 * the tree are borrowed and die with the stream.  mark.file is interned
 * (util/intern.h), so it outlives the stream and any error built from it.
 *
 * Aliases share the anchored node: the same node may be reached from several
 * parents, so the tree is a DAG and nodes must be treated as read-only.
 * Merge keys (`<<`) are resolved at load time and never appear as pairs.
 *
 * Empty documents (nothing or only comments between `---` markers) are kept
 * in docs[] with root NULL, so document i is the i-th document of the file;
 * an empty file has ndocs 0.
 */
#ifndef KS_YTREE_H
#define KS_YTREE_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

/* Expanded-size bound through aliases, per document (the billion laughs). */
#define YT_MAX_ALIAS_NODES	1000000
/* Nesting bound: open sequences and mappings at once (`[[[[...]]]]`). */
#define YT_MAX_DEPTH		512
/* Input size bound for yt_load_file, in bytes (an endless /dev/zero). */
#define YT_MAX_INPUT_BYTES	((size_t)1 << 30)

enum yt_kind {
	YT_SCALAR,
	YT_SEQ,
	YT_MAP,
};

struct yt_pair {
	struct yt_node	*key;	/* usually a scalar; complex keys are kept */
	struct yt_node	*value;	/* never NULL; an empty value is a plain "" */
};

struct yt_node {
	enum yt_kind	  kind;		/* which of the three groups below is used */
	int		  plain;	/* scalar: 1 if plain (unquoted, untagged) style */
	struct ks_mark	  mark;		/* 1-based start of the node (anchor included) */
	const char	 *str;		/* YT_SCALAR: NUL-terminated value, else NULL */
	size_t		  len;		/* YT_SCALAR: bytes in str (may hold NULs) */
	struct yt_node	**items;	/* YT_SEQ: items in order, else NULL */
	size_t		  nitems;	/* YT_SEQ: number of items */
	struct yt_pair	 *pairs;	/* YT_MAP: pairs in document order, merges resolved */
	size_t		  npairs;	/* YT_MAP: number of pairs */
};

struct yt_doc {
	struct yt_node	*root;	/* NULL for an empty document */
	struct ks_mark	 mark;	/* 1-based start of the document */
};

struct yt_arena;

struct yt_stream {
	const char	*file;	/* interned file name given to the loader */
	struct yt_doc	*docs;	/* documents in stream order, empty ones included */
	size_t		 ndocs;	/* number of documents */
	struct yt_arena	*arena;	/* private: owns every node and string */
};

/*
 * Parse a whole file or buffer; on error *out is NULL and err is set.
 * yt_load_file reads at most YT_MAX_INPUT_BYTES; yt_load_file_max reads
 * at most max bytes (< SIZE_MAX / 2) and fails past them, so an endless
 * stream (/dev/zero, a pipe that never closes) ends with an error.
 */
int	yt_load_file(const char *path, struct yt_stream **out,
	    struct ks_error *err);
int	yt_load_file_max(const char *path, size_t max, struct yt_stream **out,
	    struct ks_error *err);
int	yt_load_buffer(const char *name, const char *buf, size_t len,
	    struct yt_stream **out, struct ks_error *err);
void	yt_stream_free(struct yt_stream *);

/* The value for a scalar key, or NULL if absent or map is not a map. */
const struct yt_node *yt_map_get(const struct yt_node *map, const char *key);
/* NULL pointer, or plain "", ~, null, Null, NULL. */
int	yt_is_null(const struct yt_node *);
/* "a mapping", "a sequence", "null", "a boolean", "an integer", "a number",
 * "a string": what go-yaml v2 would resolve the node to, for messages. */
const char *yt_kind_name(const struct yt_node *);
/* What the getters print after "found": `a mapping`, `a sequence`, `null`,
 * or the scalar quoted and cut to about 40 bytes (`"yes please"`). */
const char *yt_describe(const struct yt_node *, char *buf, size_t n);

/*
 * Typed getters.  On a mismatch they return KS_EINVAL with err at the node's
 * mark, e.g. `expected an integer, found a mapping`.  The node must not be
 * NULL (check yt_map_get()'s result first).
 */
/* Any non-null scalar, quoted or plain (so `cpu: 1` reads as "1"). */
int	yt_get_str(const struct yt_node *, const char **out, struct ks_error *);
/* Plain decimal integer with optional sign, within int64_t. */
int	yt_get_int64(const struct yt_node *, int64_t *out, struct ks_error *);
/* Plain true/false, and the YAML 1.1 forms go-yaml v2 accepts (yes/no,
 * on/off, y/n in lower, Title and UPPER case). */
int	yt_get_bool(const struct yt_node *, int *out, struct ks_error *);
/* Plain decimal number (1, -2.5, 1e3, .5) or .inf/-.inf/.nan. */
int	yt_get_double(const struct yt_node *, double *out, struct ks_error *);
/* A Go duration string, plain or quoted ("90s", "1m30s"): see duration.h. */
int	yt_get_duration(const struct yt_node *, int64_t *ms, struct ks_error *);
int	yt_expect_map(const struct yt_node *, struct ks_error *);
int	yt_expect_seq(const struct yt_node *, struct ks_error *);

/*
 * Edits (for --set): the new node belongs to st's arena.  The tree is
 * otherwise read-only; these are the only functions that change it.
 */
/* A plain scalar holding a copy of str, marked at (NULL = no mark). */
struct yt_node *yt_new_scalar(struct yt_stream *st, const char *str, const struct ks_mark *at);
/* An empty mapping. */
struct yt_node *yt_new_map(struct yt_stream *st, const struct ks_mark *at);
/* Append key: value to map (the caller checked that key is absent). */
void	yt_map_append(struct yt_stream *st, struct yt_node *map, const char *key,
	    struct yt_node *value);

#endif
