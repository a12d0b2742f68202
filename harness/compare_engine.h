/* SPDX-License-Identifier: GPL-2.0 */
/*
 * BASE vs NEW: match benchmarks, test every metric on its rounds, decide a
 * verdict.  Shared by `pfnlab compare`, `pfnlab ab`, the compare chart of
 * `pfnlab plot` and the verdict table of `pfnlab report`.
 *
 * The observation is the round (engine.h): each round's median, on a log
 * scale.  A side made of one run has its rounds; a side made of several
 * runs (a directory) has them grouped by run.  The variance of a side's
 * mean is
 *   one run:        s^2 / n + tau^2,
 *   several runs:   the variance of the run means / k,
 * where s^2 is the variance of the round medians, n their number, k the
 * number of runs, and tau^2 the part of the run-to-run variance that rounds
 * inside one process do not see (a process's placement, the host's state
 * when it ran), taken from earlier runs of the same host and benchmark
 * (--history) when they exist, else 0 and said so.  The difference of the
 * two means is tested with Welch's t (Satterthwaite's degrees of freedom),
 * the p-values Benjamini-Hochberg adjusted within each kind of metric.
 *
 * Verdict of one metric (plots/README.md says the same for users):
 *   regressed / improved  adjusted p < alpha and the ratio of centers
 *                 beyond 1 +- threshold, in the direction `better` calls
 *                 worse / better;
 *   unchanged   the 95% CI of the ratio lies inside 1 +- threshold;
 *   undecided   otherwise: too few rounds for either, or a side's
 *                 placement did not come true.  The row says how many
 *                 rounds per side would detect the threshold at 95% power,
 *                 or that more rounds cannot (the run-to-run part
 *                 dominates).
 * Only metrics of kind "gated" (metrics.h) decide the exit status; detail
 * and layout metrics get the same statistics and their own sections.
 *
 * A run during which the machine changed speed is not a measurement of
 * the code.  Its rounds move together, so its round spread
 * (rl_round_spread(): the median between-round spread of its gated
 * metrics) stands out: when one side's is more than CMP_UNSTABLE_RATIO
 * times the other's and above CMP_UNSTABLE_FLOOR, no gated or detail row
 * is called regressed or improved; they are undecided, and the report says
 * which side was unstable.  A change in the code moves every round of a
 * run alike and leaves the spread alone.
 */
#ifndef PFNLAB_COMPARE_ENGINE_H
#define PFNLAB_COMPARE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compare_stats.h"
#include "metrics.h"
#include "result_load.h"

#define CMP_UNSTABLE_RATIO 2.0
#define CMP_UNSTABLE_FLOOR 0.08

/*
 * The floor of a metric's run-to-run variance: this quantile of the gated
 * metrics' own estimates (docs/verdicts.md has the A/A runs that set it).
 */
#ifndef CMP_TAU_QUANTILE
#define CMP_TAU_QUANTILE 0.75
#endif

enum cmp_verdict {
	CMP_UNCHANGED,
	CMP_IMPROVED,
	CMP_REGRESSED,
	CMP_UNDECIDED,
	CMP_NVERDICTS
};

const char *cmp_verdict_name(enum cmp_verdict v);

struct cmp_options {
	double threshold;	      /* effect size, fraction (0.05 = 5%) */
	double alpha;		      /* on BH-adjusted p-values */
	const char *metric_filter;    /* only metrics of this name, or NULL */
	const char *bench_filter;     /* only keys containing this, or NULL */
	const struct rl_set *history; /* earlier runs for tau^2, or NULL */
	/*
	 * Or the earlier runs from elsewhere (the results store): calls
	 * @visit with each run of one series, in run order, and returns 0
	 * (-1 on error).  Used instead of @history when set.
	 */
	int (*history_fn)(void *arg, const char *host, const char *key, const char *metric,
			  void (*visit)(void *ctx, const char *path, const struct round_stats *rs),
			  void *ctx);
	void *history_arg;
	/*
	 * A sequential comparison (pfnlab ab --until-decided) looks after
	 * every pair: the share of its most pairs this look has, in (0, 1].
	 * Below 1 a flag needs cs_obf_alpha(alpha, look_fraction).
	 */
	double look_fraction;
};

void cmp_default_options(struct cmp_options *opt);

/*
 * A --threshold argument: a percentage in [0, 100), optionally with a
 * trailing '%'.  Stores the fraction in *@frac and returns 0, else -1.
 */
int cmp_parse_percent(const char *s, double *frac);

/* Where a row's variance came from. */
enum cmp_noise {
	CMP_NOISE_ROUNDS,  /* rounds of one run per side, no tau^2 known */
	CMP_NOISE_HISTORY, /* rounds + tau^2 from earlier runs */
	CMP_NOISE_RUNS,	   /* a side of several runs: their spread */
	CMP_NOISE_NONE,	   /* not estimable: one round on a side */
};

/* Observations of one side: round medians, each with the run it came from. */
struct cmp_side {
	const double *x;
	const size_t *run;
	size_t n;
};

struct cmp_row {
	char *key;		/* benchmark key (owned) */
	const char *bench_name; /* borrowed from BASE */
	const char *metric;
	const char *unit;
	bool lower_is_better;
	enum metric_kind kind;
	size_t n_base, n_new;			/* rounds */
	size_t k_base, k_new;			/* runs */
	double median_base, median_new;		/* centers: geometric means of round medians */
	double between_cv_base, between_cv_new; /* spread of round medians */
	double within_cv_base, within_cv_new;	/* spread inside rounds (pooled) */
	bool flagged; /* a side's placement or page kind did not come true */
	bool log_scale;
	enum cmp_noise noise;
	double ratio;	     /* center new / center base; NaN if undefined */
	double ci_lo, ci_hi; /* 95% CI of the ratio; NaN when not estimable */
	double p;	     /* Welch t, two-sided */
	double p_adj;	     /* Benjamini-Hochberg within the row's kind */
	double df;
	double mde;	    /* detectable shift at 95% power (fraction); NaN */
	long rounds_needed; /* per side for the threshold; 0 unknown, -1 more
					 * rounds cannot (run-to-run variance) */
	enum cmp_verdict verdict;
	const char *why; /* for undecided: what is missing */
};

struct cmp_env_diff {
	char *path;	  /* e.g. environment.kernel.release */
	char *base, *new; /* compact JSON, "(absent)" when missing */
};

struct cmp_report {
	struct cmp_row *rows;
	size_t nrows;
	struct cmp_env_diff *env;
	size_t nenv;
	char **only_base; /* keys with no partner, for the message */
	size_t nonly_base;
	char **only_new;
	size_t nonly_new;
	size_t nskipped; /* matched, but a side skipped/failed/empty */
	size_t count[METRIC_NKINDS][CMP_NVERDICTS];
	size_t history_runs;		/* earlier runs that gave tau^2 */
	double run_to_run;		/* the gated metrics' typical tau (log scale) */
	double spread_base, spread_new; /* round spread of each side (median of its runs') */
	const char *unstable;		/* "BASE" or "NEW" when that side's run was unstable */
	bool different_machines;
	bool different_schema;
};

/*
 * Statistics of one metric from its round medians: ratio, CI, p, MDE,
 * rounds needed.  @tau2 is the run-to-run variance on the row's scale from
 * history (< 0: none) with @tau2_df degrees of freedom.  The verdict needs
 * the whole comparison (BH) and comes from cmp_decide().
 */
void cmp_metric_stats(const struct cmp_side *base, const struct cmp_side *new, double tau2,
		      double tau2_df, const struct cmp_options *opt, struct cmp_row *row);

/* BH-adjust every row's p within its kind and set its verdict. */
void cmp_decide(struct cmp_row *rows, size_t nrows, const struct cmp_options *opt);

/* The whole comparison.  Returns 0, or -1 when out of memory. */
int cmp_compare(const struct rl_set *base, const struct rl_set *new, const struct cmp_options *opt,
		struct cmp_report *rep);
void cmp_report_free(struct cmp_report *rep);

/* Gated rows with this verdict. */
size_t cmp_gated(const struct cmp_report *rep, enum cmp_verdict v);

#endif
