// SPDX-License-Identifier: GPL-2.0
/* Round statistics (rounds.h). */
#include "rounds.h"

#include <math.h>
#include <stdlib.h>

#include "compare_stats.h"

double rounds_mde(double se, double df, bool log_scale, double center)
{
	double shift;

	if (isnan(se) || !(df > 0))
		return NAN;
	shift = (cs_t_quantile(0.975, df) + cs_t_quantile(0.95, df)) * se;
	if (log_scale)
		return expm1(shift);
	return center != 0 ? shift / fabs(center) : NAN;
}

int round_stats(const double *v, const size_t *ends, size_t nrounds, double *medians,
		struct round_stats *rs)
{
	double sum = 0, sq = 0, cv_sq = 0, t;
	size_t start = 0, ncv = 0, n = 0;

	rs->nrounds = 0;
	rs->log_scale = true;
	rs->center = rs->loc = rs->sd = rs->between_cv = rs->within_cv = NAN;
	rs->ci_lo = rs->ci_hi = rs->mde = NAN;
	for (size_t k = 0; k < nrounds; k++) {
		size_t len = ends[k] - start;

		medians[k] = len ? cs_median(v + start, len) : NAN;
		if (len) {
			n++;
			rs->log_scale &= medians[k] > 0;
		}
		if (len >= 2) {
			double mean = 0, var = 0;

			for (size_t i = start; i < ends[k]; i++)
				mean += v[i];
			mean /= (double)len;
			for (size_t i = start; i < ends[k]; i++)
				var += (v[i] - mean) * (v[i] - mean);
			var /= (double)(len - 1);
			if (mean != 0) {
				cv_sq += var / (mean * mean);
				ncv++;
			}
		}
		start = ends[k];
	}
	if (n == 0)
		return -1;
	rs->nrounds = n;
	rs->within_cv = ncv ? sqrt(cv_sq / (double)ncv) : NAN;
	for (size_t k = 0; k < nrounds; k++)
		if (!isnan(medians[k]))
			sum += rs->log_scale ? log(medians[k]) : medians[k];
	rs->loc = sum / (double)n;
	rs->center = rs->log_scale ? exp(rs->loc) : rs->loc;
	if (n < 2)
		return 0;
	for (size_t k = 0; k < nrounds; k++)
		if (!isnan(medians[k])) {
			double d = (rs->log_scale ? log(medians[k]) : medians[k]) - rs->loc;

			sq += d * d;
		}
	rs->sd = sqrt(sq / (double)(n - 1));
	/* On the log scale the SD is already a relative spread (for small SD). */
	rs->between_cv = rs->log_scale ? rs->sd :
					 (rs->center != 0 ? rs->sd / fabs(rs->center) : NAN);
	t = cs_t_quantile(0.975, (double)(n - 1)) * rs->sd / sqrt((double)n);
	rs->ci_lo = rs->log_scale ? exp(rs->loc - t) : rs->loc - t;
	rs->ci_hi = rs->log_scale ? exp(rs->loc + t) : rs->loc + t;
	/* Against another run like this one: se of a difference of two means. */
	rs->mde = rounds_mde(rs->sd * sqrt(2.0 / (double)n), 2.0 * (double)(n - 1), rs->log_scale,
			     rs->center);
	return 0;
}
