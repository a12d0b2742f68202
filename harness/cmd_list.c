// SPDX-License-Identifier: GPL-2.0
/* pfnlab list: the cases job files expand to, as `pfnlab run` would run them. */
#include <getopt.h>
#include <glob.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "backend.h"
#include "commands.h"
#include "jobfile.h"
#include "srcdir.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: pfnlab list [--json] [--backend LIST] [JOBFILE...]\n\n"
		   "Without JOBFILE: the benchmarks there are (each backend's ops and\n"
		   "whether it can run here) and the job files shipped in bench/.\n\n"
		   "With JOBFILEs: parse them exactly as `pfnlab run` does and print every\n"
		   "benchmark case they expand to: section, backend, op, page kind, size,\n"
		   "nodes, threads and the rest of its parameters, one line each, or with\n"
		   "--json an array of {name, key, job, line}.  Job-file errors are\n"
		   "reported as file:line and exit with status 2.  Keys: `pfnlab help`.\n");
}

/* What can be measured: backend x op, availability here, shipped job files. */
static int list_catalogue(void)
{
	char dir[PATH_MAX], pattern[PATH_MAX + 16];
	glob_t g;

	printf("benchmarks (job keys `backend` and `op`; every key: `pfnlab help`)\n");
	for (const struct backend *const *bep = backends_all; *bep; bep++) {
		char why[256] = "", line[128] = "";

		snprintf(line, sizeof(line), " %s null", (*bep)->ops);
		for (char *c = line; *c; c++)
			if (*c == '|')
				*c = ' ';
		printf("  %-8s ops:%-28s  %s%s\n", (*bep)->name, line,
		       (*bep)->probe(why, sizeof(why)) == 0 ? "runs here" : "not here: ", why);
	}
	if (srcdir_path("bench", 0, dir, sizeof(dir)) != 0) {
		printf("job files: %s not found\n", dir);
		return 0;
	}
	snprintf(pattern, sizeof(pattern), "%s/*.ini", dir);
	if (glob(pattern, 0, NULL, &g) != 0)
		return 0;
	printf("job files (pfnlab list FILE expands one into its cases)\n");
	for (size_t i = 0; i < g.gl_pathc; i++) {
		struct job_set set = { 0 };
		char err[1024];

		if (jobfile_load(&set, g.gl_pathv[i], err, sizeof(err)))
			printf("  %-40s error: %s\n", g.gl_pathv[i], err);
		else
			printf("  %-40s %zu cases\n", g.gl_pathv[i], set.ncases);
		jobset_free(&set);
	}
	globfree(&g);
	return 0;
}

int cmd_list(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "backend", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct job_set set = { 0 };
	const char *backends = NULL;
	char err[1024];
	int c, as_json = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "jb:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': as_json = 1; break;
		case 'b': backends = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind >= argc)
		return list_catalogue();
	for (int a = optind; a < argc; a++)
		if (jobfile_load(&set, argv[a], err, sizeof(err))) {
			fprintf(stderr, "pfnlab list: %s\n", err);
			jobset_free(&set);
			return 2;
		}
	if (backends)
		jobset_filter_backends(&set, backends);
	if (as_json) {
		json_t *arr = json_array();

		for (size_t i = 0; i < set.ncases; i++)
			json_array_append_new(arr,
					      json_pack("{s:s, s:s, s:s, s:i}", "name",
							set.cases[i].name, "key", set.cases[i].key,
							"job", set.cases[i].job_path, "line",
							set.cases[i].line));
		json_dumpf(arr, stdout, JSON_INDENT(2));
		printf("\n");
		json_decref(arr);
	} else {
		jobset_print_table(&set, stdout);
		printf("%zu benchmark(s) from %zu job file(s)\n", set.ncases, set.nfiles);
	}
	jobset_free(&set);
	return 0;
}
