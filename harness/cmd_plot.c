// SPDX-License-Identifier: GPL-2.0
/*
 * pfnlab plot RESULT...: the six charts as TSV + SVG + PNG.  The work is in
 * plot_charts.c; this file reads arguments and prints the paths.
 */
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "compare_engine.h"
#include "plot_charts.h"
#include "result_load.h"

static void plot_usage(FILE *out)
{
	fputs("usage: pfnlab plot [options] RESULT...\n"
	      "\n"
	      "Write the data of each chart as TSV and render it with the gnuplot\n"
	      "scripts in plots/ as SVG and PNG.  RESULT is a result file or a\n"
	      "directory of them; when a benchmark appears in several, the latest\n"
	      "run is drawn.  Charts: pin_throughput, batch, iotlb, numa, trend,\n"
	      "compare (plots/README.md explains each).\n"
	      "\n"
	      "options:\n"
	      "  -o, --output DIR   where to write (default: plots/ next to the first RESULT)\n"
	      "  --base BASE        result file/directory to compare RESULT against\n"
	      "                     (the compare chart; empty without it)\n"
	      "  --history DIR      runs for the trend chart (default: RESULT...)\n"
	      "  --metric NAME      metric of the trend chart (default pin_ns_per_page)\n"
	      "  --threshold PCT    compare effect threshold in percent (default 5)\n"
	      "  -h, --help         this text\n"
	      "\n"
	      "Needs gnuplot (apt-get install gnuplot-nox).  $PFNLAB_PLOTS overrides\n"
	      "where the scripts are.  Exit status: 0 written, 2 error.\n", out);
}

/* plots/ next to the first result: its directory, or the directory itself. */
static void default_outdir(const char *first, char *buf, size_t len)
{
	struct stat st;

	if (stat(first, &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(buf, len, "%s/plots", first);
	} else {
		char *copy = strdup(first);

		snprintf(buf, len, "%s/plots", copy ? dirname(copy) : ".");
		free(copy);
	}
}

int cmd_plot(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "base", required_argument, NULL, 'b' },
		{ "history", required_argument, NULL, 'H' },
		{ "metric", required_argument, NULL, 'm' },
		{ "threshold", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct rl_set results = { 0 }, base = { 0 }, history = { 0 };
	const char *outdir = NULL, *base_path = NULL, *history_path = NULL;
	struct plot_chart charts[PLOT_NCHARTS];
	struct plot_inputs in = { 0 };
	struct cmp_options opt;
	char defdir[4096];
	int c, ret, status = 2;
	char *end;

	cmp_default_options(&opt);
	optind = 1;
	while ((c = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			outdir = optarg;
			break;
		case 'b':
			base_path = optarg;
			break;
		case 'H':
			history_path = optarg;
			break;
		case 'm':
			in.trend_metric = optarg;
			break;
		case 't':
			opt.threshold = strtod(optarg, &end) / 100.0;
			if (end == optarg || (*end && strcmp(end, "%") != 0) ||
			    !(opt.threshold >= 0 && opt.threshold < 1)) {
				fprintf(stderr, "pfnlab plot: --threshold wants a percentage in [0, 100), got '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'h':
			plot_usage(stdout);
			return 0;
		default:
			plot_usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "pfnlab plot: no RESULT given\n");
		plot_usage(stderr);
		return 2;
	}
	if (rl_load_paths(&argv[optind], (size_t)(argc - optind), &results) != 0)
		goto out;
	if (base_path && rl_load_paths((char *const *)&base_path, 1, &base) != 0)
		goto out;
	if (history_path && rl_load_paths((char *const *)&history_path, 1, &history) != 0)
		goto out;
	if (!outdir) {
		default_outdir(argv[optind], defdir, sizeof(defdir));
		outdir = defdir;
	}
	in.results = &results;
	in.base = base_path ? &base : NULL;
	in.history = history_path ? &history : NULL;
	in.cmp = &opt;
	ret = plot_all(&in, outdir, charts);
	for (int i = 0; i < PLOT_NCHARTS; i++) {
		printf("%-15s %s%s\n", charts[i].name, charts[i].tsv,
		       charts[i].has_data ? "" : "  (no data: an empty chart says so)");
		if (charts[i].rendered)
			printf("%-15s %s\n%-15s %s\n", "", charts[i].svg, "", charts[i].png);
	}
	status = ret == 0 ? 0 : 2;
out:
	rl_set_free(&results);
	rl_set_free(&base);
	rl_set_free(&history);
	return status;
}
