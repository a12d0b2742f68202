// SPDX-License-Identifier: GPL-2.0
/*
 * The statistics of compare/history.  Everything is distribution-free where
 * it can be (ranks, resampling) because benchmark samples are skewed and
 * carry outliers; only the change-point penalty assumes a noise scale, and it
 * estimates that scale robustly from the series itself.
 */
#include "compare_stats.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rotl64(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* splitmix64 spreads one seed over the four state words. */
void cs_rng_seed(struct cs_rng *rng, uint64_t seed)
{
	for (int i = 0; i < 4; i++) {
		uint64_t z;

		seed += 0x9e3779b97f4a7c15ULL;
		z = seed;
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		rng->s[i] = z ^ (z >> 31);
	}
}

uint64_t cs_rng_next(struct cs_rng *rng)
{
	uint64_t *s = rng->s;
	uint64_t result = rotl64(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl64(s[3], 45);
	return result;
}

size_t cs_rng_below(struct cs_rng *rng, size_t bound)
{
	/* Rejection keeps the draw unbiased for any bound. */
	uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
	uint64_t r;

	do
		r = cs_rng_next(rng);
	while (r >= limit);
	return (size_t)(r % bound);
}

double cs_rng_uniform(struct cs_rng *rng)
{
	return (double)(cs_rng_next(rng) >> 11) * 0x1.0p-53;
}

double cs_rng_normal(struct cs_rng *rng)
{
	double u1, u2;

	do
		u1 = cs_rng_uniform(rng);
	while (u1 <= 0.0);
	u2 = cs_rng_uniform(rng);
	return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

static int cmp_double(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;

	return (a > b) - (a < b);
}

static double median_sorted(const double *v, size_t n)
{
	if (n == 0)
		return NAN;
	if (n % 2)
		return v[n / 2];
	return 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double cs_median(const double *v, size_t n)
{
	double *tmp, m;

	if (n == 0)
		return NAN;
	tmp = malloc(n * sizeof(*tmp));
	if (!tmp)
		return NAN;
	memcpy(tmp, v, n * sizeof(*tmp));
	qsort(tmp, n, sizeof(*tmp), cmp_double);
	m = median_sorted(tmp, n);
	free(tmp);
	return m;
}

struct ranked {
	double value;
	int from_a;
};

static int cmp_ranked(const void *pa, const void *pb)
{
	const struct ranked *a = pa, *b = pb;

	return (a->value > b->value) - (a->value < b->value);
}

double cs_mann_whitney_p(const double *a, size_t na, const double *b, size_t nb)
{
	size_t n = na + nb, i = 0;
	double rank_sum_a = 0.0, tie_term = 0.0;
	double u_a, mean_u, var_u, dev, z;
	struct ranked *all;

	if (na == 0 || nb == 0)
		return 1.0;
	all = malloc(n * sizeof(*all));
	if (!all)
		return 1.0;
	for (size_t k = 0; k < na; k++)
		all[k] = (struct ranked){ a[k], 1 };
	for (size_t k = 0; k < nb; k++)
		all[na + k] = (struct ranked){ b[k], 0 };
	qsort(all, n, sizeof(*all), cmp_ranked);

	/* Tied values share the mean of the ranks they span. */
	while (i < n) {
		size_t j = i + 1;
		double mid_rank, t;

		while (j < n && all[j].value == all[i].value)
			j++;
		mid_rank = 0.5 * (double)(i + 1 + j);
		for (size_t k = i; k < j; k++)
			if (all[k].from_a)
				rank_sum_a += mid_rank;
		t = (double)(j - i);
		tie_term += t * t * t - t;
		i = j;
	}
	free(all);

	u_a = rank_sum_a - (double)na * (double)(na + 1) / 2.0;
	mean_u = (double)na * (double)nb / 2.0;
	var_u = (double)na * (double)nb / 12.0 *
		((double)(n + 1) - tie_term / ((double)n * (double)(n - 1)));
	if (var_u <= 0.0)
		return 1.0;
	dev = fabs(u_a - mean_u) - 0.5;
	if (dev < 0.0)
		dev = 0.0;
	z = dev / sqrt(var_u);
	return erfc(z / M_SQRT2);
}

struct indexed_p {
	double p;
	size_t index;
};

static int cmp_indexed_p(const void *pa, const void *pb)
{
	const struct indexed_p *a = pa, *b = pb;

	return (a->p > b->p) - (a->p < b->p);
}

void cs_benjamini_hochberg(const double *p, double *adj, size_t n)
{
	struct indexed_p *sorted;
	double running_min = 1.0;

	if (n == 0)
		return;
	sorted = malloc(n * sizeof(*sorted));
	if (!sorted) {
		/* Without memory, the conservative answer: no discovery. */
		for (size_t i = 0; i < n; i++)
			adj[i] = 1.0;
		return;
	}
	for (size_t i = 0; i < n; i++)
		sorted[i] = (struct indexed_p){ p[i], i };
	qsort(sorted, n, sizeof(*sorted), cmp_indexed_p);
	/* adj(k) = min over j >= k of p(j) * n / j, walking from the largest. */
	for (size_t k = n; k-- > 0;) {
		double scaled = sorted[k].p * (double)n / (double)(k + 1);

		if (scaled < running_min)
			running_min = scaled;
		adj[sorted[k].index] = running_min;
	}
	free(sorted);
}

/* Sum of squares of x[s..t) around its mean, from prefix sums. */
static double seg_cost(const double *sum, const double *sumsq, size_t s, size_t t)
{
	double len = (double)(t - s);
	double seg_sum = sum[t] - sum[s];
	double cost = sumsq[t] - sumsq[s] - seg_sum * seg_sum / len;

	return cost < 0.0 ? 0.0 : cost;
}

size_t cs_change_points(const double *x, size_t n, double penalty, size_t *cps, size_t max_cps)
{
	double *sum, *sumsq, *best;
	size_t *last_start, *cand;
	size_t count = 0, end, ncand;

	if (n < 2)
		return 0;
	sum = calloc(n + 1, sizeof(*sum));
	sumsq = calloc(n + 1, sizeof(*sumsq));
	best = calloc(n + 1, sizeof(*best));
	last_start = calloc(n + 1, sizeof(*last_start));
	cand = calloc(n + 1, sizeof(*cand));
	if (!sum || !sumsq || !best || !last_start || !cand)
		goto out;
	for (size_t i = 0; i < n; i++) {
		sum[i + 1] = sum[i] + x[i];
		sumsq[i + 1] = sumsq[i] + x[i] * x[i];
	}

	/*
	 * best[t] is the cheapest segmentation of x[0..t); the last segment
	 * of it starts at last_start[t].  Each segment costs its sum of
	 * squares around its own mean plus the penalty; the first segment's
	 * penalty is taken off at the end, so only changes pay.
	 *
	 * Candidate starts are pruned as in PELT (Killick, Fearnhead and
	 * Eckley, JASA 2012): a sum of squares never grows when a segment is
	 * split, so a start s with best[s] + cost(s, t) > best[t] can never
	 * win at any later t either.  The result is that of the full O(n^2)
	 * search; with few changes the work is about linear, which is what
	 * keeps a 10,000-run history quick.
	 */
	best[0] = 0.0;
	cand[0] = 0;
	ncand = 1;
	for (size_t t = 1; t <= n; t++) {
		size_t kept = 0;

		best[t] = DBL_MAX;
		for (size_t c = 0; c < ncand; c++) {
			size_t s = cand[c];
			double cost = seg_cost(sum, sumsq, s, t) + best[s] + penalty;

			if (cost < best[t]) {
				best[t] = cost;
				last_start[t] = s;
			}
		}
		for (size_t c = 0; c < ncand; c++) {
			size_t s = cand[c];

			if (best[s] + seg_cost(sum, sumsq, s, t) <= best[t])
				cand[kept++] = s;
		}
		cand[kept++] = t;
		ncand = kept;
	}

	/* Walk the segment starts back from the end; count them first. */
	for (end = n; last_start[end] > 0; end = last_start[end])
		count++;
	if (count > max_cps)
		count = max_cps;
	{
		size_t k = count;

		for (end = n; last_start[end] > 0 && k > 0; end = last_start[end])
			cps[--k] = last_start[end];
	}
out:
	free(sum);
	free(sumsq);
	free(best);
	free(last_start);
	free(cand);
	return count;
}

double cs_diff_sigma(const double *x, size_t n)
{
	double *diffs, m;

	if (n < 2)
		return 0.0;
	diffs = malloc((n - 1) * sizeof(*diffs));
	if (!diffs)
		return 0.0;
	for (size_t i = 0; i + 1 < n; i++)
		diffs[i] = fabs(x[i + 1] - x[i]);
	m = cs_median(diffs, n - 1);
	free(diffs);
	/* For normal noise, |x(i+1) - x(i)| has median 0.6745 * sqrt(2) sigma. */
	return m / (0.6745 * M_SQRT2);
}

double cs_bic_penalty(double sigma, size_t n)
{
	if (n < 2)
		return 0.0;
	/*
	 * BIC proper (2 sigma^2 ln n per change) flags a change in about 20%
	 * of flat 30-point series with a noise scale estimated from the
	 * series; twice that keeps false alarms near 3% and still finds a
	 * 4-sigma step 97% of the time (tests/test_compare.c checks both).
	 */
	return 4.0 * sigma * sigma * log((double)n);
}

/*
 * The regularised incomplete beta I_x(a, b), from its continued fraction
 * (modified Lentz), using the symmetry I_x(a, b) = 1 - I_{1-x}(b, a) where
 * the fraction converges slowly.
 */
static double betacf(double a, double b, double x)
{
	const double tiny = 1e-300;
	double c = 1.0, d = 1.0 - (a + b) * x / (a + 1.0), h;

	if (fabs(d) < tiny)
		d = tiny;
	d = 1.0 / d;
	h = d;
	for (int m = 1; m <= 300; m++) {
		double m2 = 2.0 * m, num, delta;

		num = m * (b - m) * x / ((a + m2 - 1.0) * (a + m2));
		d = 1.0 + num * d;
		d = fabs(d) < tiny ? tiny : d;
		c = 1.0 + num / c;
		c = fabs(c) < tiny ? tiny : c;
		d = 1.0 / d;
		h *= d * c;
		num = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0));
		d = 1.0 + num * d;
		d = fabs(d) < tiny ? tiny : d;
		c = 1.0 + num / c;
		c = fabs(c) < tiny ? tiny : c;
		d = 1.0 / d;
		delta = d * c;
		h *= delta;
		if (fabs(delta - 1.0) < 1e-14)
			break;
	}
	return h;
}

static double incomplete_beta(double a, double b, double x)
{
	double front;

	if (x <= 0.0)
		return 0.0;
	if (x >= 1.0)
		return 1.0;
	front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x));
	if (x < (a + 1.0) / (a + b + 2.0))
		return front * betacf(a, b, x) / a;
	return 1.0 - front * betacf(b, a, 1.0 - x) / b;
}

double cs_t_cdf(double t, double df)
{
	double tail;

	if (isnan(t) || !(df > 0))
		return NAN;
	if (isinf(t))
		return t > 0 ? 1.0 : 0.0;
	/* P(|T| > |t|) = I_{df / (df + t^2)}(df / 2, 1 / 2). */
	tail = 0.5 * incomplete_beta(df / 2.0, 0.5, df / (df + t * t));
	return t > 0 ? 1.0 - tail : tail;
}

double cs_obf_alpha(double alpha, double f)
{
	double lo = 0, hi = 40, z;

	if (!(alpha > 0 && alpha < 1) || !(f > 0))
		return NAN;
	if (f >= 1)
		return alpha;
	/* z_{1-alpha/2}: erfc(z / sqrt 2) = alpha, erfc decreasing. */
	for (int i = 0; i < 200 && hi - lo > 1e-12; i++) {
		double mid = 0.5 * (lo + hi);

		if (erfc(mid / M_SQRT2) > alpha)
			lo = mid;
		else
			hi = mid;
	}
	z = 0.5 * (lo + hi);
	return erfc(z / sqrt(f) / M_SQRT2);
}

double cs_look_fraction(long pairs, long max_pairs, long affordable_pairs)
{
	long planned = max_pairs;

	if (affordable_pairs >= 0 && pairs + affordable_pairs < planned)
		planned = pairs + affordable_pairs;
	if (pairs <= 0)
		return 0;
	return pairs >= planned ? 1.0 : (double)pairs / (double)planned;
}

double cs_t_quantile(double p, double df)
{
	/*
	 * Loading a result asks for the same few quantiles (95%, rounds - 1
	 * degrees of freedom) hundreds of times per file, and the bisection
	 * below is most of that time: remember the last ones asked.
	 */
	static _Thread_local struct {
		double p, df, q;
	} memo[8];
	static _Thread_local unsigned int memo_next;
	double lo = -1e6, hi = 1e6;

	if (!(p > 0 && p < 1) || !(df > 0))
		return NAN;
	for (size_t i = 0; i < sizeof(memo) / sizeof(memo[0]); i++)
		if (memo[i].p == p && memo[i].df == df)
			return memo[i].q;
	/* The CDF is monotone: bisection to well below any use here. */
	for (int i = 0; i < 200 && hi - lo > 1e-12 * (1.0 + fabs(lo)); i++) {
		double mid = 0.5 * (lo + hi);

		if (cs_t_cdf(mid, df) < p)
			lo = mid;
		else
			hi = mid;
	}
	memo[memo_next % 8].p = p;
	memo[memo_next % 8].df = df;
	memo[memo_next % 8].q = 0.5 * (lo + hi);
	return memo[memo_next++ % 8].q;
}
