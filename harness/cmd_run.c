// SPDX-License-Identifier: GPL-2.0
/*
 * pfnlab run: load every job file first (a bad one runs nothing), hand the
 * cases to the engine (engine.h: rounds, buffers, samples), and write one
 * results document atomically.  SIGINT/SIGTERM end the run after the
 * current sample with the partial results marked incomplete.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"
#include "commands.h"
#include "engine.h"
#include "environment.h"
#include "jobfile.h"
#include "progress.h"
#include "results.h"
#include "store.h"
#include "topology.h"

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

struct run_opts {
	const char *out_path;
	const char *results_dir;
	const char *backends;
	int quiet, verbose, strict, checkpoint;
	int rounds;	   /* > 0 overrides the job files */
	int repetitions;   /* > 0 overrides the job files */
	double min_time_s; /* >= 0 overrides */
};

/* What a checkpoint needs to write the document as it stands. */
struct checkpoint_ctx {
	json_t *doc;
	const char *path;
};

/*
 * --checkpoint: after every round the document is written whole, as if
 * the run ended there (complete: false, the reason, cases not yet run
 * "missing"), so that a machine that dies mid-run (the lab VM) leaves
 * every round it finished behind, never a partial file.
 */
static void write_checkpoint(json_t *benchmarks, int round, int rounds, void *arg)
{
	struct checkpoint_ctx *cp = arg;
	char err[512], why[160], stamp[32];

	if (round)
		snprintf(why, sizeof(why), "the run ended after round %d of %d (last checkpoint)",
			 round, rounds);
	else
		snprintf(why, sizeof(why), "the run ended before its first round finished");
	results_utc(stamp, sizeof(stamp), time(NULL));
	json_object_set(cp->doc, "benchmarks", benchmarks);
	json_object_set_new(cp->doc, "finished_utc", json_string(stamp));
	json_object_set_new(cp->doc, "incomplete_reason", json_string(why));
	if (results_write_atomic(cp->doc, cp->path, err, sizeof(err)))
		fprintf(stderr, "pfnlab run: checkpoint: %s\n", err);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: pfnlab run [options] JOBFILE...\n"
		"\n"
		"Run every benchmark of the job files and write one results document\n"
		"(JSON, schema in results/README.md).  All job files are parsed first;\n"
		"an error names file:line and the key, and nothing runs.\n"
		"\n"
		"options:\n"
		"  -o, --output FILE     write the results here (default:\n"
		"                        DIR/<hostname>/<UTC time>-<suite commit>.json)\n"
		"  -d, --results-dir DIR results directory (default $PFNLAB_RESULTS_DIR, else results)\n"
		"  -b, --backend LIST    run only benchmarks of these backends (comma-separated:\n"
		"                        driver,uring,pagemap); the others are not recorded\n"
		"  -r, --rounds N        rounds per benchmark (overrides the jobs): each round is a\n"
		"                        fresh buffer, layout and backend state, and one\n"
		"                        observation for compare\n"
		"  -n, --repetitions N   minimum measured samples per round (overrides the jobs)\n"
		"  -t, --min-time S      minimum measured seconds per round (overrides the jobs)\n"
		"      --checkpoint      write the output before every round, complete: false\n"
		"                        until the end, so that a crash keeps the rounds done\n"
		"      --strict          a benchmark that cannot run here (module not loaded, empty\n"
		"                        hugetlb pool, missing node, not root) fails the run\n"
		"  -q, --quiet           errors only\n"
		"  -v, --verbose         a line per benchmark with its status and medians\n"
		"  -h, --help            this text\n"
		"\n"
		"exit status: 0 all benchmarks ok, skipped or flagged; 1 a benchmark failed\n"
		"(or was impossible under --strict); 2 bad usage or job file; 3 the results\n"
		"could not be written; 130 interrupted (partial results written, complete: false).\n");
}

/*
 * A results tree with a store (pfnlab index) gets the new file at once, so
 * that history and the lab report need not find it.  The file is the
 * truth: a store that cannot take it is said and left for `pfnlab index`.
 */
static void add_to_store(const char *path)
{
	struct store_sync_stats stats = { 0 };
	char err[1024] = "";
	struct store *st = store_find_for(path, err, sizeof(err));
	char *paths[1];

	if (!st) {
		if (err[0])
			fprintf(stderr, "pfnlab run: %s; results not indexed\n", err);
		return;
	}
	paths[0] = strdup(path);
	if (!paths[0] || store_add_files(st, paths, 1, &stats) != 0)
		fprintf(stderr,
			"pfnlab run: %s not added to the store %s/%s; `pfnlab index %s` will\n",
			path, store_dir(st), STORE_FILE, store_dir(st));
	free(paths[0]);
	store_close(st);
}

/*
 * parse_run_args() - the options of pfnlab run into @o; -1 to go on, else
 * the exit status (0 after --help, 2 for bad usage).
 */
static int parse_run_args(int argc, char **argv, struct run_opts *o)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "results-dir", required_argument, NULL, 'd' },
		{ "backend", required_argument, NULL, 'b' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "repetitions", required_argument, NULL, 'n' },
		{ "checkpoint", no_argument, NULL, 'C' },
		{ "min-time", required_argument, NULL, 't' },
		{ "strict", no_argument, NULL, 'S' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	char *end;

	o->results_dir = getenv("PFNLAB_RESULTS_DIR");
	if (!o->results_dir || !*o->results_dir)
		o->results_dir = "results";
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:d:b:r:n:t:qvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': o->out_path = optarg; break;
		case 'd': o->results_dir = optarg; break;
		case 'b': o->backends = optarg; break;
		case 'r':
			o->rounds = (int)strtol(optarg, &end, 10);
			if (*end || o->rounds < 1 || o->rounds > 10000) {
				fprintf(stderr,
					"pfnlab run: --rounds: '%s' is not a number of rounds (1 to 10000)\n",
					optarg);
				return 2;
			}
			break;
		case 'C': o->checkpoint = 1; break;
		case 'n':
			o->repetitions = (int)strtol(optarg, &end, 10);
			if (*end || o->repetitions < 1) {
				fprintf(stderr,
					"pfnlab run: --repetitions: '%s' is not a positive integer\n",
					optarg);
				return 2;
			}
			break;
		case 't':
			o->min_time_s = strtod(optarg, &end);
			if (*end || o->min_time_s < 0) {
				fprintf(stderr, "pfnlab run: --min-time: '%s' is not seconds >= 0\n",
					optarg);
				return 2;
			}
			break;
		case 'S': o->strict = 1; break;
		case 'q': o->quiet = 1; break;
		case 'v': o->verbose = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "pfnlab run: no job file given\n");
		usage(stderr);
		return 2;
	}
	return -1;
}

/* check_backends() - every name of --backend is a backend; else say which. */
static bool check_backends(const char *list)
{
	char buf[256], *save = NULL, *tok;

	snprintf(buf, sizeof(buf), "%s", list);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (!backend_find(tok)) {
			fprintf(stderr, "pfnlab run: --backend: unknown backend '%s' (", tok);
			for (const struct backend *const *be = backends_all; *be; be++)
				fprintf(stderr, "%s%s", be == backends_all ? "" : ", ", (*be)->name);
			fprintf(stderr, ")\n");
			return false;
		}
	return true;
}

/* output_writable() - @path's directory takes a new file; else say why. */
static bool output_writable(const char *path)
{
	char dirbuf[4096], *slash;

	snprintf(dirbuf, sizeof(dirbuf), "%s", path);
	slash = strrchr(dirbuf, '/');
	if (slash)
		*slash = '\0';
	if (access(slash ? (dirbuf[0] ? dirbuf : "/") : ".", W_OK)) {
		fprintf(stderr, "pfnlab run: %s: cannot write results there: %s\n", path,
			strerror(errno));
		return false;
	}
	return true;
}

/*
 * run_doc_new() - the results document before any benchmark ran: the job
 * files, the environment and the options, complete false.
 */
static json_t *run_doc_new(const struct job_set *set, const struct run_opts *o, const char *host,
			   const char *commit, time_t started)
{
	char stamp[32];
	json_t *doc, *jobs = json_array();

	results_utc(stamp, sizeof(stamp), started);
	for (size_t i = 0; i < set->nfiles; i++)
		json_array_append_new(jobs, json_pack("{s:s, s:s}", "path", set->files[i].path,
						      "text", set->files[i].text));
	doc = json_pack("{s:i, s:{s:s, s:s}, s:s, s:s, s:n, s:b, s:s, s:o, s:o, s:o}",
			"schema_version", RESULTS_SCHEMA_VERSION, "tool", "name", "pfnlab",
			"version", PFNLAB_VERSION, "suite_commit", commit, "started_utc", stamp,
			"finished_utc", "complete", 0, "hostname", host, "environment",
			environment_collect(), "job", jobs, "options",
			json_pack("{s:o, s:o, s:o, s:o, s:b}", "backend",
				  o->backends ? json_string(o->backends) : json_null(), "rounds",
				  o->rounds > 0 ? json_integer(o->rounds) : json_null(),
				  "repetitions",
				  o->repetitions > 0 ? json_integer(o->repetitions) : json_null(),
				  "min_time",
				  o->min_time_s >= 0 ? json_real(o->min_time_s) : json_null(),
				  "strict", o->strict));
	json_object_set_new(doc, "benchmarks", json_array());
	json_object_set_new(doc, "incomplete_reason", json_null());
	return doc;
}

/* report_failures() - one line on stderr for each case that failed. */
static void report_failures(const struct job_set *set, json_t *benchmarks)
{
	for (size_t i = 0; i < set->ncases; i++) {
		json_t *b = json_array_get(benchmarks, i);

		if (!strcmp(json_string_value(json_object_get(b, "status")), "failed"))
			fprintf(stderr, "%spfnlab run: %s: failed: %s\n",
				isatty(STDERR_FILENO) ? "\r\033[K" : "", set->cases[i].key,
				json_string_value(json_object_get(b, "reason")));
	}
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o = { .min_time_s = -1 };
	struct job_set set = { 0 };
	char err[1024], host[256], commit[128], path[4096], stamp[32];
	struct sigaction sa;
	struct engine_opts eo = { 0 };
	struct engine_result er;
	struct checkpoint_ctx cp = { 0 };
	json_t *doc;
	time_t started;
	int ret;

	ret = parse_run_args(argc, argv, &o);
	if (ret >= 0)
		return ret;
	if (o.backends && !check_backends(o.backends))
		return 2;
	for (int a = optind; a < argc; a++)
		if (jobfile_load(&set, argv[a], err, sizeof(err))) {
			fprintf(stderr, "pfnlab run: %s\n", err);
			jobset_free(&set);
			return 2;
		}
	if (o.backends)
		jobset_filter_backends(&set, o.backends);

	topology_init();
	environment_hostname(host, sizeof(host));
	environment_suite_commit(commit, sizeof(commit));
	started = time(NULL);
	if (o.out_path) {
		snprintf(path, sizeof(path), "%s", o.out_path);
	} else if (results_default_path(path, sizeof(path), o.results_dir, host, commit, started,
					err, sizeof(err))) {
		fprintf(stderr, "pfnlab run: %s\n", err);
		jobset_free(&set);
		return 3;
	}
	/* Fail before measuring anything if the result could not be written. */
	if (!output_writable(path)) {
		jobset_free(&set);
		return 3;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	doc = run_doc_new(&set, &o, host, commit, started);
	eo.rounds = o.rounds;
	eo.repetitions = o.repetitions;
	eo.min_time_s = o.min_time_s;
	eo.strict = o.strict;
	eo.stop = &stop_requested;
	if (o.checkpoint) {
		cp.doc = doc;
		cp.path = path;
		eo.checkpoint = write_checkpoint;
		eo.checkpoint_arg = &cp;
	}
	progress_init(o.quiet, o.verbose, set.ncases);
	if (engine_run(&set, &eo, &er)) {
		fprintf(stderr, "pfnlab run: out of memory\n");
		json_decref(doc);
		jobset_free(&set);
		topology_fini();
		return 3;
	}
	json_object_set_new(doc, "benchmarks", er.benchmarks);
	if (!o.quiet)
		report_failures(&set, er.benchmarks);
	progress_finish();
	results_utc(stamp, sizeof(stamp), time(NULL));
	json_object_set_new(doc, "finished_utc", json_string(stamp));
	json_object_set_new(doc, "complete", json_boolean(!stop_requested));
	json_object_set_new(doc, "incomplete_reason",
			    stop_requested ?
				    json_string("interrupted by a signal (SIGINT or SIGTERM)") :
				    json_null());
	if (results_write_atomic(doc, path, err, sizeof(err))) {
		fprintf(stderr, "pfnlab run: %s\n", err);
		ret = 3;
	} else {
		if (!o.quiet)
			printf("%s\n", path);
		add_to_store(path);
		ret = stop_requested ? 130 : er.any_failed ? 1 : 0;
		if (stop_requested)
			fprintf(stderr,
				"pfnlab run: interrupted: partial results (complete: false) in %s\n",
				path);
	}
	json_decref(doc);
	jobset_free(&set);
	topology_fini();
	return ret;
}
