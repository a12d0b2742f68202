/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Statistics behind `pfnlab compare` and `pfnlab history`: the tests that
 * decide whether a metric moved, kept separate from file handling so that the
 * method itself can be checked with synthetic samples (tests/test_compare.c).
 */
#ifndef PFNLAB_COMPARE_STATS_H
#define PFNLAB_COMPARE_STATS_H

#include <stddef.h>
#include <stdint.h>

/* Seeded PRNG (xoshiro256**), so a bootstrap is reproducible run to run. */
struct cs_rng {
	uint64_t s[4];
};

void cs_rng_seed(struct cs_rng *rng, uint64_t seed);
uint64_t cs_rng_next(struct cs_rng *rng);
/* Uniform in [0, bound). */
size_t cs_rng_below(struct cs_rng *rng, size_t bound);
/* Uniform in [0, 1). */
double cs_rng_uniform(struct cs_rng *rng);
/* Standard normal (Box-Muller). */
double cs_rng_normal(struct cs_rng *rng);

/* Median of @n values; @v is not modified.  NaN when @n is 0. */
double cs_median(const double *v, size_t n);

/* Two-sided p-value of the Mann-Whitney U test with the normal
 * approximation, continuity and tie correction.  1.0 when nothing can be
 * said (an empty side, or every value tied).
 */
double cs_mann_whitney_p(const double *a, size_t na, const double *b, size_t nb);

/* Benjamini-Hochberg adjusted p-values: @adj[i] for @p[i], @n of them. */
void cs_benjamini_hochberg(const double *p, double *adj, size_t n);

/*
 * Change points in the mean of a series, by optimal partitioning: the
 * segmentation minimising the within-segment sum of squares plus @penalty
 * per change point (exact dynamic programme, O(n^2), fine for the hundreds of
 * commits a history holds).  Writes the index where each new segment starts
 * into @cps (ascending, at most @max_cps) and returns how many there are.
 */
size_t cs_change_points(const double *x, size_t n, double penalty, size_t *cps, size_t max_cps);

/* Noise scale of a series from its successive differences (median absolute
 * difference / (0.6745 * sqrt 2)), robust to the steps we are looking for.
 */
double cs_diff_sigma(const double *x, size_t n);

/* The BIC-like penalty per change in mean with noise @sigma: 4 sigma^2 ln n. */
double cs_bic_penalty(double sigma, size_t n);

/* Student's t with @df degrees of freedom (df > 0, not necessarily whole):
 * the CDF at @t, and the quantile of probability @p in (0, 1).  NaN for
 * arguments outside those ranges.
 */
double cs_t_cdf(double t, double df);
double cs_t_quantile(double p, double df);

/*
 * The significance level for a look at a fraction @f in (0, 1] of the
 * most rounds a sequential comparison may take, when the whole may spend
 * @alpha: the O'Brien-Fleming-type spending function of Lan and DeMets
 * (Biometrika 70, 1983), 2 - 2 Phi(z_{1-alpha/2} / sqrt(f)).  Early looks
 * need overwhelming evidence, the last one gets @alpha itself, so that
 * stopping at the first "significant" look does not inflate the rate of
 * false flags.  @alpha for f >= 1; NaN for arguments outside the ranges.
 */
double cs_obf_alpha(double alpha, double f);

/**
 * cs_look_fraction() - the information fraction of a look
 * @pairs: pairs taken so far
 * @max_pairs: the most pairs the run may take
 * @affordable_pairs: how many more pairs the time budget still allows
 *
 * The share of the pairs the run will end with: @pairs over the smaller
 * of @max_pairs and @pairs + @affordable_pairs.  A look after which the
 * run must stop (for either limit) is the final analysis and gets 1, so
 * it tests at alpha: a run cut short by its budget spends what it has
 * left instead of ending at an interim level (Lan and DeMets allow the
 * number of looks to follow the calendar, as long as it does not follow
 * the data).
 */
double cs_look_fraction(long pairs, long max_pairs, long affordable_pairs);

#endif
