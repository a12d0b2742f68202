// SPDX-License-Identifier: GPL-2.0
/*
 * pfnlab history DIR...: every metric as a series over runs (suite/kernel
 * commits, in run order) and the points where it shifted.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "compare_engine.h"
#include "compare_history.h"
#include "result_load.h"

static void history_usage(FILE *out)
{
	fputs("usage: pfnlab history [options] DIR...\n"
	      "\n"
	      "Per benchmark and metric, the series of medians over the runs found\n"
	      "in DIR (result files or directories, searched recursively), in run\n"
	      "order (started_utc).  A change-point detector (optimal partitioning\n"
	      "of the medians with a penalty of 4 sigma^2 ln n per change, sigma the\n"
	      "larger of the run-to-run scatter and the runs' own CI) marks where a\n"
	      "metric shifted, with the size of the shift; shifts of at most the\n"
	      "threshold are not reported.\n"
	      "\n"
	      "options:\n"
	      "  --metric NAME   only this metric\n"
	      "  --bench TEXT    only benchmarks whose key contains TEXT\n"
	      "  --threshold PCT smallest shift reported, in percent (default 5)\n"
	      "  --changes       only series with a change point\n"
	      "  --json          machine-readable output on stdout\n"
	      "  -h, --help      this text\n"
	      "\n"
	      "exit status: 0, or 2 on error.\n", out);
}

static void print_text(const struct rl_set *set, const struct hist_series *series, size_t n,
		       bool only_changes)
{
	char label[512];

	printf("%zu runs:\n", set->n);
	for (size_t r = 0; r < set->n; r++) {
		hist_run_label(&set->results[r], label, sizeof(label));
		printf("  [%zu] %s  %s  %s\n", r, set->results[r].started_utc, label,
		       set->results[r].path);
	}
	for (size_t i = 0; i < n; i++) {
		const struct hist_series *s = &series[i];

		if (only_changes && s->nchanges == 0)
			continue;
		printf("\n%s\n  %s (%s, %s is better): %zu run(s), %zu change point(s)\n    medians:",
		       s->key, s->metric, s->unit, s->lower_is_better ? "lower" : "higher",
		       s->npoints, s->nchanges);
		for (size_t k = 0; k < s->npoints; k++)
			printf(" [%zu]%.4g", s->points[k].run, s->points[k].median);
		printf("\n");
		for (size_t c = 0; c < s->nchanges; c++) {
			const struct hist_change *ch = &s->changes[c];
			const struct rl_result *res = &set->results[s->points[ch->at].run];
			double shift = ch->before != 0.0 ? (ch->after / ch->before - 1.0) * 100.0 : NAN;
			bool worse = (ch->after > ch->before) == s->lower_is_better;

			hist_run_label(res, label, sizeof(label));
			printf("    change at run [%zu] (%s): %.4g -> %.4g %s (%+.1f%%, %s)\n",
			       s->points[ch->at].run, label, ch->before, ch->after, s->unit, shift,
			       worse ? "worse" : "better");
		}
	}
}

static json_t *num(double v)
{
	return isnan(v) || isinf(v) ? json_null() : json_real(v);
}

static int print_json(const struct rl_set *set, const struct hist_series *series, size_t n,
		      bool only_changes)
{
	json_t *runs = json_array(), *out = json_array(), *root;
	int ret;

	for (size_t r = 0; r < set->n; r++) {
		const struct rl_result *res = &set->results[r];

		json_array_append_new(runs, json_pack("{s:I, s:s, s:s, s:s, s:s}", "index",
						      (json_int_t)r, "path", res->path,
						      "started_utc", res->started_utc,
						      "suite_commit", res->suite_commit,
						      "kernel", rl_kernel_release(res)));
	}
	for (size_t i = 0; i < n; i++) {
		const struct hist_series *s = &series[i];
		json_t *pts = json_array(), *cps = json_array();

		if (only_changes && s->nchanges == 0) {
			json_decref(pts);
			json_decref(cps);
			continue;
		}
		for (size_t k = 0; k < s->npoints; k++)
			json_array_append_new(pts, json_pack("{s:I, s:o, s:[o, o]}", "run",
							     (json_int_t)s->points[k].run,
							     "median", num(s->points[k].median),
							     "ci95", num(s->points[k].ci_lo),
							     num(s->points[k].ci_hi)));
		for (size_t c = 0; c < s->nchanges; c++) {
			const struct hist_change *ch = &s->changes[c];

			json_array_append_new(cps, json_pack("{s:I, s:o, s:o, s:o}",
				"run", (json_int_t)s->points[ch->at].run,
				"before", num(ch->before), "after", num(ch->after),
				"shift", num(ch->before != 0.0 ? ch->after / ch->before - 1.0 : NAN)));
		}
		json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o}",
			"key", s->key, "metric", s->metric, "unit", s->unit,
			"better", s->lower_is_better ? "lower" : "higher",
			"sigma", num(s->sigma), "points", pts, "change_points", cps));
	}
	root = json_pack("{s:i, s:o, s:o}", "schema_version", 1, "runs", runs, "series", out);
	if (!root)
		return -1;
	ret = json_dumpf(root, stdout, JSON_INDENT(2));
	fputc('\n', stdout);
	json_decref(root);
	return ret;
}

int cmd_history(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "metric", required_argument, NULL, 'm' },
		{ "bench", required_argument, NULL, 'b' },
		{ "changes", no_argument, NULL, 'c' },
		{ "threshold", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *metric = NULL, *bench = NULL;
	bool json = false, only_changes = false;
	struct hist_series *series = NULL;
	struct rl_set set = { 0 };
	size_t nseries = 0;
	double min_shift = 0.05;
	int c, status = 2;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'm':
			metric = optarg;
			break;
		case 'b':
			bench = optarg;
			break;
		case 'c':
			only_changes = true;
			break;
		case 't':
			if (cmp_parse_percent(optarg, &min_shift) != 0) {
				fprintf(stderr, "pfnlab history: --threshold wants a percentage in [0, 100), got '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			history_usage(stdout);
			return 0;
		default:
			history_usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "pfnlab history: no DIR given\n");
		history_usage(stderr);
		return 2;
	}
	if (rl_load_paths(&argv[optind], (size_t)(argc - optind), &set) != 0)
		goto out;
	if (hist_build(&set, metric, bench, min_shift, &series, &nseries) != 0) {
		fprintf(stderr, "pfnlab history: out of memory\n");
		goto out;
	}
	if (nseries == 0)
		fprintf(stderr, "pfnlab history: no measured metric%s%s in these runs\n",
			metric ? " named " : "", metric ? metric : "");
	if (json) {
		if (print_json(&set, series, nseries, only_changes) != 0) {
			fprintf(stderr, "pfnlab history: cannot write JSON\n");
			goto out;
		}
	} else {
		print_text(&set, series, nseries, only_changes);
	}
	status = 0;
out:
	hist_free(series, nseries);
	rl_set_free(&set);
	return status;
}
