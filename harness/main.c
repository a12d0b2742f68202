// SPDX-License-Identifier: GPL-2.0
/* pfnlab: dispatch a subcommand (commands.h); `pfnlab help` is the manual. */
#include <stdio.h>
#include <string.h>

#include "backend.h"
#include "commands.h"
#include "jobfile.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "info", cmd_info, "topology, NUMA distances, hugepage pools, THP, IOMMU, perf, backends" },
	{ "list", cmd_list, "the benchmarks of job files, expanded, with their parameters" },
	{ "run", cmd_run, "run job files and write a results document (JSON)" },
	{ "vm", cmd_vm, "run a command in the lab VM (harness/vm/pfnlab-vm)" },
	{ "lava", cmd_lava, "LAVA jobs of benchmarks; their results back as pfnlab results" },
	{ "compare", cmd_compare, "compare two results: BASE vs NEW verdict" },
	{ "ab", cmd_ab, "measure two builds in alternation (ABBA...), then compare" },
	{ "index", cmd_index, "make or update the results store (SQLite index) of a results tree" },
	{ "history", cmd_history, "series over many results, change points" },
	{ "plot", cmd_plot, "TSV + gnuplot charts from results" },
	{ "report", cmd_report, "static HTML report from results" },
	{ "plan", cmd_plan, "how long SIZE takes here: fitted cost model, interval, memory, IOTLB" },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const char manual[] =
	"\n"
	"DESCRIPTION\n"
	"  pfnlab measures how Linux turns user memory into IOMMU mappings: page\n"
	"  pinning, PFN batching and IO page tables.  Benchmarks are described by job\n"
	"  files (bench/*.ini) and reach the kernel through a backend:\n";

/* After the backends (backend_print_help), up to the keys. */
static const char manual_jobs[] =
	"\n"
	"JOB FILES\n"
	"  INI; each [section] is a benchmark and a [defaults] section gives values to\n"
	"  all others.  A key may hold a comma-separated list, or a range A..B (sizes\n"
	"  double, integers count up); every combination becomes a case.  Keys, with\n"
	"  their defaults in brackets:\n";

/* After the keys (jobfile_print_keys). */
static const char manual_tail[] =
	"  Errors name file:line and the key; nothing runs until every file parses.\n"
	"\n"
	"RESULTS\n"
	"  One JSON document per run, written atomically to\n"
	"  results/<hostname>/<UTC time>-<suite commit>.json (or -o FILE); the schema\n"
	"  is results/README.md.  Benchmarks that cannot run here are recorded as\n"
	"  skipped with the reason (or fail the run with --strict); a benchmark whose\n"
	"  memory placement or page kind did not come true is flagged.  SIGINT or\n"
	"  SIGTERM stops after the current sample and writes complete: false.\n"
	"\n"
	"ENVIRONMENT\n"
	"  PFNLAB_RESULTS_DIR   default results directory (else ./results)\n"
	"  PFNLAB_SUITE_COMMIT  suite commit to record when there is no git (lab VM)\n"
	"\n"
	"Each command has --help.\n";

static void usage(FILE *f)
{
	fprintf(f, "usage: pfnlab [--version] [--help] COMMAND [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "  %-8s %s\n", "help",
		"this manual; `pfnlab help COMMAND` for a command's options");
}

int main(int argc, char **argv)
{
	const char *cmd;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	cmd = argv[1];
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
		printf("pfnlab %s\n", PFNLAB_VERSION);
		return 0;
	}
	if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		if (argc > 2 && strcmp(cmd, "help") == 0) {
			for (size_t i = 0; i < NCOMMANDS; i++)
				if (!strcmp(commands[i].name, argv[2])) {
					char *sub[] = { argv[2], (char *)"--help", NULL };

					return commands[i].fn(2, sub);
				}
			fprintf(stderr, "pfnlab: unknown command '%s'\n", argv[2]);
			return 2;
		}
		usage(stdout);
		fputs(manual, stdout);
		backend_print_help(stdout);
		fputs(manual_jobs, stdout);
		jobfile_print_keys(stdout);
		fputs(manual_tail, stdout);
		return 0;
	}
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i].name, cmd))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "pfnlab: unknown command '%s'\n", cmd);
	usage(stderr);
	return 2;
}
