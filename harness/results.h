/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The results document (schema: results/README.md) and its atomic write.
 */
#ifndef PFNLAB_RESULTS_H
#define PFNLAB_RESULTS_H

#include <jansson.h>
#include <stddef.h>
#include <time.h>

#include "metrics.h"

#define RESULTS_SCHEMA_VERSION 2

/*
 * Write @doc to @path so that @path either does not change or holds the
 * whole document: an unnamed O_TMPFILE (or a dot-file when the filesystem
 * has none) in the same directory, fsync, then rename.  Returns 0, or -1
 * with @err set and nothing left behind.
 */
int results_write_atomic(json_t *doc, const char *path, char *err, size_t errlen);

/*
 * @dir/<hostname>/<UTC time>-<commit>.json into @buf, creating the
 * directories.  Returns 0 or -1 with @err set.
 */
int results_default_path(char *buf, size_t len, const char *dir, const char *hostname,
			 const char *commit, time_t when, char *err, size_t errlen);

/*
 * {"unit", "better", "kind", "rounds": [[samples of round 1], ...], "summary"}
 * for one metric: round k is v[ends[k - 1] .. ends[k]), ends[-1] = 0.
 */
json_t *results_metric(const struct metric_def *def, const double *v, const size_t *ends,
		       size_t nrounds, double noisy_cv);

/*
 * Append the rounds of @from, a results document of the same job, to
 * @into (pfnlab ab builds one document per side this way): for each
 * benchmark matched by key, its metrics' round arrays, counter values,
 * per-thread rounds, round records (each tagged with @source), paired
 * ratios and sample counts; the worse status wins (failed over flagged
 * over ok).  Benchmarks only in @from are appended.  Summaries are stale
 * until results_resummarize().  Returns 0, or -1 if either is not a
 * results document.
 */
int results_append_rounds(json_t *into, json_t *from, const char *source);

/* Recompute every metric summary (and params.rounds) of @doc from its rounds. */
int results_resummarize(json_t *doc);

/* "2026-11-23T22:40:00Z" */
void results_utc(char *buf, size_t len, time_t t);

#endif
