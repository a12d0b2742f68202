// SPDX-License-Identifier: GPL-2.0
/*
 * The run engine (engine.h): rounds over the whole job, a buffer per group
 * of variants and round, counters and workers per case and round, and the
 * benchmarks array of the results document.
 */
#include "engine.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend.h"
#include "compare_stats.h"
#include "counters.h"
#include "progress.h"
#include "quiesce.h"
#include "results.h"
#include "topology.h"

/* Samples kept at most per case and round, unless repetitions asks for more. */
#define MAX_SAMPLES 10000
/* op=null keeps one start/end pair per worker. */
#define NULL_MAX_THREADS 1024

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* When engine_run() began: rounds say when they started, relative to it. */
static uint64_t run_start_ns;

/* ---- metric series with round boundaries ---- */

static struct metric_series *series_get(struct metric_list *l, const char *name)
{
	const struct metric_def *def = metric_def_find(name);
	struct metric_series *p;

	if (!def) {
		fprintf(stderr,
			"pfnlab: internal error: metric '%s' is not in metrics.c; dropped\n", name);
		return NULL;
	}
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->m[i].name, name))
			return &l->m[i];
	p = realloc(l->m, (l->n + 1) * sizeof(*p));
	if (!p)
		return NULL;
	l->m = p;
	p = &l->m[l->n];
	memset(p, 0, sizeof(*p));
	/* A metric first seen in a later round had no samples in the earlier ones. */
	if (l->rounds_closed) {
		p->round_end = calloc(l->rounds_closed, sizeof(*p->round_end));
		if (!p->round_end)
			return NULL;
		p->nrounds = l->rounds_closed;
	}
	l->n++;
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->def = def;
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

void run_metric(struct bench_run *r, const char *name, double v)
{
	series_add(series_get(r->metrics, name), v);
}

void run_thread_metric(struct bench_run *r, int thread, const char *name, double v)
{
	if (!r->thread_metrics || thread < 0 || thread >= r->bc->threads)
		return;
	series_add(series_get(&r->thread_metrics[thread], name), v);
}

/* Close the current round of every series of @l. */
static int metric_list_end_round(struct metric_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		struct metric_series *s = &l->m[i];
		size_t *p = realloc(s->round_end, (s->nrounds + 1) * sizeof(*p));

		if (!p)
			return -1;
		s->round_end = p;
		s->round_end[s->nrounds++] = s->n;
	}
	l->rounds_closed++;
	return 0;
}

/* Forget the samples of the round in progress (it failed). */
static void metric_list_drop_round(struct metric_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		struct metric_series *s = &l->m[i];

		s->n = s->nrounds ? s->round_end[s->nrounds - 1] : 0;
	}
}

static void metric_list_free(struct metric_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->m[i].v);
		free(l->m[i].round_end);
	}
	free(l->m);
	memset(l, 0, sizeof(*l));
}

static json_t *metrics_json(const struct metric_list *l, double noisy_cv)
{
	json_t *o = json_object();

	for (size_t i = 0; i < l->n; i++) {
		const struct metric_series *s = &l->m[i];

		if (s->nrounds)
			json_object_set_new(o, s->name,
					    results_metric(s->def, s->v, s->round_end, s->nrounds,
							   noisy_cv));
	}
	return o;
}

/* ---- one case across its rounds ---- */

struct case_acc {
	const struct bench_case *bc;
	const struct backend *be;
	size_t group;	 /* index of the first case sharing its buffer */
	int rounds;	 /* asked for */
	int rounds_done; /* measured */
	char status[16]; /* pending ok skipped failed flagged */
	char reason[320];
	int interrupted;
	int done; /* no more rounds to run */
	struct metric_list metrics;
	struct metric_list *thread_metrics; /* [bc->threads] */
	struct counter_set counters;
	json_t *round_info;	/* one object per measured round */
	json_t *backend_info;	/* the last measured round's */
	struct placement worst; /* the round whose placement was worst */
	int have_placement;
	size_t nsamples;
	double measured_s;
};

int engine_case_rounds(const struct bench_case *bc, const struct engine_opts *o)
{
	return o->rounds > 0 ? o->rounds : bc->rounds;
}

static void set_status(struct case_acc *c, const char *status, const char *fmt, const char *why)
{
	snprintf(c->status, sizeof(c->status), "%s", status);
	snprintf(c->reason, sizeof(c->reason), fmt, why);
}

/*
 * A case ends early: @rc BUF_SKIP (cannot run here) or BUF_FAIL.  A skip
 * after rounds were measured is a failure (something changed mid-run), and
 * --strict turns any skip into one.
 */
static void case_stop(struct case_acc *c, int rc, const char *why, const struct engine_opts *o,
		      int round)
{
	char buf[300];

	c->done = 1;
	if (rc == BUF_SKIP && c->rounds_done == 0 && !o->strict) {
		set_status(c, "skipped", "%s", why);
		return;
	}
	if (rc == BUF_SKIP && c->rounds_done == 0) {
		set_status(c, "failed", "--strict: %s", why);
		return;
	}
	snprintf(buf, sizeof(buf), "round %d of %d: %s", round + 1, c->rounds, why);
	set_status(c, "failed", "%s", buf);
}

static json_t *placement_json(const struct bench_case *bc, const struct placement *p)
{
	return json_pack("{s:i, s:f, s:s, s:f, s:o, s:i, s:b, s:o}", "mem_node", bc->mem_node,
			 "on_node_fraction", p->on_node_fraction, "page_requested", bc->page,
			 "huge_fraction", p->huge_fraction, "pfn_runs",
			 p->pfn_runs ? json_integer((json_int_t)p->pfn_runs) : json_null(),
			 "cpu_node", bc->cpu_node, "ok", p->ok, "reason",
			 p->ok ? json_null() : json_string(p->why));
}

/* The empty phase of op=null: exactly the clock reads a real phase makes. */
struct null_state {
	uint64_t start[NULL_MAX_THREADS], end[NULL_MAX_THREADS];
};

static void null_fn(void *arg, int thread)
{
	struct null_state *s = arg;

	s->start[thread] = now_ns();
	s->end[thread] = now_ns();
}

/* One sample: counters around the backend's sample.  0, or -1 with @why. */
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
		run_metric(r, "phase_ns", (double)(hi - lo));
		/* Everything the harness adds around a phase, per sample. */
		run_metric(r, "harness_ns", (double)(t1 - t0));
	}
	return 0;
}

/*
 * evict=N: touch (read and write) every cache line of an N-byte buffer, so
 * that what the sample touches next comes from memory.  Why: a sample
 * repeated on one buffer finds the struct pages, page tables and arrays of
 * the previous sample in the cache while they fit, and not once they do
 * not, so warm samples of a small size understate what one pass over a
 * large one costs (docs/plan.md).  A byte loop, not memset(): large
 * memsets use non-temporal stores, which bypass the cache and evict
 * nothing.  bytes 0 frees the buffer.
 */
static int evict_caches(uint64_t bytes, char *why, size_t len)
{
	static unsigned char *buf;
	static uint64_t have;
	volatile unsigned char *p;

	if (bytes == 0 || bytes > have) {
		free(buf);
		buf = NULL;
		have = 0;
	}
	if (bytes == 0)
		return 0;
	if (!buf) {
		buf = malloc(bytes);
		if (!buf) {
			snprintf(why, len, "evict: cannot allocate %llu bytes",
				 (unsigned long long)bytes);
			return -1;
		}
		/* faults the pages in once, so that the loop below touches only the cache */
		memset(buf, 0, bytes);
		have = bytes;
	}
	p = buf;
	for (uint64_t i = 0; i < bytes; i += 64)
		p[i]++;
	return 0;
}

/* Warmup, then samples until repetitions and min_time are met. */
static int take_samples(struct bench_run *r, const struct backend *be, struct counter_set *cs,
			struct null_state *ns, const struct engine_opts *o, size_t *nsamples,
			double *measured_s, char *why, size_t len)
{
	const struct bench_case *bc = r->bc;
	int reps = o->repetitions > 0 ? o->repetitions : bc->repetitions;
	double min_time = o->min_time_s >= 0 ? o->min_time_s : bc->min_time_s;
	size_t max_samples = (size_t)reps > MAX_SAMPLES ? (size_t)reps : MAX_SAMPLES;

	for (int w = 0; w < bc->warmup && !*o->stop; w++) {
		quiesce_kernel();
		if ((bc->evict_bytes && evict_caches(bc->evict_bytes, why, len)) ||
		    one_sample(r, be, cs, ns, 0, why, len))
			return -1;
	}
	while (!*o->stop && *nsamples < max_samples &&
	       (*nsamples < (size_t)reps || *measured_s < min_time)) {
		uint64_t t0;

		/* no sample pays for the frees the one before deferred (quiesce.h) */
		quiesce_kernel();
		if (bc->evict_bytes && evict_caches(bc->evict_bytes, why, len))
			return -1;
		t0 = now_ns();
		if (one_sample(r, be, cs, ns, 1, why, len))
			return *o->stop ? 0 : -1; /* a signal cut the sample short */
		*measured_s += (double)(now_ns() - t0) / 1e9;
		(*nsamples)++;
		progress_sample(*nsamples);
	}
	if (*o->stop && (*nsamples < (size_t)reps || *measured_s < min_time))
		return 1; /* interrupted */
	return 0;
}

/*
 * One round of one case on the group's buffer @buf (placement @pl).
 * Everything it takes is released before it returns.
 */
static void case_round(struct case_acc *c, const struct buffer *buf, const struct placement *pl,
		       int round, const struct engine_opts *o)
{
	const struct bench_case *bc = c->bc;
	struct counter_set cs = { 0 };
	struct bench_run r;
	struct null_state *ns = NULL;
	char why[256] = "";
	int rc = BUF_OK, setup_done = 0, sampled;
	size_t nsamples = 0;
	double measured_s = 0;
	double started_s = (double)(now_ns() - run_start_ns) / 1e9;

	memset(&r, 0, sizeof(r));
	r.bc = bc;
	r.round = round;
	r.buf = *buf;
	r.placement = pl;
	r.metrics = &c->metrics;
	r.thread_metrics = c->thread_metrics;
	/* Before the team: worker threads inherit only events that exist already. */
	counters_open(&cs);
	/*
	 * A new team every round, never one kept for the run: whatever state
	 * a thread carries (its stack, its caches, the CPU it settled on) is
	 * drawn again each round, so rounds replicate it (results/README.md,
	 * "Rounds").
	 */
	r.team = team_start(bc->threads, bc->cpu_node, why, sizeof(why));
	if (!r.team) {
		rc = BUF_SKIP;
		goto out;
	}
	if (!strcmp(bc->op, "null")) {
		ns = calloc(1, sizeof(*ns));
		if (!ns) {
			snprintf(why, sizeof(why), "out of memory");
			rc = BUF_FAIL;
			goto out;
		}
	} else {
		setup_done = 1;
		rc = c->be->setup(&r, why, sizeof(why));
		if (rc != BUF_OK)
			goto out;
	}
	sampled = take_samples(&r, c->be, &cs, ns, o, &nsamples, &measured_s, why, sizeof(why));
	if (sampled < 0) {
		rc = BUF_FAIL;
	} else if (nsamples == 0) {
		/* Stopped during setup or warmup: nothing of this round counts. */
		c->interrupted = 1;
		c->done = 1;
	} else {
		c->interrupted |= sampled == 1;
	}
out:
	/* Release in reverse: pins first (backend), then threads. */
	if (setup_done)
		c->be->teardown(&r);
	if (r.team)
		team_stop(r.team);
	free(ns);
	if (rc != BUF_OK || nsamples == 0) {
		metric_list_drop_round(&c->metrics);
		for (int t = 0; t < bc->threads; t++)
			metric_list_drop_round(&c->thread_metrics[t]);
		counters_close(&cs);
		json_decref(r.extra);
		if (rc != BUF_OK)
			case_stop(c, rc, why, o, round);
		return;
	}
	if (metric_list_end_round(&c->metrics) || counters_absorb(&c->counters, &cs)) {
		json_decref(r.extra);
		case_stop(c, BUF_FAIL, "out of memory", o, round);
		return;
	}
	for (int t = 0; t < bc->threads; t++)
		metric_list_end_round(&c->thread_metrics[t]);
	c->rounds_done++;
	c->nsamples += nsamples;
	c->measured_s += measured_s;
	json_array_append_new(c->round_info,
			      json_pack("{s:i, s:f, s:o, s:I, s:f, s:o}", "round", round + 1,
					"started_s", started_s, "placement",
					pl ? placement_json(bc, pl) : json_null(), "samples",
					(json_int_t)nsamples, "measured_s", measured_s,
					"backend_info",
					r.extra ? json_incref(r.extra) : json_null()));
	json_decref(c->backend_info);
	c->backend_info = r.extra;
	if (c->rounds_done >= c->rounds || c->interrupted)
		c->done = 1;
}

/* ---- groups of variants sharing a buffer ---- */

/* Checks that need no buffer; 0 when the case can start. */
static int case_precheck(struct case_acc *c, char *why, size_t len)
{
	const struct bench_case *bc = c->bc;

	if (!c->be || c->be->probe(why, len))
		return BUF_SKIP;
	if (!topology_node_exists(bc->cpu_node) || topology_node_cpu(bc->cpu_node, 0) < 0) {
		snprintf(why, len, "cpu_node %d does not exist or has no CPUs", bc->cpu_node);
		return BUF_SKIP;
	}
	if (!strcmp(bc->op, "null") && bc->threads > NULL_MAX_THREADS) {
		snprintf(why, len, "op=null supports %d threads at most", NULL_MAX_THREADS);
		return BUF_FAIL;
	}
	return BUF_OK;
}

static void group_round(struct case_acc *cases, size_t ncases, size_t group, int round,
			const struct engine_opts *o, size_t *step, size_t nsteps)
{
	size_t *live = calloc(ncases, sizeof(*live)), nlive = 0;
	const struct bench_case *first = NULL;
	struct buffer buf;
	struct placement pl = { 0 };
	char why[256] = "";
	int rc;

	(void)nsteps;
	if (!live) {
		case_stop(&cases[group], BUF_FAIL, "out of memory", o, round);
		return;
	}
	for (size_t i = group; i < ncases; i++) {
		struct case_acc *c = &cases[i];

		if (c->group != group || c->done || round >= c->rounds)
			continue;
		if (round == 0 && (rc = case_precheck(c, why, sizeof(why))) != BUF_OK) {
			case_stop(c, rc, why, o, round);
			continue;
		}
		live[nlive++] = i;
		first = first ? first : c->bc;
	}
	if (!nlive) {
		free(live);
		return;
	}
	memset(&buf, 0, sizeof(buf));
	buf.memfd = -1;
	if (strcmp(first->op, "null")) {
		rc = buffer_alloc(&buf, first->page, first->size_bytes, first->mem_node, why,
				  sizeof(why));
		if (rc == BUF_OK && buffer_verify(&buf, first->mem_node, &pl)) {
			snprintf(why, sizeof(why), "%s", pl.why);
			rc = BUF_FAIL;
		}
		if (rc != BUF_OK) {
			for (size_t k = 0; k < nlive; k++)
				case_stop(&cases[live[k]], rc, why, o, round);
			buffer_free(&buf);
			free(live);
			return;
		}
	}
	/* Rotate the order of the variants, so that none always goes first. */
	for (size_t k = 0; k < nlive && !*o->stop; k++) {
		struct case_acc *c = &cases[live[(k + (size_t)round) % nlive]];
		int is_null = !strcmp(first->op, "null");

		progress_case((*step)++, c->bc);
		if (!is_null) {
			if (!c->have_placement || pl.on_node_fraction < c->worst.on_node_fraction ||
			    (!pl.ok && c->worst.ok)) {
				c->worst = pl;
				c->have_placement = 1;
			}
			if (!pl.ok && strcmp(c->status, "flagged")) {
				char r[300];

				snprintf(r, sizeof(r), "placement (round %d): %s", round + 1,
					 pl.why);
				set_status(c, "flagged", "%s", r);
			}
		}
		case_round(c, &buf, is_null ? NULL : &pl, round, o);
	}
	buffer_free(&buf);
	free(live);
}

void engine_round_order(size_t n, int round, size_t *order)
{
	struct cs_rng rng;

	/*
	 * A state of the machine that lasts part of a round (on the host after
	 * a round's largest buffers were freed: the first benchmarks of a round
	 * ran up to 3x slower) must not always fall on the same benchmarks, or
	 * a size sweep takes it for a cost of the small sizes.  Seeded by the
	 * round: the same job runs in the same orders again.
	 */
	cs_rng_seed(&rng, 0x9e3779b97f4a7c15ULL + (uint64_t)round);
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	for (size_t i = n; i > 1; i--) {
		size_t j = cs_rng_below(&rng, i), t = order[i - 1];

		order[i - 1] = order[j];
		order[j] = t;
	}
}

/* ---- the benchmarks array ---- */

/* The case's keys, with the rounds the run really did (-r overrides the job). */
static json_t *params_json(const struct bench_case *c, int rounds)
{
	json_t *params = bench_case_params(c);

	json_object_set_new(params, "rounds", json_integer(rounds));
	return params;
}

/*
 * For a variant measured on the same buffers as its group's reference (the
 * group's first case), the ratio of each gated metric's round medians,
 * round by round: the layout cancels out of it.
 */
static json_t *paired_json(const struct case_acc *cases, const struct case_acc *c)
{
	const struct case_acc *ref = &cases[c->group];
	json_t *metrics = json_object();

	if (ref == c || !ref->rounds_done || !c->rounds_done) {
		json_decref(metrics);
		return json_null();
	}
	for (size_t i = 0; i < c->metrics.n; i++) {
		const struct metric_series *s = &c->metrics.m[i], *rs = NULL;
		json_t *ratios;
		double *r;
		size_t nr = 0;

		if (s->def->kind != METRIC_GATED)
			continue;
		r = calloc(s->nrounds + 1, sizeof(*r));
		ratios = json_array();
		if (!r) {
			json_decref(ratios);
			continue;
		}
		for (size_t j = 0; j < ref->metrics.n && !rs; j++)
			if (!strcmp(ref->metrics.m[j].name, s->name))
				rs = &ref->metrics.m[j];
		for (size_t k = 0; rs && k < s->nrounds && k < rs->nrounds; k++) {
			size_t a0 = k ? s->round_end[k - 1] : 0, b0 = k ? rs->round_end[k - 1] : 0;
			double mine, theirs;

			if (s->round_end[k] == a0 || rs->round_end[k] == b0)
				continue;
			mine = cs_median(s->v + a0, s->round_end[k] - a0);
			theirs = cs_median(rs->v + b0, rs->round_end[k] - b0);
			if (theirs != 0) {
				r[nr++] = mine / theirs;
				json_array_append_new(ratios, json_real(mine / theirs));
			}
		}
		if (nr)
			json_object_set_new(metrics, s->name,
					    json_pack("{s:o, s:f}", "round_ratios", ratios,
						      "median", cs_median(r, nr)));
		else
			json_decref(ratios);
		free(r);
	}
	return json_pack("{s:s, s:o}", "reference", ref->bc->key, "metrics", metrics);
}

/*
 * A case as the document shows it at any moment: one still "pending" is,
 * if the run ended now, "ok" with fewer rounds than asked (interrupted)
 * when it measured a round, else "missing": never run.
 */
static json_t *case_json(const struct case_acc *cases, const struct case_acc *c)
{
	const struct bench_case *bc = c->bc;
	int pending = !strcmp(c->status, "pending");
	int measured = c->rounds_done > 0 &&
		       (pending || !strcmp(c->status, "ok") || !strcmp(c->status, "flagged"));
	const char *status = pending ? (c->rounds_done ? "ok" : "missing") : c->status;
	const char *reason = pending && !c->rounds_done ?
				     "not run: the run ended before this benchmark's first round" :
				     c->reason;
	json_t *res, *threads = json_array();

	res = json_pack("{s:s, s:s, s:o, s:s, s:i}", "name", bc->name, "key", bc->key, "params",
			params_json(bc, c->rounds), "job", bc->job_path, "job_line", bc->line);
	json_object_set_new(res, "status", json_string(status));
	json_object_set_new(res, "reason", reason[0] ? json_string(reason) : json_null());
	json_object_set_new(res, "placement",
			    c->have_placement ? placement_json(bc, &c->worst) : json_null());
	json_object_set_new(res, "metrics",
			    measured ? metrics_json(&c->metrics, bc->noisy_cv) : json_object());
	json_object_set_new(res, "counters", measured ? counters_json(&c->counters) : json_object());
	for (int t = 0; measured && t < bc->threads; t++)
		json_array_append_new(threads,
				      json_pack("{s:i, s:o}", "thread", t, "metrics",
						metrics_json(&c->thread_metrics[t], bc->noisy_cv)));
	json_object_set_new(res, "threads", threads);
	json_object_set_new(res, "samples", json_integer((json_int_t)c->nsamples));
	json_object_set_new(res, "measured_s", json_real(c->measured_s));
	json_object_set_new(res, "rounds", json_incref(c->round_info));
	json_object_set_new(res, "interrupted",
			    json_boolean(c->interrupted || (measured && c->rounds_done < c->rounds)));
	json_object_set_new(res, "backend_info",
			    c->backend_info ? json_incref(c->backend_info) : json_null());
	json_object_set_new(res, "paired", measured ? paired_json(cases, c) : json_null());
	return res;
}

/* "metric=center ..." of a finished case, or its reason (pfnlab run -v). */
static void summary_line(json_t *res, char *buf, size_t len)
{
	json_t *metrics = json_object_get(res, "metrics"), *m;
	const char *name;
	size_t n = 0;

	buf[0] = '\0';
	json_object_foreach(metrics, name, m) {
		json_t *c = json_object_get(json_object_get(m, "summary"), "center");

		if (!c || n >= len)
			continue;
		n += (size_t)snprintf(buf + n, len - n, "%s=%.4g ", name, json_number_value(c));
	}
	if (!n) {
		json_t *reason = json_object_get(res, "reason");

		snprintf(buf, len, "%s", json_is_string(reason) ? json_string_value(reason) : "");
	}
}

static json_t *benchmarks_json(const struct case_acc *cases, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, case_json(cases, &cases[i]));
	return a;
}

static void cases_free(struct case_acc *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct case_acc *c = &cases[i];

		metric_list_free(&c->metrics);
		for (int t = 0; c->thread_metrics && t < c->bc->threads; t++)
			metric_list_free(&c->thread_metrics[t]);
		free(c->thread_metrics);
		counters_close(&c->counters);
		json_decref(c->round_info);
		json_decref(c->backend_info);
	}
	free(cases);
}

int engine_run(const struct job_set *set, const struct engine_opts *o, struct engine_result *out)
{
	struct case_acc *cases = calloc(set->ncases + 1, sizeof(*cases));
	size_t *order = calloc(set->ncases + 1, sizeof(*order));
	size_t step = 0, nsteps = 0;
	int max_rounds = 0;

	memset(out, 0, sizeof(*out));
	if (!cases || !order) {
		free(cases);
		free(order);
		return -1;
	}
	run_start_ns = now_ns();
	for (size_t i = 0; i < set->ncases; i++) {
		struct case_acc *c = &cases[i];

		c->bc = &set->cases[i];
		c->be = backend_find(c->bc->backend);
		c->rounds = engine_case_rounds(c->bc, o);
		c->group = i;
		for (size_t j = 0; j < i; j++)
			if (cases[j].group == j && bench_case_same_buffer(cases[j].bc, c->bc)) {
				c->group = j;
				break;
			}
		snprintf(c->status, sizeof(c->status), "pending");
		c->thread_metrics = calloc((size_t)c->bc->threads, sizeof(*c->thread_metrics));
		c->round_info = json_array();
		if (!c->thread_metrics || !c->round_info) {
			cases_free(cases, i + 1);
			free(order);
			return -1;
		}
		max_rounds = c->rounds > max_rounds ? c->rounds : max_rounds;
		nsteps += (size_t)c->rounds;
	}
	progress_set_total(nsteps);
	for (int round = 0; round < max_rounds && !*o->stop; round++) {
		/* Before each round: what a crash in it would leave. */
		if (o->checkpoint) {
			json_t *b = benchmarks_json(cases, set->ncases);

			o->checkpoint(b, round, max_rounds, o->checkpoint_arg);
			json_decref(b);
		}
		engine_round_order(set->ncases, round, order);
		for (size_t k = 0; k < set->ncases && !*o->stop; k++) {
			size_t g = order[k];

			if (cases[g].group == g)
				group_round(cases, set->ncases, g, round, o, &step, nsteps);
		}
	}
	free(order);
	out->interrupted = *o->stop != 0;
	out->benchmarks = benchmarks_json(cases, set->ncases);
	for (size_t i = 0; i < set->ncases; i++) {
		char line[512];

		out->any_failed |= !strcmp(cases[i].status, "failed");
		summary_line(json_array_get(out->benchmarks, i), line, sizeof(line));
		progress_done(cases[i].bc,
			      json_string_value(json_object_get(json_array_get(out->benchmarks, i),
								"status")),
			      line);
	}
	cases_free(cases, set->ncases);
	evict_caches(0, NULL, 0);
	quiesce_close();
	return out->benchmarks ? 0 : -1;
}
