// SPDX-License-Identifier: GPL-2.0
/*
 * Capacity plans: series from results, the weighted fit, predictions with
 * intervals and the hold-out validation (plan_model.h says the model).
 */
#include "plan_model.h"
#include "iommufd_mock.h"
#include "page_kinds.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare_stats.h"
#include "stats.h"

/* The plan ops and the ns-per-page metric each reads, from benchmarks of bench_op. */
static const struct {
	const char *op, *bench_op, *metric;
} plan_ops[] = {
	{ "pin", "pin", "pin_ns_per_page" },
	{ "unpin", "pin", "unpin_ns_per_page" },
	{ "map", "map", "map_ns_per_page" },
	{ "read", "read", "read_ns_per_page" },
};

/* Parameters that are not part of a series' identity. */
static const char *const not_identity[] = {
	"size", "rounds", "repetitions", "warmup", "min_time", "noisy_cv", "seed", NULL,
};

static bool in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

int plan_mock_xa_levels(double size_bytes)
{
	uint64_t last = (uint64_t)(((double)MOCK_APERTURE_START + size_bytes) /
				   (double)MOCK_IO_PAGE_BYTES);
	int levels = 1;

	if (last > 0)
		last--;
	while (levels < 11 && (last >> (6 * levels)) != 0)
		levels++;
	return levels;
}

double plan_mock_step_ns(double fitted_bytes, double size_bytes, double ns_per_page)
{
	int fitted = plan_mock_xa_levels(fitted_bytes), levels = plan_mock_xa_levels(size_bytes);
	double end = (double)MOCK_APERTURE_START + size_bytes, past = 0;

	/* pages whose entries lie past the boundary of each level added */
	for (int l = fitted; l < levels; l++) {
		double boundary = ldexp((double)MOCK_IO_PAGE_BYTES, 6 * l);

		if (end > boundary)
			past += fmin(end - boundary, size_bytes) / 4096.0;
	}
	return past * fmax(ns_per_page, 0.0) / fitted;
}

double plan_folio_bytes(const char *page)
{
	const struct page_kind *kind = page_kind_find(page);

	return kind ? (double)kind->folio_bytes : 0;
}

/* An error message into the caller's buffer (no va_list: one snprintf). */
#define set_err(err, len, ...) snprintf((err), (len), __VA_ARGS__)

/* The parameters but @drop and the non-identity ones, as sorted compact JSON. */
static char *params_id(json_t *params, const char *drop)
{
	json_t *copy = json_object();
	const char *k;
	json_t *v;
	char *s;

	if (!copy)
		return NULL;
	json_object_foreach(params, k, v) {
		if (in_list(k, not_identity) || (drop && strcmp(k, drop) == 0))
			continue;
		json_object_set(copy, k, v);
	}
	s = json_dumps(copy, JSON_SORT_KEYS | JSON_COMPACT);
	json_decref(copy);
	return s;
}

static int obs_add(struct plan_series *s, double size, double ns, double runs)
{
	struct plan_obs *more = realloc(s->obs, (s->nobs + 1) * sizeof(*more));

	if (!more)
		return -1;
	s->obs = more;
	s->obs[s->nobs++] = (struct plan_obs){ size, ns, runs };
	return 0;
}

static int cmp_dbl(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;

	return (a > b) - (a < b);
}

static int distinct_sizes(struct plan_series *s)
{
	double *v = malloc((s->nobs ? s->nobs : 1) * sizeof(*v));
	size_t n = 0;

	if (!v)
		return -1;
	for (size_t i = 0; i < s->nobs; i++)
		v[i] = s->obs[i].size_bytes;
	qsort(v, s->nobs, sizeof(*v), cmp_dbl);
	for (size_t i = 0; i < s->nobs; i++)
		if (n == 0 || v[i] != v[n - 1])
			v[n++] = v[i];
	s->sizes = v;
	s->nsizes = n;
	return 0;
}

/* Median over the rounds of @name, per GiB of the benchmark's size. */
static double per_gib(const struct rl_bench *b, const char *name)
{
	const struct rl_metric *m = rl_find_metric(b, name);
	double size = rl_param_num(b, "size");

	if (!m || isnan(m->median) || !(size > 0))
		return NAN;
	return m->median / (size / 1073741824.0);
}

/* Running medians are not needed: the last benchmark's layout counts stand. */
static void layout_counts(struct plan_series *s, const struct rl_bench *b)
{
	static const char *const leaves[3] = { "iopte_4k", "iopte_2m", "iopte_1g" };
	double v = per_gib(b, "gup_calls");

	if (!isnan(v))
		s->gup_calls_per_gib = v;
	for (int i = 0; i < 3; i++) {
		v = per_gib(b, leaves[i]);
		if (!isnan(v))
			s->ioptes_per_gib[i] = v;
	}
}

double plan_call_pages(const struct plan_series *s, double size_bytes)
{
	double pages = size_bytes / 4096.0, per_call;

	if (strcmp(s->backend, "uring") == 0)
		per_call = s->pages_per_call > 0 ? s->pages_per_call :
						   PLAN_URING_MAX_IOVEC_BYTES / 4096.0;
	else if (strcmp(s->backend, "gup_test") == 0)
		per_call = s->pages_per_call > 0 ? s->pages_per_call : pages;
	else
		return NAN;
	return per_call < pages ? per_call : pages;
}

int plan_cache_crossed(double fitted_bytes, double target_bytes, const double *caches,
		       size_t ncaches)
{
	int crossed = -1;

	for (size_t i = 0; i < ncaches; i++)
		if (caches[i] > 0 && fitted_bytes <= caches[i] && caches[i] < target_bytes &&
		    (crossed < 0 || caches[i] > caches[crossed]))
			crossed = (int)i;
	return crossed;
}

bool plan_uring_coalesces(const char *release)
{
	int major = 0, minor = 0;

	if (!release || sscanf(release, "%d.%d", &major, &minor) != 2)
		return false;
	return major > 6 || (major == 6 && minor >= 12);
}

double plan_uring_segments(const struct plan_series *s, double size_bytes, bool coalesces)
{
	double pages;

	if (strcmp(s->backend, "uring") != 0)
		return NAN;
	pages = plan_call_pages(s, size_bytes);
	if (coalesces && s->folio_bytes > 4096)
		return ceil(pages * 4096.0 / s->folio_bytes);
	return pages;
}

bool plan_table_vmalloced(double segments, double kmalloc_max_bytes)
{
	return segments * PLAN_URING_BVEC_BYTES >= kmalloc_max_bytes;
}

bool plan_uring_scans_call(const char *release)
{
	int major = 0, minor = 0;

	if (!release || sscanf(release, "%d.%d", &major, &minor) != 2)
		return true;
	return major < 6 || (major == 6 && minor <= 12);
}

int plan_checks_terms(const struct plan_series *s, bool coalesces, bool scans_call,
		      struct plan_terms *t)
{
	if (strcmp(s->backend, "uring") != 0 || s->folio_bytes <= 4096.0)
		return -1;
	t->check_folio_bytes = s->folio_bytes;
	/* one search a call, or one an iovec (plan_call_pages()'s) */
	t->check_scope_bytes = scans_call ? INFINITY : plan_call_pages(s, INFINITY) * 4096.0;
	t->check_segments_per_folio = coalesces ? 1.0 : s->folio_bytes / 4096.0;
	return 0;
}

double plan_terms_checks(const struct plan_terms *t, double size_bytes)
{
	double scope, folios;

	if (!(t->check_folio_bytes > 0) || !(size_bytes > 0))
		return 0;
	scope = fmin(t->check_scope_bytes, size_bytes);
	folios = ceil(scope / t->check_folio_bytes);
	/* the last search of a size that is not a whole number of them: taken as whole */
	return size_bytes / scope * t->check_segments_per_folio * folios * (folios - 1.0) / 2.0;
}

double plan_uring_folio_checks(const struct plan_series *s, double size_bytes, bool coalesces,
			       bool scans_call)
{
	struct plan_terms t = { 0 };

	if (strcmp(s->backend, "uring") != 0)
		return NAN;
	if (plan_checks_terms(s, coalesces, scans_call, &t) != 0)
		return 0;
	return plan_terms_checks(&t, size_bytes);
}

bool plan_series_mock(const struct plan_series *s)
{
	return strcmp(s->backend, "iommufd") == 0 && strcmp(s->domain, "real") != 0;
}

/*
 * Round @k's runs of contiguous PFNs as the harness counted them in its
 * buffer (placement.pfn_runs, from pagemap): every backend has them, where
 * only the driver counts its own (the "runs" metric).  0 when not counted.
 */
static double round_pfn_runs(const struct rl_bench *b, size_t k)
{
	json_t *round = json_array_get(json_object_get(b->json, "rounds"), k);

	return json_number_value(json_object_get(json_object_get(round, "placement"), "pfn_runs"));
}

/* @b has one round in its file per round of its metrics, each with its runs. */
static bool rounds_placed(const struct rl_bench *b, size_t nrounds)
{
	json_t *rounds = b->json ? json_object_get(b->json, "rounds") : NULL;

	if (!json_is_array(rounds) || json_array_size(rounds) != nrounds || nrounds == 0)
		return false;
	for (size_t k = 0; k < nrounds; k++)
		if (!(round_pfn_runs(b, k) > 0))
			return false;
	return true;
}

static struct plan_series *series_get(struct plan_series **all, size_t *n, const char *id,
				      const struct rl_bench *b, const char *op)
{
	struct plan_series *more, *s;

	for (size_t i = 0; i < *n; i++)
		if (strcmp((*all)[i].id, id) == 0 && strcmp((*all)[i].op, op) == 0)
			return &(*all)[i];
	more = realloc(*all, (*n + 1) * sizeof(*more));
	if (!more)
		return NULL;
	*all = more;
	s = &more[(*n)++];
	memset(s, 0, sizeof(*s));
	s->id = strdup(id);
	s->base_id = params_id(b->params, "page");
	snprintf(s->backend, sizeof(s->backend), "%s", rl_param_str(b, "backend"));
	snprintf(s->op, sizeof(s->op), "%s", op);
	snprintf(s->page, sizeof(s->page), "%s", rl_param_str(b, "page"));
	snprintf(s->domain, sizeof(s->domain), "%s",
		 rl_param_str(b, "domain") ? rl_param_str(b, "domain") : "");
	s->folio_bytes = plan_folio_bytes(s->page);
	s->pages_per_call = rl_param_num(b, "pages_per_call");
	if (!(s->pages_per_call > 0))
		s->pages_per_call = 0; /* absent: the job's default, the backend's own */
	s->gup_calls_per_gib = NAN;
	for (int i = 0; i < 3; i++)
		s->ioptes_per_gib[i] = NAN;
	if (!s->id || !s->base_id)
		return NULL;
	return s;
}

/* "uring pin thp", then what else tells it from a series of the same three. */
static void series_label(struct plan_series *all, size_t n)
{
	static const char *const extra[] = { "threads",	 "fill",     "pages_per_call", "batch_runs",
					     "mem_node", "cpu_node", "domain",	       NULL };

	for (size_t i = 0; i < n; i++) {
		struct plan_series *s = &all[i];
		size_t len;

		len = (size_t)snprintf(s->label, sizeof(s->label), "%s %s %s", s->backend, s->op,
				       s->page);
		for (size_t j = 0; j < n; j++) {
			json_t *pi, *pj;

			if (j == i || strcmp(all[j].backend, s->backend) ||
			    strcmp(all[j].op, s->op) || strcmp(all[j].page, s->page))
				continue;
			pi = json_loads(s->id, 0, NULL);
			pj = json_loads(all[j].id, 0, NULL);
			for (int k = 0; extra[k] && pi && pj && len < sizeof(s->label); k++) {
				json_t *vi = json_object_get(pi, extra[k]);
				char *txt;

				if (!vi || json_equal(vi, json_object_get(pj, extra[k])) ||
				    strstr(s->label, extra[k]))
					continue;
				txt = json_dumps(vi, JSON_ENCODE_ANY);
				if (txt)
					len += (size_t)snprintf(s->label + len,
								sizeof(s->label) - len, " %s=%s",
								extra[k], txt);
				free(txt);
			}
			json_decref(pi);
			json_decref(pj);
		}
	}
}

/* @v is one of the comma-separated words of @list. */
static bool listed(const char *list, const char *v)
{
	size_t n = strlen(v);

	for (const char *p = list; (p = strstr(p, v)) != NULL; p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

/* Which values of @param the measured benchmarks of the results have. */
static void have_values(const struct rl_set *set, const char *param, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t r = 0; r < set->n; r++) {
		for (size_t k = 0; k < set->results[r].nbenches; k++) {
			const struct rl_bench *b = &set->results[r].benches[k];
			const char *v = rl_param_str(b, param);
			int w;

			if (!v || !rl_bench_measured(b) || listed(buf, v))
				continue;
			w = snprintf(buf + used, len - used, "%s%s", used ? ", " : "", v);
			if (w < 0 || (size_t)w >= len - used) {
				buf[used] = '\0';
				return;
			}
			used += (size_t)w;
		}
	}
	if (!used)
		snprintf(buf, len, "none");
}

static int check_hosts(const struct rl_set *set, char *err, size_t errlen)
{
	for (size_t r = 1; r < set->n; r++) {
		if (strcmp(set->results[r].hostname, set->results[0].hostname) != 0) {
			set_err(err, errlen,
				"results of more than one host (%s in %s, %s in %s): a plan is for one machine; give the runs of one host",
				set->results[0].hostname, set->results[0].path,
				set->results[r].hostname, set->results[r].path);
			return -1;
		}
	}
	return 0;
}

static bool op_selected(const char *want, const char *op)
{
	return !want || strcmp(want, op) == 0;
}

static int add_bench(const struct rl_bench *b, const struct plan_filter *f,
		     struct plan_series **all, size_t *n)
{
	const char *bop = rl_param_str(b, "op"), *backend = rl_param_str(b, "backend");
	const char *page = rl_param_str(b, "page");
	double size = rl_param_num(b, "size");
	const struct rl_metric *all_runs;

	if (!bop || !backend || !page || !(size > 0) || !rl_bench_measured(b) ||
	    (f->backend && strcmp(f->backend, backend) != 0) ||
	    (f->page && strcmp(f->page, page) != 0))
		return 0;
	all_runs = rl_find_metric(b, "runs");
	for (size_t o = 0; o < sizeof(plan_ops) / sizeof(plan_ops[0]); o++) {
		const struct rl_metric *m, *runs = all_runs;
		struct plan_series *s;
		bool placed;
		char *id;

		if (strcmp(bop, plan_ops[o].bench_op) != 0 || !op_selected(f->op, plan_ops[o].op))
			continue;
		m = rl_find_metric(b, plan_ops[o].metric);
		if (!m)
			continue;
		id = params_id(b->params, NULL);
		s = id ? series_get(all, n, id, b, plan_ops[o].op) : NULL;
		free(id);
		if (!s)
			return -1;
		s->metric = plan_ops[o].metric;
		/*
		 * MAP makes one IO page table call per run of contiguous PFNs, so
		 * its time follows the runs of the round's layout: a term of its
		 * own, where they were counted round by round.
		 */
		if (runs && runs->nrounds != m->nrounds)
			runs = NULL;
		placed = !runs && rounds_placed(b, m->nrounds);
		s->terms.runs = strcmp(s->op, "map") == 0 && (runs || placed);
		s->terms.mock_xa = strcmp(s->op, "map") == 0 && plan_series_mock(s);
		for (size_t k = 0; k < m->nrounds; k++) {
			double runs_k = 0;

			if (runs)
				runs_k = runs->round_medians[k];
			else if (placed)
				runs_k = round_pfn_runs(b, k);
			if (!(runs_k > 0))
				runs_k = 0;

			if (isfinite(m->round_medians[k]) && m->round_medians[k] > 0 &&
			    obs_add(s, size, m->round_medians[k] * size / 4096.0, runs_k) != 0)
				return -1;
		}
		layout_counts(s, b);
	}
	return 0;
}

int plan_collect(const struct rl_set *set, const struct plan_filter *f, struct plan_series **out,
		 size_t *nout, char *err, size_t errlen)
{
	struct plan_series *all = NULL;
	size_t n = 0;

	*out = NULL;
	*nout = 0;
	if (!set || set->n == 0) {
		set_err(err, errlen, "no results given");
		return -1;
	}
	if (check_hosts(set, err, errlen) != 0)
		return -1;
	if (f->op && !op_selected(f->op, "pin") && !op_selected(f->op, "unpin") &&
	    !op_selected(f->op, "map") && !op_selected(f->op, "read")) {
		set_err(err, errlen, "--op %s: a plan is for pin, unpin, map or read", f->op);
		return -1;
	}
	for (size_t r = 0; r < set->n; r++)
		for (size_t k = 0; k < set->results[r].nbenches; k++)
			if (add_bench(&set->results[r].benches[k], f, &all, &n) != 0) {
				plan_series_free(all, n);
				set_err(err, errlen, "out of memory");
				return -1;
			}
	for (size_t i = 0; i < n; i++)
		if (distinct_sizes(&all[i]) != 0) {
			plan_series_free(all, n);
			set_err(err, errlen, "out of memory");
			return -1;
		}
	if (n == 0) {
		char pages[256], backends[256], ops[256];

		have_values(set, "page", pages, sizeof(pages));
		have_values(set, "backend", backends, sizeof(backends));
		have_values(set, "op", ops, sizeof(ops));
		set_err(err, errlen,
			"no measured benchmark of op %s, backend %s, page %s in these results (they have backends: %s; ops: %s; pages: %s)",
			f->op ? f->op : "pin, unpin, map or read", f->backend ? f->backend : "any",
			f->page ? f->page : "any", backends, ops, pages);
		return -1;
	}
	series_label(all, n);
	*out = all;
	*nout = n;
	return 0;
}

void plan_series_free(struct plan_series *s, size_t n)
{
	for (size_t i = 0; s && i < n; i++) {
		free(s[i].id);
		free(s[i].base_id);
		free(s[i].obs);
		free(s[i].sizes);
	}
	free(s);
}

/* The rounds of one size: their centre (PLAN_TRIM trimmed mean), its SE and count. */
struct size_stat {
	double size, center, se;
	size_t n;
};

double plan_adjusted_total(const struct plan_obs *o, const struct plan_fit *fit)
{
	if (!fit || !fit->terms.runs)
		return o->total_ns;
	return o->total_ns -
	       fit->ns_per_run * (o->runs - fit->runs_per_page * o->size_bytes / 4096.0);
}

/* Totals of the rounds at @size (brought to @fit's layout), sorted, into @buf (room for n). */
static size_t totals_at(const struct plan_obs *obs, size_t n, double size,
			const struct plan_fit *fit, double *buf)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		if (obs[i].size_bytes == size)
			buf[c++] = plan_adjusted_total(&obs[i], fit);
	qsort(buf, c, sizeof(*buf), cmp_dbl);
	return c;
}

static void size_stat_of(const double *sorted, size_t c, double size, struct size_stat *st)
{
	st->size = size;
	st->n = c;
	st->center = stats_trimmed_mean_sorted(sorted, c, PLAN_TRIM, &st->se);
	/* a size whose rounds agree to the ns (or a single round) still has the clock's grain */
	if (!(st->se > 1e-3 * st->center))
		st->se = 1e-3 * st->center;
}

/*
 * The runs term: the cost of one run is the median of the slopes of time on
 * runs between two rounds of one size (same pages, different layouts), so
 * neither the per-page cost nor a curve in the size enters it; the density
 * every round is brought to is the median runs per page of the rounds.
 * Without rounds that differ in their runs the term is dropped.
 */
static int runs_term(const struct plan_obs *obs, size_t n, double max_size, struct plan_fit *fit)
{
	double *slopes = malloc((n * n / 2 + 1) * sizeof(*slopes));
	double *density = malloc((n ? n : 1) * sizeof(*density));
	size_t ns = 0, nd = 0;

	if (!slopes || !density) {
		free(slopes);
		free(density);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (obs[i].size_bytes > max_size || !(obs[i].runs > 0))
			continue;
		density[nd++] = obs[i].runs / (obs[i].size_bytes / 4096.0);
		for (size_t j = i + 1; j < n; j++) {
			double dr = obs[j].runs - obs[i].runs;

			/* layouts a few runs apart say more about the clock than about runs */
			if (obs[j].size_bytes != obs[i].size_bytes || !(obs[j].runs > 0) ||
			    fabs(dr) < 0.05 * fmax(obs[i].runs, obs[j].runs))
				continue;
			slopes[ns++] = (obs[j].total_ns - obs[i].total_ns) / dr;
		}
	}
	fit->terms.runs = ns >= 3;
	if (fit->terms.runs) {
		qsort(slopes, ns, sizeof(*slopes), cmp_dbl);
		qsort(density, nd, sizeof(*density), cmp_dbl);
		fit->ns_per_run = stats_quantile_sorted(slopes, ns, 0.5);
		fit->runs_per_page = stats_quantile_sorted(density, nd, 0.5);
		fit->runs_per_page_lo = stats_quantile_sorted(density, nd, (1.0 - PLAN_LEVEL) / 2.0);
		fit->runs_per_page_hi = stats_quantile_sorted(density, nd, 0.5 + PLAN_LEVEL / 2.0);
	}
	free(slopes);
	free(density);
	return 0;
}

/* The weighted line through the sizes' centres, its covariance and misfit. */
static int fit_line(const struct size_stat *st, size_t k, struct plan_fit *fit)
{
	double sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0, det, b0, b1, chi2 = 0, scale = 1;

	for (size_t j = 0; j < k; j++) {
		double w = 1.0 / (st[j].se * st[j].se), x = st[j].size / 4096.0;

		sw += w;
		sx += w * x;
		sy += w * st[j].center;
		sxx += w * x * x;
		sxy += w * x * st[j].center;
	}
	det = sw * sxx - sx * sx;
	if (!(det > 0))
		return -1;
	b1 = (sw * sxy - sx * sy) / det;
	b0 = (sy - b1 * sx) / sw;
	for (size_t j = 0; j < k; j++) {
		double r = (st[j].center - (b0 + b1 * st[j].size / 4096.0)) / st[j].se;

		chi2 += r * r;
	}
	/*
	 * Sizes that miss the line by more than their own centres' errors say the
	 * line is not the whole story: widen the terms' errors by that much.
	 */
	if (k > 2 && chi2 / (double)(k - 2) > 1.0)
		scale = chi2 / (double)(k - 2);
	fit->fixed_ns = b0;
	fit->ns_per_page = b1;
	fit->var_fixed = scale * sxx / det;
	fit->var_slope = scale * sw / det;
	fit->cov = -scale * sx / det;
	fit->misfit = k > 2 ? chi2 / (double)(k - 2) : NAN;
	return 0;
}

/*
 * The weighted least squares of fixed + per page + per check of io_uring's
 * search (plan_terms_checks()) through the sizes' centres: the 3x3 normal
 * equations, inverted by their cofactors.  -1 when the sizes do not
 * determine the three, or do not tell the search's cost from 0.
 */
static int fit_checks(const struct size_stat *st, size_t k, struct plan_fit *fit)
{
	double a[3][3] = { { 0 } }, rhs[3] = { 0 }, inv[3][3], beta[3], det, chi2 = 0, scale = 1;

	for (size_t j = 0; j < k; j++) {
		double w = 1.0 / (st[j].se * st[j].se);
		double x[3] = { 1.0, st[j].size / 4096.0,
				plan_terms_checks(&fit->terms, st[j].size) };

		for (int r = 0; r < 3; r++) {
			rhs[r] += w * x[r] * st[j].center;
			for (int c = 0; c < 3; c++)
				a[r][c] += w * x[r] * x[c];
		}
	}
	for (int r = 0; r < 3; r++)
		for (int c = 0; c < 3; c++)
			inv[c][r] = a[(r + 1) % 3][(c + 1) % 3] * a[(r + 2) % 3][(c + 2) % 3] -
				    a[(r + 1) % 3][(c + 2) % 3] * a[(r + 2) % 3][(c + 1) % 3];
	det = a[0][0] * inv[0][0] + a[0][1] * inv[1][0] + a[0][2] * inv[2][0];
	/* relative to the diagonal's product: columns this far apart in scale */
	if (!(fabs(det) > 1e-12 * a[0][0] * a[1][1] * a[2][2]))
		return -1;
	for (int r = 0; r < 3; r++) {
		beta[r] = 0;
		for (int c = 0; c < 3; c++) {
			inv[r][c] /= det;
			beta[r] += inv[r][c] * rhs[c];
		}
	}
	for (size_t j = 0; j < k; j++) {
		double r = (st[j].center - beta[0] - beta[1] * st[j].size / 4096.0 -
			    beta[2] * plan_terms_checks(&fit->terms, st[j].size)) /
			   st[j].se;

		chi2 += r * r;
	}
	if (chi2 / (double)(k - 3) > 1.0)
		scale = chi2 / (double)(k - 3);
	/*
	 * A cost the sizes cannot tell from 0 (95%) is left out: on the
	 * development host's cold rounds a 256 MiB call's search is 4% of its
	 * time and the fitted cost scattered from 0 to 6 ns a check over eight
	 * sweeps, which widened the plans more than it centred them; under the
	 * lab VM's instruction clock it is found to within a few percent.
	 */
	if (!(beta[2] > PLAN_Z * sqrt(scale * inv[2][2])))
		return -1;
	fit->fixed_ns = beta[0];
	fit->ns_per_page = beta[1];
	fit->ns_per_check = beta[2];
	fit->var_fixed = scale * inv[0][0];
	fit->var_slope = scale * inv[1][1];
	fit->var_check = scale * inv[2][2];
	fit->cov = scale * inv[0][1];
	fit->cov_fixed_check = scale * inv[0][2];
	fit->cov_slope_check = scale * inv[1][2];
	fit->misfit = chi2 / (double)(k - 3);
	return 0;
}

static int fit_sizes(const struct plan_obs *obs, size_t n, double max_size,
		     const struct plan_terms *terms, struct plan_fit *fit, struct size_stat **sizes);

static int cmp_size(const void *a, const void *b)
{
	const struct size_stat *x = a, *y = b;

	return (x->size > y->size) - (x->size < y->size);
}

/*
 * How far off the line has been, on this sweep, where it was asked beyond
 * its sizes: each size predicted from the sizes below it (at least
 * PLAN_EXTRAP_MIN_SIZES of them: fewer fit a runs term poorly), the error
 * over the distance in doublings, least squares through zero.
 * The rounds' scatter says nothing about the shape of the cost; this is
 * what a deterministic clock (the lab VM's) leaves to tell the interval.
 */
static double extrap_record(const struct plan_obs *obs, size_t n, const struct plan_terms *terms,
			    struct size_stat *st, size_t k)
{
	double se2 = 0, sd2 = 0;

	qsort(st, k, sizeof(*st), cmp_size);
	for (size_t j = PLAN_EXTRAP_MIN_SIZES; j < k; j++) {
		struct plan_fit sub;
		struct plan_estimate e;
		double d = log2(st[j].size / st[j - 1].size), center;

		if (fit_sizes(obs, n, st[j - 1].size, terms, &sub, NULL) != 0)
			continue;
		plan_predict(&sub, st[j].size, &e);
		/*
		 * Against the size's rounds at the smaller fit's own runs per
		 * page, as plan_check() does: st[j].center is at the whole
		 * fit's, and a prediction at one layout density measured against
		 * rounds brought to another counts the difference in density as
		 * an error of the line's shape.
		 */
		center = plan_adjusted_center(obs, n, st[j].size, &sub, NULL);
		if (!(center > 0) || !(d > 0))
			continue;
		se2 += (e.ns / center - 1.0) * (e.ns / center - 1.0);
		sd2 += d * d;
	}
	return sd2 > 0 ? sqrt(se2 / sd2) : NAN;
}

int plan_fit_terms(const struct plan_obs *obs, size_t n, double max_size,
		   const struct plan_terms *terms, struct plan_fit *fit)
{
	struct size_stat *st = NULL;
	int ret = fit_sizes(obs, n, max_size, terms, fit, &st);

	if (ret == 0)
		fit->extrap_per_doubling = extrap_record(obs, n, terms, st, fit->nsizes);
	free(st);
	return ret;
}

/* The fit itself; with @sizes, the sizes' centres are handed back (free them). */
static int fit_sizes(const struct plan_obs *obs, size_t n, double max_size,
		     const struct plan_terms *terms, struct plan_fit *fit, struct size_stat **sizes)
{
	double *buf = NULL, *resid = NULL;
	struct size_stat *st = NULL;
	size_t k = 0, nres = 0;
	int ret = -1;

	memset(fit, 0, sizeof(*fit));
	fit->extrap_per_doubling = NAN;
	if (terms)
		fit->terms = *terms;
	buf = malloc((n ? n : 1) * sizeof(*buf));
	resid = malloc((n ? n : 1) * sizeof(*resid));
	st = malloc((n ? n : 1) * sizeof(*st));
	if (!buf || !resid || !st)
		goto out;
	if (fit->terms.runs && runs_term(obs, n, max_size, fit) != 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		double size = obs[i].size_bytes;
		bool seen = false;
		size_t c;

		for (size_t j = 0; j < k; j++)
			seen |= st[j].size == size;
		if (seen || size > max_size)
			continue;
		c = totals_at(obs, n, size, fit, buf);
		size_stat_of(buf, c, size, &st[k]);
		/* every round relative to its size's centre: the scatter of one operation */
		for (size_t j = 0; j < c; j++)
			resid[nres++] = buf[j] / st[k].center - 1.0;
		k++;
	}
	/* too few sizes for the search, or none it can be told from: the line and its WARNING */
	if (fit->terms.checks && (k < PLAN_CHECKS_MIN_SIZES || fit_checks(st, k, fit) != 0))
		fit->terms.checks = false;
	if (!fit->terms.checks && (k < 2 || fit_line(st, k, fit) != 0))
		goto out;
	qsort(resid, nres, sizeof(*resid), cmp_dbl);
	fit->rel_lo = stats_quantile_sorted(resid, nres, (1.0 - PLAN_LEVEL) / 2.0);
	fit->rel_hi = stats_quantile_sorted(resid, nres, 0.5 + PLAN_LEVEL / 2.0);
	fit->nobs = nres;
	fit->nsizes = k;
	fit->min_size = INFINITY;
	for (size_t j = 0; j < k; j++) {
		fit->min_size = fmin(fit->min_size, st[j].size);
		fit->max_size = fmax(fit->max_size, st[j].size);
	}
	ret = 0;
	if (sizes) {
		*sizes = st;
		st = NULL;
	}
out:
	free(buf);
	free(resid);
	free(st);
	return ret;
}

int plan_fit(const struct plan_obs *obs, size_t n, double max_size, struct plan_fit *fit)
{
	return plan_fit_terms(obs, n, max_size, NULL, fit);
}

void plan_predict(const struct plan_fit *fit, double size_bytes, struct plan_estimate *e)
{
	double x = size_bytes / 4096.0, y = fit->fixed_ns + fit->ns_per_page * x;
	double var_line = fit->var_fixed + x * x * fit->var_slope + 2.0 * x * fit->cov;
	double checks = fit->terms.checks ? plan_terms_checks(&fit->terms, size_bytes) : 0;
	double down, up, shape = 0, z;

	if (checks > 0) {
		y += fit->ns_per_check * checks;
		var_line += checks * checks * fit->var_check +
			    2.0 * checks * (fit->cov_fixed_check + x * fit->cov_slope_check);
	}
	z = PLAN_Z * sqrt(var_line > 0 ? var_line : 0);
	down = y * fmin(0.0, fit->rel_lo);
	up = y * fmax(0.0, fit->rel_hi);

	/* beyond the sizes fitted, the line's own record at that distance */
	if (size_bytes > fit->max_size && isfinite(fit->extrap_per_doubling))
		shape = PLAN_Z * y * fit->extrap_per_doubling * log2(size_bytes / fit->max_size);
	e->size_bytes = size_bytes;
	e->ns = y;
	/* No time is below 0: an interval that reaches it bounds nothing below. */
	e->lo_ns = fmax(0.0, y - sqrt(down * down + z * z + shape * shape));
	e->hi_ns = y + sqrt(up * up + z * z + shape * shape);
	/* a step the line cannot see can only add: the upper end takes its bound */
	if (fit->terms.mock_xa)
		e->hi_ns += plan_mock_step_ns(fit->max_size, size_bytes, fit->ns_per_page);
}

double plan_adjusted_center(const struct plan_obs *obs, size_t n, double size,
			    const struct plan_fit *fit, size_t *nrounds)
{
	double *buf = malloc((n ? n : 1) * sizeof(*buf)), center;
	size_t c;

	if (!buf)
		return NAN;
	c = totals_at(obs, n, size, fit, buf);
	center = stats_trimmed_mean_sorted(buf, c, PLAN_TRIM, NULL);
	free(buf);
	if (nrounds)
		*nrounds = c;
	return center;
}

double plan_measured_center(const struct plan_obs *obs, size_t n, double size, size_t *nrounds)
{
	return plan_adjusted_center(obs, n, size, NULL, nrounds);
}

/* Median runs per page of the rounds of @size; NaN when they report none. */
static double runs_per_page_at(const struct plan_obs *obs, size_t n, double size)
{
	double *buf = malloc((n ? n : 1) * sizeof(*buf)), med;
	size_t c = 0;

	if (!buf)
		return NAN;
	for (size_t i = 0; i < n; i++)
		if (obs[i].size_bytes == size && obs[i].runs > 0)
			buf[c++] = obs[i].runs / (size / 4096.0);
	qsort(buf, c, sizeof(*buf), cmp_dbl);
	med = c ? stats_quantile_sorted(buf, c, 0.5) : NAN;
	free(buf);
	return med;
}

void plan_check(const struct plan_series *s, const struct plan_fit *fit, double size,
		struct plan_validation *v)
{
	memset(v, 0, sizeof(*v));
	v->size_bytes = size;
	v->measured_ns = plan_adjusted_center(s->obs, s->nobs, size, fit, &v->nrounds);
	v->as_measured_ns = plan_measured_center(s->obs, s->nobs, size, NULL);
	v->runs_per_page = fit->terms.runs ? runs_per_page_at(s->obs, s->nobs, size) : NAN;
	if (!v->nrounds)
		return;
	plan_predict(fit, size, &v->predicted);
	v->error = v->predicted.ns / v->measured_ns - 1.0;
	v->inside = v->measured_ns >= v->predicted.lo_ns && v->measured_ns <= v->predicted.hi_ns;
	v->done = true;
}

void plan_validate(const struct plan_series *s, double fit_max, struct plan_validation *v)
{
	struct plan_fit fit;
	size_t k = 0;

	memset(v, 0, sizeof(*v));
	while (k < s->nsizes && s->sizes[k] <= fit_max)
		k++;
	if (k < PLAN_MIN_SIZES ||
	    plan_fit_terms(s->obs, s->nobs, s->sizes[k - 2], &s->terms, &fit) != 0)
		return;
	plan_check(s, &fit, s->sizes[k - 1], v);
}

int plan_split(double slope_4k, double slope_huge, double folio_bytes, double *per_page_ns,
	       double *per_folio_ns)
{
	double pages_per_folio = folio_bytes / 4096.0;

	if (!(pages_per_folio > 1.0))
		return -1;
	/* slope_4k - slope_huge = folio * (1 - 1 / pages_per_folio) */
	*per_folio_ns = (slope_4k - slope_huge) / (1.0 - 1.0 / pages_per_folio);
	*per_page_ns = slope_4k - *per_folio_ns;
	return 0;
}

double plan_pt_bytes(double n4k, double n2m, double n1g)
{
	/* tables at each level: the entries below it, 512 to a table */
	double l1 = ceil(n4k / 512.0);
	double l2 = ceil((n2m + l1) / 512.0);
	double l3 = ceil((n1g + l2) / 512.0);
	double l4 = l3 > 0 ? 1.0 : 0.0;

	return 4096.0 * (l1 + l2 + l3 + l4);
}

void plan_fmt_size(char *buf, size_t len, double bytes)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	int u = 0;

	while (fabs(bytes) >= 1024.0 && u < 5) {
		bytes /= 1024.0;
		u++;
	}
	snprintf(buf, len, "%.*f %s",
		 bytes == floor(bytes) ? 0 :
		 bytes < 10	       ? 2 :
					 1,
		 bytes, unit[u]);
}

void plan_fmt_ns(char *buf, size_t len, double ns)
{
	double a = fabs(ns);

	if (a >= 3600e9)
		snprintf(buf, len, "%.3g h", ns / 3600e9);
	else if (a >= 60e9)
		snprintf(buf, len, "%.3g min", ns / 60e9);
	else if (a >= 1e9)
		snprintf(buf, len, "%.3g s", ns / 1e9);
	else if (a >= 1e6)
		snprintf(buf, len, "%.3g ms", ns / 1e6);
	else if (a >= 1e3)
		snprintf(buf, len, "%.3g us", ns / 1e3);
	else
		snprintf(buf, len, "%.3g ns", ns);
}
