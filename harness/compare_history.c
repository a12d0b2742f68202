// SPDX-License-Identifier: GPL-2.0
/*
 * Metric series over runs and where they shift.  A run contributes its
 * median; the noise that the change-point penalty must rise above is taken
 * both from the scatter between runs and from each run's own CI, so a series
 * of two or three runs does not call every wiggle a change.
 */
#include "compare_history.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare_stats.h"

/*
 * Series under construction, found by (host, key, metric) through an open
 * addressing table: a 10,000-run history adds millions of points, and a
 * linear search per point would dominate.
 */
struct hist_builder {
	struct hist_series *series;
	size_t n, cap;
	size_t *slots; /* series index + 1; 0 is empty */
	size_t nslots; /* a power of two, at least 2n */
	const char *metric, *bench;
};

static uint64_t series_hash(const char *host, const char *key, const char *metric)
{
	const char *parts[3] = { host, key, metric };
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */

	for (int i = 0; i < 3; i++) {
		for (const char *p = parts[i]; *p; p++)
			h = (h ^ (unsigned char)*p) * 1099511628211ULL;
		h = (h ^ 0xff) * 1099511628211ULL;
	}
	return h;
}

static int builder_grow(struct hist_builder *b)
{
	size_t nslots = b->nslots ? b->nslots * 2 : 256;
	size_t *slots = calloc(nslots, sizeof(*slots));

	if (!slots)
		return -1;
	for (size_t i = 0; i < b->n; i++) {
		const struct hist_series *s = &b->series[i];
		size_t at = series_hash(s->host, s->key, s->metric) & (nslots - 1);

		while (slots[at])
			at = (at + 1) & (nslots - 1);
		slots[at] = i + 1;
	}
	free(b->slots);
	b->slots = slots;
	b->nslots = nslots;
	return 0;
}

static struct hist_series *builder_series(struct hist_builder *b, const char *host,
					  const struct rl_bench *rb, const struct rl_metric *rm)
{
	size_t at;
	struct hist_series *s;

	if (2 * (b->n + 1) > b->nslots && builder_grow(b) != 0)
		return NULL;
	at = series_hash(host, rb->key, rm->name) & (b->nslots - 1);
	for (; b->slots[at]; at = (at + 1) & (b->nslots - 1)) {
		s = &b->series[b->slots[at] - 1];
		if (strcmp(s->key, rb->key) == 0 && strcmp(s->metric, rm->name) == 0 &&
		    strcmp(s->host, host) == 0)
			return s;
	}
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		struct hist_series *more = realloc(b->series, cap * sizeof(*more));

		if (!more)
			return NULL;
		b->series = more;
		b->cap = cap;
	}
	s = &b->series[b->n];
	memset(s, 0, sizeof(*s));
	s->host = strdup(host);
	s->key = strdup(rb->key);
	s->metric = strdup(rm->name);
	s->unit = strdup(rm->unit ? rm->unit : "");
	s->lower_is_better = rm->lower_is_better;
	s->kind = rm->kind;
	if (!s->host || !s->key || !s->metric || !s->unit) {
		hist_series_clear(s);
		return NULL;
	}
	b->slots[at] = ++b->n;
	return s;
}

static int add_point(struct hist_series *s, size_t run, const struct rl_metric *m)
{
	if (isnan(m->median))
		return 0;
	/* A key measured twice in one run keeps the later measurement. */
	if (s->npoints && s->points[s->npoints - 1].run == run) {
		s->points[s->npoints - 1] = (struct hist_point){ run, m->median, m->ci_lo,
								 m->ci_hi };
		return 0;
	}
	/* Grow by doubling: capacity is the next power of two above npoints. */
	if ((s->npoints & (s->npoints - 1)) == 0) {
		size_t cap = s->npoints ? 2 * s->npoints : 1;
		struct hist_point *more = realloc(s->points, cap * sizeof(*more));

		if (!more)
			return -1;
		s->points = more;
	}
	s->points[s->npoints++] = (struct hist_point){ run, m->median, m->ci_lo, m->ci_hi };
	return 0;
}

static int builder_add(struct hist_builder *b, const struct rl_result *res, size_t run)
{
	for (size_t i = 0; i < res->nbenches; i++) {
		const struct rl_bench *rb = &res->benches[i];

		if (b->bench && !strstr(rb->key, b->bench))
			continue;
		if (!rl_bench_measured(rb))
			continue;
		for (size_t m = 0; m < rb->nmetrics; m++) {
			const struct rl_metric *rm = &rb->metrics[m];
			struct hist_series *s;

			if (b->metric && strcmp(b->metric, rm->name) != 0)
				continue;
			s = builder_series(b, res->hostname, rb, rm);
			if (!s || add_point(s, run, rm) != 0)
				return -1;
		}
	}
	return 0;
}

/* Hand the series over (with change points), or free them on failure. */
static int builder_finish(struct hist_builder *b, double min_shift, int status,
			  struct hist_series **out, size_t *nout)
{
	free(b->slots);
	for (size_t i = 0; i < b->n && status == 0; i++)
		status = hist_detect(&b->series[i], min_shift);
	if (status != 0) {
		hist_free(b->series, b->n);
		return -1;
	}
	*out = b->series;
	*nout = b->n;
	return 0;
}

static double mean_of(const double *x, size_t from, size_t to)
{
	double sum = 0.0;

	for (size_t i = from; i < to; i++)
		sum += x[i];
	return sum / (double)(to - from);
}

/*
 * A level that lasts one run, between two levels that agree within
 * @min_shift, is one odd run, not two changes: with a heavy-tailed
 * metric one run in thousands lands far out (seen at 10,000 runs,
 * docs/store.md), and a reviewer must not chase a regression that
 * undid itself at the next commit on its own.  Such runs are dropped
 * from @cps and listed in @outliers (indices into x).  Returns how many.
 */
static size_t merge_outliers(const double *x, size_t n, size_t *cps, size_t *ncps, double min_shift,
			     size_t *outliers)
{
	size_t nout = 0, c = 0;

	while (c + 1 < *ncps) {
		size_t lo = c ? cps[c - 1] : 0, hi = c + 2 < *ncps ? cps[c + 2] : n;
		double before, after;

		if (cps[c + 1] != cps[c] + 1) {
			c++;
			continue;
		}
		before = mean_of(x, lo, cps[c]);
		after = mean_of(x, cps[c + 1], hi);
		if (before != 0.0 && fabs(after / before - 1.0) > min_shift) {
			c++;
			continue;
		}
		outliers[nout++] = cps[c];
		memmove(&cps[c], &cps[c + 2], (*ncps - c - 2) * sizeof(*cps));
		*ncps -= 2;
	}
	return nout;
}

int hist_detect(struct hist_series *s, double min_shift)
{
	size_t n = s->npoints, *cps, ncps, start = 0;
	double *x, run_sigma = 0.0, *ci_sigmas, mean_abs = 0.0;
	size_t nci = 0;

	if (n < 2)
		return 0;
	x = calloc(n, sizeof(*x));
	ci_sigmas = malloc(n * sizeof(*ci_sigmas));
	cps = calloc(n, sizeof(*cps));
	if (!x || !ci_sigmas || !cps) {
		free(x);
		free(ci_sigmas);
		free(cps);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		x[i] = s->points[i].median;
		mean_abs += fabs(x[i]) / (double)n;
		/* A 95% CI spans about 2 x 1.96 standard errors of the median. */
		if (!isnan(s->points[i].ci_lo) && !isnan(s->points[i].ci_hi))
			ci_sigmas[nci++] = (s->points[i].ci_hi - s->points[i].ci_lo) / 3.92;
	}
	if (nci)
		run_sigma = cs_median(ci_sigmas, nci);
	s->sigma = fmax(cs_diff_sigma(x, n), run_sigma);
	/* A perfectly flat series still needs a scale: 0.1% of its level. */
	s->sigma = fmax(s->sigma, 1e-3 * mean_abs);
	if (s->sigma == 0.0)
		s->sigma = 1e-12;
	ncps = cs_change_points(x, n, cs_bic_penalty(s->sigma, n), cps, n);
	s->changes = calloc(ncps + 1, sizeof(*s->changes));
	s->outliers = calloc(ncps + 1, sizeof(*s->outliers));
	if (s->changes && s->outliers)
		s->noutliers = merge_outliers(x, n, cps, &ncps, min_shift, s->outliers);
	if (!s->changes || !s->outliers) {
		free(x);
		free(ci_sigmas);
		free(cps);
		return -1;
	}
	for (size_t c = 0; c < ncps; c++) {
		size_t end = c + 1 < ncps ? cps[c + 1] : n;
		double before = mean_of(x, start, cps[c]), after = mean_of(x, cps[c], end);

		start = cps[c];
		if (before != 0.0 && fabs(after / before - 1.0) <= min_shift)
			continue;
		s->changes[s->nchanges++] = (struct hist_change){ cps[c], before, after };
	}
	free(x);
	free(ci_sigmas);
	free(cps);
	return 0;
}

int hist_build(const struct rl_set *set, const char *metric, const char *bench_filter,
	       double min_shift, struct hist_series **out, size_t *nout)
{
	struct hist_builder b = { .metric = metric, .bench = bench_filter };
	int status = 0;

	for (size_t r = 0; r < set->n && status == 0; r++)
		status = builder_add(&b, &set->results[r], r);
	return builder_finish(&b, min_shift, status, out, nout);
}

struct stream_state {
	struct hist_builder b;
	struct hist_runs *runs;
	const char *host, *kernel;
};

static int stream_visit(struct rl_result *res, void *arg)
{
	struct stream_state *st = arg;
	int ret = 0;

	if ((!st->host || strcmp(st->host, res->hostname) == 0) &&
	    (!st->kernel || strcmp(st->kernel, rl_kernel_release(res)) == 0)) {
		ret = hist_runs_append(st->runs, res->path, res->hostname, rl_kernel_release(res),
				       res->suite_commit, res->started_utc);
		if (ret == 0)
			ret = builder_add(&st->b, res, st->runs->n - 1);
	}
	rl_free(res);
	return ret;
}

static int cmp_run(const struct hist_run *a, const struct hist_run *b)
{
	int c = strcmp(a->started_utc, b->started_utc);

	return c ? c : strcmp(a->path, b->path);
}

/* qsort has no context argument: the runs being ordered, for cmp_run_at. */
static const struct hist_runs *order_runs;

static int cmp_run_at(const void *pa, const void *pb)
{
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;

	return cmp_run(&order_runs->runs[a], &order_runs->runs[b]);
}

static int cmp_point_run(const void *pa, const void *pb)
{
	const struct hist_point *a = pa, *b = pb;

	return (a->run > b->run) - (a->run < b->run);
}

void hist_sort_points(struct hist_series *s)
{
	if (s->npoints)
		qsort(s->points, s->npoints, sizeof(*s->points), cmp_point_run);
}

/* Put @runs in run order and renumber the points of @series to match. */
static int reorder(struct hist_runs *runs, struct hist_series *series, size_t n)
{
	size_t *order = malloc((runs->n + 1) * sizeof(*order));
	size_t *rank = malloc((runs->n + 1) * sizeof(*rank));
	struct hist_run *sorted = malloc((runs->n + 1) * sizeof(*sorted));

	if (!order || !rank || !sorted) {
		free(order);
		free(rank);
		free(sorted);
		return -1;
	}
	for (size_t i = 0; i < runs->n; i++)
		order[i] = i;
	order_runs = runs;
	qsort(order, runs->n, sizeof(*order), cmp_run_at);
	for (size_t i = 0; i < runs->n; i++) {
		sorted[i] = runs->runs[order[i]];
		rank[order[i]] = i;
	}
	free(runs->runs);
	runs->runs = sorted;
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < series[i].npoints; k++)
			series[i].points[k].run = rank[series[i].points[k].run];
		hist_sort_points(&series[i]);
	}
	free(order);
	free(rank);
	return 0;
}

int hist_build_stream(char *const *paths, size_t npaths, const char *host, const char *kernel,
		      const char *metric, const char *bench_filter, double min_shift,
		      struct hist_runs *runs, struct hist_series **out, size_t *nout)
{
	struct stream_state st = {
		.b = { .metric = metric, .bench = bench_filter },
		.runs = runs,
		.host = host,
		.kernel = kernel,
	};
	int status = rl_walk(paths, npaths, stream_visit, &st);

	if (status == 0)
		status = reorder(runs, st.b.series, st.b.n);
	return builder_finish(&st.b, min_shift, status, out, nout);
}

void hist_series_clear(struct hist_series *s)
{
	free(s->host);
	free(s->key);
	free(s->metric);
	free(s->unit);
	free(s->points);
	free(s->changes);
	free(s->outliers);
	memset(s, 0, sizeof(*s));
}

void hist_free(struct hist_series *series, size_t n)
{
	for (size_t i = 0; i < n; i++)
		hist_series_clear(&series[i]);
	free(series);
}

static void run_free(struct hist_run *r)
{
	free(r->path);
	free(r->host);
	free(r->kernel);
	free(r->suite_commit);
	free(r->started_utc);
}

int hist_runs_append(struct hist_runs *runs, const char *path, const char *host, const char *kernel,
		     const char *suite_commit, const char *started_utc)
{
	struct hist_run *r;

	if ((runs->n & (runs->n - 1)) == 0) {
		size_t cap = runs->n ? 2 * runs->n : 1;
		struct hist_run *more = realloc(runs->runs, cap * sizeof(*more));

		if (!more)
			return -1;
		runs->runs = more;
	}
	r = &runs->runs[runs->n];
	r->path = strdup(path);
	r->host = strdup(host);
	r->kernel = strdup(kernel);
	r->suite_commit = strdup(suite_commit);
	r->started_utc = strdup(started_utc);
	r->store_id = 0;
	if (!r->path || !r->host || !r->kernel || !r->suite_commit || !r->started_utc) {
		run_free(r);
		return -1;
	}
	runs->n++;
	return 0;
}

void hist_runs_free(struct hist_runs *runs)
{
	for (size_t i = 0; i < runs->n; i++)
		run_free(&runs->runs[i]);
	free(runs->runs);
	runs->runs = NULL;
	runs->n = 0;
}

static bool has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

int hist_runs_commit_range(const struct hist_runs *runs, const char *from, const char *to,
			   size_t *lo, size_t *hi, char *err, size_t errlen)
{
	*lo = 0;
	*hi = runs->n;
	if (from) {
		while (*lo < runs->n && !has_prefix(runs->runs[*lo].suite_commit, from))
			(*lo)++;
		if (*lo == runs->n) {
			snprintf(err, errlen, "no run of suite commit '%s'", from);
			return -1;
		}
	}
	if (to) {
		while (*hi > 0 && !has_prefix(runs->runs[*hi - 1].suite_commit, to))
			(*hi)--;
		if (*hi == 0) {
			snprintf(err, errlen, "no run of suite commit '%s'", to);
			return -1;
		}
	}
	if (*hi < *lo)
		*hi = *lo;
	return 0;
}

void hist_runs_keep(struct hist_runs *runs, size_t lo, size_t hi)
{
	for (size_t r = 0; r < runs->n; r++) {
		if (r >= lo && r < hi)
			runs->runs[r - lo] = runs->runs[r];
		else
			run_free(&runs->runs[r]);
	}
	runs->n = hi - lo;
}

void hist_run_label(const struct rl_result *res, char *buf, size_t len)
{
	snprintf(buf, len, "%s %s", res->suite_commit, rl_kernel_release(res));
}

/* Is the token @tok (@toklen bytes) one of the '|'-separated fields of @key? */
static bool key_has_token(const char *key, const char *tok, size_t toklen)
{
	const char *p = key;

	while (*p) {
		size_t len = strcspn(p, "|");

		if (len == toklen && strncmp(p, tok, toklen) == 0)
			return true;
		p += len;
		if (*p == '|')
			p++;
	}
	return false;
}

int short_labels(char *const *keys, size_t n, char **out)
{
	for (size_t i = 0; i < n; i++) {
		const char *key = keys[i];
		size_t len = strlen(key), off = 0;
		const char *p = key;
		char *label = malloc(len + 1);

		if (!label) {
			while (i--)
				free(out[i]);
			return -1;
		}
		/* The benchmark name: up to the first '|'. */
		while (*p && *p != '|')
			label[off++] = *p++;
		while (*p == '|') {
			const char *tok = ++p;
			size_t toklen = strcspn(tok, "|");
			bool everywhere = true;

			for (size_t j = 0; j < n && everywhere; j++)
				everywhere = key_has_token(keys[j], tok, toklen);
			if (!everywhere && toklen) {
				label[off++] = ' ';
				memcpy(label + off, tok, toklen);
				off += toklen;
			}
			p = tok + toklen;
		}
		label[off] = '\0';
		out[i] = label;
	}
	return 0;
}
