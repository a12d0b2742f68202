/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading result documents (results/README.md, schema_version 2, and 1,
 * read as one round per benchmark) back for
 * compare, history, plot and report.  Loading validates what those commands
 * rely on and says, naming the file, what is wrong; anything it can still
 * use from a doubtful file (another schema version) is kept, with a warning.
 */
#ifndef PFNLAB_RESULT_LOAD_H
#define PFNLAB_RESULT_LOAD_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "metrics.h"
#include "rounds.h"

#define RL_SCHEMA_VERSION 2

struct rl_metric {
	const char *name; /* borrowed from the JSON tree */
	const char *unit;
	bool lower_is_better;
	enum metric_kind kind; /* from the file, else from metrics.c, else gated */
	double *samples;       /* raw samples, in run order, all rounds */
	size_t nsamples;
	size_t *round_ends;    /* round k: samples[round_ends[k-1] .. round_ends[k]) */
	double *round_medians; /* NaN for an empty round */
	size_t nrounds;	       /* schema 1 files: one round */
	struct round_stats rs; /* over the rounds */
	double median;	       /* the run's estimate: rs.center with 2+ rounds,
					 * else summary.median, else of the samples */
	double ci_lo, ci_hi;   /* rounds' 95% interval, else summary ci95; NaN */
	double cv;	       /* summary.cv, NaN when absent */
	bool noisy;	       /* summary.noisy */
};

struct rl_bench {
	const char *name;
	char *key;	    /* `key`, or name|k=v|... built from params */
	const char *status; /* ok | skipped | failed | flagged | missing */
	const char *reason; /* NULL when none */
	json_t *params;	    /* borrowed; may be NULL */
	json_t *json;	    /* the whole benchmark object, borrowed */
	struct rl_metric *metrics;
	size_t nmetrics;
};

struct rl_result {
	char *path;
	json_t *root;
	long schema_version;
	const char *hostname;
	const char *suite_commit;
	const char *started_utc;
	bool complete;
	const char *incomplete_reason; /* NULL when complete or not said */
	json_t *environment;	       /* borrowed; may be NULL */
	struct rl_bench *benches;
	size_t nbenches;
	double round_spread; /* rl_round_spread() */
};

struct rl_set {
	struct rl_result *results;
	size_t n;
};

/* Message sink for warnings; the default prints "pfnlab: ..." to stderr. */
typedef void (*rl_warn_fn)(const char *msg);
void rl_set_warn(rl_warn_fn fn);
void rl_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Load one result file.  Returns 0, or -1 with "PATH: reason" in @err when
 * the file cannot be used at all (unreadable, invalid or truncated JSON, not
 * a result document).  Usable oddities are reported through rl_warn().
 */
int rl_load(const char *path, struct rl_result *res, char *err, size_t errlen);
void rl_free(struct rl_result *res);

/*
 * Load every path: a file, or a directory searched recursively for *.json.
 * Files named directly must load; a bad file found inside a directory is
 * reported and skipped.  Results are appended to @set in run order
 * (started_utc, then path).  Returns 0, or -1 after printing why.
 */
int rl_load_paths(char *const *paths, size_t npaths, struct rl_set *set);
void rl_set_free(struct rl_set *set);

/*
 * Every *.json file below @root, as paths relative to it: each directory's
 * entries in name order, names starting with '.' skipped.  Returns 0, or
 * -1 after saying which directory could not be read (@out left empty).
 */
struct rl_names {
	char **names;
	size_t n, cap;
};
int rl_list_json(const char *root, struct rl_names *out);
void rl_names_free(struct rl_names *l);

/*
 * rl_load_paths without keeping the documents: @fn gets each loaded
 * result in turn (in path order, not run order) and owns it (rl_free).
 * A non-zero return from @fn stops the walk.  Returns 0, or -1.
 */
typedef int (*rl_visit_fn)(struct rl_result *res, void *arg);
int rl_walk(char *const *paths, size_t npaths, rl_visit_fn fn, void *arg);

/*
 * How much the rounds of a run spread, all its gated metrics together: the
 * median over them of the spread between rounds (between_cv).  A run
 * during which the machine changed speed (another tenant, a frequency
 * change) has its rounds move together and stands out against a calm
 * run of the same job; a change in the code moves every round alike and
 * does not.  NaN without two rounds anywhere.
 */
double rl_round_spread(const struct rl_result *res);

/* @bench was measured: status ok, or flagged (measured, placement not as asked). */
bool rl_bench_measured(const struct rl_bench *bench);

/* The first metric of @bench named @name, or NULL. */
const struct rl_metric *rl_find_metric(const struct rl_bench *bench, const char *name);

/* A parameter as a number (NaN when absent or not numeric) or string. */
double rl_param_num(const struct rl_bench *bench, const char *name);
const char *rl_param_str(const struct rl_bench *bench, const char *name);

/* Kernel release of the run ("unknown" when absent). */
const char *rl_kernel_release(const struct rl_result *res);

#endif
