/* SPDX-License-Identifier: GPL-2.0 */
/* Summary statistics of one metric's samples. */
#ifndef PFNLAB_STATS_H
#define PFNLAB_STATS_H

#include <stddef.h>

struct summary {
	size_t n;
	double median, mean, stddev, min, max, p10, p90;
	double ci95_lo, ci95_hi; /* 95% CI of the median (order statistics) */
	double ci_coverage;	 /* exact coverage of [ci95_lo, ci95_hi] */
	double cv;		 /* stddev / |mean|; 0 when mean is 0 */
	int noisy;		 /* cv > threshold */
};

/*
 * Summarise @n samples (n >= 1; @x is not modified).  @noisy_cv is the CV
 * above which the metric is flagged noisy.
 */
int stats_summarize(const double *x, size_t n, double noisy_cv, struct summary *s);

/* Quantile @q in [0,1] of sorted @x, linear interpolation between ranks. */
double stats_quantile_sorted(const double *x, size_t n, double q);

/*
 * The @trim-trimmed mean of sorted @x (0 <= trim < 0.5): the mean of what is
 * left once floor(trim * n) values are dropped at each end.  @se, when not
 * NULL, receives its standard error, the winsorized SD / ((1 - 2g/n) sqrt(n))
 * (Tukey and McLaughlin; Wilcox, "Introduction to Robust Estimation"), NaN
 * below 2 values.  NaN for n = 0.
 */
double stats_trimmed_mean_sorted(const double *x, size_t n, double trim, double *se);

/*
 * 1-based ranks (lo, hi) of the order statistics bounding the median with
 * at least 95% confidence: the largest lo with P(B < lo) <= 2.5% for
 * B ~ Binomial(n, 1/2), and hi = n + 1 - lo.  For n < 6 no such pair exists
 * and (1, n) is returned with its lower coverage.  Returns the coverage.
 */
double stats_median_ci_ranks(size_t n, size_t *lo, size_t *hi);

#endif
