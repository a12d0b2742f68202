/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Statistics over rounds, the unit of replication (engine.h).
 *
 * Each round contributes one observation, its median: the samples inside a
 * round share a buffer, a layout, threads and a machine state, so they are
 * not independent draws of what a rerun would measure, and treating them as
 * such (pooling every sample) understates the variance a comparison must
 * beat.  Round medians are compared on a log scale, where a slowdown of x%
 * is the same shift whatever the metric's magnitude; a metric with a zero
 * or negative round median (a count that can be 0) stays on a linear scale.
 */
#ifndef PFNLAB_ROUNDS_H
#define PFNLAB_ROUNDS_H

#include <stdbool.h>
#include <stddef.h>

struct round_stats {
	size_t nrounds;	     /* rounds with at least one sample */
	bool log_scale;	     /* every round median > 0 */
	double center;	     /* geometric (or arithmetic) mean of round medians */
	double loc;	     /* its value on the scale: log(center) or center */
	double sd;	     /* SD of round medians on the scale; NaN below 2 rounds */
	double between_cv;   /* sd as a fraction of the center */
	double within_cv;    /* pooled CV of the samples inside each round */
	double ci_lo, ci_hi; /* 95% t-interval of the center; NaN below 2 rounds */
	double mde;	     /* smallest shift (fraction) a comparison with a run
				 * like this one detects at 95% power; NaN below 2 */
};

/*
 * Round statistics of @v, whose round k is v[ends[k - 1] .. ends[k]) with
 * ends[-1] = 0.  @medians (size @nrounds) receives each round's median, NaN
 * for an empty round.  Returns 0, or -1 with no round at all.
 */
int round_stats(const double *v, const size_t *ends, size_t nrounds, double *medians,
		struct round_stats *rs);

/*
 * The smallest relative shift a two-sided test at level 0.05 detects with
 * probability 0.95, for a difference of two means on the log scale with
 * standard error @se and @df degrees of freedom.
 */
double rounds_mde(double se, double df, bool log_scale, double center);

#endif
