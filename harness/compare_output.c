// SPDX-License-Identifier: GPL-2.0
/*
 * A comparison as a reviewer reads it (the table) or a tool does (JSON);
 * shared by `pfnlab compare` and `pfnlab ab`.
 */
#include "compare_output.h"
#include "compare_history.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *fmt_num(char *buf, size_t len, double v)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.4g", v);
	return buf;
}

static const char *run_label(const struct rl_set *set, char *buf, size_t len)
{
	const struct rl_result *r = &set->results[set->n - 1];

	if (set->n == 1)
		snprintf(buf, len, "%s (host %s, suite %s, kernel %s, %s)", r->path, r->hostname,
			 r->suite_commit, rl_kernel_release(r), r->started_utc);
	else
		snprintf(buf, len, "%zu files, newest %s (host %s, suite %s, kernel %s)", set->n,
			 r->path, r->hostname, r->suite_commit, rl_kernel_release(r));
	return buf;
}

enum {
	COL_METRIC,
	COL_UNIT,
	COL_BASE,
	COL_NEW,
	COL_RATIO,
	COL_CI,
	COL_P,
	COL_MDE,
	COL_CV,
	COL_VERDICT,
	NCOLS
};

static void fmt_cv(char *buf, size_t len, double cv)
{
	if (isnan(cv))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.0f%%", cv * 100);
}

static void row_cells(const struct cmp_row *r, char cells[NCOLS][128])
{
	char a[32], b[32], c[32], d[32];

	snprintf(cells[COL_METRIC], 128, "%s", r->metric);
	snprintf(cells[COL_UNIT], 128, "%s", r->unit);
	snprintf(cells[COL_BASE], 128, "%s (%zu)", fmt_num(a, sizeof(a), r->median_base), r->n_base);
	snprintf(cells[COL_NEW], 128, "%s (%zu)", fmt_num(a, sizeof(a), r->median_new), r->n_new);
	if (isnan(r->ratio))
		snprintf(cells[COL_RATIO], 128, "-");
	else
		snprintf(cells[COL_RATIO], 128, "%.3f", r->ratio);
	if (isnan(r->ci_lo))
		snprintf(cells[COL_CI], 128, "-");
	else
		snprintf(cells[COL_CI], 128, "[%.3f, %.3f]", r->ci_lo, r->ci_hi);
	snprintf(cells[COL_P], 128, "%.2g", r->p_adj);
	if (isnan(r->mde))
		snprintf(cells[COL_MDE], 128, "-");
	else
		snprintf(cells[COL_MDE], 128, "%.1f%%", r->mde * 100);
	fmt_cv(a, sizeof(a), r->between_cv_base);
	fmt_cv(b, sizeof(b), r->within_cv_base);
	fmt_cv(c, sizeof(c), r->between_cv_new);
	fmt_cv(d, sizeof(d), r->within_cv_new);
	snprintf(cells[COL_CV], 128, "%s/%s %s/%s", a, b, c, d);
	if (r->verdict != CMP_UNDECIDED)
		snprintf(cells[COL_VERDICT], 128, "%s", cmp_verdict_name(r->verdict));
	else if (r->rounds_needed > 0)
		snprintf(cells[COL_VERDICT], 128, "undecided (%s: ~%ld rounds per side)", r->why,
			 r->rounds_needed);
	else
		snprintf(cells[COL_VERDICT], 128, "undecided (%s)", r->why ? r->why : "");
}

static bool row_shown(const struct cmp_row *r, bool all)
{
	return all || r->kind == METRIC_GATED || r->verdict != CMP_UNCHANGED;
}

static const char *noise_text(const struct cmp_report *rep, const struct cmp_options *opt)
{
	if (rep->history_runs)
		return "rounds of each run, plus the run-to-run variance of earlier runs of this host";
	if (opt->history || opt->history_fn)
		return "rounds of each run only: --history holds fewer than 3 other runs of this "
		       "host and benchmark, so run-to-run noise is unknown and no change is called "
		       "(undecided) until it has them";
	return "rounds of each run only (no --history: a difference between processes that "
	       "rounds do not see counts as a change)";
}

static void print_section(const struct cmp_report *rep, enum metric_kind kind, bool all,
			  const char *title, char **labels)
{
	static const char *const head[NCOLS] = { "metric",	 "unit",  "base (rounds)",
						 "new (rounds)", "ratio", "95% CI",
						 "p(adj)",	 "MDE",	  "CV b/w b/w",
						 "verdict" };
	bool color = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
	int width[NCOLS];
	char cells[NCOLS][128];
	const char *last_key = "";
	size_t shown = 0;

	for (int c = 0; c < NCOLS; c++)
		width[c] = (int)strlen(head[c]);
	for (size_t i = 0; i < rep->nrows; i++) {
		if (rep->rows[i].kind != kind || !row_shown(&rep->rows[i], all))
			continue;
		shown++;
		row_cells(&rep->rows[i], cells);
		for (int c = 0; c < NCOLS; c++)
			if ((int)strlen(cells[c]) > width[c])
				width[c] = (int)strlen(cells[c]);
	}
	if (!shown)
		return;
	printf("\n%s\n  ", title);
	for (int c = 0; c < NCOLS; c++)
		printf(c < COL_BASE || c == COL_VERDICT ? "%-*s  " : "%*s  ",
		       c == NCOLS - 1 ? 0 : width[c], head[c]);
	printf("\n");
	for (size_t i = 0; i < rep->nrows; i++) {
		const struct cmp_row *r = &rep->rows[i];
		const char *on = "", *off = "";

		if (r->kind != kind || !row_shown(r, all))
			continue;
		if (strcmp(r->key, last_key) != 0) {
			printf("%s\n", labels ? labels[i] : r->key);
			last_key = r->key;
		}
		row_cells(r, cells);
		if (color && r->verdict == CMP_REGRESSED)
			on = "\033[1;31m", off = "\033[0m";
		else if (color && r->verdict == CMP_IMPROVED)
			on = "\033[1;32m", off = "\033[0m";
		printf("  ");
		for (int c = 0; c < NCOLS - 1; c++)
			printf(c < COL_BASE ? "%-*s  " : "%*s  ", width[c], cells[c]);
		printf("%s%s%s\n", on, cells[COL_VERDICT], off);
	}
}

void cmp_print_table(const struct rl_set *base, const struct rl_set *new,
		     const struct cmp_report *rep, const struct cmp_options *opt, bool all)
{
	char label[1024], **keys, **labels;
	size_t hidden = 0;

	printf("BASE  %s\n", run_label(base, label, sizeof(label)));
	printf("NEW   %s\n", run_label(new, label, sizeof(label)));
	if (rep->nenv) {
		size_t w = 0;

		printf("\nenvironment differences (BASE -> NEW):\n");
		for (size_t i = 0; i < rep->nenv; i++)
			if (strlen(rep->env[i].path) > w)
				w = strlen(rep->env[i].path);
		for (size_t i = 0; i < rep->nenv; i++)
			printf("  %-*s  %s -> %s\n", (int)w, rep->env[i].path, rep->env[i].base,
			       rep->env[i].new);
	} else {
		printf("\nenvironment: identical\n");
	}
	printf("noise model: %s\n", noise_text(rep, opt));
	if (rep->history_runs)
		printf("run to run, beyond the rounds: %.1f%% (the gated metrics' %.0fth percentile, over %zu earlier runs)\n",
		       rep->run_to_run * 100, CMP_TAU_QUANTILE * 100, rep->history_runs);
	printf("round spread (median between-round CV of the gated metrics): BASE %.1f%%, NEW %.1f%%%s\n",
	       rep->spread_base * 100, rep->spread_new * 100, rep->unstable ? "" : " (stable)");
	if (rep->unstable)
		printf("UNSTABLE: %s's rounds moved together: the machine changed speed during that run, "
		       "so no gated metric is called regressed or improved; rerun it, or compare "
		       "two builds with pfnlab ab\n",
		       rep->unstable);
	/* Benchmarks by the parameters that tell them apart (--json: whole keys). */
	keys = calloc(rep->nrows + 1, sizeof(*keys));
	labels = calloc(rep->nrows + 1, sizeof(*labels));
	for (size_t i = 0; keys && i < rep->nrows; i++)
		keys[i] = rep->rows[i].key;
	if (!keys || !labels || short_labels(keys, rep->nrows, labels) != 0) {
		free(labels);
		labels = NULL;
	}
	print_section(rep, METRIC_GATED, all, "gated (a regression here fails the comparison)",
		      labels);
	print_section(rep, METRIC_DETAIL, all,
		      "detail (rates and phases of the gated costs; never fail it)", labels);
	print_section(rep, METRIC_LAYOUT, all,
		      "layout (properties of the memory layout each round drew; never a regression)",
		      labels);
	for (size_t i = 0; labels && i < rep->nrows; i++)
		free(labels[i]);
	free(labels);
	free(keys);
	for (size_t i = 0; i < rep->nrows; i++)
		hidden += !row_shown(&rep->rows[i], all);
	if (hidden)
		printf("\n(%zu unchanged detail and layout rows not shown; --all lists them)\n",
		       hidden);
	printf("\n%zu gated metrics compared (threshold %.3g%%, alpha %.3g, BH-adjusted; "
	       "centers are geometric means of round medians; CV b/w: between/within rounds, "
	       "BASE then NEW): %zu regressed, %zu improved, %zu unchanged, %zu undecided\n",
	       rep->count[METRIC_GATED][CMP_REGRESSED] + rep->count[METRIC_GATED][CMP_IMPROVED] +
		       rep->count[METRIC_GATED][CMP_UNCHANGED] +
		       rep->count[METRIC_GATED][CMP_UNDECIDED],
	       opt->threshold * 100.0, opt->alpha, cmp_gated(rep, CMP_REGRESSED),
	       cmp_gated(rep, CMP_IMPROVED), cmp_gated(rep, CMP_UNCHANGED),
	       cmp_gated(rep, CMP_UNDECIDED));
	for (size_t i = 0; i < rep->nrows; i++)
		if (rep->rows[i].kind == METRIC_GATED && rep->rows[i].verdict == CMP_REGRESSED)
			printf("REGRESSED: %s %s: %+.1f%% (95%% CI %+.1f%% .. %+.1f%%, p(adj) %.2g)\n",
			       rep->rows[i].key, rep->rows[i].metric,
			       isnan(rep->rows[i].ratio) ? NAN : (rep->rows[i].ratio - 1.0) * 100.0,
			       (rep->rows[i].ci_lo - 1.0) * 100.0,
			       (rep->rows[i].ci_hi - 1.0) * 100.0, rep->rows[i].p_adj);
}

static json_t *num_or_null(double v)
{
	return isnan(v) || isinf(v) ? json_null() : json_real(v);
}

static json_t *side_json(const struct rl_set *set)
{
	json_t *files = json_array();
	const struct rl_result *r = &set->results[set->n - 1];

	for (size_t i = 0; i < set->n; i++)
		json_array_append_new(files, json_string(set->results[i].path));
	return json_pack("{s:o, s:s, s:s, s:s}", "files", files, "hostname", r->hostname,
			 "suite_commit", r->suite_commit, "kernel", rl_kernel_release(r));
}

static json_t *strings_json(char **list, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(list[i]));
	return a;
}

static json_t *kind_counts(const struct cmp_report *rep, enum metric_kind k)
{
	return json_pack("{s:I, s:I, s:I, s:I}", "regressed",
			 (json_int_t)rep->count[k][CMP_REGRESSED], "improved",
			 (json_int_t)rep->count[k][CMP_IMPROVED], "unchanged",
			 (json_int_t)rep->count[k][CMP_UNCHANGED], "undecided",
			 (json_int_t)rep->count[k][CMP_UNDECIDED]);
}

static const char *const noise_names[] = {
	[CMP_NOISE_ROUNDS] = "rounds",
	[CMP_NOISE_HISTORY] = "rounds+history",
	[CMP_NOISE_RUNS] = "runs",
	[CMP_NOISE_NONE] = "none",
};

int cmp_print_json(const struct rl_set *base, const struct rl_set *new,
		   const struct cmp_report *rep, const struct cmp_options *opt, int status)
{
	json_t *root, *rows = json_array(), *env = json_array();
	int ret;

	for (size_t i = 0; i < rep->nrows; i++) {
		const struct cmp_row *r = &rep->rows[i];
		json_t *row = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s,"
					" s:{s:I, s:I, s:o, s:o, s:o}, s:{s:I, s:I, s:o, s:o, s:o},"
					" s:o, s:[o, o], s:f, s:f, s:o, s:o, s:s, s:b, s:s}",
					"key", r->key, "benchmark", r->bench_name, "metric",
					r->metric, "unit", r->unit, "better",
					r->lower_is_better ? "lower" : "higher", "kind",
					metric_kind_name(r->kind), "base", "rounds",
					(json_int_t)r->n_base, "runs", (json_int_t)r->k_base,
					"center", num_or_null(r->median_base), "between_round_cv",
					num_or_null(r->between_cv_base), "within_round_cv",
					num_or_null(r->within_cv_base), "new", "rounds",
					(json_int_t)r->n_new, "runs", (json_int_t)r->k_new,
					"center", num_or_null(r->median_new), "between_round_cv",
					num_or_null(r->between_cv_new), "within_round_cv",
					num_or_null(r->within_cv_new), "ratio",
					num_or_null(r->ratio), "ci95", num_or_null(r->ci_lo),
					num_or_null(r->ci_hi), "p", r->p, "p_adj", r->p_adj, "df",
					num_or_null(r->df), "mde95", num_or_null(r->mde), "noise",
					noise_names[r->noise], "flagged", r->flagged, "verdict",
					cmp_verdict_name(r->verdict));

		json_object_set_new(row, "rounds_needed",
				    r->rounds_needed > 0 ? json_integer(r->rounds_needed) :
							   json_null());
		json_object_set_new(row, "why", r->why ? json_string(r->why) : json_null());
		json_array_append_new(rows, row);
	}
	for (size_t i = 0; i < rep->nenv; i++)
		json_array_append_new(env,
				      json_pack("{s:s, s:s, s:s}", "path", rep->env[i].path, "base",
						rep->env[i].base, "new", rep->env[i].new));
	root = json_pack("{s:i, s:o, s:o, s:f, s:f, s:o, s:b, s:b, s:o, s:o, s:I, s:o,"
			 " s:{s:o, s:o, s:o}, s:{s:s, s:I}, s:i}",
			 "schema_version", 2, "base", side_json(base), "new", side_json(new),
			 "threshold", opt->threshold, "alpha", opt->alpha, "environment_diff", env,
			 "different_machines", rep->different_machines, "different_schema",
			 rep->different_schema, "only_in_base",
			 strings_json(rep->only_base, rep->nonly_base), "only_in_new",
			 strings_json(rep->only_new, rep->nonly_new), "matched_but_not_measured",
			 (json_int_t)rep->nskipped, "metrics", rows, "summary", "gated",
			 kind_counts(rep, METRIC_GATED), "detail", kind_counts(rep, METRIC_DETAIL),
			 "layout", kind_counts(rep, METRIC_LAYOUT), "noise_model", "text",
			 noise_text(rep, opt), "history_runs", (json_int_t)rep->history_runs,
			 "exit_status", status);
	if (!root)
		return -1;
	json_object_set_new(root, "round_spread",
			    json_pack("{s:o, s:o, s:o}", "base", num_or_null(rep->spread_base),
				      "new", num_or_null(rep->spread_new), "unstable",
				      rep->unstable ? json_string(rep->unstable) : json_null()));
	ret = json_dumpf(root, stdout, JSON_INDENT(2) | JSON_ENSURE_ASCII);
	fputc('\n', stdout);
	json_decref(root);
	return ret;
}

void cmp_explain_mismatch(const struct cmp_report *rep)
{
	if (rep->different_schema)
		fprintf(stderr,
			"pfnlab: the inputs are not all schema_version %d; "
			"only benchmarks and metrics found under the same names are compared\n",
			RL_SCHEMA_VERSION);
	if (rep->different_machines)
		fprintf(stderr,
			"pfnlab: BASE and NEW come from different machines; "
			"the ratios include the hardware difference (see the environment differences)\n");
	if (rep->nonly_base || rep->nonly_new)
		fprintf(stderr,
			"pfnlab: %zu benchmark(s) only in BASE, %zu only in NEW "
			"(matched by key; --json lists them)\n",
			rep->nonly_base, rep->nonly_new);
	if (rep->nskipped)
		fprintf(stderr,
			"pfnlab: %zu matched benchmark(s) were skipped or failed on "
			"a side and are not compared\n",
			rep->nskipped);
}
