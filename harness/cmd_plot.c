// SPDX-License-Identifier: GPL-2.0
/*
 * pfnlab plot RESULT...: the charts as TSV + SVG + PNG.  The work is in
 * plot_charts.c; this file reads arguments and prints the paths.
 */
#include <stdio.h>

#include "commands.h"
#include "compare_engine.h"
#include "plot_charts.h"
#include "result_load.h"

static void plot_usage(FILE *out)
{
	char names[512];

	plot_chart_names(names, sizeof(names));
	fprintf(out,
		"usage: pfnlab plot [options] RESULT...\n"
		"\n"
		"Write the data of each chart as TSV and render it with the gnuplot\n"
		"scripts in plots/ as SVG and PNG.  RESULT is a result file or a\n"
		"directory of them; when a benchmark appears in several, the latest\n"
		"run is drawn.  Charts: %s\n"
		"(plots/README.md explains each).\n"
		"\n"
		"options:\n"
		"  -o, --output DIR   where to write (default: plots/ next to the first RESULT)\n"
		"  --base BASE        result file/directory to compare RESULT against\n"
		"                     (the compare chart; empty without it)\n"
		"  --history DIR      runs for the trend chart (default: RESULT...)\n"
		"  --metric NAME      metric of the trend chart (default pin_ns_per_page)\n"
		"  --threshold PCT    compare effect threshold in percent (default 5)\n"
		"  --plan-size SIZE   target of the plan chart (default 1G; pfnlab plan)\n"
		"  -h, --help         this text\n"
		"\n"
		"Needs gnuplot (apt-get install gnuplot-nox).  $PFNLAB_PLOTS overrides\n"
		"where the scripts are.  Exit status: 0 written, 2 error.\n",
		names);
}

int cmd_plot(int argc, char **argv)
{
	struct plot_chart charts[PLOT_MAX_CHARTS];
	struct plot_cli cli;
	int ret, status;

	status = plot_cli_parse(&cli, "plot", "plots", plot_usage, argc, argv);
	if (status >= 0)
		goto out;
	ret = plot_all(&cli.in, cli.outdir, charts);
	for (int i = 0; i < plot_ncharts(); i++) {
		printf("%-15s %s%s\n", charts[i].name, charts[i].tsv,
		       charts[i].has_data ? "" : "  (no data: an empty chart says so)");
		if (charts[i].rendered)
			printf("%-15s %s\n%-15s %s\n", "", charts[i].svg, "", charts[i].png);
	}
	status = ret == 0 ? 0 : 2;
out:
	plot_cli_free(&cli);
	return status;
}
