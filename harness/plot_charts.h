/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The charts: their data as TSV and their rendering with the gnuplot
 * scripts in plots/ (one script per chart; plots/README.md says what each
 * shows).  Shared by `pfnlab plot` and `pfnlab report`.
 */
#ifndef PFNLAB_PLOT_CHARTS_H
#define PFNLAB_PLOT_CHARTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "compare_engine.h"
#include "result_load.h"

/*
 * A chart is one row of chart_defs[] in plot_charts.c (its name, title and
 * data function) and its script plots/NAME.gp; the commands, the report,
 * the tests and `make bench` list the charts from that table.
 */
#define PLOT_MAX_CHARTS 16 /* room in the callers' arrays */

/* How many charts chart_defs[] has. */
int plot_ncharts(void);

struct plot_inputs {
	const struct rl_set *results;  /* charts 1-4, NEW side of compare */
	const struct rl_set *base;     /* BASE of the compare chart, or NULL */
	const struct rl_set *history;  /* runs of the trend chart (else results) */
	const char *trend_metric;      /* NULL: pin_ns_per_page, else the first found */
	const struct cmp_options *cmp; /* NULL: defaults */
	double plan_bytes;	       /* target of the plan chart and section; 0: 1 GiB */
};

struct plot_chart {
	const char *name; /* file stem and plots/<name>.gp */
	const char *title;
	char tsv[4096], svg[4096], png[4096];
	bool has_data;
	bool rendered; /* SVG and PNG written */
};

/* The charts' names, in order, comma-separated ("pin_throughput, batch, ..."). */
void plot_chart_names(char *buf, size_t len);

/* Where the gnuplot scripts are: $PFNLAB_PLOTS, else the source tree's plots/. */
const char *plot_scripts_dir(void);

/* Is gnuplot on PATH?  When not, prints the one line saying what to install. */
bool plot_have_gnuplot(const char *who);

/*
 * Write every chart's TSV into @outdir (created if needed) and, when
 * gnuplot exists, render SVG and PNG next to it.  Returns 0 when every chart
 * was rendered, 1 when gnuplot is missing (TSVs are still written), -1 on
 * another error (printed).
 */
int plot_all(const struct plot_inputs *in, const char *outdir,
	     struct plot_chart charts[PLOT_MAX_CHARTS]);

/*
 * The command line `pfnlab plot` and `pfnlab report` share: RESULT... with
 * -o, --base, --history (also the compare's noise model), --metric,
 * --threshold, --plan-size and --note.  @in points into the
 * struct itself, so a plot_cli is used where it was parsed, never copied.
 */
#define PLOT_MAX_NOTES 8

struct plot_cli {
	struct rl_set results, base, history;
	const char *notes[PLOT_MAX_NOTES]; /* --note: shown atop the report */
	int nnotes;
	struct cmp_options opt;
	struct plot_inputs in;
	const char *outdir;	   /* -o, else default_outdir */
	char default_outdir[4096]; /* <dir of the first RESULT>/<subdir> */
};

/*
 * Parse argv for subcommand @cmd, whose default output directory is @subdir
 * next to the first RESULT, and load every result file named.  Returns -1
 * when the command should go on, else its exit status (0 after --help, 2 for
 * bad usage or an unreadable result, with the reason printed).  Call
 * plot_cli_free() either way.
 */
int plot_cli_parse(struct plot_cli *cli, const char *cmd, const char *subdir,
		   void (*usage)(FILE *out), int argc, char **argv);
void plot_cli_free(struct plot_cli *cli);

#endif
