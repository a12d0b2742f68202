/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Capacity plans (`pfnlab plan`, the report's plan section): from the size
 * sweeps in results, a cost model per backend x op x page kind, a
 * prediction with its interval for a size nobody measured, and the
 * self-validation that says whether the model extrapolated well on this
 * machine.  docs/plan.md explains the model and its limits.
 *
 * The model of one series (one backend, op, page kind and every other
 * parameter fixed, size varied) is
 *
 *	time(size) = fixed + per_page * (size / 4 KiB)
 *
 * fitted by weighted least squares through the centre of each size's
 * rounds (one observation per round: the round median of the op's ns per
 * page times the pages of the size), each weighted by the inverse square of
 * its standard error.  The centre is the rounds' 10% trimmed mean
 * (PLAN_TRIM): the time of a plan adds up over its pages as a mean does,
 * and where every round lands in one of two modes (the lab VM under TCG,
 * docs/plan.md) a mean moves with the share of rounds in each mode where a
 * median jumps from one mode to the other from size to size; the trim cuts
 * off the odd round a busy host slowed (one in ten of 10 or more rounds).  When the sizes
 * miss the line by more than those errors (chi^2 per degree of freedom
 * above 1), the terms' errors are widened by that factor.  The interval for
 * one operation of a new size combines the line's error with the spread of
 * single rounds around their size's centre (its empirical 2.5% and 97.5%
 * quantiles: the rounds' tails are not normal).  Within a page kind a per-folio cost grows
 * with size exactly as a per-page cost does, so one series cannot tell them
 * apart; with a 4 KiB series beside a huge-page series of the same backend
 * and op, the two slopes split into a cost per 4 KiB page and a cost per
 * folio (plan_split()).
 *
 * MAP has one more term (struct plan_terms, docs/plan.md): a cost per run
 * of contiguous PFNs (one IO page table call a run), so its time follows the
 * layout, which varies from round to round.  The per-run cost comes from the
 * rounds of one size, which differ only in their layouts (the median of
 * their pairwise slopes); every round is then brought to the sweep's median
 * runs per page before the line is fitted, so a plan of MAP is a plan at
 * that layout density, and says so.
 */
#ifndef PFNLAB_PLAN_MODEL_H
#define PFNLAB_PLAN_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "result_load.h"

/* A plan refuses targets beyond this many times the largest size measured. */
#define PLAN_MAX_EXTRAPOLATION 16.0
/* Distinct sizes a series needs: two to fit, one more to validate against. */
#define PLAN_MIN_SIZES 3
/* Two-sided level of the prediction intervals, and its normal quantile. */
#define PLAN_LEVEL 0.95
#define PLAN_Z 1.959964
/* Sizes a fit needs before its prediction of the next counts in the record. */
#define PLAN_EXTRAP_MIN_SIZES 4
/* Share of a size's rounds cut off at each end before their mean is taken. */
#define PLAN_TRIM 0.1

/*
 * One round: its size (bytes), its op's time for the whole size (ns) and,
 * where the backend reports them, its layout's runs (0 when not reported).
 */
struct plan_obs {
	double size_bytes;
	double total_ns;
	double runs;
};

/* The terms of a series' cost beyond fixed + per 4 KiB page. */
struct plan_terms {
	bool runs; /* + per run of contiguous PFNs (MAP) */
	/*
	 * A map into iommufd's selftest mock domain: beyond the xarray height
	 * of the largest size fitted, every entry past a new level's boundary
	 * walks one level more (plan_mock_step_ns() bounds what that adds).
	 */
	bool mock_xa;
	/*
	 * io_uring's search for folios already charged (plan_uring_folio_checks()):
	 * + a cost per check, fitted where the target's calls make at least
	 * PLAN_FOLIO_CHECKS_PER_PAGE_MIN more checks a 4 KiB page than the
	 * largest fitted size's (a line fitted without it is optimistic);
	 * the fit keeps it where the sizes tell its cost from 0 (95%) and
	 * clears it where not (fit_checks()).  What counts them: the
	 * folio, the bytes one search covers (INFINITY: the whole size) and
	 * segments a folio; plan_terms_checks().
	 */
	bool checks;
	double check_folio_bytes, check_scope_bytes, check_segments_per_folio;
};

/*
 * One series: the rounds of every benchmark that matches on every
 * parameter but the size (and the statistics controls).
 */
struct plan_series {
	char *id;	 /* the parameters but size, as sorted JSON */
	char *base_id;	 /* the same without page */
	char label[160]; /* "uring pin thp" (+ what else differs) */
	char backend[32], op[16], page[24];
	char domain[16];    /* the `domain` parameter ("mock", "real"); "" when none */
	const char *metric; /* the ns-per-page metric read */
	double folio_bytes; /* 4 KiB, 2 MiB or 1 GiB by page kind */
	struct plan_terms terms;
	struct plan_obs *obs;
	size_t nobs;
	double *sizes; /* distinct sizes, ascending */
	size_t nsizes;
	double pages_per_call;	  /* the parameter (0: the backend's own call size) */
	double gup_calls_per_gib; /* median over rounds; NaN when not reported */
	double ioptes_per_gib[3]; /* 4 KiB, 2 MiB, 1 GiB leaves; NaN when not mapped */
};

struct plan_fit {
	struct plan_terms terms;
	double fixed_ns;		  /* time at size 0 */
	double ns_per_page;		  /* per 4 KiB page */
	double var_fixed, var_slope, cov; /* of (fixed_ns, ns_per_page) */
	/* terms.runs: the cost of a run, and the layout density every round was brought to */
	double ns_per_run, runs_per_page;
	double runs_per_page_lo, runs_per_page_hi; /* 2.5% and 97.5% over the rounds */
	/* terms.checks: the cost of a check, its variance and covariances with the two above */
	double ns_per_check, var_check, cov_fixed_check, cov_slope_check;
	double misfit;	       /* chi^2 per degree of freedom; NaN with 2 sizes */
	double rel_lo, rel_hi; /* quantiles of one round around its size's centre */
	/*
	 * The line's own record at extrapolating on this sweep: relative error
	 * per doubling of the size beyond the sizes fitted (each size predicted
	 * by the PLAN_EXTRAP_MIN_SIZES or more below it); NaN when no size is.
	 */
	double extrap_per_doubling;
	size_t nobs, nsizes;
	double min_size, max_size; /* bytes */
};

/* A predicted time of one operation and its interval (PLAN_LEVEL). */
struct plan_estimate {
	double size_bytes;
	double ns, lo_ns, hi_ns;
};

/* A measured size against the prediction of a fit that did not see it. */
struct plan_validation {
	bool done;
	double size_bytes;
	double measured_ns;    /* centre of its rounds (brought to the fit's runs per page) */
	double as_measured_ns; /* the same before that (equal without a runs term) */
	double runs_per_page;  /* the held-out rounds' median; NaN without a runs term */
	size_t nrounds;
	struct plan_estimate predicted;
	double error; /* predicted / measured - 1 */
	bool inside;  /* measured within the interval */
};

struct plan_filter {
	const char *backend, *op, *page; /* NULL: any */
};

/*
 * Collect the series of @set that @filter selects.  Returns 0 with at least
 * one series, or -1 with the reason in @err (no result, several hosts, no
 * benchmark of the op/backend/page asked for, naming what the results do
 * have, or out of memory).
 */
int plan_collect(const struct rl_set *set, const struct plan_filter *filter,
		 struct plan_series **out, size_t *nout, char *err, size_t errlen);
void plan_series_free(struct plan_series *s, size_t n);

/*
 * Fit the model on the rounds of sizes <= @max_size.  Returns 0, or -1 when
 * fewer than two distinct sizes (or fewer than three rounds) are left.
 * plan_fit() is the plain line: fixed + per page, no runs term.
 */
int plan_fit(const struct plan_obs *obs, size_t n, double max_size, struct plan_fit *fit);
int plan_fit_terms(const struct plan_obs *obs, size_t n, double max_size,
		   const struct plan_terms *terms, struct plan_fit *fit);

/* The time of one operation of @size_bytes, with its interval. */
void plan_predict(const struct plan_fit *fit, double size_bytes, struct plan_estimate *e);

/*
 * The centre (PLAN_TRIM trimmed mean) of the times of the rounds of @size
 * (NaN when none), and how many.  With @fit's runs term, every round is
 * first brought to the fit's runs per page.
 */
double plan_measured_center(const struct plan_obs *obs, size_t n, double size, size_t *nrounds);
double plan_adjusted_center(const struct plan_obs *obs, size_t n, double size,
			    const struct plan_fit *fit, size_t *nrounds);
/* One round's time brought to @fit's runs per page (as measured without a runs term). */
double plan_adjusted_total(const struct plan_obs *o, const struct plan_fit *fit);

/* Check @fit's prediction for the measured @size of @s. */
void plan_check(const struct plan_series *s, const struct plan_fit *fit, double size,
		struct plan_validation *v);

/*
 * The self-check of every plan: of the sizes <= @fit_max, hold out the
 * largest, fit the rest, and check the held-out size.  Not done (v->done
 * false) with fewer than PLAN_MIN_SIZES sizes.
 */
void plan_validate(const struct plan_series *s, double fit_max, struct plan_validation *v);

/*
 * Split the per-page slopes of a 4 KiB series and a series of folios of
 * @folio_bytes into a cost per 4 KiB page and a cost per folio, from
 * slope_4k = page + folio and slope_huge = page + folio * 4 KiB / folio_bytes.
 * Returns -1 when the folio is not larger than 4 KiB.
 */
int plan_split(double slope_4k, double slope_huge, double folio_bytes, double *per_page_ns,
	       double *per_folio_ns);

/* @s maps or pins through iommufd's selftest mock domain (not domain = real). */
bool plan_series_mock(const struct plan_series *s);

/* Folio size of a page kind (4 KiB for 4k and memfd); 0 for an unknown kind. */
double plan_folio_bytes(const char *page);

/*
 * IO page table bytes of a layout with the given leaves per level (4 KiB,
 * 2 MiB, 1 GiB): 512 eight-byte entries a table, four levels, every table
 * full but the last of each level (a lower bound for a scattered IOVA range).
 */
double plan_pt_bytes(double n4k, double n2m, double n1g);

/*
 * Levels of iommufd's selftest mock domain's IO page table (iommufd_mock.h:
 * an xarray of one entry per 2 KiB of IOVA, each stored by xa_store() from
 * the root) once a map of @size_bytes from the
 * aperture's start is in it: the height its last index needs, 6 bits of
 * the index a level (XA_CHUNK_SHIFT, include/linux/xarray.h).
 */
int plan_mock_xa_levels(double size_bytes);

/*
 * What the levels a map of @size_bytes needs beyond the @fitted_bytes
 * map's can add, at most: each entry past a new level's boundary walks one
 * level more, and a level is taken to cost no more than the average of
 * the levels every entry of the fit walked (@ns_per_page over their
 * number) — the whole per-page cost of the fit is charged to its walk, so
 * this is an upper end, not an estimate.  0 when no level is added.
 */
double plan_mock_step_ns(double fitted_bytes, double size_bytes, double ns_per_page);

/*
 * Calls that outgrow a cache.  A path that pins a whole call's pages before
 * it goes on fills an array of page pointers (8 bytes a 4 KiB page) and
 * reads it again (io_uring's registration, gup_test); while a call's array
 * fits a cache those passes hit it, and once it does not they miss, so the
 * cost a page may rise past a size the fit never reached (docs/plan.md,
 * "Calls larger than a cache": a gentle rise at most, measured; the 4 KiB
 * step at 1 GiB is io_uring's vmalloc'ed table, below).
 */
#define PLAN_CALL_ARRAY_BYTES_PER_PAGE 8.0
/* io_uring refuses an iovec above 1 GiB (io_uring/rsrc.c, io_buffer_validate()). */
#define PLAN_URING_MAX_IOVEC_BYTES 1073741824.0

/*
 * Pages one call of @s takes for a buffer of @size_bytes: io_uring
 * registers one iovec a call, of pages_per_call pages or, with 0, of the
 * whole buffer up to 1 GiB; gup_test pins pages_per_call at a time, 0 the
 * whole range.  NaN for a backend whose call size the plan does not know
 * (the model reads in chunks the module bounds; VFIO and iommufd map a
 * whole range through their own batches).
 */
double plan_call_pages(const struct plan_series *s, double size_bytes);

/*
 * The largest of @ncaches cache sizes (bytes) that a call's page array of
 * @fitted_bytes fits in and one of @target_bytes does not: its index, or
 * -1 when the target's calls cross no cache the fitted ones did not.
 */
int plan_cache_crossed(double fitted_bytes, double target_bytes, const double *caches,
		       size_t ncaches);

/*
 * io_uring keeps one registered buffer's segments in a single table, a
 * 16-byte struct bio_vec a segment after a small header (32 bytes in
 * 6.12, 56 in 6.18), from kvmalloc(); a table larger than kmalloc's
 * largest object is vmalloc'ed instead, a different and dearer path that
 * no smaller call takes (docs/plan.md, "A table kmalloc cannot hold").
 */
#define PLAN_URING_BVEC_BYTES 16.0
/* x86-64's buddy allocator, where results do not record their own (kernel.max_page_order) */
#define PLAN_DEFAULT_MAX_PAGE_ORDER 10

/*
 * Whether the kernel of @release ("6.18.4-...") merges a buffer of huge
 * folios into a segment a folio: io_uring does from 6.12 (the oldest
 * source read, io_uring/rsrc.c io_try_coalesce_buffer(); 6.18 seen in a
 * trace); older kernels are taken to make a segment a 4 KiB page.
 */
bool plan_uring_coalesces(const char *release);

/*
 * Segments in the table of one io_uring call of @s at @size_bytes (the
 * call as plan_call_pages() sizes it): a 4 KiB page each, or, for a
 * huge-page kind on a kernel that merges them (@coalesces), a folio each.
 * NaN for a backend other than io_uring.
 */
double plan_uring_segments(const struct plan_series *s, double size_bytes, bool coalesces);

/*
 * Whether a table of @segments segments is too large for kmalloc() when
 * its largest object is @kmalloc_max_bytes: with any header at all, a
 * table whose segments alone fill it is.  Within the header's few
 * segments of the line (3 in 6.18) this says kmalloc where the kernel
 * vmallocs.
 */
bool plan_table_vmalloced(double segments, double kmalloc_max_bytes);

/*
 * io_uring charges a huge folio to RLIMIT_MEMLOCK once per registration:
 * before it charges a call's next folio it looks for that folio among the
 * segments before it (io_uring/rsrc.c, headpage_already_acct()), one check
 * a segment.  The k-th folio so makes k checks a segment a folio holds: a
 * registration of F folios makes F(F-1)/2 of them, times the segments a
 * folio (1 where the kernel merges folios, plan_uring_coalesces(); 512
 * for a 2 MiB folio where it does not).  The search covers the iovec
 * being registered on 6.18 (traced: 16 iovecs of 64 MiB each cost the
 * same) and also every iovec registered before it in the same call up to
 * 6.12 (read); kernels between are taken as 6.18.  A cost with the square
 * of the folios, which a line fitted on smaller calls cannot see
 * (docs/plan.md, "Checks that grow with the square of a call").
 */
/* Whether the search of @release's kernel spans the whole call, not one iovec */
bool plan_uring_scans_call(const char *release);

/*
 * Checks io_uring makes to register @size_bytes of @s (above): 0 for a
 * 4 KiB kind, whose pages are charged without a search; NaN for a backend
 * other than io_uring.
 */
double plan_uring_folio_checks(const struct plan_series *s, double size_bytes, bool coalesces,
			       bool scans_call);

/*
 * Fill @t's search fields (not terms.checks, which the target decides)
 * for @s on a kernel that merges folios (@coalesces) and searches a whole
 * call (@scans_call); -1 where @s makes no search (not io_uring, 4 KiB).
 */
int plan_checks_terms(const struct plan_series *s, bool coalesces, bool scans_call,
		      struct plan_terms *t);

/* The checks of a registration of @size_bytes that @t's search fields count */
double plan_terms_checks(const struct plan_terms *t, double size_bytes);

/* Sizes a series needs for the fit to take a cost per check: 3 terms and a misfit */
#define PLAN_CHECKS_MIN_SIZES 4

/*
 * Extra checks a 4 KiB page at the target, over the largest size fitted,
 * from which a plan names them: on the development host a check cost
 * 2.3 ns and a THP page 6.5 ns, so 0.1 more a page is about 3.5% of the
 * time, where a 1 GiB call of THP makes 0.5 a page and a 256 MiB one 0.12
 * (docs/plan.md).
 */
#define PLAN_FOLIO_CHECKS_PER_PAGE_MIN 0.1

/* "1.5 GiB", "256 MiB", "64 KiB", "512 B" */
void plan_fmt_size(char *buf, size_t len, double bytes);
/* "2.3 s", "41 ms", "12 us", "830 ns" */
void plan_fmt_ns(char *buf, size_t len, double ns);

/* ---- a whole plan: what `pfnlab plan` prints and the report shows ---- */

struct plan_iotlb {
	bool have_layout;	  /* IOPTE counts of this page kind were measured */
	double ioptes_per_gib[3]; /* 4 KiB, 2 MiB, 1 GiB leaves */
	double entries_needed[3]; /* leaves of the working set */
	int geometry[3];	  /* the IOTLB model's entries per size; 0 unknown */
	double covered_fraction;  /* of the working set the model's IOTLB reaches */
	double misses_per_mib[2]; /* sequential, random; NaN when not measured */
	double from_window[2];	  /* the measured window each came from (bytes) */
};

struct plan_item {
	const struct plan_series *s;
	bool planned;
	char why[512]; /* when not planned: what is missing */
	struct plan_fit fit;
	double fixed_lo, fixed_hi; /* 95% interval of the fixed cost */
	struct plan_estimate pred; /* one operation of the target size */
	double factor;		   /* target / largest size measured */
	struct plan_validation val;
	struct plan_validation beyond[4]; /* measured sizes above --fit-max */
	size_t nbeyond;
	bool split; /* the per-page / per-folio split below holds */
	double per_page_ns, per_folio_ns;
	const struct plan_series *split_against;
	double gup_calls;	/* at the target; NaN when not reported */
	double memlock_bytes;	/* RLIMIT_MEMLOCK the pin needs */
	double index_bytes;	/* driver: per-page bookkeeping; NaN otherwise */
	double xarray_bytes;	/* driver pin: the pinned xarray tier; NaN otherwise */
	double pt_bytes;	/* driver map: IO page table; NaN otherwise */
	const char *limit_note; /* a module limit the target crosses, or NULL */
	/*
	 * A step in the cost the line did not see: the mock domain's xarray
	 * levels at the largest size fitted and at the target (0 when the
	 * series is not a map into a mock domain).
	 */
	int xa_levels_fitted, xa_levels_target;
	/*
	 * A call at the target whose page array outgrows a cache that held
	 * every fitted size's (cache_level 0: none, or the host clock did not
	 * time it: the lab VM's counts instructions).
	 */
	int cache_level;
	double cache_bytes, call_array_fitted, call_array_target;
	/*
	 * An io_uring call at the target whose segment table kmalloc cannot
	 * hold, where every fitted size's it could: the kernel vmallocs it.
	 */
	bool table_vmalloc;
	double segments_target, table_fitted, table_target, kmalloc_max;
	/*
	 * io_uring's search for folios already charged, where the series
	 * counts it (s->terms.checks: the target's calls make at least
	 * PLAN_FOLIO_CHECKS_PER_PAGE_MIN more checks a 4 KiB page than the
	 * largest size fitted; fit.terms.checks: its cost was fitted).
	 */
	double checks_target, checks_per_page_fitted, checks_per_page_target;
	struct plan_iotlb iotlb;
};

struct plan_out {
	const char *host;
	double target_bytes, window_bytes;
	double fit_max; /* fit sizes up to this (INFINITY: all) */
	bool force;
	struct plan_series *series;
	struct plan_item *items; /* one per series */
	size_t nseries, nplanned;
};

/*
 * Plan the target for every series the filter selects in @set (one host).
 * A series that cannot be planned (too few sizes, a target below its
 * smallest size, or beyond PLAN_MAX_EXTRAPOLATION times its largest
 * without @force) is kept with its reason.  Returns 0, or -1 with @err
 * when no series could be collected at all.
 */
struct plan_request {
	struct plan_filter filter;
	double target_bytes;
	double window_bytes; /* 0: the target */
	double fit_max;	     /* 0: every size; else fit sizes <= it and check the rest */
	bool force;
};

int plan_make(const struct rl_set *set, const struct plan_request *req, struct plan_out *out,
	      char *err, size_t errlen);
void plan_out_free(struct plan_out *out);

/* "421 ns per 4 KiB page + 270 ns per run + 464 us fixed (at 0.5 runs per page ...)" */
void plan_terms_text(char *buf, size_t len, const struct plan_fit *fit);

/* The plan as JSON (docs/plan.md) and as text (the report writes its own table). */
json_t *plan_to_json(const struct plan_out *out);
void plan_print_text(FILE *f, const struct plan_out *out);

/*
 * The plan chart's data (plots/plan.gp): per planned series, a block of
 * measured points (size MiB, mean ns, min, max of the rounds) and a block of
 * the fit (size MiB, ns, interval) from the smallest size to the target.
 */
int plan_write_tsv(FILE *f, const struct plan_out *out, bool host_in_label);

/*
 * Plan every host of @set in turn (its results grouped by hostname): @fn
 * gets each host's plan.  Hosts without a pin, unpin, map or read series
 * are left out.  Returns how many hosts were planned, or -1 when @fn
 * failed or memory ran out.
 */
int plan_each_host(const struct rl_set *set, const struct plan_request *req,
		   int (*fn)(const struct plan_out *out, void *arg), void *arg);

#endif
