// SPDX-License-Identifier: GPL-2.0
/*
 * pagemap backend: the real PFNs of a buffer (root only) fed to the shared
 * core built for userspace.  op=fill times each batch fill strategy over the
 * whole layout and measures its density against the layout's minimum runs;
 * op=iotlb maps the layout into a mock IO page table (iova = buffer offset,
 * paddr = PFN << 12) and sweeps the IOTLB model over it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"

#ifdef PFNLAB_HAVE_CORE
#include "iotlb.h"
#include "mock_pt.h"
#include "pfn_batch.h"

#define PAGE_SHIFT_4K 12
#define MIB (1024.0 * 1024.0)

struct pagemap_state {
	u64 *pfns;
	size_t npfns;
	u64 min_runs;
	struct pfn_batch batch;
	int batch_ok;
	struct mock_pt pt;
	int pt_ok;
	struct iotlb tlb;
	int tlb_ok;
	struct iotlb_sweep sweep;
	volatile u64 scan_sink; /* where the bare read loop puts its sum */
};

static int pagemap_probe(char *why, size_t len)
{
	if (geteuid() != 0) {
		snprintf(why, len, "not root: /proc/self/pagemap hides PFNs");
		return -1;
	}
	return 0;
}

/* Map every contiguous stretch of the layout with the largest leaves. */
static int map_layout(struct pagemap_state *s, char *why, size_t len, u64 counts[3])
{
	size_t off = 0;

	while (off < s->npfns) {
		size_t n = pfn_contig_len(s->pfns + off, s->npfns - off);
		struct mock_pt_counts added;
		int rc;

		memset(&added, 0, sizeof(added));
		rc = mock_pt_map(&s->pt, (u64)off << PAGE_SHIFT_4K, s->pfns[off] << PAGE_SHIFT_4K,
				 (u64)n << PAGE_SHIFT_4K, &added);
		if (rc) {
			snprintf(why, len, "mock_pt_map: error %d", rc);
			return -1;
		}
		for (int k = 0; k < 3; k++)
			counts[k] += added.ioptes[k];
		off += n;
	}
	return 0;
}

static int pagemap_setup(struct bench_run *r, char *why, size_t len)
{
	const struct bench_case *bc = r->bc;
	struct pagemap_state *s = calloc(1, sizeof(*s));
	uint64_t *raw;
	int rc;

	if (!s) {
		snprintf(why, len, "out of memory");
		return BUF_FAIL;
	}
	r->priv = s;
	s->npfns = r->buf.size / 4096;
	s->pfns = malloc(s->npfns * sizeof(*s->pfns));
	if (!s->pfns) {
		snprintf(why, len, "out of memory");
		return BUF_FAIL;
	}
	raw = malloc(s->npfns * sizeof(*raw));
	rc = raw ? pagemap_read_pfns(r->buf.addr, s->npfns, raw) : -1;
	for (size_t i = 0; rc == 0 && i < s->npfns; i++)
		s->pfns[i] = raw[i];
	free(raw);
	if (rc < 0) {
		snprintf(why, len, "cannot read /proc/self/pagemap");
		return BUF_FAIL;
	}
	if (rc > 0) {
		snprintf(why, len, "pagemap PFNs hidden or pages not present (need CAP_SYS_ADMIN)");
		return BUF_SKIP;
	}
	s->min_runs = pfn_layout_min_runs(s->pfns, s->npfns);
	if (!strcmp(bc->op, "fill")) {
		if (pfn_batch_init(&s->batch, (u32)bc->batch_runs)) {
			snprintf(why, len, "pfn_batch_init(%llu runs) failed",
				 (unsigned long long)bc->batch_runs);
			return BUF_FAIL;
		}
		s->batch_ok = 1;
		r->extra = json_pack("{s:I}", "layout_min_runs", (json_int_t)s->min_runs);
		return BUF_OK;
	}
	/* op=iotlb */
	{
		static const struct iotlb_config geometry = {
			/* The driver's default mock IOTLB, so both backends compare. */
			.entries = { 64, 32, 4 },
			.ways = { 0, 0, 0 },
		};
		u64 window = bc->window_bytes ? bc->window_bytes : r->buf.size;
		u64 stride = bc->stride_bytes;
		u64 counts[3] = { 0, 0, 0 };

		if (window % stride) {
			snprintf(why, len, "window %llu is not a multiple of stride %llu",
				 (unsigned long long)window, (unsigned long long)stride);
			return BUF_FAIL;
		}
		if (mock_pt_init(&s->pt, MOCK_PT_PGSIZE_ALL)) {
			snprintf(why, len, "mock_pt_init failed");
			return BUF_FAIL;
		}
		s->pt_ok = 1;
		if (map_layout(s, why, len, counts))
			return BUF_FAIL;
		if (iotlb_init(&s->tlb, &geometry)) {
			snprintf(why, len, "iotlb_init failed");
			return BUF_FAIL;
		}
		s->tlb_ok = 1;
		s->sweep.iova = 0;
		s->sweep.window_bytes = window;
		s->sweep.stride_bytes = stride;
		s->sweep.pattern = !strcmp(bc->pattern, "random")  ? IOTLB_PATTERN_RANDOM :
				   !strcmp(bc->pattern, "strided") ? IOTLB_PATTERN_STRIDED :
								     IOTLB_PATTERN_SEQUENTIAL;
		s->sweep.seed = bc->seed;
		s->sweep.passes = (u64)bc->passes;
		r->extra = json_pack("{s:I, s:{s:I, s:I, s:I}, s:{s:[i,i,i], s:[i,i,i]}}",
				     "layout_min_runs", (json_int_t)s->min_runs, "ioptes", "4k",
				     (json_int_t)counts[0], "2m", (json_int_t)counts[1], "1g",
				     (json_int_t)counts[2], "iotlb_geometry", "entries",
				     (int)geometry.entries[0], (int)geometry.entries[1],
				     (int)geometry.entries[2], "ways", (int)geometry.ways[0],
				     (int)geometry.ways[1], (int)geometry.ways[2]);
	}
	return BUF_OK;
}

static int sample_fill(struct bench_run *r, struct pagemap_state *s, int record, char *why,
		       size_t len)
{
	int run_aware = !strcmp(r->bc->fill, "run-aware");
	u64 runs = 0, refills = 0, sum = 0;
	size_t off = 0;
	uint64_t t0, t1, t2;

	t0 = now_ns();
	while (off < s->npfns) {
		size_t used = run_aware ? pfn_batch_fill_run_aware(&s->batch, s->pfns + off,
								   s->npfns - off) :
					  pfn_batch_fill_per_page(&s->batch, s->pfns + off,
								  s->npfns - off);

		runs += s->batch.nruns;
		refills++;
		pfn_batch_clear(&s->batch);
		if (!used) {
			snprintf(why, len, "batch accepted no PFN at offset %zu", off);
			return -1;
		}
		off += used;
	}
	t1 = now_ns();
	/*
	 * The floor of any fill: a loop that only reads the same PFN array.
	 * The sum goes to a volatile so that the loop is not optimised away.
	 */
	for (size_t i = 0; i < s->npfns; i++)
		sum += s->pfns[i];
	t2 = now_ns();
	s->scan_sink = sum;
	if (!record)
		return 0;
	run_metric(r, "fill_ns_per_page", (double)(t1 - t0) / (double)s->npfns);
	run_metric(r, "scan_ns_per_page", (double)(t2 - t1) / (double)s->npfns);
	run_metric(r, "pfns_per_run", (double)s->npfns / (double)runs);
	run_metric(r, "runs_per_batch", (double)runs / (double)refills);
	run_metric(r, "refills_per_gib",
		   (double)refills / ((double)r->buf.size / (double)(1ULL << 30)));
	run_metric(r, "density_ratio", (double)runs / (double)(s->min_runs ? s->min_runs : 1));
	return 0;
}

static int sample_iotlb(struct bench_run *r, struct pagemap_state *s, int record, char *why,
			size_t len)
{
	struct iotlb_sweep_result res;
	double mib;
	uint64_t t0, t1;
	int rc;

	memset(&res, 0, sizeof(res));
	/* Every sample starts cold, so samples are comparable. */
	iotlb_flush(&s->tlb);
	t0 = now_ns();
	rc = iotlb_run_sweep(&s->tlb, &s->pt, &s->sweep, &res);
	t1 = now_ns();
	if (rc) {
		snprintf(why, len, "iotlb_run_sweep: error %d", rc);
		return -1;
	}
	if (!record)
		return 0;
	mib = (double)s->sweep.window_bytes * (double)s->sweep.passes / MIB;
	run_metric(r, "iotlb_hit_rate", res.accesses ? (double)res.hits / (double)res.accesses : 0);
	run_metric(r, "iotlb_misses_per_mib", (double)res.misses / mib);
	run_metric(r, "walk_reads_per_mib", (double)res.walk_reads / mib);
	run_metric(r, "sweep_ns_per_access",
		   res.accesses ? (double)(t1 - t0) / (double)res.accesses : 0);
	return 0;
}

static int pagemap_sample(struct bench_run *r, int record, char *why, size_t len)
{
	struct pagemap_state *s = r->priv;

	if (!strcmp(r->bc->op, "fill"))
		return sample_fill(r, s, record, why, len);
	return sample_iotlb(r, s, record, why, len);
}

static void pagemap_teardown(struct bench_run *r)
{
	struct pagemap_state *s = r->priv;

	if (!s)
		return;
	if (s->batch_ok)
		pfn_batch_destroy(&s->batch);
	if (s->tlb_ok)
		iotlb_destroy(&s->tlb);
	if (s->pt_ok)
		mock_pt_destroy(&s->pt);
	free(s->pfns);
	free(s);
	r->priv = NULL;
}

#else /* !PFNLAB_HAVE_CORE */

static int pagemap_probe(char *why, size_t len)
{
	snprintf(why, len, "built without the shared core (driver/core/core.mk missing)");
	return -1;
}

static int pagemap_setup(struct bench_run *r, char *why, size_t len)
{
	(void)r;
	return pagemap_probe(why, len) ? BUF_SKIP : BUF_OK;
}

static int pagemap_sample(struct bench_run *r, int record, char *why, size_t len)
{
	(void)r;
	(void)record;
	return pagemap_probe(why, len);
}

static void pagemap_teardown(struct bench_run *r)
{
	(void)r;
}

#endif

const struct backend backend_pagemap = {
	.name = "pagemap",
	.ops = "fill|iotlb",
	.help = "PFNs from /proc/self/pagemap through the shared core (root)",
	.probe = pagemap_probe,
	.setup = pagemap_setup,
	.sample = pagemap_sample,
	.teardown = pagemap_teardown,
};
