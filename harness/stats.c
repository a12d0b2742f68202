// SPDX-License-Identifier: GPL-2.0
/*
 * Summary statistics.  The median's confidence interval comes from order
 * statistics: the number of samples below the true median is Binomial(n, 1/2)
 * whatever the distribution, so no normality is assumed.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double stats_quantile_sorted(const double *x, size_t n, double q)
{
	double pos, frac;
	size_t i;

	if (n == 0)
		return NAN;
	pos = q * (double)(n - 1);
	i = (size_t)floor(pos);
	frac = pos - (double)i;
	if (i + 1 >= n)
		return x[n - 1];
	return x[i] + frac * (x[i + 1] - x[i]);
}

double stats_trimmed_mean_sorted(const double *x, size_t n, double trim, double *se)
{
	size_t g = (size_t)floor(trim * (double)n);
	double sum = 0, wsum, wss = 0, mean, wmean;

	if (se)
		*se = NAN;
	if (n == 0)
		return NAN;
	for (size_t i = g; i < n - g; i++)
		sum += x[i];
	mean = sum / (double)(n - 2 * g);
	/* winsorized: each trimmed value replaced by the nearest one kept */
	wsum = sum + (double)g * (x[g] + x[n - g - 1]);
	wmean = wsum / (double)n;
	for (size_t i = 0; i < n; i++) {
		double d = x[i < g ? g : i >= n - g ? n - g - 1 : i] - wmean;

		wss += d * d;
	}
	if (se && n >= 2)
		*se = sqrt(wss / (double)(n - 1)) /
		      ((1.0 - 2.0 * (double)g / (double)n) * sqrt((double)n));
	return mean;
}

double stats_median_ci_ranks(size_t n, size_t *lo, size_t *hi)
{
	/* P(B <= k), accumulated in log space so large n does not overflow. */
	double cdf = 0, log_half_n = (double)n * log(0.5);
	size_t best = 0;

	for (size_t k = 0; k < n; k++) {
		double log_binom = lgamma((double)n + 1) - lgamma((double)k + 1) -
				   lgamma((double)(n - k) + 1);

		cdf += exp(log_binom + log_half_n);
		if (cdf > 0.025)
			break;
		best = k + 1; /* P(B < k + 1) <= 2.5%: rank k + 1 is safe */
	}
	if (best == 0) {
		*lo = 1;
		*hi = n;
	} else {
		*lo = best;
		*hi = n + 1 - best;
	}
	/* The interval misses when fewer than lo samples fall on either side. */
	cdf = 0;
	for (size_t k = 0; k < *lo; k++)
		cdf += exp(lgamma((double)n + 1) - lgamma((double)k + 1) -
			   lgamma((double)(n - k) + 1) + log_half_n);
	return n ? 1 - 2 * cdf : 0;
}

int stats_summarize(const double *x, size_t n, double noisy_cv, struct summary *s)
{
	double *sorted, sum = 0, sq = 0;
	size_t lo, hi;

	memset(s, 0, sizeof(*s));
	if (n == 0)
		return -1;
	sorted = malloc(n * sizeof(*sorted));
	if (!sorted)
		return -1;
	memcpy(sorted, x, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), cmp_double);
	for (size_t i = 0; i < n; i++)
		sum += sorted[i];
	s->n = n;
	s->mean = sum / (double)n;
	for (size_t i = 0; i < n; i++)
		sq += (sorted[i] - s->mean) * (sorted[i] - s->mean);
	s->stddev = n > 1 ? sqrt(sq / (double)(n - 1)) : 0;
	s->min = sorted[0];
	s->max = sorted[n - 1];
	s->median = stats_quantile_sorted(sorted, n, 0.5);
	s->p10 = stats_quantile_sorted(sorted, n, 0.1);
	s->p90 = stats_quantile_sorted(sorted, n, 0.9);
	s->ci_coverage = stats_median_ci_ranks(n, &lo, &hi);
	s->ci95_lo = sorted[lo - 1];
	s->ci95_hi = sorted[hi - 1];
	s->cv = s->mean != 0 ? s->stddev / fabs(s->mean) : 0;
	s->noisy = s->cv > noisy_cv;
	free(sorted);
	return 0;
}
