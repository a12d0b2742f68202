// SPDX-License-Identifier: GPL-2.0
/*
 * pfnlab run: load every job file first (a bad one runs nothing), then for
 * each case allocate and verify the buffer, start the bound threads, run
 * warmup and measured samples under the counters, summarise, and write one
 * results document atomically.  SIGINT/SIGTERM end the run after the
 * current sample with the partial results marked incomplete.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"
#include "commands.h"
#include "counters.h"
#include "environment.h"
#include "jobfile.h"
#include "progress.h"
#include "results.h"
#include "topology.h"

/* Samples kept at most per case, unless repetitions asks for more. */
#define MAX_SAMPLES 10000

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

const struct backend *const backends_all[] = {
	&backend_driver, &backend_uring, &backend_pagemap, NULL
};

const struct backend *backend_find(const char *name)
{
	for (const struct backend *const *be = backends_all; *be; be++)
		if (!strcmp(name, (*be)->name))
			return *be;
	return NULL;
}

static struct metric_series *series_get(struct metric_list *l, const char *name,
					const char *unit, const char *better)
{
	struct metric_series *p;

	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->m[i].name, name))
			return &l->m[i];
	p = realloc(l->m, (l->n + 1) * sizeof(*p));
	if (!p)
		return NULL;
	l->m = p;
	p = &l->m[l->n++];
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->unit = unit;
	p->better = better;
	return p;
}

static void series_add(struct metric_series *s, double v)
{
	if (!s)
		return;
	if (s->n == s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 32;
		double *p = realloc(s->v, ncap * sizeof(*p));

		if (!p)
			return;
		s->v = p;
		s->cap = ncap;
	}
	s->v[s->n++] = v;
}

void run_metric(struct bench_run *r, const char *name, const char *unit, const char *better,
		double v)
{
	series_add(series_get(&r->metrics, name, unit, better), v);
}

void run_thread_metric(struct bench_run *r, int thread, const char *name, const char *unit,
		       const char *better, double v)
{
	if (!r->thread_metrics || thread < 0 || thread >= r->bc->threads)
		return;
	series_add(series_get(&r->thread_metrics[thread], name, unit, better), v);
}

static void metric_list_free(struct metric_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->m[i].v);
	free(l->m);
	l->m = NULL;
	l->n = 0;
}

/* A metric list as results objects: name -> {unit, better, samples, summary}. */
static json_t *metrics_json(const struct metric_list *l, double noisy_cv)
{
	json_t *o = json_object();

	for (size_t i = 0; i < l->n; i++)
		json_object_set_new(o, l->m[i].name, results_metric(l->m[i].unit, l->m[i].better,
								     l->m[i].v, l->m[i].n, noisy_cv));
	return o;
}

static json_t *params_json(const struct bench_case *c)
{
	return json_pack("{s:s, s:s, s:s, s:I, s:i, s:i, s:i, s:I, s:I, s:s, s:I, s:I, s:s,"
			 " s:i, s:I, s:s, s:s, s:i, s:i, s:f, s:f}",
			 "backend", c->backend, "op", c->op, "page", c->page,
			 "size", (json_int_t)c->size_bytes, "mem_node", c->mem_node,
			 "cpu_node", c->cpu_node, "threads", c->threads,
			 "pages_per_call", (json_int_t)c->pages_per_call,
			 "batch_runs", (json_int_t)c->batch_runs, "fill", c->fill,
			 "window", (json_int_t)c->window_bytes,
			 "stride", (json_int_t)c->stride_bytes, "pattern", c->pattern,
			 "passes", c->passes, "seed", (json_int_t)c->seed,
			 "domain", c->domain, "device", c->device,
			 "repetitions", c->repetitions, "warmup", c->warmup,
			 "min_time", c->min_time_s, "noisy_cv", c->noisy_cv);
}

struct run_opts {
	const char *out_path;
	const char *results_dir;
	const char *backends;
	int quiet, verbose, strict;
	int repetitions;	/* > 0 overrides the job files */
	double min_time_s;	/* >= 0 overrides */
};

/* The empty phase of op=null: exactly the clock reads a real phase makes. */
struct null_state {
	uint64_t start[1024], end[1024];
};

static void null_fn(void *arg, int thread)
{
	struct null_state *s = arg;

	s->start[thread] = now_ns();
	s->end[thread] = now_ns();
}

/*
 * One sample of any case: counters around the backend's sample.  Returns
 * 0, or -1 with @why.
 */
static int one_sample(struct bench_run *r, const struct backend *be, struct counter_set *cs,
		      struct null_state *ns, int record, char *why, size_t len)
{
	uint64_t t0, t1;
	int rc = 0;

	t0 = now_ns();
	if (record)
		counters_start(cs);
	if (ns)
		team_run(r->team, null_fn, ns);
	else
		rc = be->sample(r, record, why, len);
	if (record)
		counters_stop(cs);
	t1 = now_ns();
	if (rc) {
		if (record)
			counters_drop_last(cs);
		return rc;
	}
	if (ns && record) {
		uint64_t lo = UINT64_MAX, hi = 0;

		for (int i = 0; i < r->bc->threads; i++) {
			lo = ns->start[i] < lo ? ns->start[i] : lo;
			hi = ns->end[i] > hi ? ns->end[i] : hi;
		}
		run_metric(r, "phase_ns", "ns", "lower", (double)(hi - lo));
		/* Everything the harness adds around a phase, per sample. */
		run_metric(r, "harness_ns", "ns", "lower", (double)(t1 - t0));
	}
	return 0;
}

struct case_outcome {
	char status[16];
	char reason[320];
	int interrupted;
};

static json_t *placement_json(const struct bench_case *bc, const struct placement *p,
			      int cpu_node)
{
	return json_pack("{s:i, s:f, s:s, s:f, s:i, s:b, s:o}", "mem_node", bc->mem_node,
			 "on_node_fraction", p->on_node_fraction, "page_requested", bc->page,
			 "huge_fraction", p->huge_fraction, "cpu_node", cpu_node, "ok", p->ok,
			 "reason", p->ok ? json_null() : json_string(p->why));
}

/* Run one case; returns its results object. */
static json_t *run_case(const struct bench_case *bc, const struct run_opts *o,
			struct case_outcome *out)
{
	const struct backend *be = backend_find(bc->backend);
	struct bench_run r;
	struct counter_set cs;
	struct placement pl;
	struct null_state *ns = NULL;
	json_t *res, *threads;
	char why[256] = "";
	int is_null = !strcmp(bc->op, "null"), have_placement = 0, setup_done = 0;
	int reps = bc->repetitions, rc;
	double min_time = bc->min_time_s, measured_s = 0;
	size_t nsamples = 0, max_samples;

	memset(&r, 0, sizeof(r));
	memset(&cs, 0, sizeof(cs));
	r.bc = bc;
	r.buf.memfd = -1;
	snprintf(out->status, sizeof(out->status), "ok");
	out->reason[0] = '\0';
	out->interrupted = 0;

	res = json_pack("{s:s, s:s, s:o, s:s, s:i}", "name", bc->name, "key", bc->key,
			"params", params_json(bc), "job", bc->job_path, "job_line", bc->line);
	if (o->repetitions > 0)
		reps = o->repetitions;
	if (o->min_time_s >= 0)
		min_time = o->min_time_s;
	max_samples = (size_t)reps > MAX_SAMPLES ? (size_t)reps : MAX_SAMPLES;

	if (!be || be->probe(why, sizeof(why))) {
		rc = BUF_SKIP;
		goto skip;
	}
	if (!topology_node_exists(bc->cpu_node) || topology_node_cpu(bc->cpu_node, 0) < 0) {
		snprintf(why, sizeof(why), "cpu_node %d does not exist or has no CPUs",
			 bc->cpu_node);
		rc = BUF_SKIP;
		goto skip;
	}
	if (is_null && bc->threads > 1024) {
		snprintf(why, sizeof(why), "op=null supports 1024 threads at most");
		rc = BUF_FAIL;
		goto skip;
	}
	if (!is_null) {
		rc = buffer_alloc(&r.buf, bc->page, bc->size_bytes, bc->mem_node, why,
				  sizeof(why));
		if (rc != BUF_OK)
			goto skip;
		if (buffer_verify(&r.buf, bc->mem_node, &pl)) {
			snprintf(why, sizeof(why), "%s", pl.why);
			rc = BUF_FAIL;
			goto skip;
		}
		have_placement = 1;
		if (!pl.ok) {
			snprintf(out->status, sizeof(out->status), "flagged");
			snprintf(out->reason, sizeof(out->reason), "placement: %s", pl.why);
		}
	}
	/* Before the team: worker threads inherit only events that exist already. */
	counters_open(&cs);
	r.team = team_start(bc->threads, bc->cpu_node, why, sizeof(why));
	if (!r.team) {
		rc = BUF_SKIP;
		goto skip;
	}
	r.thread_metrics = calloc((size_t)bc->threads, sizeof(*r.thread_metrics));
	if (!r.thread_metrics) {
		snprintf(why, sizeof(why), "out of memory");
		rc = BUF_FAIL;
		goto skip;
	}
	if (is_null) {
		ns = calloc(1, sizeof(*ns));
		if (!ns) {
			snprintf(why, sizeof(why), "out of memory");
			rc = BUF_FAIL;
			goto skip;
		}
	} else {
		setup_done = 1;
		rc = be->setup(&r, why, sizeof(why));
		if (rc != BUF_OK)
			goto skip;
	}
	for (int w = 0; w < bc->warmup && !stop_requested; w++) {
		if (one_sample(&r, be, &cs, ns, 0, why, sizeof(why))) {
			rc = BUF_FAIL;
			goto skip;
		}
	}
	while (!stop_requested && nsamples < max_samples &&
	       (nsamples < (size_t)reps || measured_s < min_time)) {
		uint64_t t0 = now_ns();

		if (one_sample(&r, be, &cs, ns, 1, why, sizeof(why))) {
			if (stop_requested)
				break;	/* a signal cut the sample short */
			rc = BUF_FAIL;
			goto skip;
		}
		measured_s += (double)(now_ns() - t0) / 1e9;
		nsamples++;
		progress_sample(nsamples);
	}
	if (stop_requested && (nsamples < (size_t)reps || measured_s < min_time))
		out->interrupted = 1;
	if (!nsamples) {
		/* Stopped during setup or warmup: nothing was measured. */
		snprintf(why, sizeof(why), "interrupted before the first measured sample");
		rc = BUF_SKIP;
		goto skip;
	}
	rc = BUF_OK;
skip:
	if (rc != BUF_OK) {
		int strict_fail = rc == BUF_SKIP && o->strict && !out->interrupted;

		snprintf(out->status, sizeof(out->status), "%s",
			 rc == BUF_SKIP && !strict_fail ? "skipped" : "failed");
		snprintf(out->reason, sizeof(out->reason), "%s%s", strict_fail ? "--strict: " : "",
			 why);
	}
	json_object_set_new(res, "status", json_string(out->status));
	json_object_set_new(res, "reason", out->reason[0] ? json_string(out->reason) : json_null());
	json_object_set_new(res, "placement", have_placement ?
			    placement_json(bc, &pl, bc->cpu_node) : json_null());
	json_object_set_new(res, "metrics", rc == BUF_OK ? metrics_json(&r.metrics, bc->noisy_cv)
						       : json_object());
	json_object_set_new(res, "counters", rc == BUF_OK ? counters_json(&cs) : json_object());
	threads = json_array();
	for (int t = 0; rc == BUF_OK && r.thread_metrics && t < bc->threads; t++)
		json_array_append_new(threads, json_pack("{s:i, s:i, s:o}", "thread", t, "cpu",
							 r.team ? team_cpu(r.team, t) : -1, "metrics",
							 metrics_json(&r.thread_metrics[t],
								      bc->noisy_cv)));
	json_object_set_new(res, "threads", threads);
	json_object_set_new(res, "samples", json_integer((json_int_t)nsamples));
	json_object_set_new(res, "measured_s", json_real(measured_s));
	json_object_set_new(res, "interrupted", json_boolean(out->interrupted));
	json_object_set_new(res, "backend_info", r.extra ? json_incref(r.extra) : json_null());

	/* Release in reverse: pins first (backend), then threads, then memory. */
	if (setup_done)
		be->teardown(&r);
	if (r.team)
		team_stop(r.team);
	counters_close(&cs);
	buffer_free(&r.buf);
	metric_list_free(&r.metrics);
	for (int t = 0; r.thread_metrics && t < bc->threads; t++)
		metric_list_free(&r.thread_metrics[t]);
	free(r.thread_metrics);
	free(ns);
	json_decref(r.extra);
	return res;
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
		"  -n, --repetitions N   minimum measured samples per benchmark (overrides the jobs)\n"
		"  -t, --min-time S      minimum measured seconds per benchmark (overrides the jobs)\n"
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

static void summary_line(json_t *res, char *buf, size_t len)
{
	json_t *metrics = json_object_get(res, "metrics"), *m;
	const char *name;
	size_t n = 0;

	buf[0] = '\0';
	json_object_foreach(metrics, name, m) {
		json_t *med = json_object_get(json_object_get(m, "summary"), "median");

		if (!med || n >= len)
			continue;
		n += (size_t)snprintf(buf + n, len - n, "%s=%.4g ", name, json_real_value(med));
	}
	if (!n) {
		json_t *reason = json_object_get(res, "reason");

		snprintf(buf, len, "%s", json_is_string(reason) ? json_string_value(reason) : "");
	}
}

int cmd_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "results-dir", required_argument, NULL, 'd' },
		{ "backend", required_argument, NULL, 'b' },
		{ "repetitions", required_argument, NULL, 'n' },
		{ "min-time", required_argument, NULL, 't' },
		{ "strict", no_argument, NULL, 'S' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct run_opts o = { .min_time_s = -1 };
	struct job_set set = { 0 };
	char err[1024], host[256], commit[128], path[4096], stamp[32];
	struct sigaction sa;
	json_t *doc, *benches, *jobs;
	time_t started;
	int c, any_failed = 0, ret;
	size_t i;
	char *end;

	o.results_dir = getenv("PFNLAB_RESULTS_DIR");
	if (!o.results_dir || !*o.results_dir)
		o.results_dir = "results";
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:d:b:n:t:qvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': o.out_path = optarg; break;
		case 'd': o.results_dir = optarg; break;
		case 'b': o.backends = optarg; break;
		case 'n':
			o.repetitions = (int)strtol(optarg, &end, 10);
			if (*end || o.repetitions < 1) {
				fprintf(stderr, "pfnlab run: --repetitions: '%s' is not a positive integer\n", optarg);
				return 2;
			}
			break;
		case 't':
			o.min_time_s = strtod(optarg, &end);
			if (*end || o.min_time_s < 0) {
				fprintf(stderr, "pfnlab run: --min-time: '%s' is not seconds >= 0\n", optarg);
				return 2;
			}
			break;
		case 'S': o.strict = 1; break;
		case 'q': o.quiet = 1; break;
		case 'v': o.verbose = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "pfnlab run: no job file given\n");
		usage(stderr);
		return 2;
	}
	if (o.backends) {
		char buf[256], *save = NULL, *tok;

		snprintf(buf, sizeof(buf), "%s", o.backends);
		for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
			if (!backend_find(tok)) {
				fprintf(stderr, "pfnlab run: --backend: unknown backend '%s' (driver, uring, pagemap)\n", tok);
				return 2;
			}
	}
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
	{
		char dirbuf[4096], *slash;

		snprintf(dirbuf, sizeof(dirbuf), "%s", path);
		slash = strrchr(dirbuf, '/');
		if (slash)
			*slash = '\0';
		if (access(slash ? (dirbuf[0] ? dirbuf : "/") : ".", W_OK)) {
			fprintf(stderr, "pfnlab run: %s: cannot write results there: %s\n", path,
				strerror(errno));
			jobset_free(&set);
			return 3;
		}
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	results_utc(stamp, sizeof(stamp), started);
	jobs = json_array();
	for (i = 0; i < set.nfiles; i++)
		json_array_append_new(jobs, json_pack("{s:s, s:s}", "path", set.files[i].path,
						      "text", set.files[i].text));
	doc = json_pack("{s:i, s:{s:s, s:s}, s:s, s:s, s:n, s:b, s:s, s:o, s:o, s:o}",
			"schema_version", RESULTS_SCHEMA_VERSION,
			"tool", "name", "pfnlab", "version", PFNLAB_VERSION,
			"suite_commit", commit, "started_utc", stamp, "finished_utc",
			"complete", 0, "hostname", host,
			"environment", environment_collect(), "job", jobs,
			"options", json_pack("{s:o, s:o, s:o, s:b}",
				"backend", o.backends ? json_string(o.backends) : json_null(),
				"repetitions", o.repetitions > 0 ? json_integer(o.repetitions) : json_null(),
				"min_time", o.min_time_s >= 0 ? json_real(o.min_time_s) : json_null(),
				"strict", o.strict));
	benches = json_array();
	json_object_set_new(doc, "benchmarks", benches);

	progress_init(o.quiet, o.verbose, set.ncases);
	for (i = 0; i < set.ncases && !stop_requested; i++) {
		struct case_outcome oc = { 0 };
		char line[512];
		json_t *res;

		progress_case(i, &set.cases[i]);
		res = run_case(&set.cases[i], &o, &oc);
		json_array_append_new(benches, res);
		any_failed |= !strcmp(oc.status, "failed");
		summary_line(res, line, sizeof(line));
		progress_done(&set.cases[i], oc.status, line);
		if (!strcmp(oc.status, "failed") && !o.quiet)
			fprintf(stderr, "%spfnlab run: %s: failed: %s\n",
				isatty(STDERR_FILENO) ? "\r\033[K" : "", set.cases[i].key, oc.reason);
	}
	progress_finish();
	results_utc(stamp, sizeof(stamp), time(NULL));
	json_object_set_new(doc, "finished_utc", json_string(stamp));
	json_object_set_new(doc, "complete", json_boolean(!stop_requested));
	if (results_write_atomic(doc, path, err, sizeof(err))) {
		fprintf(stderr, "pfnlab run: %s\n", err);
		ret = 3;
	} else {
		if (!o.quiet)
			printf("%s\n", path);
		ret = stop_requested ? 130 : any_failed ? 1 : 0;
		if (stop_requested)
			fprintf(stderr, "pfnlab run: interrupted: partial results (complete: false) in %s\n", path);
	}
	json_decref(doc);
	jobset_free(&set);
	topology_fini();
	return ret;
}
