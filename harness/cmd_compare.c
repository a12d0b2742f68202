// SPDX-License-Identifier: GPL-2.0
/*
 * pfnlab compare BASE NEW: the verdict a reviewer acts on.  The method is in
 * compare_engine.h; this file reads the arguments and prints.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "compare_engine.h"
#include "result_load.h"

/* git bisect run: 125 = cannot test this commit; >127 aborts the bisect. */
#define BISECT_SKIP 125
#define BISECT_ABORT 128

static void compare_usage(FILE *out)
{
	fputs("usage: pfnlab compare [options] BASE NEW\n"
	      "\n"
	      "Compare two sets of results.  BASE and NEW are result files or\n"
	      "directories (searched recursively for *.json; samples of the same\n"
	      "benchmark are pooled over the files of a side).  Benchmarks are\n"
	      "matched by their key (section + every parameter).  For each metric:\n"
	      "the ratio of medians NEW/BASE with a bootstrap 95% CI, a Mann-Whitney\n"
	      "p-value adjusted by Benjamini-Hochberg across every metric compared,\n"
	      "and a verdict:\n"
	      "  regressed/improved  adjusted p < alpha and |ratio - 1| > threshold,\n"
	      "                      in the direction the metric's `better` says; when\n"
	      "                      a side is noisy (CV over the job's noisy_cv), the\n"
	      "                      whole CI must lie beyond 1 +- threshold too\n"
	      "  noisy               otherwise, when a side is flagged noisy or the\n"
	      "                      CI reaches beyond 1 +- threshold\n"
	      "  unchanged           otherwise\n"
	      "A side whose samples are all equal (a count, a property of the memory\n"
	      "layout) enters the tests as one observation; the table marks it '='.\n"
	      "\n"
	      "options:\n"
	      "  --threshold PCT   effect threshold in percent (default 5)\n"
	      "  --alpha P         significance level on adjusted p (default 0.05)\n"
	      "  --metric NAME     compare only this metric (e.g. pin_ns_per_page)\n"
	      "  --bench TEXT      compare only benchmarks whose key contains TEXT\n"
	      "  --resamples N     bootstrap resamples (default 2000)\n"
	      "  --seed N          bootstrap seed (default fixed: reruns agree)\n"
	      "  --json            machine-readable output on stdout\n"
	      "  --bisect          exit for `git bisect run`: 0 good, 1 bad (something\n"
	      "                    regressed), 125 too noisy to decide, 128 on error\n"
	      "  -h, --help        this text\n"
	      "\n"
	      "exit status: 0 nothing regressed, 1 something regressed, 2 error\n"
	      "(unreadable input, no benchmark in common).\n", out);
}

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
		snprintf(buf, len, "%s (host %s, suite %s, kernel %s, %s)", r->path,
			 r->hostname, r->suite_commit, rl_kernel_release(r), r->started_utc);
	else
		snprintf(buf, len, "%zu files, newest %s (host %s, suite %s, kernel %s)",
			 set->n, r->path, r->hostname, r->suite_commit, rl_kernel_release(r));
	return buf;
}

enum { COL_METRIC, COL_UNIT, COL_BASE, COL_NEW, COL_RATIO, COL_CI, COL_P, COL_VERDICT, NCOLS };

static void row_cells(const struct cmp_row *r, char cells[NCOLS][96])
{
	char a[32], b[32];

	snprintf(cells[COL_METRIC], 96, "%s", r->metric);
	snprintf(cells[COL_UNIT], 96, "%s", r->unit);
	snprintf(cells[COL_BASE], 96, "%s (%zu%s)%s", fmt_num(a, sizeof(a), r->median_base),
		 r->n_base, r->constant_base ? "=" : "", r->noisy_base ? "~" : "");
	snprintf(cells[COL_NEW], 96, "%s (%zu%s)%s", fmt_num(a, sizeof(a), r->median_new),
		 r->n_new, r->constant_new ? "=" : "", r->noisy_new ? "~" : "");
	if (isnan(r->ratio))
		snprintf(cells[COL_RATIO], 96, "-");
	else
		snprintf(cells[COL_RATIO], 96, "%.3f", r->ratio);
	if (isnan(r->ci_lo))
		snprintf(cells[COL_CI], 96, "-");
	else
		snprintf(cells[COL_CI], 96, "[%s, %s]", fmt_num(a, sizeof(a), r->ci_lo),
			 fmt_num(b, sizeof(b), r->ci_hi));
	snprintf(cells[COL_P], 96, "%.2g", r->p_adj);
	snprintf(cells[COL_VERDICT], 96, "%s", cmp_verdict_name(r->verdict));
}

static void print_table(const struct rl_set *base, const struct rl_set *new,
			const struct cmp_report *rep, const struct cmp_options *opt)
{
	static const char *const head[NCOLS] = {
		"metric", "unit", "base (n)", "new (n)", "ratio", "95% CI", "p(adj)", "verdict"
	};
	bool color = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
	int width[NCOLS];
	char cells[NCOLS][96], label[1024];
	const char *last_key = "";

	printf("BASE  %s\n", run_label(base, label, sizeof(label)));
	printf("NEW   %s\n", run_label(new, label, sizeof(label)));
	if (rep->nenv) {
		size_t w = 0;

		printf("\nenvironment differences (BASE -> NEW):\n");
		for (size_t i = 0; i < rep->nenv; i++)
			if (strlen(rep->env[i].path) > w)
				w = strlen(rep->env[i].path);
		for (size_t i = 0; i < rep->nenv; i++)
			printf("  %-*s  %s -> %s\n", (int)w, rep->env[i].path,
			       rep->env[i].base, rep->env[i].new);
	} else {
		printf("\nenvironment: identical\n");
	}

	for (int c = 0; c < NCOLS; c++)
		width[c] = (int)strlen(head[c]);
	for (size_t i = 0; i < rep->nrows; i++) {
		row_cells(&rep->rows[i], cells);
		for (int c = 0; c < NCOLS; c++)
			if ((int)strlen(cells[c]) > width[c])
				width[c] = (int)strlen(cells[c]);
	}
	if (rep->nrows) {
		printf("\n  ");
		for (int c = 0; c < NCOLS; c++)
			printf(c < COL_BASE || c == COL_VERDICT ? "%-*s  " : "%*s  ",
			       c == NCOLS - 1 ? 0 : width[c], head[c]);
		printf("\n");
	}
	for (size_t i = 0; i < rep->nrows; i++) {
		const struct cmp_row *r = &rep->rows[i];
		const char *on = "", *off = "";

		if (strcmp(r->key, last_key) != 0) {
			printf("%s\n", r->key);
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
	printf("\n%zu metrics compared (threshold %.3g%%, alpha %.3g, BH-adjusted; ~ noisy side, "
	       "= all samples equal, tested as one): "
	       "%zu regressed, %zu improved, %zu unchanged, %zu noisy\n",
	       rep->nrows, opt->threshold * 100.0, opt->alpha, rep->count[CMP_REGRESSED],
	       rep->count[CMP_IMPROVED], rep->count[CMP_UNCHANGED], rep->count[CMP_NOISY]);
	for (size_t i = 0; i < rep->nrows; i++)
		if (rep->rows[i].verdict == CMP_REGRESSED)
			printf("REGRESSED: %s %s: %+.1f%%\n", rep->rows[i].key, rep->rows[i].metric,
			       isnan(rep->rows[i].ratio) ? NAN : (rep->rows[i].ratio - 1.0) * 100.0);
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

static int print_json(const struct rl_set *base, const struct rl_set *new,
		      const struct cmp_report *rep, const struct cmp_options *opt, int status)
{
	json_t *root, *rows = json_array(), *env = json_array();
	int ret;

	for (size_t i = 0; i < rep->nrows; i++) {
		const struct cmp_row *r = &rep->rows[i];

		json_array_append_new(rows, json_pack(
			"{s:s, s:s, s:s, s:s, s:s, s:{s:I, s:o, s:b, s:b}, s:{s:I, s:o, s:b, s:b},"
			" s:o, s:[o, o], s:f, s:f, s:s}",
			"key", r->key, "benchmark", r->bench_name, "metric", r->metric,
			"unit", r->unit, "better", r->lower_is_better ? "lower" : "higher",
			"base", "n", (json_int_t)r->n_base, "median", num_or_null(r->median_base),
			"noisy", r->noisy_base, "constant", r->constant_base,
			"new", "n", (json_int_t)r->n_new, "median", num_or_null(r->median_new),
			"noisy", r->noisy_new, "constant", r->constant_new,
			"ratio", num_or_null(r->ratio),
			"ci95", num_or_null(r->ci_lo), num_or_null(r->ci_hi),
			"p", r->p, "p_adj", r->p_adj, "verdict", cmp_verdict_name(r->verdict)));
	}
	for (size_t i = 0; i < rep->nenv; i++)
		json_array_append_new(env, json_pack("{s:s, s:s, s:s}", "path", rep->env[i].path,
						     "base", rep->env[i].base, "new", rep->env[i].new));
	root = json_pack("{s:i, s:o, s:o, s:f, s:f, s:I, s:o, s:b, s:b, s:o, s:o, s:I, s:o,"
			 " s:{s:I, s:I, s:I, s:I}, s:i}",
			 "schema_version", 1, "base", side_json(base), "new", side_json(new),
			 "threshold", opt->threshold, "alpha", opt->alpha,
			 "resamples", (json_int_t)opt->resamples,
			 "environment_diff", env,
			 "different_machines", rep->different_machines,
			 "different_schema", rep->different_schema,
			 "only_in_base", strings_json(rep->only_base, rep->nonly_base),
			 "only_in_new", strings_json(rep->only_new, rep->nonly_new),
			 "matched_but_not_measured", (json_int_t)rep->nskipped,
			 "metrics", rows,
			 "summary", "regressed", (json_int_t)rep->count[CMP_REGRESSED],
			 "improved", (json_int_t)rep->count[CMP_IMPROVED],
			 "unchanged", (json_int_t)rep->count[CMP_UNCHANGED],
			 "noisy", (json_int_t)rep->count[CMP_NOISY],
			 "exit_status", status);
	if (!root)
		return -1;
	ret = json_dumpf(root, stdout, JSON_INDENT(2) | JSON_ENSURE_ASCII);
	fputc('\n', stdout);
	json_decref(root);
	return ret;
}

static void explain_mismatch(const struct cmp_report *rep)
{
	if (rep->different_schema)
		fprintf(stderr, "pfnlab compare: the inputs are not all schema_version %d; "
			"only benchmarks and metrics found under the same names are compared\n",
			RL_SCHEMA_VERSION);
	if (rep->different_machines)
		fprintf(stderr, "pfnlab compare: BASE and NEW come from different machines; "
			"the ratios include the hardware difference (see the environment differences)\n");
	if (rep->nonly_base || rep->nonly_new)
		fprintf(stderr, "pfnlab compare: %zu benchmark(s) only in BASE, %zu only in NEW "
			"(matched by key; --json lists them)\n", rep->nonly_base, rep->nonly_new);
	if (rep->nskipped)
		fprintf(stderr, "pfnlab compare: %zu matched benchmark(s) were skipped or failed on "
			"a side and are not compared\n", rep->nskipped);
}

static int parse_double(const char *s, double *out)
{
	char *end;

	*out = strtod(s, &end);
	if (end == s || (*end && strcmp(end, "%") != 0) || isnan(*out))
		return -1;
	return 0;
}

int cmd_compare(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "threshold", required_argument, NULL, 't' },
		{ "alpha", required_argument, NULL, 'a' },
		{ "metric", required_argument, NULL, 'm' },
		{ "bench", required_argument, NULL, 'b' },
		{ "resamples", required_argument, NULL, 'r' },
		{ "seed", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "bisect", no_argument, NULL, 'B' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct rl_set base = { 0 }, new = { 0 };
	struct cmp_options opt;
	struct cmp_report rep;
	bool json = false, bisect = false;
	int c, status, err_status;
	double v;

	cmp_default_options(&opt);
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (cmp_parse_percent(optarg, &opt.threshold) != 0) {
				fprintf(stderr, "pfnlab compare: --threshold wants a percentage in [0, 100), got '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'a':
			if (parse_double(optarg, &v) != 0 || v <= 0 || v >= 1) {
				fprintf(stderr, "pfnlab compare: --alpha wants a probability in (0, 1), got '%s'\n",
					optarg);
				return 2;
			}
			opt.alpha = v;
			break;
		case 'm':
			opt.metric_filter = optarg;
			break;
		case 'b':
			opt.bench_filter = optarg;
			break;
		case 'r':
			if (parse_double(optarg, &v) != 0 || v < 100 || v > 1e6) {
				fprintf(stderr, "pfnlab compare: --resamples wants 100 .. 1000000, got '%s'\n",
					optarg);
				return 2;
			}
			opt.resamples = (unsigned int)v;
			break;
		case 's':
			opt.seed = strtoull(optarg, NULL, 0);
			break;
		case 'j':
			json = true;
			break;
		case 'B':
			bisect = true;
			break;
		case 'h':
			compare_usage(stdout);
			return 0;
		default:
			compare_usage(stderr);
			return 2;
		}
	}
	err_status = bisect ? BISECT_ABORT : 2;
	if (argc - optind != 2) {
		fprintf(stderr, "pfnlab compare: need exactly two arguments, BASE and NEW\n");
		compare_usage(stderr);
		return err_status;
	}
	if (rl_load_paths(&argv[optind], 1, &base) != 0 ||
	    rl_load_paths(&argv[optind + 1], 1, &new) != 0) {
		rl_set_free(&base);
		rl_set_free(&new);
		return err_status;
	}
	if (cmp_compare(&base, &new, &opt, &rep) != 0) {
		fprintf(stderr, "pfnlab compare: out of memory\n");
		status = err_status;
		goto out;
	}
	explain_mismatch(&rep);
	if (rep.nrows == 0) {
		fprintf(stderr, "pfnlab compare: no metric in common between %s and %s%s: nothing to compare\n",
			argv[optind], argv[optind + 1],
			opt.metric_filter || opt.bench_filter ? " (after --metric/--bench)" : "");
		status = bisect ? BISECT_SKIP : 2;
	} else if (rep.count[CMP_REGRESSED]) {
		status = 1;
	} else if (bisect && rep.count[CMP_NOISY]) {
		status = BISECT_SKIP;
	} else {
		status = 0;
	}
	if (json) {
		if (print_json(&base, &new, &rep, &opt, status) != 0) {
			fprintf(stderr, "pfnlab compare: cannot write JSON\n");
			status = err_status;
		}
	} else if (rep.nrows) {
		print_table(&base, &new, &rep, &opt);
	}
	cmp_report_free(&rep);
out:
	rl_set_free(&base);
	rl_set_free(&new);
	return status;
}
