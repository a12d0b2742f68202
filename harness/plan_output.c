// SPDX-License-Identifier: GPL-2.0
/*
 * A whole capacity plan: each series fitted, predicted at the target,
 * validated, split into page and folio costs, its memory and IOTLB needs;
 * then written as text, JSON, HTML or chart data.  One place computes, the
 * writers only format.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver/uapi/pfnlab.h"
#include "iommufd_mock.h"
#include "plan_model.h"

#define GIB 1073741824.0

/*
 * The pinned xarray tier stores one value entry per 4 KiB page; an xarray
 * node holds 64 slots (XA_CHUNK_SHIFT 6 in include/linux/xarray.h) and is
 * a 576-byte object of the radix_tree_node slab on x86-64.
 */
#define XA_SLOTS 64.0
#define XA_NODE_BYTES 576.0
/* pfnlab.ko keeps 8 bytes of bookkeeping per page of a pages object (driver/pages.c) */
#define INDEX_BYTES_PER_PAGE 8.0

static double xarray_bytes(double pages)
{
	uint64_t level = (uint64_t)ceil(pages / XA_SLOTS), nodes = 0;

	/* leaves hold 64 pages each, every node above 64 nodes below, up to one root */
	while (level > 0) {
		nodes += level;
		if (level == 1)
			break;
		level = (level + (uint64_t)XA_SLOTS - 1) / (uint64_t)XA_SLOTS;
	}
	return (double)nodes * XA_NODE_BYTES;
}

static double num_or_nan(json_t *v)
{
	return json_is_number(v) ? json_number_value(v) : NAN;
}

/*
 * Layout and IOTLB measurements of @s's page kind on this host: its own
 * IOPTE counts (a driver map), else those of the kind's iotlb benchmarks;
 * misses per MiB from the iotlb benchmarks.
 */
static void gather_iotlb(const struct rl_set *set, const struct plan_series *s, double working_set,
			 double window, struct plan_iotlb *io)
{
	const char *page = s->page;
	static const char *const leaf_names[3] = { "4k", "2m", "1g" };
	static const char *const patterns[2] = { "sequential", "random" };
	static const double leaf_bytes[3] = { 4096.0, 2097152.0, GIB };
	double best_dist[2] = { INFINITY, INFINITY };
	double covered = 0;

	memset(io, 0, sizeof(*io));
	for (int p = 0; p < 2; p++)
		io->misses_per_mib[p] = io->from_window[p] = NAN;
	for (int l = 0; l < 3; l++)
		io->ioptes_per_gib[l] = s->ioptes_per_gib[l];
	io->have_layout = !isnan(s->ioptes_per_gib[0]);
	for (size_t r = 0; r < set->n; r++) {
		for (size_t k = 0; k < set->results[r].nbenches; k++) {
			const struct rl_bench *b = &set->results[r].benches[k];
			const char *op = rl_param_str(b, "op"), *pat = rl_param_str(b, "pattern");
			const char *bpage = rl_param_str(b, "page");
			json_t *info = json_object_get(b->json, "backend_info");
			json_t *ioptes = json_object_get(info, "ioptes");
			json_t *geo = json_object_get(json_object_get(info, "iotlb_geometry"),
						      "entries");
			double size = rl_param_num(b, "size"), win = rl_param_num(b, "window");
			const struct rl_metric *m;

			if (!rl_bench_measured(b) || !op || !bpage || strcmp(bpage, page) != 0 ||
			    !(size > 0))
				continue;
			if (json_is_object(ioptes) && isnan(s->ioptes_per_gib[0])) {
				for (int l = 0; l < 3; l++)
					io->ioptes_per_gib[l] =
						num_or_nan(json_object_get(ioptes, leaf_names[l])) /
						(size / GIB);
				io->have_layout = !isnan(io->ioptes_per_gib[0]);
			}
			for (int l = 0; json_is_array(geo) && l < 3; l++)
				io->geometry[l] = (int)json_integer_value(
					json_array_get(geo, (size_t)l));
			if (strcmp(op, "iotlb") != 0 || !pat)
				continue;
			m = rl_find_metric(b, "iotlb_misses_per_mib");
			if (!(win > 0))
				win = size; /* window 0: the whole buffer */
			for (int p = 0; m && !isnan(m->median) && p < 2; p++) {
				double dist = fabs(log(win / window));

				if (strcmp(pat, patterns[p]) != 0 || dist > best_dist[p])
					continue;
				best_dist[p] = dist;
				io->misses_per_mib[p] = m->median;
				io->from_window[p] = win;
			}
		}
	}
	if (!io->have_layout)
		return;
	for (int l = 0; l < 3; l++) {
		double need = io->ioptes_per_gib[l] * working_set / GIB;

		/* counts come back through a geometric mean: drop its rounding */
		io->entries_needed[l] = ceil(need * (1.0 - 1e-9));
		covered += fmin(io->entries_needed[l], io->geometry[l]) * leaf_bytes[l];
	}
	io->covered_fraction = working_set > 0 && (io->geometry[0] || io->geometry[1] ||
						   io->geometry[2]) ?
				       fmin(1.0, covered / working_set) :
				       NAN;
}

/* A 4 KiB series of the same backend, op and other parameters as @s, planned. */
static const struct plan_item *split_partner(const struct plan_out *out, const struct plan_series *s)
{
	for (size_t i = 0; i < out->nseries; i++) {
		const struct plan_item *it = &out->items[i];

		if (it->planned && it->s != s && it->s->folio_bytes == 4096.0 &&
		    strcmp(it->s->op, s->op) == 0 && strcmp(it->s->base_id, s->base_id) == 0)
			return it;
	}
	return NULL;
}

/* The measured sizes @s has at most @fit_max (all with INFINITY). */
static size_t sizes_fitted(const struct plan_series *s, double fit_max)
{
	size_t k = 0;

	while (k < s->nsizes && s->sizes[k] <= fit_max)
		k++;
	return k;
}

/* The environment of the first results of @set that record one (one host). */
static json_t *set_environment(const struct rl_set *set)
{
	json_t *env = NULL;

	for (size_t r = 0; r < set->n && !env; r++)
		env = set->results[r].environment;
	return env;
}

/* The kernel release @env records ("6.18.44-..."), NULL where none */
static const char *kernel_release(json_t *env)
{
	return json_string_value(json_object_get(json_object_get(env, "kernel"), "release"));
}

/*
 * Whether @env's results were timed by the host's clock, not the lab VM's
 * instruction clock, under which a cache miss or the hypervisor's work on
 * a new kernel mapping costs what a hit does: what the two checks below
 * look for is time the line cannot see, not work.
 */
static bool host_clock(json_t *env)
{
	json_t *clk = json_object_get(env, "vm_clock");

	return env && !(json_is_string(clk) && strcmp(json_string_value(clk), "instructions") == 0);
}

/*
 * Whether a call at the target outgrows a cache every fitted size's call
 * fit in (plan_call_pages(), plan_cache_crossed()): only where the results'
 * clock times the host, whose caches the environment lists.
 */
static void call_caches(const struct rl_set *set, const struct plan_out *out, struct plan_item *it,
			double largest)
{
	double sizes[8], fitted, target;
	int levels[8], k;
	size_t n = 0, i;
	json_t *env = set_environment(set), *cache;

	if (!host_clock(env))
		return;
	fitted = plan_call_pages(it->s, largest) * PLAN_CALL_ARRAY_BYTES_PER_PAGE;
	target = plan_call_pages(it->s, out->target_bytes) * PLAN_CALL_ARRAY_BYTES_PER_PAGE;
	if (isnan(fitted) || isnan(target))
		return;
	json_array_foreach(json_object_get(json_object_get(env, "cpu"), "caches"), i, cache) {
		if (n == sizeof(sizes) / sizeof(sizes[0]))
			break;
		levels[n] = (int)json_integer_value(json_object_get(cache, "level"));
		sizes[n++] = json_number_value(json_object_get(cache, "bytes"));
	}
	k = plan_cache_crossed(fitted, target, sizes, n);
	if (k < 0)
		return;
	it->cache_level = levels[k];
	it->cache_bytes = sizes[k];
	it->call_array_fitted = fitted;
	it->call_array_target = target;
}

/*
 * Whether an io_uring registration at the target needs a segment table
 * kmalloc cannot hold where every fitted size's call did not
 * (plan_uring_segments(), plan_table_vmalloced()).  Only on the host's
 * clock: in the lab VM the vmalloc'ed table cost 0.45% more instructions
 * a page, on the host 48% more time.  Only the pin: the unregistration's
 * vfree() defers its work, and its 1 GiB cost stayed on the line
 * (docs/plan.md, "A table kmalloc cannot hold").
 */
static void call_table(const struct rl_set *set, const struct plan_out *out, struct plan_item *it,
		       double largest)
{
	json_t *env = set_environment(set);
	json_t *kernel = json_object_get(env, "kernel");
	json_t *order = json_object_get(kernel, "max_page_order");
	bool coalesces = plan_uring_coalesces(kernel_release(env));
	json_int_t top = json_is_integer(order) ? json_integer_value(order) : -1;
	/* a recorded order, where one is (a garbled one is ignored, not shifted by) */
	double kmalloc_max = ldexp(4096.0,
				   top >= 0 && top <= 30 ? (int)top : PLAN_DEFAULT_MAX_PAGE_ORDER);
	double fitted = plan_uring_segments(it->s, largest, coalesces);
	double target = plan_uring_segments(it->s, out->target_bytes, coalesces);

	if (!host_clock(env) || strcmp(it->s->op, "pin") != 0 || isnan(fitted) || isnan(target) ||
	    plan_table_vmalloced(fitted, kmalloc_max) || !plan_table_vmalloced(target, kmalloc_max))
		return;
	it->table_vmalloc = true;
	it->segments_target = target;
	it->table_fitted = fitted * PLAN_URING_BVEC_BYTES;
	it->table_target = target * PLAN_URING_BVEC_BYTES;
	it->kmalloc_max = kmalloc_max;
}

/*
 * io_uring's search for folios already charged (plan_uring_folio_checks()):
 * give @s the fields that count its checks on the results' kernel, @it
 * the checks at the target and a page of them there and at the largest
 * size fitted, and @s the term that fits a cost per check where a call at
 * the target makes at least PLAN_FOLIO_CHECKS_PER_PAGE_MIN more a 4 KiB
 * page.  On either clock: the search is work, not waiting (the lab VM
 * counted 13 to 16 ns of instructions a check).  Only the pin: the
 * unregistration releases a segment at a time.
 */
static void checks_term(const struct rl_set *set, const struct plan_out *out, struct plan_series *s,
			struct plan_item *it)
{
	const char *release = kernel_release(set_environment(set));
	size_t nfit = sizes_fitted(s, out->fit_max);
	double largest;

	if (plan_checks_terms(s, plan_uring_coalesces(release), plan_uring_scans_call(release),
			      &s->terms) != 0 ||
	    strcmp(s->op, "pin") != 0 || nfit == 0)
		return;
	largest = s->sizes[nfit - 1];
	it->checks_target = plan_terms_checks(&s->terms, out->target_bytes);
	it->checks_per_page_fitted = plan_terms_checks(&s->terms, largest) / (largest / 4096.0);
	it->checks_per_page_target = it->checks_target / (out->target_bytes / 4096.0);
	s->terms.checks = it->checks_per_page_target - it->checks_per_page_fitted >=
			  PLAN_FOLIO_CHECKS_PER_PAGE_MIN;
}

static void plan_one(const struct rl_set *set, struct plan_out *out, struct plan_item *it)
{
	const struct plan_series *s = it->s;
	size_t nfit = sizes_fitted(s, out->fit_max);
	double pages = out->target_bytes / 4096.0, largest;
	bool driver = strcmp(s->backend, "driver") == 0;
	char a[64], b[64];

	it->gup_calls = it->index_bytes = it->xarray_bytes = it->pt_bytes = NAN;
	if (nfit < PLAN_MIN_SIZES) {
		plan_fmt_size(a, sizeof(a), s->sizes[0]);
		plan_fmt_size(b, sizeof(b), out->fit_max);
		snprintf(it->why, sizeof(it->why),
			 "%zu size%s measured%s%s (from %s), a plan needs %d: two to fit and one more to check the fit against",
			 nfit, nfit == 1 ? "" : "s", isinf(out->fit_max) ? "" : " up to ",
			 isinf(out->fit_max) ? "" : b, a, PLAN_MIN_SIZES);
		return;
	}
	largest = s->sizes[nfit - 1];
	if (out->target_bytes < s->sizes[0]) {
		plan_fmt_size(a, sizeof(a), out->target_bytes);
		plan_fmt_size(b, sizeof(b), s->sizes[0]);
		snprintf(it->why, sizeof(it->why),
			 "the target %s is below the smallest size measured (%s): that is a measurement, not a plan",
			 a, b);
		return;
	}
	it->factor = out->target_bytes / largest;
	if (it->factor > PLAN_MAX_EXTRAPOLATION && !out->force) {
		plan_fmt_size(a, sizeof(a), out->target_bytes);
		plan_fmt_size(b, sizeof(b), largest);
		snprintf(it->why, sizeof(it->why),
			 "%s is %.0fx the largest size fitted (%s); plans extrapolate at most %.0fx (docs/plan.md): measure larger sizes (bench/plan.ini) or pass --force",
			 a, it->factor, b, PLAN_MAX_EXTRAPOLATION);
		return;
	}
	if (plan_fit_terms(s->obs, s->nobs, largest, &s->terms, &it->fit) != 0) {
		snprintf(it->why, sizeof(it->why), "the sizes do not determine a line");
		return;
	}
	it->fixed_lo = it->fit.fixed_ns - PLAN_Z * sqrt(it->fit.var_fixed);
	it->fixed_hi = it->fit.fixed_ns + PLAN_Z * sqrt(it->fit.var_fixed);
	plan_predict(&it->fit, out->target_bytes, &it->pred);
	plan_validate(s, largest, &it->val);
	for (size_t k = nfit; k < s->nsizes && it->nbeyond < 4; k++)
		plan_check(s, &it->fit, s->sizes[k], &it->beyond[it->nbeyond++]);
	it->planned = true;
	if (!isnan(s->gup_calls_per_gib))
		it->gup_calls = s->gup_calls_per_gib * out->target_bytes / GIB;
	it->memlock_bytes = out->target_bytes;
	if (driver) {
		it->index_bytes = INDEX_BYTES_PER_PAGE * pages;
		if (it->index_bytes > (double)PFNLAB_MAX_INDEX_BYTES)
			it->limit_note =
				"beyond PFNLAB_MAX_INDEX_BYTES: one fd's pages objects cover at most 128 GiB (split the range over several fds)";
		if (strcmp(s->op, "pin") == 0 || strcmp(s->op, "unpin") == 0)
			it->xarray_bytes = xarray_bytes(pages);
	}
	if (plan_series_mock(s) && out->target_bytes > (double)MOCK_APERTURE_BYTES)
		it->limit_note =
			"beyond the selftest mock domain's aperture (IOVA 16 MiB .. 2 GiB): pfnlab's iommufd backend maps one buffer of at most 2032 MiB there";
	if (s->terms.mock_xa) {
		it->xa_levels_fitted = plan_mock_xa_levels(largest);
		it->xa_levels_target = plan_mock_xa_levels(out->target_bytes);
	}
	call_caches(set, out, it, largest);
	call_table(set, out, it, largest);
	gather_iotlb(set, s, out->target_bytes, out->window_bytes, &it->iotlb);
	if (driver && strcmp(s->op, "map") == 0 && it->iotlb.have_layout) {
		it->pt_bytes = plan_pt_bytes(it->iotlb.entries_needed[0],
					     it->iotlb.entries_needed[1],
					     it->iotlb.entries_needed[2]);
		if (it->pt_bytes > (double)PFNLAB_MAX_PT_BYTES && !it->limit_note)
			it->limit_note =
				"beyond PFNLAB_MAX_PT_BYTES: one fd's mock IO page tables hold at most 256 MiB";
	}
}

int plan_make(const struct rl_set *set, const struct plan_request *req, struct plan_out *out,
	      char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	out->target_bytes = req->target_bytes;
	out->window_bytes = req->window_bytes > 0 ? req->window_bytes : req->target_bytes;
	out->fit_max = req->fit_max > 0 ? req->fit_max : INFINITY;
	out->force = req->force;
	if (plan_collect(set, &req->filter, &out->series, &out->nseries, err, errlen) != 0)
		return -1;
	out->host = set->results[0].hostname;
	out->items = calloc(out->nseries, sizeof(*out->items));
	if (!out->items) {
		snprintf(err, errlen, "out of memory");
		plan_out_free(out);
		return -1;
	}
	for (size_t i = 0; i < out->nseries; i++) {
		out->items[i].s = &out->series[i];
		checks_term(set, out, &out->series[i], &out->items[i]);
		plan_one(set, out, &out->items[i]);
		out->nplanned += out->items[i].planned;
	}
	for (size_t i = 0; i < out->nseries; i++) {
		struct plan_item *it = &out->items[i];
		const struct plan_item *p;

		if (!it->planned || it->s->folio_bytes <= 4096.0)
			continue;
		p = split_partner(out, it->s);
		if (p && plan_split(p->fit.ns_per_page, it->fit.ns_per_page, it->s->folio_bytes,
				    &it->per_page_ns, &it->per_folio_ns) == 0) {
			it->split = true;
			it->split_against = p->s;
		}
	}
	return 0;
}

void plan_out_free(struct plan_out *out)
{
	plan_series_free(out->series, out->nseries);
	free(out->items);
	memset(out, 0, sizeof(*out));
}

/* ---- JSON ---- */

static json_t *jnum(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *check_json(const struct plan_validation *v)
{
	if (!v->done)
		return json_null();
	return json_pack("{s:o, s:o, s:o, s:o, s:I, s:o, s:o, s:o, s:o, s:b}", "size_bytes",
			 jnum(v->size_bytes), "measured_ns", jnum(v->measured_ns), "as_measured_ns",
			 jnum(v->as_measured_ns), "runs_per_page", jnum(v->runs_per_page), "rounds",
			 (json_int_t)v->nrounds, "predicted_ns", jnum(v->predicted.ns), "lo_ns",
			 jnum(v->predicted.lo_ns), "hi_ns", jnum(v->predicted.hi_ns), "error",
			 jnum(v->error), "inside", v->inside);
}

static json_t *item_json(const struct plan_out *out, const struct plan_item *it)
{
	const struct plan_series *s = it->s;
	json_t *sizes = json_array(), *o;

	for (size_t k = 0; k < s->nsizes; k++)
		json_array_append_new(sizes, json_real(s->sizes[k]));
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:I, s:b}", "label", s->label, "backend",
		      s->backend, "op", s->op, "page", s->page, "metric", s->metric, "sizes_bytes",
		      sizes, "rounds", (json_int_t)s->nobs, "planned", it->planned);
	if (!o)
		return NULL;
	if (!it->planned) {
		json_object_set_new(o, "why", json_string(it->why));
		return o;
	}
	json_object_set_new(o, "fit",
			    json_pack("{s:o, s:[o, o], s:o, s:o, s:o, s:[o, o], s:o, s:I}",
				      "fixed_ns", jnum(it->fit.fixed_ns), "fixed_ns_ci95",
				      jnum(it->fixed_lo), jnum(it->fixed_hi), "ns_per_page",
				      jnum(it->fit.ns_per_page), "ns_per_page_sd",
				      jnum(sqrt(it->fit.var_slope)), "misfit", jnum(it->fit.misfit),
				      "round_spread", jnum(it->fit.rel_lo), jnum(it->fit.rel_hi),
				      "max_size_bytes", jnum(it->fit.max_size), "sizes",
				      (json_int_t)it->fit.nsizes));
	json_object_set_new(json_object_get(o, "fit"), "extrapolation_error_per_doubling",
			    jnum(it->fit.extrap_per_doubling));
	if (it->fit.terms.runs)
		json_object_set_new(json_object_get(o, "fit"), "runs",
				    json_pack("{s:o, s:o, s:[o, o]}", "ns_per_run",
					      jnum(it->fit.ns_per_run), "runs_per_page",
					      jnum(it->fit.runs_per_page), "runs_per_page_range95",
					      jnum(it->fit.runs_per_page_lo),
					      jnum(it->fit.runs_per_page_hi)));
	if (it->split)
		json_object_set_new(o, "split",
				    json_pack("{s:o, s:o, s:o, s:s}", "ns_per_4k_page",
					      jnum(it->per_page_ns), "ns_per_folio",
					      jnum(it->per_folio_ns), "folio_bytes",
					      jnum(s->folio_bytes), "against",
					      it->split_against->label));
	json_object_set_new(o, "prediction",
			    json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "size_bytes",
				      jnum(out->target_bytes), "ns", jnum(it->pred.ns), "lo_ns",
				      jnum(it->pred.lo_ns), "hi_ns", jnum(it->pred.hi_ns), "level",
				      jnum(PLAN_LEVEL), "extrapolation_factor", jnum(it->factor)));
	json_object_set_new(o, "validation", check_json(&it->val));
	if (it->nbeyond) {
		json_t *arr = json_array();

		for (size_t k = 0; k < it->nbeyond; k++)
			json_array_append_new(arr, check_json(&it->beyond[k]));
		json_object_set_new(o, "beyond_fit", arr);
	}
	json_object_set_new(o, "memory",
			    json_pack("{s:o, s:o, s:o, s:o, s:o}", "memlock_bytes",
				      jnum(it->memlock_bytes), "index_bytes", jnum(it->index_bytes),
				      "xarray_bytes", jnum(it->xarray_bytes), "io_page_table_bytes",
				      jnum(it->pt_bytes), "limit",
				      it->limit_note ? json_string(it->limit_note) : json_null()));
	if (it->xa_levels_fitted)
		json_object_set_new(o, "mock_xarray_levels",
				    json_pack("{s:i, s:i}", "fitted", it->xa_levels_fitted,
					      "target", it->xa_levels_target));
	if (it->cache_level)
		json_object_set_new(o, "call_outgrows_cache",
				    json_pack("{s:i, s:o, s:o, s:o}", "level", it->cache_level,
					      "cache_bytes", jnum(it->cache_bytes),
					      "array_bytes_fitted", jnum(it->call_array_fitted),
					      "array_bytes_target", jnum(it->call_array_target)));
	if (it->table_vmalloc)
		json_object_set_new(o, "call_table_vmalloc",
				    json_pack("{s:o, s:o, s:o, s:o}", "segments_target",
					      jnum(it->segments_target), "table_bytes_fitted",
					      jnum(it->table_fitted), "table_bytes_target",
					      jnum(it->table_target), "kmalloc_max_bytes",
					      jnum(it->kmalloc_max)));
	if (s->terms.checks)
		json_object_set_new(o, "call_folio_checks",
				    json_pack("{s:o, s:o, s:o, s:b}", "checks_target",
					      jnum(it->checks_target), "checks_per_page_fitted",
					      jnum(it->checks_per_page_fitted),
					      "checks_per_page_target",
					      jnum(it->checks_per_page_target), "fitted",
					      it->fit.terms.checks));
	if (it->fit.terms.checks)
		json_object_set_new(json_object_get(o, "fit"), "checks",
				    json_pack("{s:o, s:o}", "ns_per_check",
					      jnum(it->fit.ns_per_check), "ns_per_check_sd",
					      jnum(sqrt(it->fit.var_check))));
	json_object_set_new(o, "gup_calls", jnum(it->gup_calls));
	if (it->iotlb.have_layout) {
		const struct plan_iotlb *io = &it->iotlb;

		json_object_set_new(o, "iotlb",
				    json_pack("{s:[o,o,o], s:[o,o,o], s:[i,i,i], s:o, s:{s:o, s:o}, s:{s:o, s:o}}",
					      "ioptes_per_gib", jnum(io->ioptes_per_gib[0]),
					      jnum(io->ioptes_per_gib[1]),
					      jnum(io->ioptes_per_gib[2]), "entries_needed",
					      jnum(io->entries_needed[0]),
					      jnum(io->entries_needed[1]),
					      jnum(io->entries_needed[2]), "model_entries",
					      io->geometry[0], io->geometry[1], io->geometry[2],
					      "covered_fraction", jnum(io->covered_fraction),
					      "misses_per_mib", "sequential",
					      jnum(io->misses_per_mib[0]), "random",
					      jnum(io->misses_per_mib[1]), "from_window_bytes",
					      "sequential", jnum(io->from_window[0]), "random",
					      jnum(io->from_window[1])));
	}
	return o;
}

json_t *plan_to_json(const struct plan_out *out)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < out->nseries; i++) {
		json_t *o = item_json(out, &out->items[i]);

		if (!o || json_array_append_new(arr, o) != 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return json_pack("{s:i, s:s, s:o, s:o, s:o, s:o, s:o, s:b, s:o}", "schema_version", 1,
			 "host", out->host, "target_bytes", jnum(out->target_bytes), "window_bytes",
			 jnum(out->window_bytes), "fit_max_bytes", jnum(out->fit_max), "level",
			 jnum(PLAN_LEVEL), "max_extrapolation", jnum(PLAN_MAX_EXTRAPOLATION),
			 "forced", out->force, "series", arr);
}

/* ---- text ---- */

static void fmt_count(char *buf, size_t len, double v)
{
	if (v >= 1e9)
		snprintf(buf, len, "%.3g G", v / 1e9);
	else if (v >= 1e6)
		snprintf(buf, len, "%.3g M", v / 1e6);
	else if (v >= 1e4)
		snprintf(buf, len, "%.3g k", v / 1e3);
	else
		snprintf(buf, len, "%.0f", v);
}

void plan_terms_text(char *buf, size_t len, const struct plan_fit *fit)
{
	char a[64], c[64];
	size_t used;

	used = (size_t)snprintf(buf, len, "%.3g ns per 4 KiB page", fit->ns_per_page);
	if (fit->terms.checks && used < len)
		used += (size_t)
			snprintf(buf + used, len - used,
				 " + %.3g ns per check of io_uring's search for folios already charged",
				 fit->ns_per_check);
	if (fit->terms.runs && used < len) {
		plan_fmt_ns(a, sizeof(a), fit->ns_per_run);
		used += (size_t)snprintf(buf + used, len - used, " + %s per run", a);
	}
	if (used < len) {
		plan_fmt_ns(c, sizeof(c), fabs(fit->fixed_ns));
		used += (size_t)snprintf(buf + used, len - used, " %c %s fixed",
					 fit->fixed_ns < 0 ? '-' : '+', c);
	}
	if (fit->terms.runs && used < len)
		snprintf(buf + used, len - used,
			 " (at %.3g runs per page, the sweep's median; its rounds had %.3g .. %.3g)",
			 fit->runs_per_page, fit->runs_per_page_lo, fit->runs_per_page_hi);
}

static void print_terms(FILE *f, const struct plan_item *it)
{
	char b[64], c[64], t[512];

	plan_terms_text(t, sizeof(t), &it->fit);
	fprintf(f, "  model: %s", t);
	if (it->fixed_lo <= 0 && it->fixed_hi >= 0)
		fputs(" (fixed cost indistinguishable from 0)", f);
	fprintf(f, "\n         one round lands %+.0f%% .. %+.0f%% from its size's centre (95%%)",
		100.0 * it->fit.rel_lo, 100.0 * it->fit.rel_hi);
	if (isfinite(it->fit.misfit) && it->fit.misfit > 1.0)
		fprintf(f, "; sizes off the line by %.1fx their errors: terms widened",
			sqrt(it->fit.misfit));
	if (isfinite(it->fit.extrap_per_doubling))
		fprintf(f,
			"\n         extrapolating, the line was off by %.1f%% per doubling on this sweep"
			" (each size predicted from those below it): in the interval beyond the fit",
			100.0 * it->fit.extrap_per_doubling);
	fputc('\n', f);
	if (it->split) {
		plan_fmt_ns(b, sizeof(b), it->per_folio_ns);
		plan_fmt_size(c, sizeof(c), it->s->folio_bytes);
		fprintf(f,
			"         = %.3g ns per 4 KiB page + %s per %s folio + fixed (split against %s)\n",
			it->per_page_ns, b, c, it->split_against->label);
	}
}

static void print_memory(FILE *f, const struct plan_out *out, const struct plan_item *it)
{
	char a[64], b[64], c[64];

	plan_fmt_size(a, sizeof(a), it->memlock_bytes);
	fprintf(f, "  memory: RLIMIT_MEMLOCK >= %s (or CAP_IPC_LOCK)", a);
	if (!isnan(it->index_bytes)) {
		plan_fmt_size(b, sizeof(b), it->index_bytes);
		fprintf(f, "; module bookkeeping %s", b);
	}
	if (!isnan(it->xarray_bytes)) {
		plan_fmt_size(b, sizeof(b), it->xarray_bytes);
		plan_fmt_size(c, sizeof(c), it->xarray_bytes / (out->target_bytes / GIB));
		fprintf(f, "; pinned xarray tier ~%s (%s per pinned GiB)", b, c);
	}
	if (!isnan(it->pt_bytes)) {
		plan_fmt_size(b, sizeof(b), it->pt_bytes);
		plan_fmt_size(c, sizeof(c), it->pt_bytes / (out->target_bytes / GIB));
		fprintf(f, "; IO page table >= %s (%s per mapped GiB)", b, c);
	}
	fputc('\n', f);
	if (it->limit_note)
		fprintf(f, "  limit: %s\n", it->limit_note);
}

static void print_iotlb(FILE *f, const struct plan_out *out, const struct plan_item *it)
{
	const struct plan_iotlb *io = &it->iotlb;
	static const char *const pats[2] = { "sequential", "random" };
	char a[64], b[64], c[64], d[64];

	if (!io->have_layout)
		return;
	fmt_count(a, sizeof(a), io->entries_needed[0]);
	fmt_count(b, sizeof(b), io->entries_needed[1]);
	fmt_count(c, sizeof(c), io->entries_needed[2]);
	plan_fmt_size(d, sizeof(d), out->target_bytes);
	fprintf(f, "  IOTLB: covering %s of this layout takes %s 4K + %s 2M + %s 1G entries", d, a,
		b, c);
	if (io->geometry[0] || io->geometry[1] || io->geometry[2])
		fprintf(f, "; the model's IOTLB (%d/%d/%d) reaches %.3g%% of it", io->geometry[0],
			io->geometry[1], io->geometry[2], 100.0 * io->covered_fraction);
	fputc('\n', f);
	for (int p = 0; p < 2; p++) {
		if (isnan(io->misses_per_mib[p]))
			continue;
		plan_fmt_size(a, sizeof(a), io->from_window[p]);
		fprintf(f, "         %s sweeps: %.4g misses per MiB (measured at window %s)\n",
			pats[p], io->misses_per_mib[p], a);
	}
}

static void print_check(FILE *f, const char *what, const struct plan_validation *v)
{
	char a[64], b[64], c[64], d[64], e[64];

	if (!v->done)
		return;
	plan_fmt_size(a, sizeof(a), v->size_bytes);
	plan_fmt_ns(b, sizeof(b), v->predicted.ns);
	plan_fmt_ns(c, sizeof(c), v->predicted.lo_ns);
	plan_fmt_ns(d, sizeof(d), v->predicted.hi_ns);
	plan_fmt_ns(e, sizeof(e), v->measured_ns);
	fprintf(f, "  %s %s: predicted %s (%s .. %s), measured %s (trimmed mean of %zu rounds",
		what, a, b, c, d, e, v->nrounds);
	if (!isnan(v->runs_per_page)) {
		plan_fmt_ns(a, sizeof(a), v->as_measured_ns);
		fprintf(f, ", brought from its %.3g runs per page: %s as measured",
			v->runs_per_page, a);
	}
	fprintf(f, "): %+.1f%%, %s\n", 100.0 * v->error,
		v->inside ? "inside the interval" : "OUTSIDE the interval");
}

void plan_print_text(FILE *f, const struct plan_out *out)
{
	char a[64], b[64], c[64], d[64];

	plan_fmt_size(a, sizeof(a), out->target_bytes);
	fprintf(f,
		"Plan for %s on host %s (%zu of %zu series planned; %.0f%% intervals for one operation",
		a, out->host, out->nplanned, out->nseries, 100.0 * PLAN_LEVEL);
	if (!isinf(out->fit_max)) {
		plan_fmt_size(b, sizeof(b), out->fit_max);
		fprintf(f, "; fitted on sizes up to %s", b);
	}
	fputs(")\n", f);
	for (size_t i = 0; i < out->nseries; i++) {
		const struct plan_item *it = &out->items[i];
		const struct plan_series *s = it->s;

		plan_fmt_size(a, sizeof(a), s->sizes[0]);
		plan_fmt_size(b, sizeof(b), s->sizes[s->nsizes - 1]);
		fprintf(f, "\n%s  (%zu sizes %s .. %s, %zu rounds, from %s)\n", s->label, s->nsizes,
			a, b, s->nobs, s->metric);
		if (!it->planned) {
			fprintf(f, "  not planned: %s\n", it->why);
			continue;
		}
		print_terms(f, it);
		plan_fmt_size(a, sizeof(a), out->target_bytes);
		plan_fmt_ns(b, sizeof(b), it->pred.ns);
		plan_fmt_ns(c, sizeof(c), it->pred.lo_ns);
		plan_fmt_ns(d, sizeof(d), it->pred.hi_ns);
		fprintf(f, "  %s: %s (interval %s .. %s), %.3gx the largest size fitted%s\n", a, b,
			c, d, it->factor, it->factor > PLAN_MAX_EXTRAPOLATION ? " (--force)" : "");
		print_check(f, "check: fitted without", &it->val);
		if (it->val.done && !it->val.inside)
			fprintf(f,
				"  WARNING: the check failed: the cost is not a straight line in the size here, and a plan fitted below the held-out size %s it by %.2g%%; expect this plan to be %s\n",
				it->val.error < 0 ? "under-predicted" : "over-predicted",
				100.0 * fabs(it->val.error),
				it->val.error < 0 ? "optimistic" : "pessimistic");
		for (size_t k = 0; k < it->nbeyond; k++)
			print_check(f, "beyond the fit:", &it->beyond[k]);
		if (it->xa_levels_target > it->xa_levels_fitted) {
			plan_fmt_ns(a, sizeof(a),
				    plan_mock_step_ns(it->fit.max_size, out->target_bytes,
						      it->fit.ns_per_page));
			fprintf(f,
				"  WARNING: a step the line did not see: the mock domain stores every 2 KiB of IOVA in an xarray, walking it from the root; %d levels high at the largest size fitted, %d at the target (a level more past IOVA 512 MiB, 32 GiB, 2 TiB); each costs every store past it one more walk, so the line is optimistic; the interval's upper end allows up to %s more (a new level costing what an average level of the fit does; docs/plan.md)\n",
				it->xa_levels_fitted, it->xa_levels_target, a);
		}
		if (it->cache_level) {
			plan_fmt_size(a, sizeof(a), it->call_array_target);
			plan_fmt_size(b, sizeof(b), it->cache_bytes);
			plan_fmt_size(c, sizeof(c), it->call_array_fitted);
			fprintf(f,
				"  WARNING: a call the fit did not see: one call at the target fills and reads again a page array of %s (8 bytes a 4 KiB page), more than this CPU's L%d cache (%s), which held every fitted size's (%s at most); once a call's arrays leave a cache its passes over them miss, a cost a page the line cannot see, so the plan may be optimistic (docs/plan.md, \"Calls larger than a cache\"): measure sizes as large as the target's calls, or plan calls of a fixed size (pages_per_call)\n",
				a, it->cache_level, b, c);
		}
		if (it->table_vmalloc) {
			plan_fmt_size(a, sizeof(a), it->table_target);
			plan_fmt_size(b, sizeof(b), it->kmalloc_max);
			plan_fmt_size(c, sizeof(c), it->table_fitted);
			fprintf(f,
				"  WARNING: a call the fit did not see: io_uring keeps a call's segments in one table of 16 bytes a segment; at the target a call has %.0f (%s and a header), more than kmalloc's largest object (%s), so the kernel vmallocs it, where every fitted size's (%s at most) was kmalloc'ed; that path costs more a page, a cost the line cannot see, so the plan is optimistic (docs/plan.md, \"A table kmalloc cannot hold\"): measure calls as large as the target's, or plan smaller calls (pages_per_call)\n",
				it->segments_target, a, b, c);
		}
		if (it->s->terms.checks && it->fit.terms.checks) {
			fmt_count(a, sizeof(a), it->checks_target);
			plan_fmt_ns(b, sizeof(b), it->fit.ns_per_check * it->checks_target);
			fprintf(f,
				"  search: io_uring charges each huge folio once, and before it charges one it searches the segments registered before it in the call, a cost with the square of the call's folios; at the target %s checks, %.2g a 4 KiB page (the largest size fitted %.2g): %s of the plan, at the fitted cost a check (docs/plan.md, \"Checks that grow with the square of a call\")\n",
				a, it->checks_per_page_target, it->checks_per_page_fitted, b);
		} else if (it->s->terms.checks) {
			fmt_count(a, sizeof(a), it->checks_target);
			fprintf(f,
				"  WARNING: a cost with the square of a call: io_uring charges each huge folio once, and before it charges one it searches the segments registered before it in the call; at the target that is %s checks, %.2g a 4 KiB page, where the largest size fitted made %.2g a page; the sizes fitted could not tell its cost from their scatter, and the line cannot see a cost that grows with the square of the folios in a call, so the plan is optimistic (docs/plan.md, \"Checks that grow with the square of a call\"): measure more sizes, calls as large as the target's, or plan smaller calls (pages_per_call)\n",
				a, it->checks_per_page_target, it->checks_per_page_fitted);
		}
		if (!isnan(it->gup_calls)) {
			fmt_count(a, sizeof(a), it->gup_calls);
			fprintf(f, "  GUP calls: %s\n", a);
		}
		print_memory(f, out, it);
		print_iotlb(f, out, it);
	}
}

/* ---- chart data ---- */

int plan_write_tsv(FILE *f, const struct plan_out *out, bool host_in_label)
{
	bool first = true;
	char label[256], at[48];

	for (size_t i = 0; i < out->nseries; i++) {
		const struct plan_item *it = &out->items[i];
		const struct plan_series *s = it->s;
		double lo = s->sizes[0], hi = out->target_bytes > lo ? out->target_bytes : lo;

		if (!it->planned)
			continue;
		/* MAP's rounds are drawn at the density its line is for */
		at[0] = '\0';
		if (it->fit.terms.runs)
			snprintf(at, sizeof(at), " (at %.2g runs per page)", it->fit.runs_per_page);
		snprintf(label, sizeof(label), "%s%s%s%s", host_in_label ? out->host : "",
			 host_in_label ? ": " : "", s->label, at);
		fprintf(f, "%s\"%s\"\tsize_MiB\tcenter_ns\tmin_ns\tmax_ns\n", first ? "" : "\n\n",
			label);
		first = false;
		for (size_t k = 0; k < s->nsizes; k++) {
			double mn = INFINITY, mx = -INFINITY;

			for (size_t j = 0; j < s->nobs; j++) {
				if (s->obs[j].size_bytes != s->sizes[k])
					continue;
				mn = fmin(mn, plan_adjusted_total(&s->obs[j], &it->fit));
				mx = fmax(mx, plan_adjusted_total(&s->obs[j], &it->fit));
			}
			fprintf(f, "\"%s\"\t%.6g\t%.6g\t%.6g\t%.6g\n", label,
				s->sizes[k] / 1048576.0,
				plan_adjusted_center(s->obs, s->nobs, s->sizes[k], &it->fit, NULL),
				mn, mx);
		}
		fprintf(f, "\n\n\"%s fit\"\tsize_MiB\tns\tlo_ns\thi_ns\n", label);
		for (int k = 0; k <= 32; k++) {
			struct plan_estimate e;
			double size = lo * pow(hi / lo, k / 32.0);

			plan_predict(&it->fit, size, &e);
			fprintf(f, "\"%s\"\t%.6g\t%.6g\t%.6g\t%.6g\n", label, size / 1048576.0,
				e.ns, e.lo_ns > 0 ? e.lo_ns : e.ns / 10.0, e.hi_ns);
		}
	}
	return ferror(f) ? -1 : 0;
}

int plan_each_host(const struct rl_set *set, const struct plan_request *req,
		   int (*fn)(const struct plan_out *out, void *arg), void *arg)
{
	struct rl_set one = { 0 };
	int hosts = 0;

	one.results = calloc(set->n ? set->n : 1, sizeof(*one.results));
	if (!one.results)
		return -1;
	for (size_t r = 0; r < set->n; r++) {
		const char *host = set->results[r].hostname;
		struct plan_out out;
		bool seen = false;
		char err[512];
		int ret;

		for (size_t q = 0; q < r; q++)
			seen |= strcmp(set->results[q].hostname, host) == 0;
		if (seen)
			continue;
		/* a view of this host's results: shallow copies, freed as one array */
		one.n = 0;
		for (size_t q = r; q < set->n; q++)
			if (strcmp(set->results[q].hostname, host) == 0)
				one.results[one.n++] = set->results[q];
		if (plan_make(&one, req, &out, err, sizeof(err)) != 0)
			continue;
		ret = fn(&out, arg);
		plan_out_free(&out);
		if (ret != 0) {
			free(one.results);
			return -1;
		}
		hosts++;
	}
	free(one.results);
	return hosts;
}
