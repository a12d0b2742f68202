/* SPDX-License-Identifier: GPL-2.0 */
/*
 * BASE vs NEW: match benchmarks, test every metric, decide a verdict.
 * Shared by `pfnlab compare`, the compare chart of `pfnlab plot` and the
 * verdict table of `pfnlab report`.
 *
 * Verdict of one metric (plots/README.md says the same for users):
 *   significant = Benjamini-Hochberg adjusted Mann-Whitney p < alpha (0.05),
 *                 adjusted across every metric of the comparison;
 *   large       = |ratio - 1| > threshold (default 0.05), ratio being
 *                 median(NEW) / median(BASE);
 *   noisy side  summary.noisy on either side (CV above the job's noisy_cv),
 *                 or benchmark status "flagged";
 *   regressed / improved  when significant and large, in the direction the
 *                 metric's `better` calls worse / better; when a side is
 *                 noisy, the whole bootstrap CI must also lie beyond
 *                 1 +- threshold (noisy data needs a decisive interval);
 *   noisy       otherwise, when a side is noisy, or when the bootstrap 95%
 *                 CI of the ratio reaches beyond 1 +- threshold (a change
 *                 bigger than the threshold can be neither shown nor ruled
 *                 out), or the CI cannot be computed;
 *   unchanged   otherwise: the CI lies inside 1 +- threshold.
 *
 * A side whose samples are all equal (a count, or a property of the memory
 * layout measured again and again on one buffer) is one observation, not n:
 * it enters the tests as a single sample, so a layout that differs between
 * two runs is "noisy" (undecidable from one draw each), not "regressed".
 */
#ifndef PFNLAB_COMPARE_ENGINE_H
#define PFNLAB_COMPARE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compare_stats.h"
#include "result_load.h"

enum cmp_verdict {
	CMP_UNCHANGED,
	CMP_IMPROVED,
	CMP_REGRESSED,
	CMP_NOISY,
	CMP_NVERDICTS
};

const char *cmp_verdict_name(enum cmp_verdict v);

struct cmp_options {
	double threshold;		/* effect size, fraction (0.05 = 5%) */
	double alpha;			/* on BH-adjusted p-values */
	unsigned int resamples;		/* bootstrap resamples */
	uint64_t seed;			/* bootstrap PRNG seed */
	const char *metric_filter;	/* only metrics of this name, or NULL */
	const char *bench_filter;	/* only keys containing this, or NULL */
};

void cmp_default_options(struct cmp_options *opt);

/*
 * A --threshold argument: a percentage in [0, 100), optionally with a
 * trailing '%'.  Stores the fraction in *@frac and returns 0, else -1.
 */
int cmp_parse_percent(const char *s, double *frac);

struct cmp_row {
	char *key;			/* benchmark key (owned) */
	const char *bench_name;		/* borrowed from BASE */
	const char *metric;
	const char *unit;
	bool lower_is_better;
	size_t n_base, n_new;		/* samples pooled over the files */
	bool constant_base, constant_new; /* all samples equal: tested as one */
	double median_base, median_new;
	bool noisy_base, noisy_new;
	bool flagged;		/* a side's placement or page kind did not come true */
	double ratio;			/* median_new / median_base; NaN if undefined */
	double ci_lo, ci_hi;		/* NaN when the bootstrap could not run */
	double p;			/* Mann-Whitney, two-sided */
	double p_adj;			/* Benjamini-Hochberg over all rows */
	enum cmp_verdict verdict;
};

struct cmp_env_diff {
	char *path;			/* e.g. environment.kernel.release */
	char *base, *new;		/* compact JSON, "(absent)" when missing */
};

struct cmp_report {
	struct cmp_row *rows;
	size_t nrows;
	struct cmp_env_diff *env;
	size_t nenv;
	char **only_base;		/* keys with no partner, for the message */
	size_t nonly_base;
	char **only_new;
	size_t nonly_new;
	size_t nskipped;		/* matched, but a side skipped/failed/empty */
	size_t count[CMP_NVERDICTS];
	bool different_machines;
	bool different_schema;
};

/*
 * Statistics of one metric: medians, ratio, bootstrap CI, raw p.  The
 * verdict needs the whole comparison (for BH) and comes from
 * cmp_decide().
 */
void cmp_metric_stats(const double *base, size_t nb, const double *new, size_t nn,
		      const struct cmp_options *opt, struct cs_rng *rng,
		      struct cmp_row *row);

/* BH-adjust every row's p and set its verdict. */
void cmp_decide(struct cmp_row *rows, size_t nrows, const struct cmp_options *opt);

/* The whole comparison.  Returns 0, or -1 when out of memory. */
int cmp_compare(const struct rl_set *base, const struct rl_set *new,
		const struct cmp_options *opt, struct cmp_report *rep);
void cmp_report_free(struct cmp_report *rep);

#endif
