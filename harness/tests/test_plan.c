// SPDX-License-Identifier: GPL-2.0
/*
 * The capacity-plan model (plan_model.c) against truths it did not compute:
 * sweeps drawn from a known cost model (the terms must come back), the
 * coverage of the prediction interval over many simulated sweeps (about
 * 95% of new operations must land inside), robustness to rounds a busy
 * host slowed, a curved truth that the hold-out check must catch, a bent
 * cost under a near-exact clock that the line's extrapolation record must
 * cover, the
 * page/folio split solved by hand, and IO page table sizes counted by hand.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "compare_stats.h"
#include "plan_model.h"

#define MIB 1048576.0

struct truth {
	double fixed_ns, per_page_ns, quad; /* quad: ns per page^2 */
	double bend;			    /* per page: x(1 + bend) per doubling from 16 MiB */
	double per_run_ns;		    /* ns per run of the round's layout */
	double bcv, outliers;		    /* round scatter, share slowed */
	double slow_factor;		    /* how much (3x when 0) */
};

static double truth_ns(const struct truth *t, double size, double runs)
{
	double pages = size / 4096.0;

	double per_page = t->per_page_ns * (1.0 + t->bend * log2(pages / 4096.0));

	return t->fixed_ns + per_page * pages + t->quad * pages * pages + t->per_run_ns * runs;
}

static double draw_runs(const struct truth *t, double size, double runs, struct cs_rng *rng)
{
	double v = truth_ns(t, size, runs) * (1.0 + t->bcv * cs_rng_normal(rng));

	if (cs_rng_uniform(rng) < t->outliers)
		v *= t->slow_factor > 0 ? t->slow_factor : 3.0;
	return v;
}

static double draw(const struct truth *t, double size, struct cs_rng *rng)
{
	return draw_runs(t, size, 0, rng);
}

/* Sizes 16 MiB .. @top_mib doubling, @rounds rounds each, into a series. */
static void sweep(struct plan_series *s, const struct truth *t, double top_mib, size_t rounds,
		  struct cs_rng *rng)
{
	static struct plan_obs obs[1024];
	static double sizes[16];

	memset(s, 0, sizeof(*s));
	s->obs = obs;
	s->sizes = sizes;
	for (double mib = 16; mib <= top_mib; mib *= 2) {
		sizes[s->nsizes++] = mib * MIB;
		for (size_t r = 0; r < rounds; r++)
			obs[s->nobs++] = (struct plan_obs){ .size_bytes = mib * MIB,
							    .total_ns = draw(t, mib * MIB, rng) };
	}
}

static void test_terms_recovered(void **state)
{
	struct truth t = { .fixed_ns = 50000, .per_page_ns = 30, .bcv = 0.05 };
	struct plan_series s;
	struct plan_fit fit;
	struct cs_rng rng;

	(void)state;
	cs_rng_seed(&rng, 1);
	sweep(&s, &t, 256, 20, &rng);
	assert_int_equal(plan_fit(s.obs, s.nobs, INFINITY, &fit), 0);
	assert_int_equal(fit.nsizes, 5);
	assert_int_equal(fit.nobs, 100);
	/* 30 ns/page: 16 MiB is 4096 pages, 123 us, so the fixed 50 us shows */
	assert_true(fabs(fit.ns_per_page / 30.0 - 1.0) < 0.03);
	assert_true(fabs(fit.fixed_ns - 50000) < 20000);
	assert_true(fit.min_size == 16 * MIB && fit.max_size == 256 * MIB);
}

/* Rounds slowed 3x (10% of them) must not drag the line: medians, not means. */
static void test_robust_to_busy_rounds(void **state)
{
	struct truth t = { .fixed_ns = 0, .per_page_ns = 30, .bcv = 0.03, .outliers = 0.1 };
	struct plan_series s;
	struct plan_fit fit;
	struct cs_rng rng;

	(void)state;
	cs_rng_seed(&rng, 2);
	sweep(&s, &t, 256, 20, &rng);
	assert_int_equal(plan_fit(s.obs, s.nobs, INFINITY, &fit), 0);
	/* a mean-based fit lands near 30 * 1.2 = 36 */
	assert_true(fabs(fit.ns_per_page / 30.0 - 1.0) < 0.03);
	/* the slowed rounds are in the interval's upper tail, not its centre */
	assert_true(fit.rel_hi > 0.5);
	assert_true(fit.rel_lo > -0.15);
}

/*
 * Rounds in two modes, as in the lab VM under TCG (docs/plan.md): each round
 * independently 1.6x slower with probability 0.45, whatever its size.  The
 * expected cost is one line at every size, so a plan fitted on 16..256 MiB
 * must predict the centre of 1 GiB's rounds within 15% in nine sweeps of
 * ten, at 16 rounds a size.  Measured here over 400 sweeps: the 10% trimmed
 * mean 372 (a plain mean 379); a 20% trimmed mean 306; the median
 * (PLAN_TRIM 0.4 on 16 rounds) 184, jumping between modes from size to size.
 */
static void test_two_modes(void **state)
{
	struct truth t = { .fixed_ns = 20000,
			   .per_page_ns = 300,
			   .bcv = 0.03,
			   .outliers = 0.45,
			   .slow_factor = 1.6 };
	struct plan_series s;
	struct cs_rng rng;
	int within = 0, trials = 400;

	(void)state;
	cs_rng_seed(&rng, 11);
	for (int i = 0; i < trials; i++) {
		struct plan_estimate e;
		struct plan_fit fit;
		double measured;

		sweep(&s, &t, 1024, 16, &rng);
		assert_int_equal(plan_fit(s.obs, s.nobs, 256 * MIB, &fit), 0);
		plan_predict(&fit, 1024 * MIB, &e);
		measured = plan_measured_center(s.obs, s.nobs, 1024 * MIB, NULL);
		within += fabs(e.ns / measured - 1.0) < 0.15;
	}
	print_message("two modes: %d of %d plans within 15%%\n", within, trials);
	assert_true(within >= trials * 90 / 100);
}

/*
 * Coverage: fit on 16..256 MiB, predict 1 GiB, draw a new 1 GiB operation
 * from the truth; over 400 sweeps about 95% must land in the interval.
 */
static void test_interval_coverage(void **state)
{
	struct truth t = { .fixed_ns = 20000, .per_page_ns = 30, .bcv = 0.08 };
	struct plan_series s;
	struct cs_rng rng;
	int inside = 0, trials = 400;

	(void)state;
	cs_rng_seed(&rng, 3);
	for (int i = 0; i < trials; i++) {
		struct plan_estimate e;
		struct plan_fit fit;
		double v;

		sweep(&s, &t, 256, 10, &rng);
		assert_int_equal(plan_fit(s.obs, s.nobs, INFINITY, &fit), 0);
		plan_predict(&fit, 1024 * MIB, &e);
		v = draw(&t, 1024 * MIB, &rng);
		inside += v >= e.lo_ns && v <= e.hi_ns;
	}
	/* binomial(400, 0.95): 2 SD is 4.4 points; allow 89..99.5% */
	assert_in_range(inside, 356, 398);
}

/* A cost per page that grows with the size: the hold-out check must say so. */
static void test_curved_truth_caught(void **state)
{
	/* per page 30 ns at 0, +50% by 256 MiB (65536 pages) */
	struct truth curved = { .per_page_ns = 30, .quad = 15.0 / 65536, .bcv = 0.02 };
	struct truth straight = { .per_page_ns = 30, .bcv = 0.02 };
	struct plan_validation vc, vs;
	struct plan_series s;
	struct plan_fit fit;
	struct cs_rng rng;

	(void)state;
	cs_rng_seed(&rng, 4);
	sweep(&s, &curved, 256, 10, &rng);
	plan_validate(&s, INFINITY, &vc);
	assert_true(vc.done);
	assert_true(vc.size_bytes == 256 * MIB);
	assert_false(vc.inside);
	assert_true(vc.error < -0.05); /* a line under-predicts a curve */
	assert_int_equal(plan_fit(s.obs, s.nobs, INFINITY, &fit), 0);
	assert_true(fit.misfit > 4.0); /* sizes far off the line */

	sweep(&s, &straight, 256, 10, &rng);
	plan_validate(&s, INFINITY, &vs);
	assert_true(vs.done && vs.inside);
	assert_true(fabs(vs.error) < 0.03);
}

/*
 * A mild curve (per-page cost +8% from 16 to 256 MiB) under 1% noise: the
 * sizes miss the line by far more than their medians' errors, so the
 * terms cannot be as sure as a straight sweep's, and the interval 4x
 * beyond the data must be much wider than for a straight sweep of the
 * same noise.  (No width covers a curve extrapolated 4x: the hold-out
 * check, test_curved_truth_caught, is what says so.)
 */
static void test_misfit_widens(void **state)
{
	struct truth curved = { .per_page_ns = 30, .quad = 2.4 / 65536, .bcv = 0.01 };
	struct truth straight = { .per_page_ns = 30, .bcv = 0.01 };
	struct plan_estimate ec, es;
	struct plan_fit fc, fs;
	struct plan_series s;
	struct cs_rng rng;
	double wc, ws;

	(void)state;
	cs_rng_seed(&rng, 6);
	sweep(&s, &curved, 256, 10, &rng);
	assert_int_equal(plan_fit(s.obs, s.nobs, INFINITY, &fc), 0);
	cs_rng_seed(&rng, 6);
	sweep(&s, &straight, 256, 10, &rng);
	assert_int_equal(plan_fit(s.obs, s.nobs, INFINITY, &fs), 0);
	plan_predict(&fc, 1024 * MIB, &ec);
	plan_predict(&fs, 1024 * MIB, &es);
	wc = (ec.hi_ns - ec.lo_ns) / ec.ns;
	ws = (es.hi_ns - es.lo_ns) / es.ns;
	print_message("misfit %.1f vs %.1f; relative width %.3f vs %.3f\n", fc.misfit, fs.misfit,
		      wc, ws);
	assert_true(fc.misfit > 4.0);
	assert_true(wc > 1.5 * ws);
}

/*
 * A clock that counts instructions (the lab VM's) scatters the rounds by
 * a fraction of a percent, and then the cost's own gentle bend is all that
 * separates the line from the truth 4x beyond the data: per page 0.7%
 * cheaper a doubling, as the lab VM's pin of 4 KiB pages drew denser
 * layouts at larger sizes (557 ns a page at 16 MiB, 518 at 1 GiB).  The
 * record assumes an error that grows with the doublings; a cost that bends
 * faster is the hold-out check's to catch (test_curved_truth_caught).  The
 * rounds' scatter alone gives an
 * interval that misses the truth; the line's record at extrapolating on the
 * same sweep must cover it, and must stay narrow for a straight cost.
 */
static void test_extrapolation_record(void **state)
{
	struct truth bent = { .per_page_ns = 30, .bend = -0.007, .bcv = 0.002 };
	struct truth straight = { .per_page_ns = 30, .bcv = 0.002 };
	struct plan_estimate e, e0;
	struct plan_series s;
	struct plan_fit fit, bare;
	struct cs_rng rng;
	double truth = truth_ns(&bent, 1024 * MIB, 0);

	(void)state;
	cs_rng_seed(&rng, 8);
	sweep(&s, &bent, 256, 10, &rng);
	assert_int_equal(plan_fit(s.obs, s.nobs, INFINITY, &fit), 0);
	assert_true(isfinite(fit.extrap_per_doubling));
	bare = fit;
	bare.extrap_per_doubling = NAN;
	plan_predict(&fit, 1024 * MIB, &e);
	plan_predict(&bare, 1024 * MIB, &e0);
	print_message("record %.2f%% per doubling; truth %.4g, predicted %.4g (%.4g .. %.4g), "
		      "scatter alone %.4g .. %.4g\n",
		      100 * fit.extrap_per_doubling, truth, e.ns, e.lo_ns, e.hi_ns, e0.lo_ns,
		      e0.hi_ns);
	assert_false(truth >= e0.lo_ns && truth <= e0.hi_ns);
	assert_true(truth >= e.lo_ns && truth <= e.hi_ns);
	/* inside the sizes fitted, the record adds nothing */
	plan_predict(&fit, 128 * MIB, &e);
	plan_predict(&bare, 128 * MIB, &e0);
	assert_true(e.lo_ns == e0.lo_ns && e.hi_ns == e0.hi_ns);

	sweep(&s, &straight, 256, 10, &rng);
	assert_int_equal(plan_fit(s.obs, s.nobs, INFINITY, &fit), 0);
	plan_predict(&fit, 1024 * MIB, &e);
	assert_true((e.hi_ns - e.lo_ns) / e.ns < 0.03);
	truth = truth_ns(&straight, 1024 * MIB, 0);
	assert_true(truth >= e.lo_ns && truth <= e.hi_ns);

	/* a record as poor as the lab VM's MAP of 4 KiB layouts: never below 0 */
	fit.extrap_per_doubling = 0.5;
	plan_predict(&fit, 1024 * MIB, &e);
	assert_true(e.lo_ns >= 0 && e.hi_ns > e.ns);
}

/* The hold-out respects --fit-max: it holds out the largest size fitted. */
static void test_validate_fit_max(void **state)
{
	struct truth t = { .per_page_ns = 30, .bcv = 0.02 };
	struct plan_validation v;
	struct plan_series s;
	struct cs_rng rng;

	(void)state;
	cs_rng_seed(&rng, 5);
	sweep(&s, &t, 1024, 6, &rng);
	plan_validate(&s, 256 * MIB, &v);
	assert_true(v.done);
	assert_true(v.size_bytes == 256 * MIB);
	assert_int_equal(v.nrounds, 6);
	/* two sizes are too few to hold one out */
	plan_validate(&s, 32 * MIB, &v);
	assert_false(v.done);
}

/* Rounds of MAP whose layouts differ: runs per page drawn from 0.05 .. 1. */
static void sweep_runs(struct plan_series *s, const struct truth *t, double lo_density,
		       double hi_density, struct cs_rng *rng)
{
	static struct plan_obs obs[256];
	static double sizes[8];

	memset(s, 0, sizeof(*s));
	s->obs = obs;
	s->sizes = sizes;
	s->terms.runs = true;
	for (double mib = 16; mib <= 1024; mib *= 2) {
		double pages = mib * MIB / 4096.0;
		/* the held-out 1 GiB comes out less fragmented than the sweep */
		double lo = mib < 1024 ? lo_density : 0.1, hi = mib < 1024 ? hi_density : 0.3;

		sizes[s->nsizes++] = mib * MIB;
		for (size_t r = 0; r < 8; r++) {
			double runs = round(pages * (lo + (hi - lo) * cs_rng_uniform(rng)));

			obs[s->nobs++] = (struct plan_obs){ .size_bytes = mib * MIB,
							    .total_ns = draw_runs(t, mib * MIB,
										  runs, rng),
							    .runs = runs };
		}
	}
}

/*
 * MAP's cost follows its layout's runs.  The per-run cost must come back
 * from rounds of one size, the line must be the one at the sweep's median
 * density, and the held-out 1 GiB (other layouts) must be predicted once
 * brought to that density; the plain line is far off.
 */
static void test_runs_term(void **state)
{
	struct truth t = { .per_page_ns = 100, .per_run_ns = 450, .bcv = 0.05 };
	struct plan_validation v, vl;
	struct plan_series s;
	struct plan_fit fit, line;
	struct cs_rng rng;

	(void)state;
	cs_rng_seed(&rng, 8);
	sweep_runs(&s, &t, 0.05, 1.0, &rng);
	assert_int_equal(plan_fit_terms(s.obs, s.nobs, 256 * MIB, &s.terms, &fit), 0);
	assert_true(fit.terms.runs);
	assert_true(fabs(fit.ns_per_run / 450.0 - 1.0) < 0.1);
	assert_in_range((int)(100 * fit.runs_per_page), 30, 75);
	assert_true(fabs(fit.ns_per_page / (100.0 + 450.0 * fit.runs_per_page) - 1.0) < 0.05);
	plan_check(&s, &fit, 1024 * MIB, &v);
	assert_true(v.done);
	assert_true(v.runs_per_page > 0.1 && v.runs_per_page < 0.3);
	assert_true(fabs(v.error) < 0.05);
	assert_true(v.inside);
	/* as measured, 1 GiB is far cheaper a page than the sweep's median layout */
	assert_true(v.as_measured_ns < 0.8 * v.measured_ns);
	assert_int_equal(plan_fit(s.obs, s.nobs, 256 * MIB, &line), 0);
	plan_check(&s, &line, 1024 * MIB, &vl);
	assert_true(fabs(vl.error) > 0.3);
	/* every round with the same runs: nothing to learn a per-run cost from */
	for (size_t i = 0; i < s.nobs; i++)
		s.obs[i].runs = s.obs[i].size_bytes / 4096.0 / 2;
	assert_int_equal(plan_fit_terms(s.obs, s.nobs, 256 * MIB, &s.terms, &fit), 0);
	assert_false(fit.terms.runs);
}

/*
 * The record of a line with a runs term, where larger buffers draw denser
 * layouts (the lab VM: 0.45 runs a page at 256 MiB, 0.1 at 1 GiB).  Each
 * smaller fit predicts at its own median density, so the size it predicts
 * must be measured at that density too: measured at the whole fit's, the
 * difference in density passed for an error of the line's shape (38.7% a
 * doubling on VFIO type1's MAP of 4 KiB pages, a cost exactly linear in
 * pages and runs) and the interval at 1 GiB spanned 0 .. 2.5x.
 */
static void test_record_runs_drift(void **state)
{
	struct truth t = { .per_page_ns = 100, .per_run_ns = 450, .bcv = 0.003 };
	static struct plan_obs obs[256];
	static double sizes[8];
	struct plan_series s = { .obs = obs, .sizes = sizes, .terms.runs = true };
	struct plan_estimate e;
	struct plan_fit fit;
	struct cs_rng rng;
	double truth;

	(void)state;
	cs_rng_seed(&rng, 11);
	for (double mib = 16; mib <= 1024; mib *= 2) {
		double pages = mib * MIB / 4096.0;
		/* the middle of the layouts halves every two doublings */
		double mid = 0.9 * pow(16.0 / mib, 0.5);

		sizes[s.nsizes++] = mib * MIB;
		for (size_t r = 0; r < 8; r++) {
			double runs = round(pages * mid * (0.5 + cs_rng_uniform(&rng)));

			obs[s.nobs++] = (struct plan_obs){ .size_bytes = mib * MIB,
							   .total_ns = draw_runs(&t, mib * MIB,
										 runs, &rng),
							   .runs = runs };
		}
	}
	assert_int_equal(plan_fit_terms(s.obs, s.nobs, 256 * MIB, &s.terms, &fit), 0);
	assert_true(fit.terms.runs);
	print_message("record %.2f%% per doubling\n", 100 * fit.extrap_per_doubling);
	assert_true(fit.extrap_per_doubling < 0.02);
	plan_predict(&fit, 1024 * MIB, &e);
	truth = truth_ns(&t, 1024 * MIB, fit.runs_per_page * 1024 * MIB / 4096.0);
	assert_true(truth >= e.lo_ns && truth <= e.hi_ns);
	assert_true((e.hi_ns - e.lo_ns) / e.ns < 0.1);
}

/*
 * The mock domain's xarray height: 6 bits of the index a level, one index
 * per 2 KiB of IOVA, the map starting at the aperture's 16 MiB.  The index
 * of IOVA 512 MiB is 64^3, so a map that ends there (496 MiB) still fits
 * three levels and one a page longer needs four (measured in the lab VM:
 * UNMAP 916 ns a page at 256 MiB, 995 at 512 MiB, docs/plan.md).
 */
static void test_mock_xa_levels(void **state)
{
	(void)state;
	assert_int_equal(plan_mock_xa_levels(16 * MIB), 3);
	assert_int_equal(plan_mock_xa_levels(256 * MIB), 3);
	assert_int_equal(plan_mock_xa_levels(496 * MIB), 3);
	assert_int_equal(plan_mock_xa_levels(496 * MIB + 4096), 4);
	assert_int_equal(plan_mock_xa_levels(1024 * MIB), 4);
	/* 64^4 indexes of 2 KiB: IOVA 32 GiB */
	assert_int_equal(plan_mock_xa_levels(32768 * MIB - 16 * MIB), 4);
	assert_int_equal(plan_mock_xa_levels(32768 * MIB), 5);
}

/*
 * Pages a call takes, by how each backend calls: io_uring an iovec of
 * pages_per_call pages, or of the whole buffer up to its 1 GiB an iovec;
 * gup_test pages_per_call at a time, or the whole range; the model and the
 * map backends: not known (NaN).
 */
static void test_call_pages(void **state)
{
	struct plan_series s = { .backend = "uring" };

	(void)state;
	assert_true(plan_call_pages(&s, 256 * MIB) == 65536);
	assert_true(plan_call_pages(&s, 1024 * MIB) == 262144);
	/* a TiB is 1024 iovecs of 1 GiB: a call stays at 1 GiB */
	assert_true(plan_call_pages(&s, 1024.0 * 1024 * MIB) == 262144);
	s.pages_per_call = 16384;
	assert_true(plan_call_pages(&s, 1024 * MIB) == 16384);
	assert_true(plan_call_pages(&s, 16 * MIB) == 4096);
	snprintf(s.backend, sizeof(s.backend), "gup_test");
	s.pages_per_call = 0;
	assert_true(plan_call_pages(&s, 4096.0 * MIB) == 1048576);
	snprintf(s.backend, sizeof(s.backend), "driver");
	assert_true(isnan(plan_call_pages(&s, 1024 * MIB)));
}

/*
 * A cache is crossed when the fitted calls' array fits it and the
 * target's does not; of several, the largest such; none when the fitted
 * calls already outgrew it (the fit saw that) or the target's still fits.
 * This machine's caches: 48 KiB, 1 MiB, 32 MiB.
 */
static void test_cache_crossed(void **state)
{
	const double caches[] = { 48 * 1024.0, MIB, 32 * MIB };

	(void)state;
	/* one iovec: 256 MiB's array is 512 KiB, 1 GiB's 2 MiB: past L2 */
	assert_int_equal(plan_cache_crossed(512 * 1024.0, 2 * MIB, caches, 3), 1);
	/* 64 MiB iovecs: 128 KiB at every size */
	assert_int_equal(plan_cache_crossed(128 * 1024.0, 128 * 1024.0, caches, 3), -1);
	/* 16 MiB fitted (32 KiB) to 64 GiB of gup_test (128 MiB): L1, L2 and L3; the largest */
	assert_int_equal(plan_cache_crossed(32 * 1024.0, 128 * MIB, caches, 3), 2);
	/* equal to a cache is in it; already past L2 when fitted: only L3 is news */
	assert_int_equal(plan_cache_crossed(MIB, 2 * MIB, caches, 3), 1);
	assert_int_equal(plan_cache_crossed(2 * MIB, 4 * MIB, caches, 3), -1);
	assert_int_equal(plan_cache_crossed(2 * MIB, 64 * MIB, caches, 3), 2);
	assert_int_equal(plan_cache_crossed(512 * 1024.0, 2 * MIB, caches, 0), -1);
}

/*
 * io_uring's segment table, as the kernels read and traced make it: a
 * segment a 4 KiB page, or from 6.12 a huge folio a segment; kmalloc holds
 * it while its 16-byte segments stay below 4 MiB (order 10).  Traced on
 * the development host (6.18): 262,140 segments (1 GiB - 16 KiB) were
 * kmalloc'ed, 262,141 vmalloc'ed (docs/plan.md).
 */
static void test_uring_table(void **state)
{
	struct plan_series s = { .backend = "uring", .folio_bytes = 4096 };
	const double kmalloc_max = 4 * MIB;

	(void)state;
	assert_true(plan_uring_coalesces("6.12.0"));
	assert_true(plan_uring_coalesces("6.18.44-fc-v1098"));
	assert_true(plan_uring_coalesces("7.0.0"));
	assert_false(plan_uring_coalesces("6.11.9"));
	assert_false(plan_uring_coalesces("6.1.0"));
	assert_false(plan_uring_coalesces("5.19.0"));
	assert_false(plan_uring_coalesces(NULL));
	assert_false(plan_uring_coalesces("unknown"));
	/* one iovec of 4 KiB pages: a segment a page, the buffer up to 1 GiB */
	assert_true(plan_uring_segments(&s, 256 * MIB, true) == 65536);
	assert_true(plan_uring_segments(&s, 1024 * MIB, true) == 262144);
	assert_true(plan_uring_segments(&s, 4096 * MIB, true) == 262144);
	/* huge folios: a segment each where the kernel merges them */
	s.folio_bytes = 2 * MIB;
	assert_true(plan_uring_segments(&s, 1024 * MIB, true) == 512);
	assert_true(plan_uring_segments(&s, 1024 * MIB, false) == 262144);
	s.folio_bytes = 1024 * MIB;
	assert_true(plan_uring_segments(&s, 1024 * MIB, true) == 1);
	/* 64 MiB iovecs */
	s.folio_bytes = 4096;
	s.pages_per_call = 16384;
	assert_true(plan_uring_segments(&s, 1024 * MIB, true) == 16384);
	snprintf(s.backend, sizeof(s.backend), "gup_test");
	assert_true(isnan(plan_uring_segments(&s, 1024 * MIB, true)));
	/*
	 * traced: 262,140 segments kmalloc'ed, 262,144 vmalloc'ed; the 3
	 * between go either way by the header, which the plan does not know
	 */
	assert_false(plan_table_vmalloced(262140, kmalloc_max));
	assert_true(plan_table_vmalloced(262144, kmalloc_max));
	assert_false(plan_table_vmalloced(131072, kmalloc_max));
	assert_false(plan_table_vmalloced(512, kmalloc_max));
	/* a kernel of order 11 (8 MiB) holds a 1 GiB call's table */
	assert_false(plan_table_vmalloced(262144, 8 * MIB));
}

/*
 * io_uring's search for folios already charged, counted by hand: the k-th
 * folio of a search looks at the k folios' segments before it, so F folios
 * make F(F-1)/2 checks a segment a folio.  Traced on 6.18: after the
 * table, 0.020, 0.076, 0.164 and 0.299 ms for 128, 256, 384 and 512 THP
 * folios in one iovec (2.3 ns a check), and 16 iovecs of 64 MiB each cost
 * the same; 6.12's io_sqe_buffers_register() counts a buffer registered
 * before the search runs on the next.
 */
static void test_uring_folio_checks(void **state)
{
	struct plan_series s = { .backend = "uring", .folio_bytes = 2 * MIB };

	(void)state;
	assert_true(plan_uring_scans_call("6.12.117+deb12-amd64"));
	assert_true(plan_uring_scans_call("6.1.0"));
	assert_true(plan_uring_scans_call("5.15.0"));
	assert_true(plan_uring_scans_call(NULL));
	assert_true(plan_uring_scans_call("unknown"));
	assert_false(plan_uring_scans_call("6.13.0"));
	assert_false(plan_uring_scans_call("6.18.44-fc-v1098"));
	assert_false(plan_uring_scans_call("7.0.0"));
	/* one iovec of THP, merged: 512 folios at 1 GiB, 128 at 256 MiB */
	assert_true(plan_uring_folio_checks(&s, 1024 * MIB, true, false) == 130816);
	assert_true(plan_uring_folio_checks(&s, 256 * MIB, true, false) == 8128);
	assert_true(plan_uring_folio_checks(&s, 2 * MIB, true, false) == 0);
	/* not merged (6.1): each new folio scans the 512 segments of each before it */
	assert_true(plan_uring_folio_checks(&s, 256 * MIB, false, true) == 512.0 * 8128);
	/* beyond io_uring's 1 GiB iovec: a search an iovec on 6.18, one a call before */
	assert_true(plan_uring_folio_checks(&s, 4096 * MIB, true, false) == 4 * 130816.0);
	assert_true(plan_uring_folio_checks(&s, 4096 * MIB, true, true) == 2048.0 * 2047 / 2);
	/* 64 MiB iovecs: 16 searches of 32 folios on 6.18, one of 512 on 6.12 */
	s.pages_per_call = 16384;
	assert_true(plan_uring_folio_checks(&s, 1024 * MIB, true, false) == 16 * 496);
	assert_true(plan_uring_folio_checks(&s, 1024 * MIB, true, true) == 130816);
	/* 4 KiB pages are charged without a search; other backends have none */
	s.folio_bytes = 4096;
	assert_true(plan_uring_folio_checks(&s, 1024 * MIB, false, true) == 0);
	s.folio_bytes = 2 * MIB;
	snprintf(s.backend, sizeof(s.backend), "driver");
	assert_true(isnan(plan_uring_folio_checks(&s, 1024 * MIB, true, false)));
}

/*
 * The search's cost fitted, drawn as the lab VM measured one iovec of THP
 * on 6.12: 40.3 ns a page and 12.6 ns a check (130,816 checks at 1 GiB,
 * 6.2 ns a page more), rounds within 0.1%, sizes 16 MiB .. 256 MiB fitted.
 * The third term finds the check's cost and predicts 1 GiB inside and
 * within 1%, where the line (the term left out) falls 10% short and
 * outside; drawn as the host's cold rounds scatter (20%), the sizes cannot
 * tell the cost from 0 and the fit is the line.  The checks are counted
 * here by hand: 8 folios at 16 MiB make 28, 512 at 1 GiB 130,816.
 */
static void test_checks_term(void **state)
{
	static const double mibs[] = { 16, 32, 48, 64, 96, 128, 192, 256, 1024 };
	static struct plan_obs obs[256];
	struct plan_series s = { .backend = "uring", .folio_bytes = 2 * MIB };
	struct plan_terms terms = { .checks = true };
	struct plan_fit fit, line;
	struct plan_estimate e, e0;
	struct cs_rng rng;
	double truth = 0;

	(void)state;
	assert_int_equal(plan_checks_terms(&s, true, false, &terms), 0);
	assert_true(plan_terms_checks(&terms, 16 * MIB) == 28);
	assert_true(plan_terms_checks(&terms, 1024 * MIB) == 130816);
	for (int noisy = 0; noisy < 2; noisy++) {
		size_t n = 0;

		cs_rng_seed(&rng, 13);
		for (size_t k = 0; k < sizeof(mibs) / sizeof(mibs[0]); k++) {
			double folios = mibs[k] / 2;

			truth = 40.3 * mibs[k] * 256 + 12.6 * folios * (folios - 1) / 2 + 20000;
			for (size_t r = 0; r < 16; r++)
				obs[n++] = (struct plan_obs){
					.size_bytes = mibs[k] * MIB,
					.total_ns = truth * (1.0 + (noisy ? 0.2 : 0.001) *
									   cs_rng_normal(&rng))
				};
		}
		assert_int_equal(plan_fit_terms(obs, n, 256 * MIB, &terms, &fit), 0);
		line = fit;
		if (noisy) {
			assert_false(fit.terms.checks);
			continue;
		}
		assert_true(fit.terms.checks);
		assert_true(fabs(fit.ns_per_check / 12.6 - 1.0) < 0.05);
		plan_predict(&fit, 1024 * MIB, &e);
		assert_int_equal(plan_fit_terms(obs, n, 256 * MIB, NULL, &line), 0);
		plan_predict(&line, 1024 * MIB, &e0);
		print_message("truth %.4g; with the search %.4g (%.4g .. %.4g), the line %.4g (.. %.4g)\n",
			      truth, e.ns, e.lo_ns, e.hi_ns, e0.ns, e0.hi_ns);
		assert_true(fabs(e.ns / truth - 1.0) < 0.01);
		assert_true(truth >= e.lo_ns && truth <= e.hi_ns);
		assert_true(e0.ns / truth - 1.0 < -0.05);
		assert_false(truth <= e0.hi_ns);
	}
}

/*
 * The mock domain's step, drawn as the lab VM measured it: 858 ns a page,
 * and 79 ns more for every page whose entries lie past IOVA 512 MiB (the
 * fourth level), rounds within 0.1%.  Fitted up to 256 MiB, the line
 * cannot see the step; the upper end of the interval must cover it by the
 * bound (a new level costing an average level of the fit's three), the
 * point and the lower end must not move, and without the term the 1 GiB
 * truth is outside.  The bound itself is counted by hand: from 256 MiB to
 * 1 GiB, the pages past 512 MiB are (16 MiB + 1 GiB - 512 MiB) / 4 KiB =
 * 135,168, at 300 / 3 ns each.
 */
static void test_mock_step(void **state)
{
	static struct plan_obs obs[128];
	struct plan_fit fit, bare;
	struct plan_estimate e, e0;
	struct cs_rng rng;
	size_t n = 0;
	double truth = 0;

	(void)state;
	assert_true(plan_mock_step_ns(256 * MIB, 1024 * MIB, 300) == 135168.0 * 100.0);
	assert_true(plan_mock_step_ns(256 * MIB, 496 * MIB, 300) == 0);
	cs_rng_seed(&rng, 12);
	for (double mib = 16; mib <= 1024; mib *= 2) {
		double pages = mib * MIB / 4096.0;
		double past = fmax(0.0, 16 * MIB + mib * MIB - 512 * MIB) / 4096.0;

		truth = 858.0 * pages + 79.0 * past;
		for (size_t r = 0; r < 6; r++)
			obs[n++] = (struct plan_obs){
				.size_bytes = mib * MIB,
				.total_ns = truth * (1.0 + 0.001 * cs_rng_normal(&rng))
			};
	}
	assert_int_equal(plan_fit_terms(obs, n, 256 * MIB, &(struct plan_terms){ .mock_xa = true },
					&fit),
			 0);
	bare = fit;
	bare.terms.mock_xa = false;
	plan_predict(&fit, 1024 * MIB, &e);
	plan_predict(&bare, 1024 * MIB, &e0);
	print_message("truth %.4g; line %.4g (%.4g .. %.4g), without the bound .. %.4g\n", truth,
		      e.ns, e.lo_ns, e.hi_ns, e0.hi_ns);
	assert_true(e.ns == e0.ns && e.lo_ns == e0.lo_ns);
	assert_false(truth <= e0.hi_ns);
	assert_true(truth >= e.lo_ns && truth <= e.hi_ns);
	/* below the boundary nothing changes */
	plan_predict(&fit, 256 * MIB, &e);
	plan_predict(&bare, 256 * MIB, &e0);
	assert_true(e.hi_ns == e0.hi_ns);
}

static void test_too_few_sizes(void **state)
{
	struct plan_obs obs[4] = {
		{ .size_bytes = 16 * MIB, .total_ns = 1e5 },
		{ .size_bytes = 16 * MIB, .total_ns = 1.1e5 },
		{ .size_bytes = 16 * MIB, .total_ns = 0.9e5 },
		{ .size_bytes = 16 * MIB, .total_ns = 1e5 },
	};
	struct plan_fit fit;

	(void)state;
	assert_int_equal(plan_fit(obs, 4, INFINITY, &fit), -1);
	obs[3].size_bytes = 64 * MIB;
	assert_int_equal(plan_fit(obs, 4, INFINITY, &fit), 0);
	/* the size limit leaves one size: no line */
	assert_int_equal(plan_fit(obs, 4, 32 * MIB, &fit), -1);
}

static void test_split(void **state)
{
	double page, folio;

	(void)state;
	/*
	 * 20 ns per page + 1000 ns per folio: 4 KiB pages cost 1020 ns each;
	 * 2 MiB folios 20 + 1000 / 512 = 21.953125 ns per page.
	 */
	assert_int_equal(plan_split(1020.0, 21.953125, 2097152.0, &page, &folio), 0);
	assert_true(fabs(page - 20.0) < 1e-9);
	assert_true(fabs(folio - 1000.0) < 1e-9);
	/* 1 GiB folios: 262144 pages each */
	assert_int_equal(plan_split(1020.0, 20.0 + 1000.0 / 262144.0, 1073741824.0, &page, &folio),
			 0);
	assert_true(fabs(folio - 1000.0) < 1e-6);
	assert_int_equal(plan_split(10.0, 10.0, 4096.0, &page, &folio), -1);
}

static void test_pt_bytes(void **state)
{
	(void)state;
	/* 1 GiB of 4 KiB leaves: 262144 PTEs = 512 leaf tables, 1 table each above */
	assert_true(plan_pt_bytes(262144, 0, 0) == 4096.0 * (512 + 1 + 1 + 1));
	/* 1 GiB of 2 MiB leaves: 512 PDEs = 1 table, + 1 + 1 */
	assert_true(plan_pt_bytes(0, 512, 0) == 4096.0 * 3);
	/* 4 GiB of 1 GiB leaves: 4 PUD entries in 1 table, + the top */
	assert_true(plan_pt_bytes(0, 0, 4) == 4096.0 * 2);
	assert_true(plan_pt_bytes(0, 0, 0) == 0);
}

static void test_folio_bytes(void **state)
{
	(void)state;
	assert_true(plan_folio_bytes("4k") == 4096.0);
	assert_true(plan_folio_bytes("memfd") == 4096.0);
	assert_true(plan_folio_bytes("thp") == 2097152.0);
	assert_true(plan_folio_bytes("hugetlb-2m") == 2097152.0);
	assert_true(plan_folio_bytes("memfd-1g") == 1073741824.0);
	assert_true(plan_folio_bytes("bogus") == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_terms_recovered),
		cmocka_unit_test(test_robust_to_busy_rounds),
		cmocka_unit_test(test_interval_coverage),
		cmocka_unit_test(test_two_modes),
		cmocka_unit_test(test_curved_truth_caught),
		cmocka_unit_test(test_extrapolation_record),
		cmocka_unit_test(test_misfit_widens),
		cmocka_unit_test(test_validate_fit_max),
		cmocka_unit_test(test_runs_term),
		cmocka_unit_test(test_record_runs_drift),
		cmocka_unit_test(test_call_pages),
		cmocka_unit_test(test_cache_crossed),
		cmocka_unit_test(test_uring_table),
		cmocka_unit_test(test_uring_folio_checks),
		cmocka_unit_test(test_checks_term),
		cmocka_unit_test(test_mock_xa_levels),
		cmocka_unit_test(test_mock_step),
		cmocka_unit_test(test_too_few_sizes),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_pt_bytes),
		cmocka_unit_test(test_folio_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
