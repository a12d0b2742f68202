// SPDX-License-Identifier: GPL-2.0
/*
 * The comparison itself.  Samples of the same benchmark key are pooled over
 * every file of a side, so a directory holding three runs of one build is
 * one sample set three times as large, not three verdicts.
 */
#include "compare_engine.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const verdict_names[CMP_NVERDICTS] = {
	[CMP_UNCHANGED] = "unchanged",
	[CMP_IMPROVED] = "improved",
	[CMP_REGRESSED] = "regressed",
	[CMP_NOISY] = "noisy",
};

const char *cmp_verdict_name(enum cmp_verdict v)
{
	return v < CMP_NVERDICTS ? verdict_names[v] : "?";
}

void cmp_default_options(struct cmp_options *opt)
{
	memset(opt, 0, sizeof(*opt));
	opt->threshold = 0.05;
	opt->alpha = 0.05;
	opt->resamples = 2000;
	opt->seed = 0x70666e6c6162ULL;	/* "pfnlab": any fixed value will do */
}

int cmp_parse_percent(const char *s, double *frac)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || (*end && strcmp(end, "%") != 0) || !(v >= 0 && v < 100))
		return -1;
	*frac = v / 100.0;
	return 0;
}

static bool all_equal(const double *v, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (v[i] != v[0])
			return false;
	return n > 1;
}

void cmp_metric_stats(const double *base, size_t nb, const double *new, size_t nn,
		      const struct cmp_options *opt, struct cs_rng *rng,
		      struct cmp_row *row)
{
	row->n_base = nb;
	row->n_new = nn;
	/*
	 * Identical samples are one observation repeated (a count, or a
	 * property of the buffer's memory layout measured again on the same
	 * buffer): ranking the copies would turn one draw per side into a
	 * "significant" difference, so a constant side counts once.
	 */
	row->constant_base = all_equal(base, nb);
	row->constant_new = all_equal(new, nn);
	if (row->constant_base)
		nb = 1;
	if (row->constant_new)
		nn = 1;
	row->median_base = cs_median(base, nb);
	row->median_new = cs_median(new, nn);
	if (row->median_base != 0.0)
		row->ratio = row->median_new / row->median_base;
	else
		row->ratio = row->median_new == 0.0 ? 1.0 : NAN;
	row->p = cs_mann_whitney_p(base, nb, new, nn);
	row->p_adj = row->p;
	if (cs_bootstrap_ratio_ci(base, nb, new, nn, opt->resamples, rng,
				  &row->ci_lo, &row->ci_hi) != 0) {
		/* Both sides all zero (a count that stayed 0) is a certain 1. */
		bool all_zero = row->median_base == 0.0 && row->median_new == 0.0;

		for (size_t i = 0; all_zero && i < nb; i++)
			all_zero = base[i] == 0.0;
		for (size_t i = 0; all_zero && i < nn; i++)
			all_zero = new[i] == 0.0;
		row->ci_lo = all_zero ? 1.0 : NAN;
		row->ci_hi = all_zero ? 1.0 : NAN;
	}
}

void cmp_decide(struct cmp_row *rows, size_t nrows, const struct cmp_options *opt)
{
	double *p, *adj;

	if (nrows == 0)
		return;
	p = calloc(nrows, sizeof(*p));
	adj = malloc(nrows * sizeof(*adj));
	if (!p || !adj) {
		for (size_t i = 0; i < nrows; i++)
			rows[i].verdict = CMP_NOISY;
		free(p);
		free(adj);
		return;
	}
	for (size_t i = 0; i < nrows; i++)
		p[i] = rows[i].p;
	cs_benjamini_hochberg(p, adj, nrows);

	for (size_t i = 0; i < nrows; i++) {
		struct cmp_row *r = &rows[i];
		bool significant, large, worse;

		r->p_adj = adj[i];
		significant = r->p_adj < opt->alpha;
		if (isnan(r->ratio)) {
			/* BASE median 0: no ratio; a significant move from 0 counts as large. */
			large = true;
			worse = (r->median_new > r->median_base) == r->lower_is_better;
		} else {
			large = fabs(r->ratio - 1.0) > opt->threshold;
			worse = (r->ratio > 1.0) == r->lower_is_better;
		}
		/* Noisy samples must also put the whole CI past the threshold. */
		if (significant && large && (r->noisy_base || r->noisy_new))
			large = !isnan(r->ci_lo) &&
				(r->ci_lo > 1.0 + opt->threshold || r->ci_hi < 1.0 - opt->threshold);
		/*
		 * A CI wholly inside 1 +- threshold bounds the change below the
		 * threshold, however noisy a side's samples: that is a decision
		 * ("unchanged"), and a bisection must not skip on it.  A flagged
		 * side measured something other than what was asked: never that.
		 */
		if (significant && large)
			r->verdict = worse ? CMP_REGRESSED : CMP_IMPROVED;
		else if (r->flagged || isnan(r->ci_lo) || r->ci_lo < 1.0 - opt->threshold ||
			 r->ci_hi > 1.0 + opt->threshold)
			r->verdict = CMP_NOISY;
		else
			r->verdict = CMP_UNCHANGED;
	}
	free(p);
	free(adj);
}

/* ---- pooling the samples of one key over the files of a side ---- */

struct pooled_metric {
	const char *name, *unit;
	bool lower_is_better, noisy;
	double *samples;
	size_t n;
};

struct pooled_bench {
	const char *key, *name;
	bool flagged;			/* placement or page kind did not come true */
	bool measured;			/* at least one file has it with status ok/flagged */
	struct pooled_metric *metrics;
	size_t nmetrics;
};

struct pool {
	struct pooled_bench *benches;
	size_t n;
};

static void pool_free(struct pool *pool)
{
	for (size_t i = 0; i < pool->n; i++) {
		for (size_t j = 0; j < pool->benches[i].nmetrics; j++)
			free(pool->benches[i].metrics[j].samples);
		free(pool->benches[i].metrics);
	}
	free(pool->benches);
	pool->benches = NULL;
	pool->n = 0;
}

static struct pooled_bench *pool_find(const struct pool *pool, const char *key)
{
	for (size_t i = 0; i < pool->n; i++)
		if (strcmp(pool->benches[i].key, key) == 0)
			return &pool->benches[i];
	return NULL;
}

static int pool_add_metric(struct pooled_bench *pb, const struct rl_metric *m)
{
	struct pooled_metric *pm = NULL;
	double *grown;

	for (size_t i = 0; i < pb->nmetrics; i++)
		if (strcmp(pb->metrics[i].name, m->name) == 0)
			pm = &pb->metrics[i];
	if (!pm) {
		struct pooled_metric *more = realloc(pb->metrics, (pb->nmetrics + 1) * sizeof(*more));

		if (!more)
			return -1;
		pb->metrics = more;
		pm = &pb->metrics[pb->nmetrics++];
		*pm = (struct pooled_metric){ .name = m->name, .unit = m->unit,
					      .lower_is_better = m->lower_is_better };
	}
	pm->noisy |= m->noisy;
	if (m->nsamples == 0)
		return 0;
	grown = realloc(pm->samples, (pm->n + m->nsamples) * sizeof(*grown));
	if (!grown)
		return -1;
	pm->samples = grown;
	memcpy(pm->samples + pm->n, m->samples, m->nsamples * sizeof(*grown));
	pm->n += m->nsamples;
	return 0;
}

static int pool_build(const struct rl_set *set, struct pool *pool)
{
	for (size_t f = 0; f < set->n; f++) {
		const struct rl_result *res = &set->results[f];

		for (size_t b = 0; b < res->nbenches; b++) {
			const struct rl_bench *rb = &res->benches[b];
			struct pooled_bench *pb = pool_find(pool, rb->key);

			if (!pb) {
				struct pooled_bench *more = realloc(pool->benches,
								    (pool->n + 1) * sizeof(*more));

				if (!more)
					return -1;
				pool->benches = more;
				pb = &pool->benches[pool->n++];
				*pb = (struct pooled_bench){ .key = rb->key, .name = rb->name };
			}
			if (!rl_bench_measured(rb))
				continue;
			pb->measured = true;
			pb->flagged |= strcmp(rb->status, "flagged") == 0;
			for (size_t m = 0; m < rb->nmetrics; m++)
				if (pool_add_metric(pb, &rb->metrics[m]) != 0)
					return -1;
		}
	}
	return 0;
}

static const struct pooled_metric *pooled_find_metric(const struct pooled_bench *pb,
						      const char *name)
{
	for (size_t i = 0; i < pb->nmetrics; i++)
		if (strcmp(pb->metrics[i].name, name) == 0)
			return &pb->metrics[i];
	return NULL;
}

/* ---- environment records, flattened to path = compact JSON ---- */

struct flat {
	char **path, **value;
	size_t n;
};

static void flat_free(struct flat *fl)
{
	for (size_t i = 0; i < fl->n; i++) {
		free(fl->path[i]);
		free(fl->value[i]);
	}
	free(fl->path);
	free(fl->value);
}

static bool volatile_field(const char *path)
{
	/* Free hugepages change with every run; they describe load, not setup. */
	const char *last = strrchr(path, '.');

	return last && strcmp(last, ".free") == 0;
}

static int flatten(json_t *v, const char *prefix, struct flat *fl)
{
	char *sub = NULL;

	if (json_is_object(v) && json_object_size(v) > 0) {
		const char *k;
		json_t *child;

		json_object_foreach(v, k, child) {
			if (asprintf(&sub, "%s.%s", prefix, k) < 0 || flatten(child, sub, fl) != 0) {
				free(sub);
				return -1;
			}
			free(sub);
		}
		return 0;
	}
	if (json_is_array(v) && json_array_size(v) > 0) {
		size_t i;
		json_t *child;

		json_array_foreach(v, i, child) {
			if (asprintf(&sub, "%s[%zu]", prefix, i) < 0 || flatten(child, sub, fl) != 0) {
				free(sub);
				return -1;
			}
			free(sub);
		}
		return 0;
	}
	if (volatile_field(prefix))
		return 0;
	{
		char **np = realloc(fl->path, (fl->n + 1) * sizeof(*np));
		char **nv;

		if (!np)
			return -1;
		fl->path = np;
		nv = realloc(fl->value, (fl->n + 1) * sizeof(*nv));
		if (!nv)
			return -1;
		fl->value = nv;
		fl->path[fl->n] = strdup(prefix);
		fl->value[fl->n] = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
		if (!fl->path[fl->n] || !fl->value[fl->n]) {
			free(fl->path[fl->n]);
			free(fl->value[fl->n]);
			return -1;
		}
		fl->n++;
	}
	return 0;
}

static int flatten_result(const struct rl_result *res, struct flat *fl)
{
	static const char *const top[] = { "hostname", "suite_commit", "tool", "schema_version" };

	for (size_t i = 0; i < sizeof(top) / sizeof(top[0]); i++) {
		json_t *v = json_object_get(res->root, top[i]);

		if (v && flatten(v, top[i], fl) != 0)
			return -1;
	}
	if (res->environment)
		return flatten(res->environment, "environment", fl);
	return 0;
}

static const char *flat_get(const struct flat *fl, const char *path)
{
	for (size_t i = 0; i < fl->n; i++)
		if (strcmp(fl->path[i], path) == 0)
			return fl->value[i];
	return NULL;
}

static int env_add(struct cmp_report *rep, const char *prefix, const char *path,
		   const char *b, const char *n)
{
	struct cmp_env_diff *more = realloc(rep->env, (rep->nenv + 1) * sizeof(*more));
	char *full = NULL;

	if (!more)
		return -1;
	rep->env = more;
	if (prefix && asprintf(&full, "%s: %s", prefix, path) < 0)
		full = NULL;
	more[rep->nenv] = (struct cmp_env_diff){ prefix ? full : strdup(path),
						 strdup(b ? b : "(absent)"),
						 strdup(n ? n : "(absent)") };
	if (!more[rep->nenv].path || !more[rep->nenv].base || !more[rep->nenv].new) {
		free(more[rep->nenv].path);
		free(more[rep->nenv].base);
		free(more[rep->nenv].new);
		return -1;
	}
	rep->nenv++;
	return 0;
}

/* @prefix (a hostname, or NULL) tells the machines of a mixed set apart. */
static int env_diff(const struct rl_result *b, const struct rl_result *n, struct cmp_report *rep,
		    const char *prefix)
{
	struct flat fb = { 0 }, fn = { 0 };
	int ret = -1;

	if (flatten_result(b, &fb) != 0 || flatten_result(n, &fn) != 0)
		goto out;
	for (size_t i = 0; i < fb.n; i++) {
		const char *other = flat_get(&fn, fb.path[i]);

		if ((!other || strcmp(other, fb.value[i]) != 0) &&
		    env_add(rep, prefix, fb.path[i], fb.value[i], other) != 0)
			goto out;
	}
	for (size_t i = 0; i < fn.n; i++)
		if (!flat_get(&fb, fn.path[i]) &&
		    env_add(rep, prefix, fn.path[i], NULL, fn.value[i]) != 0)
			goto out;
	ret = 0;
out:
	flat_free(&fb);
	flat_free(&fn);
	return ret;
}

static const char *cpu_model(const struct rl_result *res)
{
	return json_string_value(json_object_get(json_object_get(res->environment, "cpu"), "model"));
}

/* The newest result of @set from @host, or NULL. */
static const struct rl_result *latest_of_host(const struct rl_set *set, const char *host)
{
	for (size_t i = set->n; i-- > 0;)
		if (strcmp(set->results[i].hostname, host) == 0)
			return &set->results[i];
	return NULL;
}

/*
 * Environment differences, machine by machine: a side may hold runs of
 * several machines (the host and the lab VM of one `make bench`), and the
 * host's record is only comparable with the host's.  Each hostname of NEW
 * found in BASE is diffed with its newest BASE run; when no hostname is
 * shared, the newest runs of each side are diffed and the machines differ.
 */
static int env_compare(const struct rl_set *base, const struct rl_set *new,
		       struct cmp_report *rep)
{
	size_t pairs = 0;

	for (size_t i = 0; i < new->n; i++)
		pairs += latest_of_host(base, new->results[i].hostname) &&
			 latest_of_host(new, new->results[i].hostname) == &new->results[i];
	for (size_t i = 0; i < new->n; i++) {
		const struct rl_result *rn = &new->results[i];
		const struct rl_result *rb = latest_of_host(base, rn->hostname);
		const char *cb, *cn;

		/* one diff per hostname: its newest NEW run */
		if (!rb || latest_of_host(new, rn->hostname) != rn)
			continue;
		if (env_diff(rb, rn, rep, pairs > 1 ? rn->hostname : NULL) != 0)
			return -1;
		cb = cpu_model(rb);
		cn = cpu_model(rn);
		rep->different_machines |= cb && cn && strcmp(cb, cn) != 0;
	}
	if (pairs == 0) {
		rep->different_machines = true;
		return env_diff(&base->results[base->n - 1], &new->results[new->n - 1], rep, NULL);
	}
	return 0;
}

static int push_key(char ***list, size_t *n, const char *key)
{
	char **more = realloc(*list, (*n + 1) * sizeof(*more));

	if (!more)
		return -1;
	*list = more;
	more[*n] = strdup(key);
	if (!more[*n])
		return -1;
	(*n)++;
	return 0;
}

static int add_row(struct cmp_report *rep, const struct pooled_bench *pb,
		   const struct pooled_metric *mb, const struct pooled_metric *mn,
		   bool flagged, const struct cmp_options *opt, struct cs_rng *rng)
{
	struct cmp_row *more = realloc(rep->rows, (rep->nrows + 1) * sizeof(*more));
	struct cmp_row *row;

	if (!more)
		return -1;
	rep->rows = more;
	row = &more[rep->nrows];
	memset(row, 0, sizeof(*row));
	row->key = strdup(pb->key);
	if (!row->key)
		return -1;
	row->bench_name = pb->name;
	row->metric = mb->name;
	row->unit = mb->unit;
	row->lower_is_better = mb->lower_is_better;
	row->noisy_base = mb->noisy || pb->flagged;
	row->noisy_new = mn->noisy || flagged;
	row->flagged = pb->flagged || flagged;
	cmp_metric_stats(mb->samples, mb->n, mn->samples, mn->n, opt, rng, row);
	rep->nrows++;
	return 0;
}

int cmp_compare(const struct rl_set *base, const struct rl_set *new,
		const struct cmp_options *opt, struct cmp_report *rep)
{
	struct pool pb = { 0 }, pn = { 0 };
	struct cs_rng rng;
	int ret = -1;

	memset(rep, 0, sizeof(*rep));
	cs_rng_seed(&rng, opt->seed);
	if (pool_build(base, &pb) != 0 || pool_build(new, &pn) != 0)
		goto out;

	for (size_t i = 0; i < pb.n; i++) {
		const struct pooled_bench *b = &pb.benches[i];
		const struct pooled_bench *n = pool_find(&pn, b->key);

		if (opt->bench_filter && !strstr(b->key, opt->bench_filter))
			continue;
		if (!n) {
			if (push_key(&rep->only_base, &rep->nonly_base, b->key) != 0)
				goto out;
			continue;
		}
		if (!b->measured || !n->measured) {
			rep->nskipped++;
			continue;
		}
		for (size_t m = 0; m < b->nmetrics; m++) {
			const struct pooled_metric *mb = &b->metrics[m];
			const struct pooled_metric *mn = pooled_find_metric(n, mb->name);

			if (opt->metric_filter && strcmp(opt->metric_filter, mb->name) != 0)
				continue;
			if (!mn || mb->n == 0 || mn->n == 0)
				continue;
			if (add_row(rep, b, mb, mn, n->flagged, opt, &rng) != 0)
				goto out;
		}
	}
	for (size_t i = 0; i < pn.n; i++) {
		if (opt->bench_filter && !strstr(pn.benches[i].key, opt->bench_filter))
			continue;
		if (!pool_find(&pb, pn.benches[i].key) &&
		    push_key(&rep->only_new, &rep->nonly_new, pn.benches[i].key) != 0)
			goto out;
	}
	cmp_decide(rep->rows, rep->nrows, opt);
	for (size_t i = 0; i < rep->nrows; i++)
		rep->count[rep->rows[i].verdict]++;

	if (base->n && new->n && env_compare(base, new, rep) != 0)
		goto out;
	for (size_t i = 0; i < base->n; i++)
		rep->different_schema |= base->results[i].schema_version != RL_SCHEMA_VERSION;
	for (size_t i = 0; i < new->n; i++)
		rep->different_schema |= new->results[i].schema_version != RL_SCHEMA_VERSION;
	ret = 0;
out:
	/* Rows borrow names from the result sets, not from the pools. */
	pool_free(&pb);
	pool_free(&pn);
	return ret;
}

void cmp_report_free(struct cmp_report *rep)
{
	for (size_t i = 0; i < rep->nrows; i++)
		free(rep->rows[i].key);
	free(rep->rows);
	for (size_t i = 0; i < rep->nenv; i++) {
		free(rep->env[i].path);
		free(rep->env[i].base);
		free(rep->env[i].new);
	}
	free(rep->env);
	for (size_t i = 0; i < rep->nonly_base; i++)
		free(rep->only_base[i]);
	free(rep->only_base);
	for (size_t i = 0; i < rep->nonly_new; i++)
		free(rep->only_new[i]);
	free(rep->only_new);
	memset(rep, 0, sizeof(*rep));
}
