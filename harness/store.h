/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The results store: an SQLite index (STORE_FILE) at the top of a results
 * tree.  The JSON files stay the source of truth; the store holds what
 * history and the lab report query — one row per run, per benchmark case
 * and per (run, series) point with its per-round medians — so that a
 * question about one series reads that series, not every file.
 *
 * Every file is indexed in its own transaction: a file is in the store
 * whole or not at all, whatever stops the indexer.  Writers take the
 * write lock up front (BEGIN IMMEDIATE) and wait for each other; readers
 * never block writers (WAL).  docs/store.md describes the tables.
 */
#ifndef PFNLAB_STORE_H
#define PFNLAB_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "compare_history.h"
#include "rounds.h"

#define STORE_FILE "pfnlab-index.sqlite"
/* Bumped when the tables change; an older store is rebuilt from the files. */
#define STORE_VERSION 1

struct store;

struct store_sync_stats {
	size_t added, updated, unchanged, removed, skipped;
};

/*
 * Open (and with @create, make) the store of the results tree @dir.
 * Returns NULL with a message in @err when there is none (and !@create)
 * or it cannot be opened.  A store that cannot be written is opened
 * read-only; store_writable() says which.
 */
struct store *store_open(const char *dir, bool create, char *err, size_t errlen);
void store_close(struct store *st);
bool store_writable(const struct store *st);
const char *store_dir(const struct store *st);

/* Does @dir hold a store? */
bool store_exists(const char *dir);

/*
 * The store whose tree holds @path: the nearest directory at or above
 * @path's own that has STORE_FILE.  NULL (and nothing said) when none.
 */
struct store *store_find_for(const char *path, char *err, size_t errlen);

/*
 * Bring the store in line with the files under its directory: add new
 * files, re-read changed ones (size or mtime), drop the rows of files that
 * are gone or no longer load.  Each such event is reported on stderr,
 * naming the file.  A read-only store is left as it is, the differences
 * reported.
 * Returns 0, or -1 on a store error (what was committed stays).
 */
int store_sync(struct store *st, struct store_sync_stats *stats);

/*
 * Change nothing; report (stderr) each file that is new, changed or gone
 * against the store.  Returns how many, or -1 on a store error.  Files
 * that do not load count as new each time: they are never in the store.
 */
long store_diff(struct store *st);

/*
 * Add or refresh the named files (which must lie under the store's
 * directory).  A file that does not load is reported and left out.
 * Returns 0 when every file is in the store, 1 when some were skipped,
 * -1 on a store error.
 */
int store_add_files(struct store *st, char *const *paths, size_t npaths,
		    struct store_sync_stats *stats);

/* Which runs and series a query selects; NULL fields select everything. */
struct store_query {
	const char *host;	 /* exact hostname */
	const char *kernel;	 /* exact kernel release */
	const char *commit_from; /* first run whose suite commit starts with it ... */
	const char *commit_to;	 /* ... to the last run whose suite commit starts with it */
	const char *bench;	 /* substring of the benchmark key */
	const char *metric;	 /* exact metric name */
};

/*
 * The runs the query selects, in run order (started_utc, then path);
 * paths are given relative to the current directory's view of the tree
 * (store dir + "/" + stored path).  Returns 0, or -1 with @err set (an
 * unknown commit in the range is an error).
 */
int store_runs(struct store *st, const struct store_query *q, struct hist_runs *runs, char *err,
	       size_t errlen);

/*
 * Walk the series the query selects, one at a time: each is loaded with
 * its points (indices into @runs, in run order), handed to @fn, and freed
 * when @fn returns.  Memory is that of one series.  @fn returns non-zero
 * to stop.  Returns 0, the callback's value, or -1 on a store error.
 */
typedef int (*store_series_fn)(struct hist_series *s, void *arg);
int store_each_series(struct store *st, const struct store_query *q, const struct hist_runs *runs,
		      store_series_fn fn, void *arg, char *err, size_t errlen);

/*
 * The runs of one series in run order, each with its round statistics
 * recomputed from the stored per-round medians (what compare's run-to-run
 * noise model needs of a history; cmp_options.history_fn).  @st is the
 * store.  Returns 0, or -1 on a store error.
 */
int store_series_rounds(void *st, const char *host, const char *key, const char *metric,
			void (*visit)(void *ctx, const char *path, const struct round_stats *rs),
			void *ctx);

#endif
