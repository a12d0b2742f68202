/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Series of one metric over runs (in run order), with change points: the
 * data of `pfnlab history` and of the trend chart.
 */
#ifndef PFNLAB_COMPARE_HISTORY_H
#define PFNLAB_COMPARE_HISTORY_H

#include <stdbool.h>
#include <stddef.h>

#include "result_load.h"

struct hist_point {
	size_t run;		     /* index into the runs (rl_set or hist_runs), run order */
	double median, ci_lo, ci_hi; /* CI NaN when the run has none */
};

struct hist_change {
	size_t at;	      /* index into points[] where the new level starts */
	double before, after; /* segment means either side */
};

struct hist_series {
	long long id; /* the store's series id; 0 when not from a store */
	char *host;   /* the runs' hostname: series never mix hosts */
	char *key;
	char *metric, *unit;
	bool lower_is_better;
	enum metric_kind kind;
	struct hist_point *points;
	size_t npoints;
	struct hist_change *changes;
	size_t nchanges;
	size_t *outliers; /* indices into points[]: one-run levels that returned */
	size_t noutliers;
	double sigma; /* noise scale used for the penalty */
};

/* What a history needs of a run, kept when its document is not. */
struct hist_run {
	char *path, *host, *kernel, *suite_commit, *started_utc;
	long long store_id; /* the run's row in a results store; 0 when read from files */
};

struct hist_runs {
	struct hist_run *runs;
	size_t n;
};

int hist_runs_append(struct hist_runs *runs, const char *path, const char *host, const char *kernel,
		     const char *suite_commit, const char *started_utc);
void hist_runs_free(struct hist_runs *runs);

/*
 * The runs [*lo, *hi) from the first run whose suite commit starts with
 * @from to the last whose suite commit starts with @to (NULL: the ends).
 * -1 with @err set when no run has such a commit.
 */
int hist_runs_commit_range(const struct hist_runs *runs, const char *from, const char *to,
			   size_t *lo, size_t *hi, char *err, size_t errlen);

/* Keep only runs [lo, hi) of @runs, renumbered from 0. */
void hist_runs_keep(struct hist_runs *runs, size_t lo, size_t hi);

/*
 * One series per (host, benchmark key, metric) found in @set, in order of first
 * appearance; @metric / @bench_filter restrict them (NULL: all).  Change
 * points are detected on the per-run medians (compare_stats.h), with a noise
 * scale that is the larger of the run-to-run scatter and the runs' own CI.
 * A change is kept only when the level moves by more than @min_shift
 * (a fraction, like compare's threshold): statistically clear but tiny steps
 * are not what a reviewer should chase.  Returns 0, or -1 when out of memory.
 */
int hist_build(const struct rl_set *set, const char *metric, const char *bench_filter,
	       double min_shift, struct hist_series **out, size_t *nout);
void hist_free(struct hist_series *series, size_t n);
void hist_series_clear(struct hist_series *s);

/*
 * The same without holding the documents: @paths are read one at a time
 * (rl_walk) and only the points of the selected series are kept, so memory
 * grows with the series asked for, not with the runs' documents.  @host
 * and @kernel (NULL: any) select runs.  @runs comes back in run order.
 */
int hist_build_stream(char *const *paths, size_t npaths, const char *host, const char *kernel,
		      const char *metric, const char *bench_filter, double min_shift,
		      struct hist_runs *runs, struct hist_series **out, size_t *nout);

/* Order the points of @s by run index (their order in the runs). */
void hist_sort_points(struct hist_series *s);

/* Change points of one series whose points are set (hist_build does this). */
int hist_detect(struct hist_series *s, double min_shift);

/* "<suite commit> <kernel release>" of a run, for axis labels. */
void hist_run_label(const struct rl_result *res, char *buf, size_t len);

/*
 * Short labels for a list of keys: the benchmark name plus only the
 * parameters that differ between the keys.  @out[i] is malloc'd.
 */
int short_labels(char *const *keys, size_t n, char **out);

#endif
