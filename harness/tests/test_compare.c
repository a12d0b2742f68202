// SPDX-License-Identifier: GPL-2.0
/*
 * The statistics of compare/history against hand-computed values, and the
 * quality of the verdict method itself on synthetic samples with a fixed
 * seed (issue 5, "Statistical quality"):
 *   A/A, CV 3%, 10 repetitions (the job-file default): <= 5% of 200 flagged;
 *   A/B, true +10% at CV 3%: flagged as a regression in >= 95% of 200;
 *   A/B, true +2%: not flagged at the default threshold (<= 5% of 200).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "compare_engine.h"
#include "compare_history.h"
#include "compare_stats.h"
#include "result_load.h"

#define TRIALS 200
#define REPS 10		/* bench job-file default `repetitions` */
#define CV 0.03

static void normal_samples(struct cs_rng *rng, double mean, double cv, double *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = mean * (1.0 + cv * cs_rng_normal(rng));
}

static void test_median(void **state)
{
	const double odd[] = { 5, 1, 3 };
	const double even[] = { 4, 1, 3, 2 };

	(void)state;
	assert_float_equal(cs_median(odd, 3), 3.0, 0.0);
	assert_float_equal(cs_median(even, 4), 2.5, 0.0);
	assert_true(isnan(cs_median(odd, 0)));
}

/*
 * a = {1,2,3}, b = {4,5,6}: U_a = 0, mean 4.5, var = 3*3/12 * 7 = 5.25,
 * z = (4.5 - 0.5) / sqrt(5.25) = 1.745743, p = erfc(z / sqrt 2) = 0.080856.
 */
static void test_mann_whitney_no_ties(void **state)
{
	const double a[] = { 1, 2, 3 }, b[] = { 4, 5, 6 };

	(void)state;
	assert_float_equal(cs_mann_whitney_p(a, 3, b, 3), 0.080856, 1e-5);
	/* Symmetric in its arguments. */
	assert_float_equal(cs_mann_whitney_p(b, 3, a, 3), 0.080856, 1e-5);
}

/*
 * a = {1,1,2}, b = {2,3,3}: midranks 1.5 1.5 3.5 | 3.5 5.5 5.5, R_a = 6.5,
 * U_a = 0.5; ties: three pairs, sum(t^3 - t) = 18; var = 9/12 * (7 - 18/30)
 * = 4.8; z = (4 - 0.5) / sqrt(4.8) = 1.597524; p = 0.110149.
 */
static void test_mann_whitney_ties(void **state)
{
	const double a[] = { 1, 1, 2 }, b[] = { 2, 3, 3 };
	const double same[] = { 7, 7, 7 };

	(void)state;
	assert_float_equal(cs_mann_whitney_p(a, 3, b, 3), 0.110149, 1e-5);
	/* Everything tied: no evidence at all. */
	assert_float_equal(cs_mann_whitney_p(same, 3, same, 3), 1.0, 0.0);
	assert_float_equal(cs_mann_whitney_p(a, 0, b, 3), 1.0, 0.0);
}

/*
 * p = {.01, .04, .03, .2}: sorted .01 .03 .04 .2, scaled by 4/rank
 * .04 .06 .0533 .2, running minimum from the top .04 .0533 .0533 .2.
 */
static void test_benjamini_hochberg(void **state)
{
	const double p[] = { 0.01, 0.04, 0.03, 0.2 };
	double adj[4];

	(void)state;
	cs_benjamini_hochberg(p, adj, 4);
	assert_float_equal(adj[0], 0.04, 1e-12);
	assert_float_equal(adj[1], 0.04 * 4 / 3, 1e-12);
	assert_float_equal(adj[2], 0.04 * 4 / 3, 1e-12);
	assert_float_equal(adj[3], 0.2, 1e-12);
}

static void test_bootstrap_ci(void **state)
{
	double a[REPS], b[REPS], lo, hi;
	struct cs_rng rng;
	int covered = 0;

	(void)state;
	cs_rng_seed(&rng, 1);
	for (int i = 0; i < REPS; i++) {
		a[i] = 100.0;
		b[i] = 110.0;
	}
	/* No spread: the interval is the ratio itself. */
	assert_int_equal(cs_bootstrap_ratio_ci(a, REPS, b, REPS, 500, &rng, &lo, &hi), 0);
	assert_float_equal(lo, 1.1, 1e-12);
	assert_float_equal(hi, 1.1, 1e-12);
	/* A zero base median has no ratio. */
	for (int i = 0; i < REPS; i++)
		a[i] = 0.0;
	assert_int_equal(cs_bootstrap_ratio_ci(a, REPS, b, REPS, 500, &rng, &lo, &hi), -1);

	/* Coverage of the true ratio 1.10 on noisy samples: a 95% interval
	 * from 10 + 10 samples should cover it most of the time; the percentile
	 * bootstrap of a median is known to run a little narrow, hence 85%.
	 */
	for (int t = 0; t < TRIALS; t++) {
		normal_samples(&rng, 100.0, CV, a, REPS);
		normal_samples(&rng, 110.0, CV, b, REPS);
		assert_int_equal(cs_bootstrap_ratio_ci(a, REPS, b, REPS, 1000, &rng, &lo, &hi), 0);
		assert_true(lo <= hi);
		covered += lo <= 1.1 && 1.1 <= hi;
	}
	print_message("bootstrap CI coverage of the true ratio: %d/%d\n", covered, TRIALS);
	assert_true(covered >= TRIALS * 85 / 100);
}

/* One synthetic comparison of one metric, through the real verdict code. */
static enum cmp_verdict one_trial(struct cs_rng *rng, double shift, bool lower_is_better)
{
	struct cmp_options opt;
	struct cmp_row row = { .lower_is_better = lower_is_better, .metric = "m" };
	double a[REPS], b[REPS];

	cmp_default_options(&opt);
	opt.resamples = 1000;
	normal_samples(rng, 1000.0, CV, a, REPS);
	normal_samples(rng, 1000.0 * (1.0 + shift), CV, b, REPS);
	cmp_metric_stats(a, REPS, b, REPS, &opt, rng, &row);
	cmp_decide(&row, 1, &opt);
	return row.verdict;
}

static int count_verdict(uint64_t seed, double shift, bool lower_is_better, enum cmp_verdict v)
{
	struct cs_rng rng;
	int n = 0;

	cs_rng_seed(&rng, seed);
	for (int t = 0; t < TRIALS; t++)
		n += one_trial(&rng, shift, lower_is_better) == v;
	return n;
}

static void test_quality_aa(void **state)
{
	struct cs_rng rng;
	int flagged = 0;

	(void)state;
	cs_rng_seed(&rng, 42);
	for (int t = 0; t < TRIALS; t++) {
		enum cmp_verdict v = one_trial(&rng, 0.0, true);

		flagged += v == CMP_REGRESSED || v == CMP_IMPROVED;
	}
	print_message("A/A: %d/%d flagged\n", flagged, TRIALS);
	assert_true(flagged <= TRIALS * 5 / 100);
}

static void test_quality_ab_10pct(void **state)
{
	int regressed = count_verdict(43, 0.10, true, CMP_REGRESSED);
	/* The same shift on a higher-is-better metric is an improvement. */
	int improved = count_verdict(43, 0.10, false, CMP_IMPROVED);

	(void)state;
	print_message("A/B +10%%: %d/%d regressed (lower better), %d/%d improved (higher better)\n",
		      regressed, TRIALS, improved, TRIALS);
	assert_true(regressed >= TRIALS * 95 / 100);
	assert_true(improved >= TRIALS * 95 / 100);
}

static void test_quality_ab_2pct(void **state)
{
	struct cs_rng rng;
	int flagged = 0;

	(void)state;
	cs_rng_seed(&rng, 44);
	for (int t = 0; t < TRIALS; t++) {
		enum cmp_verdict v = one_trial(&rng, 0.02, true);

		flagged += v == CMP_REGRESSED || v == CMP_IMPROVED;
	}
	print_message("A/B +2%%: %d/%d flagged\n", flagged, TRIALS);
	assert_true(flagged <= TRIALS * 5 / 100);
}

static void test_verdict_rules(void **state)
{
	struct cmp_options opt;
	struct cmp_row rows[7];

	(void)state;
	cmp_default_options(&opt);
	memset(rows, 0, sizeof(rows));
	/* significant and large, lower is better, went up */
	rows[0] = (struct cmp_row){ .lower_is_better = true, .ratio = 1.2, .ci_lo = 1.15,
				    .ci_hi = 1.25, .p = 0.001 };
	/* significant but small: the effect threshold holds it back */
	rows[1] = (struct cmp_row){ .lower_is_better = true, .ratio = 1.02, .ci_lo = 1.01,
				    .ci_hi = 1.03, .p = 0.001 };
	/* not significant, CI reaches past 1.05: undecided */
	rows[2] = (struct cmp_row){ .lower_is_better = true, .ratio = 1.06, .ci_lo = 0.98,
				    .ci_hi = 1.14, .p = 0.2 };
	/* a side flagged noisy, but the CI bounds the change inside 1 +- 5% */
	rows[3] = (struct cmp_row){ .lower_is_better = false, .ratio = 1.0, .ci_lo = 0.99,
				    .ci_hi = 1.01, .p = 0.9, .noisy_new = true };
	/* noisy side, significant, large, but the CI reaches back to 1.05 */
	rows[4] = (struct cmp_row){ .lower_is_better = true, .ratio = 1.19, .ci_lo = 1.01,
				    .ci_hi = 1.29, .p = 0.001, .noisy_base = true };
	/* noisy side and a decisive CI: the change stands */
	rows[5] = (struct cmp_row){ .lower_is_better = true, .ratio = 4.0, .ci_lo = 3.5,
				    .ci_hi = 4.6, .p = 0.001, .noisy_new = true };
	/* the same narrow CI, but a side's placement did not come true */
	rows[6] = (struct cmp_row){ .lower_is_better = false, .ratio = 1.0, .ci_lo = 0.99,
				    .ci_hi = 1.01, .p = 0.9, .noisy_new = true, .flagged = true };
	cmp_decide(rows, 7, &opt);
	assert_int_equal(rows[0].verdict, CMP_REGRESSED);
	assert_int_equal(rows[1].verdict, CMP_UNCHANGED);
	assert_int_equal(rows[2].verdict, CMP_NOISY);
	assert_int_equal(rows[3].verdict, CMP_UNCHANGED);
	assert_int_equal(rows[4].verdict, CMP_NOISY);
	assert_int_equal(rows[5].verdict, CMP_REGRESSED);
	assert_int_equal(rows[6].verdict, CMP_NOISY);
	/* BH over seven, four p = 0.001 at ranks 1-4: 0.001 * 7 / 4 = 0.00175 */
	assert_float_equal(rows[0].p_adj, 0.00175, 1e-12);
}

/*
 * Ten equal samples per side (a layout property measured on one buffer) are
 * one observation each: a difference between the two is undecidable, never
 * "regressed", however far apart the values are.
 */
static void test_constant_sides(void **state)
{
	struct cmp_options opt;
	struct cmp_row row = { .lower_is_better = true };
	double a[REPS], b[REPS], c[REPS];
	struct cs_rng rng;

	(void)state;
	cmp_default_options(&opt);
	cs_rng_seed(&rng, 3);
	for (int i = 0; i < REPS; i++) {
		a[i] = 100.0;
		b[i] = 130.0;
		c[i] = 101.0;
	}
	cmp_metric_stats(a, REPS, b, REPS, &opt, &rng, &row);
	cmp_decide(&row, 1, &opt);
	assert_true(row.constant_base && row.constant_new);
	assert_float_equal(row.p, 1.0, 0.0);
	assert_float_equal(row.ratio, 1.3, 1e-12);
	assert_int_equal(row.verdict, CMP_NOISY);

	cmp_metric_stats(a, REPS, c, REPS, &opt, &rng, &row);
	cmp_decide(&row, 1, &opt);
	assert_int_equal(row.verdict, CMP_UNCHANGED);

	/* Varying samples at the same 30% distance are a clear regression. */
	normal_samples(&rng, 100.0, CV, a, REPS);
	normal_samples(&rng, 130.0, CV, b, REPS);
	cmp_metric_stats(a, REPS, b, REPS, &opt, &rng, &row);
	cmp_decide(&row, 1, &opt);
	assert_false(row.constant_base || row.constant_new);
	assert_int_equal(row.verdict, CMP_REGRESSED);
}

/*
 * Change points: a flat noisy series should rarely get one; a step of 4
 * sigma in the middle should be found at the right index.
 */
static void test_change_points(void **state)
{
	enum { N = 30 };
	double x[N];
	size_t cps[N];
	struct cs_rng rng;
	int false_alarms = 0, found = 0;

	(void)state;
	cs_rng_seed(&rng, 7);
	for (int t = 0; t < TRIALS; t++) {
		size_t n;

		for (int i = 0; i < N; i++)
			x[i] = 100.0 + cs_rng_normal(&rng);
		n = cs_change_points(x, N, cs_bic_penalty(cs_diff_sigma(x, N), N), cps, N);
		false_alarms += n > 0;
		for (int i = 0; i < N; i++)
			x[i] = 100.0 + cs_rng_normal(&rng) + (i >= 17 ? 4.0 : 0.0);
		n = cs_change_points(x, N, cs_bic_penalty(cs_diff_sigma(x, N), N), cps, N);
		found += n == 1 && cps[0] >= 16 && cps[0] <= 18;
	}
	print_message("change points: %d/%d false alarms on flat series, %d/%d steps found at 17+-1\n",
		      false_alarms, TRIALS, found, TRIALS);
	assert_true(false_alarms <= TRIALS * 10 / 100);
	assert_true(found >= TRIALS * 90 / 100);

	/* Noise-free staircase: exact positions. */
	for (int i = 0; i < N; i++)
		x[i] = i < 10 ? 1.0 : i < 20 ? 5.0 : 2.0;
	assert_int_equal(cs_change_points(x, N, 0.5, cps, N), 2);
	assert_int_equal(cps[0], 10);
	assert_int_equal(cps[1], 20);
}

/* ---- loading result files ---- */

static char tmpdir[64];
static char last_warning[1024];

static void capture_warning(const char *msg)
{
	snprintf(last_warning, sizeof(last_warning), "%s", msg);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup_tmp(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_compare.XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	rl_set_warn(capture_warning);
	return 0;
}

static int teardown_tmp(void **state)
{
	char cmd[128];

	(void)state;
	rl_set_warn(NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *doc_template =
	"{\"schema_version\": %d, \"hostname\": \"%s\", \"suite_commit\": \"abc\","
	" \"started_utc\": \"%s\", \"complete\": true,"
	" \"environment\": {\"kernel\": {\"release\": \"%s\"},"
	"   \"numa\": {\"nodes\": [{\"id\": 0, \"hugepages\": {\"2048kB\": {\"total\": 8, \"free\": %d}}}]}},"
	" \"benchmarks\": ["
	"  {\"name\": \"pin\", \"params\": {\"size\": 4096, \"page\": \"thp\"}, \"status\": \"ok\","
	"   \"metrics\": {\"pin_ns_per_page\": {\"unit\": \"ns/page\", \"better\": \"lower\","
	"     \"samples\": [%s], \"summary\": {\"noisy\": false}}}},"
	"  {\"name\": \"only\", \"key\": \"%s|x=1\", \"status\": \"skipped\", \"reason\": \"no pool\"}"
	" ]}";

static void write_result(const char *name, int schema, const char *host, const char *when,
			 const char *kernel, int free_pages, const char *samples, const char *other)
{
	char path[256], doc[4096];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	snprintf(doc, sizeof(doc), doc_template, schema, host, when, kernel, free_pages,
		 samples, other);
	write_file(path, doc);
}

static void test_load_errors(void **state)
{
	struct rl_result res;
	char path[256], err[1024];

	(void)state;
	snprintf(path, sizeof(path), "%s/trunc.json", tmpdir);
	write_file(path, "{\"schema_version\": 1, \"benchmarks\": [");
	assert_int_equal(rl_load(path, &res, err, sizeof(err)), -1);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "truncated"));

	write_file(path, "{\"schema_version\": 1, \"benchmarks\": [} ");
	assert_int_equal(rl_load(path, &res, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "invalid JSON at line 1"));

	write_file(path, "{\"benchmarks\": []}");
	assert_int_equal(rl_load(path, &res, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "schema_version"));

	snprintf(path, sizeof(path), "%s/missing.json", tmpdir);
	assert_int_equal(rl_load(path, &res, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "missing.json: cannot read"));
}

static void test_load_and_key(void **state)
{
	struct rl_result res;
	char path[256], err[1024];

	(void)state;
	write_result("v2.json", 2, "h", "2026-01-01T00:00:00Z", "6.1", 8, "10, 11, 12", "x");
	snprintf(path, sizeof(path), "%s/v2.json", tmpdir);
	last_warning[0] = '\0';
	assert_int_equal(rl_load(path, &res, err, sizeof(err)), 0);
	/* Another schema version loads, with a warning naming the file. */
	assert_non_null(strstr(last_warning, "schema_version 2"));
	assert_non_null(strstr(last_warning, "v2.json"));
	assert_int_equal(res.nbenches, 2);
	/* No key in the file: built from the sorted params. */
	assert_string_equal(res.benches[0].key, "pin|page=thp|size=4096");
	assert_string_equal(res.benches[1].key, "x|x=1");
	assert_string_equal(res.benches[1].status, "skipped");
	assert_int_equal(res.benches[0].nmetrics, 1);
	assert_int_equal(res.benches[0].metrics[0].nsamples, 3);
	assert_float_equal(res.benches[0].metrics[0].median, 11.0, 0.0);
	assert_true(res.benches[0].metrics[0].lower_is_better);
	rl_free(&res);
}

static void test_compare_end_to_end(void **state)
{
	struct rl_set base = { 0 }, new = { 0 };
	struct cmp_options opt;
	struct cmp_report rep;
	char bpath[256], npath[256];
	char *bp = bpath, *np = npath;

	(void)state;
	write_result("base.json", 1, "h", "2026-01-01T00:00:00Z", "6.1", 8,
		     "100, 101, 99, 100, 102, 98, 100, 101, 99, 100", "a");
	write_result("new.json", 1, "h", "2026-01-02T00:00:00Z", "6.12", 3,
		     "120, 121, 119, 120, 122, 118, 120, 121, 119, 120", "b");
	snprintf(bpath, sizeof(bpath), "%s/base.json", tmpdir);
	snprintf(npath, sizeof(npath), "%s/new.json", tmpdir);
	assert_int_equal(rl_load_paths(&bp, 1, &base), 0);
	assert_int_equal(rl_load_paths(&np, 1, &new), 0);
	cmp_default_options(&opt);
	assert_int_equal(cmp_compare(&base, &new, &opt, &rep), 0);
	assert_int_equal(rep.nrows, 1);
	assert_float_equal(rep.rows[0].ratio, 1.2, 1e-12);
	assert_int_equal(rep.rows[0].verdict, CMP_REGRESSED);
	assert_int_equal(rep.count[CMP_REGRESSED], 1);
	/* the skipped benchmarks differ in key: one only in each side */
	assert_int_equal(rep.nonly_base, 1);
	assert_int_equal(rep.nonly_new, 1);
	/* kernel differs; free hugepages (load, not setup) are not reported */
	assert_int_equal(rep.nenv, 1);
	assert_string_equal(rep.env[0].path, "environment.kernel.release");
	assert_string_equal(rep.env[0].base, "\"6.1\"");
	assert_string_equal(rep.env[0].new, "\"6.12\"");
	assert_false(rep.different_machines);
	cmp_report_free(&rep);

	/* Same file against itself: unchanged. */
	assert_int_equal(cmp_compare(&base, &base, &opt, &rep), 0);
	assert_int_equal(rep.rows[0].verdict, CMP_UNCHANGED);
	assert_int_equal(rep.nenv, 0);
	cmp_report_free(&rep);
	rl_set_free(&base);
	rl_set_free(&new);
}

static void test_short_labels(void **state)
{
	char *keys[] = { "pin|backend=uring|page=4k|size=64", "pin|backend=uring|page=thp|size=64",
			 "pin|backend=uring|page=thp|size=6" };
	char *labels[3];

	(void)state;
	assert_int_equal(short_labels(keys, 3, labels), 0);
	/* backend is the same everywhere; size=64 vs size=6 must not match */
	assert_string_equal(labels[0], "pin page=4k size=64");
	assert_string_equal(labels[1], "pin page=thp size=64");
	assert_string_equal(labels[2], "pin page=thp size=6");
	for (int i = 0; i < 3; i++)
		free(labels[i]);
}

/* Six runs, the last two 30% slower: one change point at the fifth run. */
static void test_history_series(void **state)
{
	struct rl_set set = { 0 };
	struct hist_series *series = NULL;
	size_t n = 0;
	char dir[128], *dp = dir;

	(void)state;
	for (int r = 0; r < 6; r++) {
		char name[32], when[32];
		const char *samples = r < 4 ? "100, 101, 99, 100, 102" : "130, 131, 129, 130, 132";

		snprintf(name, sizeof(name), "run%d.json", r);
		snprintf(when, sizeof(when), "2026-01-0%dT00:00:00Z", r + 1);
		write_result(name, 1, "h", when, "6.1", 0, samples, "x");
	}
	snprintf(dir, sizeof(dir), "%s", tmpdir);
	assert_int_equal(rl_load_paths(&dp, 1, &set), 0);
	assert_int_equal(set.n, 6);
	assert_int_equal(hist_build(&set, "pin_ns_per_page", NULL, 0.05, &series, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(series[0].npoints, 6);
	assert_int_equal(series[0].nchanges, 1);
	assert_int_equal(series[0].changes[0].at, 4);
	assert_float_equal(series[0].changes[0].before, 100.0, 1e-9);
	assert_float_equal(series[0].changes[0].after, 130.0, 1e-9);
	hist_free(series, n);
	/* The same step is not reported when the threshold is above 30%. */
	assert_int_equal(hist_build(&set, "pin_ns_per_page", NULL, 0.35, &series, &n), 0);
	assert_int_equal(series[0].nchanges, 0);
	hist_free(series, n);
	rl_set_free(&set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_median),
		cmocka_unit_test(test_mann_whitney_no_ties),
		cmocka_unit_test(test_mann_whitney_ties),
		cmocka_unit_test(test_benjamini_hochberg),
		cmocka_unit_test(test_bootstrap_ci),
		cmocka_unit_test(test_verdict_rules),
		cmocka_unit_test(test_quality_aa),
		cmocka_unit_test(test_quality_ab_10pct),
		cmocka_unit_test(test_quality_ab_2pct),
		cmocka_unit_test(test_constant_sides),
		cmocka_unit_test(test_change_points),
		cmocka_unit_test_setup_teardown(test_load_errors, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_load_and_key, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_compare_end_to_end, setup_tmp, teardown_tmp),
		cmocka_unit_test(test_short_labels),
		cmocka_unit_test_setup_teardown(test_history_series, setup_tmp, teardown_tmp),
	};

	return cmocka_run_group_tests_name("compare", tests, NULL, NULL);
}
