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
#include "compare_output.h"
#include "result_load.h"
#include "store.h"

/* git bisect run: 125 = cannot test this commit; >127 aborts the bisect. */
#define BISECT_SKIP 125
#define BISECT_ABORT 128

static void compare_usage(FILE *out)
{
	fputs("usage: pfnlab compare [options] BASE NEW\n"
	      "\n"
	      "Compare two sets of results.  BASE and NEW are result files or\n"
	      "directories (searched recursively for *.json); benchmarks are matched\n"
	      "by their key (section + every parameter).  The observation is the\n"
	      "round: each round's median, on a log scale.  A side of one run varies\n"
	      "by its rounds (plus the run-to-run variance of earlier runs of the\n"
	      "same host, with --history); a side of several runs by their means.\n"
	      "For each metric: the ratio of centers NEW/BASE with a 95% CI, a Welch\n"
	      "t p-value adjusted by Benjamini-Hochberg within the metric's kind, the\n"
	      "smallest shift those rounds detect (MDE, 95% power), and a verdict:\n"
	      "  regressed/improved  adjusted p < alpha and |ratio - 1| > threshold,\n"
	      "                      in the direction the metric's `better` says\n"
	      "  unchanged           the CI lies inside 1 +- threshold\n"
	      "  undecided           otherwise, with the rounds per side that would\n"
	      "                      detect the threshold (or why more cannot)\n"
	      "Only gated metrics (costs per page or access) decide the exit status;\n"
	      "detail metrics (rates, phases) and layout properties (runs, IOPTEs,\n"
	      "model counts) are listed in their own sections.\n"
	      "\n"
	      "options:\n"
	      "  --threshold PCT   effect threshold in percent (default 5)\n"
	      "  --alpha P         significance level on adjusted p (default 0.05)\n"
	      "  --history DIR     earlier runs of the same host (results/HOST): their\n"
	      "                    run-to-run variance joins the noise model; read\n"
	      "                    from DIR's store (pfnlab index) when it has one\n"
	      "  --metric NAME     compare only this metric (e.g. pin_ns_per_page)\n"
	      "  --bench TEXT      compare only benchmarks whose key contains TEXT\n"
	      "  --all             list every row (default: gated rows, and detail or\n"
	      "                    layout rows only when they are not unchanged)\n"
	      "  --json            machine-readable output on stdout\n"
	      "  --bisect          exit for `git bisect run`: 0 good, 1 bad (something\n"
	      "                    regressed), 125 undecided, 128 on error\n"
	      "  -h, --help        this text\n"
	      "\n"
	      "exit status: 0 no gated metric regressed, 1 one did, 2 error\n"
	      "(unreadable input, no benchmark in common).\n",
	      out);
}

static int parse_double(const char *s, double *out)
{
	char *end;

	*out = strtod(s, &end);
	if (end == s || (*end && strcmp(end, "%") != 0) || isnan(*out))
		return -1;
	return 0;
}

/* What pfnlab compare was asked, beside the comparison's own options. */
struct compare_args {
	struct cmp_options opt;
	bool json, bisect, all;
	char *history_dir;
};

/*
 * parse_compare_args() - the options into @a; -1 to go on, else the exit
 * status (0 after --help, 2 or the bisect abort status for bad usage).
 */
static int parse_compare_args(int argc, char **argv, struct compare_args *a)
{
	static const struct option longopts[] = {
		{ "threshold", required_argument, NULL, 't' },
		{ "alpha", required_argument, NULL, 'a' },
		{ "metric", required_argument, NULL, 'm' },
		{ "bench", required_argument, NULL, 'b' },
		{ "history", required_argument, NULL, 'H' },
		{ "all", no_argument, NULL, 'A' },
		{ "json", no_argument, NULL, 'j' },
		{ "bisect", no_argument, NULL, 'B' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	double v;

	cmp_default_options(&a->opt);
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (cmp_parse_percent(optarg, &a->opt.threshold) != 0) {
				fprintf(stderr,
					"pfnlab compare: --threshold wants a percentage in [0, 100), got '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'a':
			if (parse_double(optarg, &v) != 0 || v <= 0 || v >= 1) {
				fprintf(stderr,
					"pfnlab compare: --alpha wants a probability in (0, 1), got '%s'\n",
					optarg);
				return 2;
			}
			a->opt.alpha = v;
			break;
		case 'm': a->opt.metric_filter = optarg; break;
		case 'b': a->opt.bench_filter = optarg; break;
		case 'H': a->history_dir = optarg; break;
		case 'A': a->all = true; break;
		case 'j': a->json = true; break;
		case 'B': a->bisect = true; break;
		case 'h': compare_usage(stdout); return 0;
		default: compare_usage(stderr); return 2;
		}
	}
	if (argc - optind != 2) {
		fprintf(stderr, "pfnlab compare: need exactly two arguments, BASE and NEW\n");
		compare_usage(stderr);
		return a->bisect ? BISECT_ABORT : 2;
	}
	return -1;
}

/*
 * open_history_store() - a lab's history read from its store, one series
 * at a time, when --history names a tree that has one: brought up to date
 * and hooked into @a's options.  NULL with *@failed false when there is
 * none (the files are read instead).
 */
static struct store *open_history_store(struct compare_args *a, bool *failed)
{
	struct store_sync_stats stats = { 0 };
	struct store *st;
	char err[1024];

	*failed = false;
	if (!a->history_dir || !store_exists(a->history_dir))
		return NULL;
	st = store_open(a->history_dir, false, err, sizeof(err));
	if (!st || store_sync(st, &stats) != 0) {
		fprintf(stderr, "pfnlab compare: %s\n", st ? "cannot update the store" : err);
		store_close(st);
		*failed = true;
		return NULL;
	}
	a->opt.history_fn = store_series_rounds;
	a->opt.history_arg = st;
	a->history_dir = NULL;
	return st;
}

int cmd_compare(int argc, char **argv)
{
	struct compare_args a = { 0 };
	struct rl_set base = { 0 }, new = { 0 }, history = { 0 };
	struct cmp_report rep;
	struct store *hstore;
	int status, err_status;
	bool failed;

	status = parse_compare_args(argc, argv, &a);
	if (status >= 0)
		return status;
	err_status = a.bisect ? BISECT_ABORT : 2;
	hstore = open_history_store(&a, &failed);
	if (failed)
		return err_status;
	if (rl_load_paths(&argv[optind], 1, &base) != 0 ||
	    rl_load_paths(&argv[optind + 1], 1, &new) != 0 ||
	    (a.history_dir && rl_load_paths(&a.history_dir, 1, &history) != 0)) {
		status = err_status;
		goto out;
	}
	if (a.history_dir)
		a.opt.history = &history;
	if (cmp_compare(&base, &new, &a.opt, &rep) != 0) {
		fprintf(stderr, "pfnlab compare: out of memory\n");
		status = err_status;
		goto out;
	}
	cmp_explain_mismatch(&rep);
	if (rep.nrows == 0) {
		fprintf(stderr,
			"pfnlab compare: no metric in common between %s and %s%s: nothing to compare\n",
			argv[optind], argv[optind + 1],
			a.opt.metric_filter || a.opt.bench_filter ? " (after --metric/--bench)" :
								    "");
		status = a.bisect ? BISECT_SKIP : 2;
	} else if (cmp_gated(&rep, CMP_REGRESSED)) {
		status = 1;
	} else if (a.bisect && cmp_gated(&rep, CMP_UNDECIDED)) {
		status = BISECT_SKIP;
	} else {
		status = 0;
	}
	if (a.json) {
		if (cmp_print_json(&base, &new, &rep, &a.opt, status) != 0) {
			fprintf(stderr, "pfnlab compare: cannot write JSON\n");
			status = err_status;
		}
	} else if (rep.nrows) {
		cmp_print_table(&base, &new, &rep, &a.opt, a.all);
	}
	cmp_report_free(&rep);
out:
	rl_set_free(&base);
	rl_set_free(&new);
	rl_set_free(&history);
	store_close(hstore);
	return status;
}
