// SPDX-License-Identifier: GPL-2.0
/*
 * pfnlab plan RESULT... --size SIZE: how long pinning (unpinning, mapping,
 * reading) SIZE takes on the machine the results came from, with an
 * interval, a check of the model against the data, and the memory and
 * IOTLB the size needs.  The work is in plan_model.c and plan_output.c.
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "jobfile.h"
#include "plan_model.h"
#include "result_load.h"

static void plan_usage(FILE *out)
{
	fprintf(out,
		"usage: pfnlab plan [options] --size SIZE RESULT...\n"
		"\n"
		"From the size sweeps in RESULT (files or directories, one host), fit per\n"
		"backend x op x page kind: time = fixed + per 4 KiB page x pages (one\n"
		"observation per round), and predict SIZE with a %.0f%% prediction interval.\n"
		"Every plan is checked: refitted without the largest size measured, it must\n"
		"predict that size (the error and whether the measurement fell inside the\n"
		"interval are printed).  Where a 4 KiB series sits beside a huge-page one,\n"
		"the cost splits into per 4 KiB page and per folio.  MAP adds a cost per run\n"
		"of the layout (from rounds of one size) and is planned at the sweep's median\n"
		"runs per page.  Sweep host paths cold (job key evict).  Also: GUP calls, the\n"
		"RLIMIT_MEMLOCK and kernel memory the size needs, and the IOTLB entries its\n"
		"layout takes.  docs/plan.md: the model, its limits, planning for a machine\n"
		"you do not have.\n"
		"\n"
		"options:\n"
		"  --size SIZE      the target (K/M/G/T suffixes), required\n"
		"  --backend NAME   only this backend (uring, driver, ...)\n"
		"  --op OP          only pin, unpin, map or read\n"
		"  --page KIND      only this page kind (4k, thp, hugetlb-2m, ...)\n"
		"  --window SIZE    IOTLB misses per MiB at this window (default: SIZE)\n"
		"  --force          extrapolate beyond %.0fx the largest size fitted\n"
		"  --fit-max SIZE   fit only sizes up to SIZE; larger sizes measured are\n"
		"                   checked against the prediction (an out-of-sample test)\n"
		"  --json           the plan as JSON on stdout (docs/plan.md)\n"
		"  -h, --help       this text\n"
		"\n"
		"A series needs %d sizes.  exit status: 0 when at least one series was\n"
		"planned; 2 when none could be (each reason printed), on bad usage or on\n"
		"unreadable results; nothing is written to stdout then.\n",
		100.0 * PLAN_LEVEL, PLAN_MAX_EXTRAPOLATION, PLAN_MIN_SIZES);
}

static int size_arg(const char *what, const char *s, double *out)
{
	uint64_t v;

	if (parse_size(s, &v) != 0 || v == 0 || v % 4096) {
		fprintf(stderr,
			"pfnlab plan: %s wants a size in bytes, a multiple of 4 KiB (K/M/G/T suffixes), got '%s'\n",
			what, s);
		return -1;
	}
	*out = (double)v;
	return 0;
}

int cmd_plan(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "size", required_argument, NULL, 's' },
		{ "backend", required_argument, NULL, 'b' },
		{ "op", required_argument, NULL, 'o' },
		{ "page", required_argument, NULL, 'p' },
		{ "window", required_argument, NULL, 'w' },
		{ "force", no_argument, NULL, 'f' },
		{ "fit-max", required_argument, NULL, 'F' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct plan_request req = { 0 };
	struct plan_out out = { 0 };
	struct rl_set set = { 0 };
	bool json = false;
	char err[1024];
	int c, status = 2;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (size_arg("--size", optarg, &req.target_bytes) != 0)
				return 2;
			break;
		case 'w':
			if (size_arg("--window", optarg, &req.window_bytes) != 0)
				return 2;
			break;
		case 'F':
			if (size_arg("--fit-max", optarg, &req.fit_max) != 0)
				return 2;
			break;
		case 'b': req.filter.backend = optarg; break;
		case 'o': req.filter.op = optarg; break;
		case 'p': req.filter.page = optarg; break;
		case 'f': req.force = true; break;
		case 'j': json = true; break;
		case 'h': plan_usage(stdout); return 0;
		default: plan_usage(stderr); return 2;
		}
	}
	if (req.target_bytes == 0) {
		fprintf(stderr,
			"pfnlab plan: --size is required (the size to plan for, e.g. --size 1T)\n");
		return 2;
	}
	if (optind >= argc) {
		fprintf(stderr, "pfnlab plan: no RESULT given\n");
		return 2;
	}
	if (rl_load_paths(&argv[optind], (size_t)(argc - optind), &set) != 0)
		goto done;
	if (plan_make(&set, &req, &out, err, sizeof(err)) != 0) {
		fprintf(stderr, "pfnlab plan: %s\n", err);
		goto done;
	}
	if (out.nplanned == 0) {
		fprintf(stderr, "pfnlab plan: no series could be planned:\n");
		for (size_t i = 0; i < out.nseries; i++)
			fprintf(stderr, "  %s: %s\n", out.items[i].s->label, out.items[i].why);
		goto done;
	}
	if (json) {
		json_t *root = plan_to_json(&out);

		if (!root || json_dumpf(root, stdout, JSON_INDENT(2)) != 0) {
			json_decref(root);
			fprintf(stderr, "pfnlab plan: cannot write JSON\n");
			goto done;
		}
		fputc('\n', stdout);
		json_decref(root);
	} else {
		plan_print_text(stdout, &out);
	}
	status = fflush(stdout) == 0 ? 0 : 2;
done:
	plan_out_free(&out);
	rl_set_free(&set);
	return status;
}
