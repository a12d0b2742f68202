// SPDX-License-Identifier: GPL-2.0
/*
 * The comparison itself (compare_engine.h): observations are round
 * medians, grouped by run; the noise model says where the variance came
 * from; the verdict rules are in the header.
 */
#include "compare_engine.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rounds.h"

static const char *const verdict_names[CMP_NVERDICTS] = {
	[CMP_UNCHANGED] = "unchanged",
	[CMP_IMPROVED] = "improved",
	[CMP_REGRESSED] = "regressed",
	[CMP_UNDECIDED] = "undecided",
};

/* z(0.975) + z(0.95): a two-sided 5% test with 95% power. */
#define Z_POWER (1.959964 + 1.644854)

const char *cmp_verdict_name(enum cmp_verdict v)
{
	return v < CMP_NVERDICTS ? verdict_names[v] : "?";
}

void cmp_default_options(struct cmp_options *opt)
{
	memset(opt, 0, sizeof(*opt));
	opt->threshold = 0.05;
	opt->alpha = 0.05;
	opt->look_fraction = 1.0;
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

/* ---- one side: mean and variance of its mean ---- */

struct side_moments {
	size_t n, k;	 /* rounds, runs */
	double mean;	 /* on the scale: mean of run means */
	double var_mean; /* variance of @mean; NaN when unknown */
	double df;	 /* of var_mean */
	double s2;	 /* variance of the round values (one run) */
	bool by_runs;	 /* var_mean from the spread of run means */
};

static double scaled(double x, bool log_scale)
{
	return log_scale ? log(x) : x;
}

/*
 * Mean of the run means, and its variance: with several runs, the spread
 * of their means (each run counts once, whatever its rounds); with one,
 * the spread of its rounds plus @tau2 (when >= 0) for what rounds miss.
 */
static void side_moments(const struct cmp_side *sd, bool log_scale, double tau2, double tau2_df,
			 struct side_moments *m)
{
	size_t nruns = 0, *ids = calloc(sd->n + 1, sizeof(*ids));
	double *sum = calloc(sd->n + 1, sizeof(*sum)), *cnt = calloc(sd->n + 1, sizeof(*cnt));
	double total = 0, sq = 0;

	memset(m, 0, sizeof(*m));
	m->n = sd->n;
	m->var_mean = NAN;
	if (!ids || !sum || !cnt || sd->n == 0)
		goto out;
	for (size_t i = 0; i < sd->n; i++) {
		size_t r = 0;

		while (r < nruns && ids[r] != sd->run[i])
			r++;
		if (r == nruns)
			ids[nruns++] = sd->run[i];
		sum[r] += scaled(sd->x[i], log_scale);
		cnt[r] += 1;
	}
	m->k = nruns;
	for (size_t r = 0; r < nruns; r++)
		total += sum[r] / cnt[r];
	m->mean = total / (double)nruns;
	if (nruns >= 2) {
		for (size_t r = 0; r < nruns; r++)
			sq += (sum[r] / cnt[r] - m->mean) * (sum[r] / cnt[r] - m->mean);
		m->var_mean = sq / (double)(nruns - 1) / (double)nruns;
		m->df = (double)(nruns - 1);
		m->by_runs = true;
		goto out;
	}
	if (sd->n >= 2) {
		for (size_t i = 0; i < sd->n; i++) {
			double d = scaled(sd->x[i], log_scale) - m->mean;

			sq += d * d;
		}
		m->s2 = sq / (double)(sd->n - 1);
		m->var_mean = m->s2 / (double)sd->n;
		m->df = (double)(sd->n - 1);
	} else if (tau2 >= 0) {
		/* One round: only the history knows how far a rerun moves. */
		m->var_mean = 0;
		m->df = tau2_df;
	}
	if (tau2 > 0 && !isnan(m->var_mean)) {
		double a = m->var_mean, df_a = m->df;

		m->var_mean = a + tau2;
		/* Satterthwaite for the sum of the two components. */
		m->df = m->var_mean * m->var_mean /
			((a > 0 ? a * a / df_a : 0) + tau2 * tau2 / tau2_df);
	}
out:
	free(ids);
	free(sum);
	free(cnt);
}

void cmp_metric_stats(const struct cmp_side *base, const struct cmp_side *new, double tau2,
		      double tau2_df, const struct cmp_options *opt, struct cmp_row *row)
{
	struct side_moments mb, mn;
	double d, se2, se, df, half, target;
	bool log_scale = true;

	for (size_t i = 0; i < base->n; i++)
		log_scale &= base->x[i] > 0;
	for (size_t i = 0; i < new->n; i++)
		log_scale &= new->x[i] > 0;
	row->log_scale = log_scale;
	/* tau^2 is kept on the log scale; on a linear one it does not apply. */
	if (!log_scale)
		tau2 = -1;
	side_moments(base, log_scale, tau2, tau2_df, &mb);
	side_moments(new, log_scale, tau2, tau2_df, &mn);
	row->n_base = mb.n;
	row->n_new = mn.n;
	row->k_base = mb.k;
	row->k_new = mn.k;
	row->median_base = log_scale ? exp(mb.mean) : mb.mean;
	row->median_new = log_scale ? exp(mn.mean) : mn.mean;
	row->between_cv_base = mb.k == 1 && mb.n >= 2 ?
				       (log_scale ? sqrt(mb.s2) : sqrt(mb.s2) / fabs(mb.mean)) :
				       NAN;
	row->between_cv_new = mn.k == 1 && mn.n >= 2 ?
				      (log_scale ? sqrt(mn.s2) : sqrt(mn.s2) / fabs(mn.mean)) :
				      NAN;
	if (log_scale)
		row->ratio = exp(mn.mean - mb.mean);
	else if (mb.mean != 0)
		row->ratio = mn.mean / mb.mean;
	else
		row->ratio = mn.mean == 0 ? 1.0 : NAN;
	row->noise = mb.by_runs || mn.by_runs ? CMP_NOISE_RUNS :
		     tau2 > 0		      ? CMP_NOISE_HISTORY :
						CMP_NOISE_ROUNDS;
	row->ci_lo = row->ci_hi = row->mde = NAN;
	row->p = row->p_adj = 1.0;
	row->df = NAN;
	row->rounds_needed = 0;
	if (isnan(mb.var_mean) || isnan(mn.var_mean)) {
		row->noise = CMP_NOISE_NONE;
		row->rounds_needed = 3;
		return;
	}
	d = mn.mean - mb.mean;
	se2 = mb.var_mean + mn.var_mean;
	se = sqrt(se2);
	if (se2 > 0) {
		double denom = (mb.var_mean > 0 ? mb.var_mean * mb.var_mean / mb.df : 0) +
			       (mn.var_mean > 0 ? mn.var_mean * mn.var_mean / mn.df : 0);

		df = denom > 0 ? se2 * se2 / denom : 1;
		row->df = df;
		row->p = 2.0 * (1.0 - cs_t_cdf(fabs(d) / se, df));
		half = cs_t_quantile(0.975, df) * se;
	} else {
		/* Both sides constant: the difference is what it is. */
		row->df = df = INFINITY;
		row->p = d == 0 ? 1.0 : 0.0;
		half = 0;
	}
	if (log_scale) {
		row->ci_lo = exp(d - half);
		row->ci_hi = exp(d + half);
	} else if (mb.mean != 0) {
		row->ci_lo = (mn.mean - half) / mb.mean;
		row->ci_hi = (mn.mean + half) / mb.mean;
		if (row->ci_lo > row->ci_hi) {
			double t = row->ci_lo;

			row->ci_lo = row->ci_hi;
			row->ci_hi = t;
		}
	}
	row->mde = se2 > 0 ? rounds_mde(se, df, log_scale, mb.mean) : 0;
	/*
	 * Rounds per side for the threshold: (z + z)^2 (s_b^2 + s_n^2) / n
	 * plus the run-to-run part must fit under the threshold squared.
	 * Only for one-run sides on the log scale, where it is meaningful.
	 */
	target = log1p(opt->threshold) / Z_POWER;
	if (log_scale && mb.k == 1 && mn.k == 1 && mb.n >= 2 && mn.n >= 2) {
		double fixed = tau2 > 0 ? 2 * tau2 : 0, per_round = mb.s2 + mn.s2;

		if (target * target <= fixed)
			row->rounds_needed = -1;
		else
			row->rounds_needed = (long)ceil(per_round / (target * target - fixed));
		if (row->rounds_needed == 0)
			row->rounds_needed = 2;
	}
}

void cmp_decide(struct cmp_row *rows, size_t nrows, const struct cmp_options *opt)
{
	double *p, *adj;
	size_t *idx;

	if (nrows == 0)
		return;
	p = calloc(nrows, sizeof(*p));
	adj = calloc(nrows, sizeof(*adj));
	idx = calloc(nrows, sizeof(*idx));
	for (int kind = 0; kind < METRIC_NKINDS; kind++) {
		size_t n = 0;

		for (size_t i = 0; i < nrows; i++)
			if ((int)rows[i].kind == kind && p && adj && idx) {
				idx[n] = i;
				p[n++] = rows[i].p;
			}
		if (n)
			cs_benjamini_hochberg(p, adj, n);
		for (size_t j = 0; j < n; j++)
			rows[idx[j]].p_adj = adj[j];
	}
	double alpha = opt->look_fraction > 0 && opt->look_fraction < 1 ?
			       cs_obf_alpha(opt->alpha, opt->look_fraction) :
			       opt->alpha;

	for (size_t i = 0; i < nrows; i++) {
		struct cmp_row *r = &rows[i];
		bool significant, large, worse;

		/* Without memory no p was adjusted: the conservative answer. */
		if (!p || !adj || !idx)
			r->p_adj = 1.0;
		r->why = NULL;
		if (r->flagged) {
			r->verdict = CMP_UNDECIDED;
			r->why = "placement or page kind not as asked";
			continue;
		}
		if (r->noise == CMP_NOISE_NONE) {
			r->verdict = CMP_UNDECIDED;
			r->why = "one round on a side: no variance";
			continue;
		}
		significant = r->p_adj < alpha;
		if (isnan(r->ratio)) {
			/* BASE center 0: no ratio; a significant move from 0 counts as large. */
			large = true;
			worse = (r->median_new > r->median_base) == r->lower_is_better;
		} else {
			large = fabs(r->ratio - 1.0) > opt->threshold;
			worse = (r->ratio > 1.0) == r->lower_is_better;
		}
		if (significant && large) {
			r->verdict = worse ? CMP_REGRESSED : CMP_IMPROVED;
		} else if (!isnan(r->ci_lo) && r->ci_lo >= 1.0 - opt->threshold &&
			   r->ci_hi <= 1.0 + opt->threshold) {
			r->verdict = CMP_UNCHANGED;
		} else {
			r->verdict = CMP_UNDECIDED;
			r->why = r->rounds_needed < 0 ?
					 "run-to-run variance exceeds the threshold" :
				 large && r->p_adj < opt->alpha ?
					 "an early look: more rounds before a change is called" :
					 "too few rounds";
		}
	}
	free(p);
	free(adj);
	free(idx);
}

/* ---- observations of a side: round medians by key and metric ---- */

struct obs_metric {
	const char *name, *unit;
	bool lower_is_better;
	enum metric_kind kind;
	double *x;   /* round medians */
	size_t *run; /* file index of each */
	size_t n, cap;
	double within_cv_sum; /* for the pooled within-round CV */
	size_t within_cv_n;
};

struct obs_bench {
	const char *key, *name;
	const char *host; /* the host of its rounds when a side's hosts are kept apart, else NULL */
	bool flagged;
	bool measured;
	struct obs_metric *metrics;
	size_t nmetrics;
};

struct obs {
	struct obs_bench *b;
	size_t n;
};

static void obs_free(struct obs *o)
{
	for (size_t i = 0; i < o->n; i++) {
		for (size_t j = 0; j < o->b[i].nmetrics; j++) {
			free(o->b[i].metrics[j].x);
			free(o->b[i].metrics[j].run);
		}
		free(o->b[i].metrics);
	}
	free(o->b);
	memset(o, 0, sizeof(*o));
}

static struct obs_bench *obs_find(const struct obs *o, const char *host, const char *key)
{
	for (size_t i = 0; i < o->n; i++)
		if (strcmp(o->b[i].key, key) == 0 &&
		    (!host || !o->b[i].host || strcmp(o->b[i].host, host) == 0))
			return &o->b[i];
	return NULL;
}

static struct obs_metric *obs_metric(struct obs_bench *ob, const struct rl_metric *m)
{
	struct obs_metric *more;

	for (size_t i = 0; i < ob->nmetrics; i++)
		if (strcmp(ob->metrics[i].name, m->name) == 0)
			return &ob->metrics[i];
	more = realloc(ob->metrics, (ob->nmetrics + 1) * sizeof(*more));
	if (!more)
		return NULL;
	ob->metrics = more;
	more = &ob->metrics[ob->nmetrics++];
	*more = (struct obs_metric){ .name = m->name,
				     .unit = m->unit,
				     .lower_is_better = m->lower_is_better,
				     .kind = m->kind };
	return more;
}

static int obs_add_metric(struct obs_bench *ob, const struct rl_metric *m, size_t run)
{
	struct obs_metric *om = obs_metric(ob, m);

	if (!om)
		return -1;
	if (!isnan(m->rs.within_cv)) {
		om->within_cv_sum += m->rs.within_cv * m->rs.within_cv;
		om->within_cv_n++;
	}
	for (size_t k = 0; k < m->nrounds; k++) {
		if (isnan(m->round_medians[k]))
			continue;
		if (om->n == om->cap) {
			size_t ncap = om->cap ? om->cap * 2 : 16;
			double *x = realloc(om->x, ncap * sizeof(*x));
			size_t *r;

			if (!x)
				return -1;
			om->x = x;
			r = realloc(om->run, ncap * sizeof(*r));
			if (!r)
				return -1;
			om->run = r;
			om->cap = ncap;
		}
		om->x[om->n] = m->round_medians[k];
		om->run[om->n++] = run;
	}
	return 0;
}

/*
 * @by_host: the rounds of one key on different hosts stay apart (see
 * keep_hosts_apart()); otherwise every file's rounds of a key are pooled.
 */
static int obs_build(const struct rl_set *set, struct obs *o, bool by_host)
{
	for (size_t f = 0; f < set->n; f++) {
		const struct rl_result *res = &set->results[f];
		const char *host = by_host ? res->hostname : NULL;

		for (size_t b = 0; b < res->nbenches; b++) {
			const struct rl_bench *rb = &res->benches[b];
			struct obs_bench *ob = obs_find(o, host, rb->key);

			if (!ob) {
				struct obs_bench *more = realloc(o->b, (o->n + 1) * sizeof(*more));

				if (!more)
					return -1;
				o->b = more;
				ob = &o->b[o->n++];
				*ob = (struct obs_bench){ .key = rb->key,
							  .name = rb->name,
							  .host = host };
			}
			if (!rl_bench_measured(rb))
				continue;
			ob->measured = true;
			ob->flagged |= strcmp(rb->status, "flagged") == 0;
			for (size_t m = 0; m < rb->nmetrics; m++)
				if (obs_add_metric(ob, &rb->metrics[m], f) != 0)
					return -1;
		}
	}
	return 0;
}

static const struct obs_metric *obs_find_metric(const struct obs_bench *ob, const char *name)
{
	for (size_t i = 0; i < ob->nmetrics; i++)
		if (strcmp(ob->metrics[i].name, name) == 0)
			return &ob->metrics[i];
	return NULL;
}

/* ---- history: how far a rerun of one process moves (tau^2) ---- */

/*
 * The history runs of one series as history_tau2 gathers them.  BASE and
 * NEW are what is being judged, not their own noise model: a history run
 * is left out when its path is one of theirs as given, or as resolved
 * (a store names its runs by resolved paths).  Resolved once per series,
 * not once per history run.
 */
struct tau_runs {
	char **excluded; /* BASE and NEW paths, as given and resolved */
	size_t nexcluded;
	double *c; /* run centers on the log scale */
	size_t n, cap;
	double own; /* sum of their rounds' own variance of the center */
	int failed;
};

static int exclude_set(struct tau_runs *t, const struct rl_set *set)
{
	for (size_t i = 0; set && i < set->n; i++) {
		char **more = realloc(t->excluded, (t->nexcluded + 2) * sizeof(*more));

		if (!more)
			return -1;
		t->excluded = more;
		t->excluded[t->nexcluded] = strdup(set->results[i].path);
		if (!t->excluded[t->nexcluded])
			return -1;
		t->nexcluded++;
		t->excluded[t->nexcluded] = realpath(set->results[i].path, NULL);
		if (t->excluded[t->nexcluded])
			t->nexcluded++;
	}
	return 0;
}

static bool tau_excluded(const struct tau_runs *t, const char *path)
{
	for (size_t i = 0; i < t->nexcluded; i++)
		if (strcmp(t->excluded[i], path) == 0)
			return true;
	return false;
}

static void tau_visit(void *ctx, const char *path, const struct round_stats *rs)
{
	struct tau_runs *t = ctx;

	if (rs->nrounds == 0 || !rs->log_scale || tau_excluded(t, path))
		return;
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 64;
		double *more = realloc(t->c, cap * sizeof(*more));

		if (!more) {
			t->failed = 1;
			return;
		}
		t->c = more;
		t->cap = cap;
	}
	t->c[t->n++] = rs->loc;
	if (rs->nrounds >= 2)
		t->own += rs->sd * rs->sd / (double)rs->nrounds;
}

/* The runs of @host in the loaded history set, as history_fn would give them. */
static void tau_from_set(const struct rl_set *h, const char *host, const char *key,
			 const char *metric, struct tau_runs *t)
{
	for (size_t i = 0; h && i < h->n; i++) {
		const struct rl_result *res = &h->results[i];

		if (strcmp(res->hostname, host) != 0)
			continue;
		for (size_t b = 0; b < res->nbenches; b++) {
			const struct rl_bench *rb = &res->benches[b];
			const struct rl_metric *m;

			if (strcmp(rb->key, key) != 0 || !rl_bench_measured(rb))
				continue;
			m = rl_find_metric(rb, metric);
			if (!m || m->rs.nrounds == 0 || !m->rs.log_scale)
				continue;
			tau_visit(t, res->path, &m->rs);
			break;
		}
	}
}

/*
 * tau^2 of @key / @metric from the history runs of @host that are neither
 * in BASE nor in NEW: the run centers' variance, from the mean square of
 * their successive differences, a lone outsized one left out (a real
 * change in the history is one step, one large difference, not a spread
 * of every run; an odd run, which is exactly the noise a verdict must
 * allow for, makes two side by side and counts, as a median-based scale
 * would not let it),
 * less the part their own rounds explain.  Returns the number of runs used
 * (< 3: none, *tau2 is -1).
 */
static size_t history_tau2(const struct cmp_options *opt, const struct rl_set *base,
			   const struct rl_set *new, const char *host, const char *key,
			   const char *metric, double *tau2, double *df)
{
	struct tau_runs t = { 0 };
	double *c, mssd = 0;
	size_t n;

	*tau2 = -1;
	*df = 0;
	if (exclude_set(&t, base) != 0 || exclude_set(&t, new) != 0) {
		t.failed = 1;
	} else if (opt->history_fn) {
		if (opt->history_fn(opt->history_arg, host, key, metric, tau_visit, &t) != 0)
			t.failed = 1;
	} else {
		tau_from_set(opt->history, host, key, metric, &t);
	}
	for (size_t i = 0; i < t.nexcluded; i++)
		free(t.excluded[i]);
	free(t.excluded);
	c = t.c;
	n = t.failed ? 0 : t.n;
	if (n >= 3) {
		double *d = calloc(n, sizeof(*d)), med;
		size_t nd = n - 1, big = 0;

		for (size_t i = 0; d && i + 1 < n; i++) {
			d[i] = (c[i + 1] - c[i]) * (c[i + 1] - c[i]);
			mssd += d[i];
			big = d[i] > d[big] ? i : big;
		}
		/*
		 * A real change in the history is one step: one large
		 * difference, its neighbours ordinary.  An odd run makes two
		 * large ones side by side and is noise: it stays.
		 */
		med = d && nd >= 4 ? cs_median(d, nd) : 0;
		if (d && nd >= 4 && d[big] > 9 * med && (big == 0 || d[big - 1] <= 9 * med) &&
		    (big + 1 == nd || d[big + 1] <= 9 * med)) {
			mssd -= d[big];
			nd--;
		}
		free(d);
		mssd /= 2.0 * (double)nd;
		*tau2 = mssd - t.own / (double)n;
		if (*tau2 < 0)
			*tau2 = 0;
		/* Successive differences overlap: about 2/3 of them independent. */
		*df = (double)nd * 2.0 / 3.0;
	}
	free(c);
	return n >= 3 ? n : 0;
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
			if (asprintf(&sub, "%s[%zu]", prefix, i) < 0 ||
			    flatten(child, sub, fl) != 0) {
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

static int env_add(struct cmp_report *rep, const char *prefix, const char *path, const char *b,
		   const char *n)
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
static int env_compare(const struct rl_set *base, const struct rl_set *new, struct cmp_report *rep)
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

/*
 * A row's key: the benchmark's, with "host=H" after its name when the
 * hosts are kept apart, so that the two rows of one key say whose they are.
 */
static char *obs_key(const struct obs_bench *ob)
{
	size_t name_len = strcspn(ob->key, "|");
	char *key;

	if (!ob->host)
		return strdup(ob->key);
	if (asprintf(&key, "%.*s|host=%s%s", (int)name_len, ob->key, ob->host, ob->key + name_len) <
	    0)
		return NULL;
	return key;
}

static int push_obs_key(char ***list, size_t *n, const struct obs_bench *ob)
{
	char **more = realloc(*list, (*n + 1) * sizeof(*more));

	if (!more)
		return -1;
	*list = more;
	more[*n] = obs_key(ob);
	if (!more[*n])
		return -1;
	(*n)++;
	return 0;
}

static int cmp_double_asc(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;

	return (a > b) - (a < b);
}

/* What the statistics of a row need once every row's tau^2 is known. */
struct row_src {
	const struct obs_metric *mb, *mn;
	double tau2, tau2_df;
};

static bool set_has_host(const struct rl_set *set, const char *host)
{
	for (size_t i = 0; set && i < set->n; i++)
		if (strcmp(set->results[i].hostname, host) == 0)
			return true;
	return false;
}

/*
 * One run of `make bench` holds results of two machines: the host's
 * (io_uring) and the lab VM's (the model, and io_uring again).  Pooling
 * the rounds of one key across them would mix two machines into one
 * spread and one centre.  So when the sides hold more than one host
 * between them and share one, each host's rounds are compared with the
 * same host's.  Sides of different single hosts (two machines compared
 * on purpose) are still matched by key alone.
 */
static bool keep_hosts_apart(const struct rl_set *base, const struct rl_set *new)
{
	bool shared = false, several = false;
	const char *first = NULL;
	const struct rl_set *sides[2] = { base, new };

	for (int s = 0; s < 2; s++) {
		for (size_t i = 0; sides[s] && i < sides[s]->n; i++) {
			const char *h = sides[s]->results[i].hostname;

			if (!first)
				first = h;
			several |= strcmp(first, h) != 0;
			if (s == 1)
				shared |= set_has_host(base, h);
		}
	}
	return several && shared;
}

static int add_row(struct cmp_report *rep, struct row_src **srcs, const struct obs_bench *ob,
		   const struct obs_metric *mb, const struct obs_metric *mn, bool flagged,
		   const struct rl_set *base, const struct rl_set *new,
		   const struct cmp_options *opt)
{
	struct cmp_row *more = realloc(rep->rows, (rep->nrows + 1) * sizeof(*more));
	struct row_src *msrc;
	const char *host = ob->host ? ob->host : new->results[new->n - 1].hostname;
	struct cmp_row *row;
	size_t used;

	if (!more)
		return -1;
	rep->rows = more;
	msrc = realloc(*srcs, (rep->nrows + 1) * sizeof(*msrc));
	if (!msrc)
		return -1;
	*srcs = msrc;
	row = &more[rep->nrows];
	memset(row, 0, sizeof(*row));
	row->key = obs_key(ob);
	if (!row->key)
		return -1;
	row->bench_name = ob->name;
	row->metric = mb->name;
	row->unit = mb->unit;
	row->lower_is_better = mb->lower_is_better;
	row->kind = mb->kind;
	row->flagged = ob->flagged || flagged;
	msrc[rep->nrows] = (struct row_src){ .mb = mb, .mn = mn, .tau2 = -1 };
	used = history_tau2(opt, base, new, host, ob->key, mb->name, &msrc[rep->nrows].tau2,
			    &msrc[rep->nrows].tau2_df);
	if (used > rep->history_runs)
		rep->history_runs = used;
	row->within_cv_base = mb->within_cv_n ? sqrt(mb->within_cv_sum / (double)mb->within_cv_n) :
						NAN;
	row->within_cv_new = mn->within_cv_n ? sqrt(mn->within_cv_sum / (double)mn->within_cv_n) :
					       NAN;
	rep->nrows++;
	return 0;
}

/*
 * The statistics of every row.  One metric's history is a handful of runs,
 * so its own tau^2 is a rough estimate, and 0 often; but a run that the
 * machine made slower is slower on many metrics at once.  The typical
 * run-to-run part of the gated metrics (the CMP_TAU_QUANTILE quantile of
 * their own estimates, on the log scale where they compare) is a floor
 * for each metric's: an estimate from eight runs may miss what the host
 * does to every metric.
 */
static void rows_stats(struct cmp_report *rep, const struct row_src *srcs,
		       const struct cmp_options *opt)
{
	double *t, floor_tau2 = -1, floor_df = 0;
	size_t n = 0;

	if (!srcs || rep->nrows == 0)
		return;
	t = calloc(rep->nrows + 1, sizeof(*t));

	for (size_t i = 0; t && i < rep->nrows; i++)
		if (rep->rows[i].kind == METRIC_GATED && srcs[i].tau2 >= 0) {
			t[n++] = srcs[i].tau2;
			floor_df = srcs[i].tau2_df;
		}
	if (n) {
		qsort(t, n, sizeof(*t), cmp_double_asc);
		floor_tau2 = t[(size_t)(CMP_TAU_QUANTILE * (double)(n - 1))];
		/* The pool is many metrics' runs: at least as sure as one's. */
		floor_df = floor_df * 2;
		rep->run_to_run = sqrt(floor_tau2);
	}
	free(t);
	for (size_t i = 0; i < rep->nrows; i++) {
		const struct obs_metric *mb = srcs[i].mb, *mn = srcs[i].mn;
		struct cmp_side sb = { mb->x, mb->run, mb->n }, sn = { mn->x, mn->run, mn->n };
		double tau2 = srcs[i].tau2, df = srcs[i].tau2_df;
		struct cmp_row *row = &rep->rows[i];
		double wb = row->within_cv_base, wn = row->within_cv_new;

		if (tau2 >= 0 && floor_tau2 > tau2) {
			tau2 = floor_tau2;
			df = floor_df;
		}
		cmp_metric_stats(&sb, &sn, tau2, df, opt, row);
		row->within_cv_base = wb;
		row->within_cv_new = wn;
	}
}

/* The round spread of a side: the median over its runs. */
static double side_spread(const struct rl_set *set)
{
	double *v = calloc(set->n + 1, sizeof(*v)), m;
	size_t n = 0;

	for (size_t i = 0; v && i < set->n; i++)
		if (!isnan(set->results[i].round_spread))
			v[n++] = set->results[i].round_spread;
	m = n ? cs_median(v, n) : NAN;
	free(v);
	return m;
}

/* An unstable side takes the gated and detail verdicts back to undecided. */
static void apply_stability(struct cmp_report *rep)
{
	double b = rep->spread_base, n = rep->spread_new;

	if (isnan(b) || isnan(n))
		return;
	if (n > CMP_UNSTABLE_RATIO * b && n > CMP_UNSTABLE_FLOOR)
		rep->unstable = "NEW";
	else if (b > CMP_UNSTABLE_RATIO * n && b > CMP_UNSTABLE_FLOOR)
		rep->unstable = "BASE";
	if (!rep->unstable)
		return;
	for (size_t i = 0; i < rep->nrows; i++) {
		struct cmp_row *r = &rep->rows[i];

		if (r->kind == METRIC_LAYOUT ||
		    (r->verdict != CMP_REGRESSED && r->verdict != CMP_IMPROVED))
			continue;
		r->verdict = CMP_UNDECIDED;
		r->why = "a side's machine changed speed during its run (rounds moved together)";
		r->rounds_needed = 0;
	}
}

/*
 * --history was asked for and has too few runs (a new host, the first runs
 * of a benchmark): one run against one run then has no estimate of what
 * differs between processes, which on the development machine is larger
 * than most changes worth finding (docs/verdicts.md: 3 to 16 of 45 A/A
 * pairs gated on rounds alone).  Say what is missing rather than guess.
 */
static void no_history_no_change(struct cmp_report *rep)
{
	for (size_t i = 0; i < rep->nrows; i++) {
		struct cmp_row *r = &rep->rows[i];

		if (r->kind == METRIC_LAYOUT || r->noise != CMP_NOISE_ROUNDS ||
		    (r->verdict != CMP_REGRESSED && r->verdict != CMP_IMPROVED))
			continue;
		r->verdict = CMP_UNDECIDED;
		r->why = "run-to-run noise unknown: --history has fewer than 3 earlier runs of this host";
		r->rounds_needed = -1;
	}
}

int cmp_compare(const struct rl_set *base, const struct rl_set *new, const struct cmp_options *opt,
		struct cmp_report *rep)
{
	struct obs ob = { 0 }, on = { 0 };
	struct row_src *srcs = NULL;
	bool by_host = keep_hosts_apart(base, new);
	int ret = -1;

	memset(rep, 0, sizeof(*rep));
	if (obs_build(base, &ob, by_host) != 0 || obs_build(new, &on, by_host) != 0)
		goto out;

	for (size_t i = 0; i < ob.n; i++) {
		const struct obs_bench *b = &ob.b[i];
		const struct obs_bench *n = obs_find(&on, b->host, b->key);

		if (opt->bench_filter && !strstr(b->key, opt->bench_filter))
			continue;
		if (!n) {
			if (push_obs_key(&rep->only_base, &rep->nonly_base, b) != 0)
				goto out;
			continue;
		}
		if (!b->measured || !n->measured) {
			rep->nskipped++;
			continue;
		}
		for (size_t m = 0; m < b->nmetrics; m++) {
			const struct obs_metric *mb = &b->metrics[m];
			const struct obs_metric *mn = obs_find_metric(n, mb->name);

			if (opt->metric_filter && strcmp(opt->metric_filter, mb->name) != 0)
				continue;
			if (!mn || mb->n == 0 || mn->n == 0)
				continue;
			if (add_row(rep, &srcs, b, mb, mn, n->flagged, base, new, opt) != 0)
				goto out;
		}
	}
	for (size_t i = 0; i < on.n; i++) {
		if (opt->bench_filter && !strstr(on.b[i].key, opt->bench_filter))
			continue;
		if (!obs_find(&ob, on.b[i].host, on.b[i].key) &&
		    push_obs_key(&rep->only_new, &rep->nonly_new, &on.b[i]) != 0)
			goto out;
	}
	rows_stats(rep, srcs, opt);
	cmp_decide(rep->rows, rep->nrows, opt);
	rep->spread_base = side_spread(base);
	rep->spread_new = side_spread(new);
	apply_stability(rep);
	if ((opt->history || opt->history_fn) && rep->history_runs == 0)
		no_history_no_change(rep);
	for (size_t i = 0; i < rep->nrows; i++)
		rep->count[rep->rows[i].kind][rep->rows[i].verdict]++;

	if (base->n && new->n && env_compare(base, new, rep) != 0)
		goto out;
	for (size_t i = 0; i < base->n; i++)
		rep->different_schema |= base->results[i].schema_version != RL_SCHEMA_VERSION;
	for (size_t i = 0; i < new->n; i++)
		rep->different_schema |= new->results[i].schema_version != RL_SCHEMA_VERSION;
	ret = 0;
out:
	/* Rows borrow names from the result sets, not from the observations. */
	free(srcs);
	obs_free(&ob);
	obs_free(&on);
	return ret;
}

size_t cmp_gated(const struct cmp_report *rep, enum cmp_verdict v)
{
	return rep->count[METRIC_GATED][v];
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
