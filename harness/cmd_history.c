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
#include "store.h"

static void history_usage(FILE *out)
{
	fputs("usage: pfnlab history [options] DIR...\n"
	      "\n"
	      "Per host, benchmark and metric, the series of medians over the runs\n"
	      "found in DIR (result files or directories, searched recursively), in\n"
	      "run order (started_utc).  A change-point detector (optimal partitioning\n"
	      "of the medians with a penalty of 4 sigma^2 ln n per change, sigma the\n"
	      "larger of the run-to-run scatter and the runs' own CI) marks where a\n"
	      "metric shifted, with the size of the shift; shifts of at most the\n"
	      "threshold are not reported, and a level that lasts one run between\n"
	      "two that agree is listed as an odd run, not as two changes.\n"
	      "\n"
	      "When DIR is one directory with a results store (" STORE_FILE ",\n"
	      "made by `pfnlab index DIR`), the store is brought up to date and the\n"
	      "series are read from it one at a time; otherwise the files are read\n"
	      "one at a time and only the selected series are kept.\n"
	      "\n"
	      "options:\n"
	      "  --metric NAME   only this metric\n"
	      "  --bench TEXT    only benchmarks whose key contains TEXT\n"
	      "  --host NAME     only runs of this host\n"
	      "  --kernel REL    only runs of this kernel release\n"
	      "  --commits A..B  only runs from the first of suite commit A to the last\n"
	      "                  of B, in run order (prefixes; either side may be empty)\n"
	      "  --threshold PCT smallest shift reported, in percent (default 5)\n"
	      "  --changes       only series with a change point\n"
	      "  --no-store      read the files even where a store exists\n"
	      "  --json          machine-readable output on stdout\n"
	      "  -h, --help      this text\n"
	      "\n"
	      "exit status: 0, or 2 on error.\n",
	      out);
}

struct hist_out {
	const struct hist_runs *runs;
	bool json, only_changes, multi_host;
	double min_shift;
	size_t nseries, nprinted;
};

static bool several_hosts(const struct hist_runs *runs)
{
	for (size_t r = 1; r < runs->n; r++)
		if (strcmp(runs->runs[r].host, runs->runs[0].host) != 0)
			return true;
	return false;
}

static void run_label(const struct hist_run *run, char *buf, size_t len)
{
	snprintf(buf, len, "%s %s", run->suite_commit, run->kernel);
}

static json_t *num(double v)
{
	return isnan(v) || isinf(v) ? json_null() : json_real(v);
}

static void print_runs(const struct hist_out *o)
{
	const struct hist_runs *runs = o->runs;
	char label[512];

	if (o->json) {
		printf("{\n  \"schema_version\": 1,\n  \"runs\": [");
		for (size_t r = 0; r < runs->n; r++) {
			const struct hist_run *run = &runs->runs[r];
			json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "index",
					      (json_int_t)r, "path", run->path, "started_utc",
					      run->started_utc, "suite_commit", run->suite_commit,
					      "kernel", run->kernel, "host", run->host);
			char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;

			printf("%s\n    %s", r ? "," : "", text ? text : "null");
			free(text);
			json_decref(j);
		}
		printf("\n  ],\n  \"series\": [");
		return;
	}
	printf("%zu runs:\n", runs->n);
	for (size_t r = 0; r < runs->n; r++) {
		run_label(&runs->runs[r], label, sizeof(label));
		printf("  [%zu] %s  %s  %s\n", r, runs->runs[r].started_utc, label,
		       runs->runs[r].path);
	}
}

static void print_series_json(struct hist_out *o, const struct hist_series *s)
{
	json_t *pts = json_array(), *cps = json_array(), *odd = json_array(), *j;
	char *text;

	for (size_t k = 0; k < s->npoints; k++)
		json_array_append_new(pts,
				      json_pack("{s:I, s:o, s:[o, o]}", "run",
						(json_int_t)s->points[k].run, "median",
						num(s->points[k].median), "ci95",
						num(s->points[k].ci_lo), num(s->points[k].ci_hi)));
	for (size_t c = 0; c < s->nchanges; c++) {
		const struct hist_change *ch = &s->changes[c];

		json_array_append_new(cps,
				      json_pack("{s:I, s:o, s:o, s:o}", "run",
						(json_int_t)s->points[ch->at].run, "before",
						num(ch->before), "after", num(ch->after), "shift",
						num(ch->before != 0.0 ? ch->after / ch->before - 1.0 :
									NAN)));
	}
	for (size_t k = 0; k < s->noutliers; k++)
		json_array_append_new(odd, json_integer((json_int_t)s->points[s->outliers[k]].run));
	j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o}", "host", s->host, "key",
		      s->key, "metric", s->metric, "kind", metric_kind_name(s->kind), "unit",
		      s->unit, "better", s->lower_is_better ? "lower" : "higher", "sigma",
		      num(s->sigma), "points", pts, "change_points", cps, "outlier_runs", odd);
	text = j ? json_dumps(j, JSON_COMPACT) : NULL;
	printf("%s\n    %s", o->nprinted ? "," : "", text ? text : "null");
	free(text);
	json_decref(j);
}

static void print_series_text(const struct hist_out *o, const struct hist_series *s)
{
	char label[512];

	printf("\n%s%s%s\n  %s (%s, %s is better): %zu run(s), %zu change point(s)\n    medians:",
	       s->key, o->multi_host ? " on " : "", o->multi_host ? s->host : "", s->metric,
	       s->unit, s->lower_is_better ? "lower" : "higher", s->npoints, s->nchanges);
	for (size_t k = 0; k < s->npoints; k++)
		printf(" [%zu]%.4g", s->points[k].run, s->points[k].median);
	printf("\n");
	for (size_t c = 0; c < s->nchanges; c++) {
		const struct hist_change *ch = &s->changes[c];
		const struct hist_run *run = &o->runs->runs[s->points[ch->at].run];
		double shift = ch->before != 0.0 ? (ch->after / ch->before - 1.0) * 100.0 : NAN;
		bool worse = (ch->after > ch->before) == s->lower_is_better;

		run_label(run, label, sizeof(label));
		printf("    change at run [%zu] (%s): %.4g -> %.4g %s (%+.1f%%, %s)\n",
		       s->points[ch->at].run, label, ch->before, ch->after, s->unit, shift,
		       worse ? "worse" : "better");
	}
	if (s->noutliers) {
		printf("    odd run(s), one run off a level that came back:");
		for (size_t k = 0; k < s->noutliers; k++)
			printf(" [%zu]%.4g", s->points[s->outliers[k]].run,
			       s->points[s->outliers[k]].median);
		printf("\n");
	}
}

/* One series, its change points found (store mode) or already there. */
static int print_series(struct hist_series *s, void *arg)
{
	struct hist_out *o = arg;

	if (!s->changes && hist_detect(s, o->min_shift) != 0)
		return -1;
	o->nseries++;
	if (o->only_changes && s->nchanges == 0)
		return 0;
	if (o->json)
		print_series_json(o, s);
	else
		print_series_text(o, s);
	o->nprinted++;
	return 0;
}

static void print_end(const struct hist_out *o)
{
	if (o->json)
		printf("\n  ]\n}\n");
}

/* Split A..B into the query's commit range. */
static int parse_commits(char *arg, struct store_query *q)
{
	char *dots = strstr(arg, "..");

	if (!dots)
		return -1;
	*dots = '\0';
	q->commit_from = arg[0] ? arg : NULL;
	q->commit_to = dots[2] ? dots + 2 : NULL;
	return 0;
}

static int history_store(struct store *st, const struct store_query *q, struct hist_out *o)
{
	struct store_sync_stats stats = { 0 };
	struct hist_runs runs = { 0 };
	char err[1024];
	int ret = -1;

	if (store_sync(st, &stats) != 0)
		return -1;
	if (stats.added || stats.updated || stats.removed)
		fprintf(stderr,
			"pfnlab history: store %s/%s brought up to date: %zu added, %zu updated, %zu removed\n",
			store_dir(st), STORE_FILE, stats.added, stats.updated, stats.removed);
	if (store_runs(st, q, &runs, err, sizeof(err)) != 0) {
		fprintf(stderr, "pfnlab history: %s\n", err);
		goto out;
	}
	o->runs = &runs;
	o->multi_host = several_hosts(&runs);
	print_runs(o);
	if (store_each_series(st, q, &runs, print_series, o, err, sizeof(err)) != 0) {
		fprintf(stderr, "pfnlab history: %s\n", err);
		goto out;
	}
	print_end(o);
	ret = 0;
out:
	o->runs = NULL;
	hist_runs_free(&runs);
	return ret;
}

/* Keep the runs inside the commit range and the points of those, renumbered. */
static int cut_runs(struct hist_runs *runs, struct hist_series *series, size_t n,
		    const struct store_query *q)
{
	size_t from, to;
	char err[256];

	if (hist_runs_commit_range(runs, q->commit_from, q->commit_to, &from, &to, err,
				   sizeof(err)) != 0) {
		fprintf(stderr, "pfnlab history: %s\n", err);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		size_t kept = 0;

		for (size_t k = 0; k < series[i].npoints; k++) {
			struct hist_point p = series[i].points[k];

			if (p.run < from || p.run >= to)
				continue;
			p.run -= from;
			series[i].points[kept++] = p;
		}
		series[i].npoints = kept;
		free(series[i].changes);
		free(series[i].outliers);
		series[i].changes = NULL;
		series[i].outliers = NULL;
		series[i].nchanges = 0;
		series[i].noutliers = 0;
	}
	hist_runs_keep(runs, from, to);
	return 0;
}

static int history_files(char *const *paths, size_t npaths, const struct store_query *q,
			 struct hist_out *o)
{
	struct hist_series *series = NULL;
	struct hist_runs runs = { 0 };
	size_t nseries = 0;
	int ret = -1;

	if (hist_build_stream(paths, npaths, q->host, q->kernel, q->metric, q->bench, o->min_shift,
			      &runs, &series, &nseries) != 0)
		goto out;
	if ((q->commit_from || q->commit_to) && cut_runs(&runs, series, nseries, q) != 0)
		goto out;
	o->runs = &runs;
	o->multi_host = several_hosts(&runs);
	print_runs(o);
	for (size_t i = 0; i < nseries; i++)
		if (series[i].npoints && print_series(&series[i], o) != 0)
			goto out;
	print_end(o);
	ret = 0;
out:
	o->runs = NULL;
	hist_free(series, nseries);
	hist_runs_free(&runs);
	return ret;
}

int cmd_history(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "metric", required_argument, NULL, 'm' },
		{ "bench", required_argument, NULL, 'b' },
		{ "host", required_argument, NULL, 'H' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "commits", required_argument, NULL, 'C' },
		{ "changes", no_argument, NULL, 'c' },
		{ "threshold", required_argument, NULL, 't' },
		{ "no-store", no_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct store_query q = { 0 };
	struct hist_out o = { .min_shift = 0.05 };
	struct store *st = NULL;
	bool use_store = true;
	int c, status = 2;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'm': q.metric = optarg; break;
		case 'b': q.bench = optarg; break;
		case 'H': q.host = optarg; break;
		case 'k': q.kernel = optarg; break;
		case 'C':
			if (parse_commits(optarg, &q) != 0) {
				fprintf(stderr, "pfnlab history: --commits wants A..B, got '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'c': o.only_changes = true; break;
		case 't':
			if (cmp_parse_percent(optarg, &o.min_shift) != 0) {
				fprintf(stderr,
					"pfnlab history: --threshold wants a percentage in [0, 100), got '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'n': use_store = false; break;
		case 'j': o.json = true; break;
		case 'h': history_usage(stdout); return 0;
		default: history_usage(stderr); return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "pfnlab history: no DIR given\n");
		history_usage(stderr);
		return 2;
	}
	if (use_store && argc - optind == 1 && store_exists(argv[optind])) {
		char err[1024];

		st = store_open(argv[optind], false, err, sizeof(err));
		if (!st) {
			fprintf(stderr, "pfnlab history: %s\n", err);
			return 2;
		}
		if (history_store(st, &q, &o) != 0)
			goto out;
	} else if (history_files(&argv[optind], (size_t)(argc - optind), &q, &o) != 0) {
		goto out;
	}
	if (o.nseries == 0)
		fprintf(stderr, "pfnlab history: no measured metric%s%s in these runs\n",
			q.metric ? " named " : "", q.metric ? q.metric : "");
	status = fflush(stdout) == 0 && !ferror(stdout) ? 0 : 2;
	if (status)
		fprintf(stderr, "pfnlab history: cannot write the output\n");
out:
	store_close(st);
	return status;
}
