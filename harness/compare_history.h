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
	size_t run;			/* index into the rl_set, run order */
	double median, ci_lo, ci_hi;	/* CI NaN when the run has none */
};

struct hist_change {
	size_t at;			/* index into points[] where the new level starts */
	double before, after;		/* segment means either side */
};

struct hist_series {
	char *key;
	const char *metric, *unit;
	bool lower_is_better;
	struct hist_point *points;
	size_t npoints;
	struct hist_change *changes;
	size_t nchanges;
	double sigma;			/* noise scale used for the penalty */
};

/*
 * One series per (benchmark key, metric) found in @set, in order of first
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

/* "<suite commit> <kernel release>" of a run, for axis labels. */
void hist_run_label(const struct rl_result *res, char *buf, size_t len);

/*
 * Short labels for a list of keys: the benchmark name plus only the
 * parameters that differ between the keys.  @out[i] is malloc'd.
 */
int short_labels(char *const *keys, size_t n, char **out);

#endif
