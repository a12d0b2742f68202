// SPDX-License-Identifier: GPL-2.0
/* pfnlab: dispatch a subcommand (commands.h); `pfnlab help` is the manual. */
#include <stdio.h>
#include <string.h>

#include "commands.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "info", cmd_info, "topology, NUMA distances, hugepage pools, THP, IOMMU, perf, backends" },
	{ "list", cmd_list, "the benchmarks of job files, expanded, with their parameters" },
	{ "run", cmd_run, "run job files and write a results document (JSON)" },
	{ "vm", cmd_vm, "run a command in the lab VM (harness/vm/pfnlab-vm)" },
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
"  files (bench/*.ini) and reach the kernel through a backend:\n"
"    driver   ioctls on /dev/pfnlab (pfnlab.ko), every phase timed by the module\n"
"    uring    io_uring fixed-buffer registration, the kernel's long-term pin path\n"
"    pagemap  real PFNs from /proc/self/pagemap run through the shared core\n"
"             (root): batch fill and density, IOTLB model sweeps\n"
"\n"
"JOB FILES\n"
"  INI; each [section] is a benchmark and a [defaults] section gives values to\n"
"  all others.  A key may hold a comma-separated list, or a range A..B (sizes\n"
"  double, integers count up); every combination becomes a case.  Keys:\n"
"    backend        driver | uring | pagemap                      (required)\n"
"    op             pin | map | read | fill | iotlb | null         (required)\n"
"                   uring: pin; pagemap: fill, iotlb; driver: pin, map, read,\n"
"                   fill, iotlb; null (any backend): an empty phase, the\n"
"                   harness's own cost per sample\n"
"    size           bytes, K/M/G/T suffixes, multiple of 4 KiB        [64M]\n"
"    page           4k | thp | hugetlb-2m | hugetlb-1g | memfd | memfd-2m |\n"
"                   memfd-1g                                          [4k]\n"
"    mem_node       NUMA node the buffer is bound to                  [0]\n"
"    cpu_node       NUMA node whose CPUs run the threads              [0]\n"
"    threads        threads pinning disjoint slices concurrently      [1]\n"
"    pages_per_call pages per GUP call (uring: per iovec); 0 = largest [0]\n"
"    batch_runs     pfn_batch capacity in runs                        [512]\n"
"    fill           per-page | run-aware                              [run-aware]\n"
"    window         IOTLB sweep window in bytes; 0 = the whole buffer [0]\n"
"    stride         IOTLB sweep stride                                [4K]\n"
"    pattern        sequential | random | strided                     [sequential]\n"
"    passes         IOTLB sweep passes per sample                     [1]\n"
"    seed           seed of the random pattern                        [1]\n"
"    domain         driver map/iotlb: mock | real                     [mock]\n"
"    device         driver real domain: PCI address 0000:00:03.0      []\n"
"    rounds         rounds: each a fresh buffer, layout and backend    [3]\n"
"                   state; the unit of replication for compare\n"
"    repetitions    minimum measured samples per round                [10]\n"
"    warmup         samples run first and discarded                   [1]\n"
"    min_time       minimum measured seconds per round (s or ms)      [0]\n"
"    noisy_cv       a metric with CV above this is flagged noisy      [0.05]\n"
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
	fprintf(f, "  %-8s %s\n", "help", "this manual; `pfnlab help COMMAND` for a command's options");
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
		return 0;
	}
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i].name, cmd))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "pfnlab: unknown command '%s'\n", cmd);
	usage(stderr);
	return 2;
}
