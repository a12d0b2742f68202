// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the shared core: each input is a program of batch
 * operations (adds, fills with both strategies, skips, scans) and IO page
 * table / IOTLB operations (map, unmap, translate, bad input, a map that
 * runs out of memory, accesses, invalidates), run against the core and the trivially correct reference
 * models in ref_*.c side by side.  Any difference abort()s; ASan and UBSan
 * report the rest.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iotlb.h"
#include "mock_pt.h"
#include "pfn_batch.h"
#include "ref.h"

#include <linux/slab.h> /* pfnlab_shim_alloc_budget */

#define K4 MOCK_PT_PGSIZE_4K
#define M2 MOCK_PT_PGSIZE_2M
#define G1 MOCK_PT_PGSIZE_1G
/* The IOVA window: 2 GiB in the last top-level entry of the 48-bit space. */
#define WINDOW_BASE ((1ULL << 48) - (1ULL << 39))
#define WINDOW_BYTES (2 * G1)
#define MAX_OPS 200
#define MAX_LAYOUT 1024
#define MAX_REF_PFNS (1 << 16)

#define CHECK(cond)                                                         \
	do {                                                                \
		if (!(cond)) {                                              \
			fprintf(stderr, "fuzz_core: %s:%d: %s\n", __FILE__, \
				__LINE__, #cond);                           \
			abort();                                            \
		}                                                           \
	} while (0)

struct input {
	const u8 *data;
	size_t size;
};

static u64 take(struct input *in, unsigned int nbytes)
{
	u64 v = 0;

	while (nbytes-- && in->size) {
		v = (v << 8) | *in->data++;
		in->size--;
	}
	return v;
}

static struct ref_pt ref_pt;
static struct ref_batch ref_batch;
static u64 layout[MAX_LAYOUT];
static u64 next_pfn;
static u64 cur_bitmap;
/*
 * A whole-1 GiB range costs the per-page reference 262144 steps (and as
 * many again to split the leaf): one per input.
 */
static unsigned int big_ranges_left;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	ref_pt_init(&ref_pt, WINDOW_BASE, WINDOW_BYTES, K4);
	ref_batch_init(&ref_batch, 1, MAX_REF_PFNS);
	return 0;
}

/* Mostly PFNs that continue the previous one, so that runs form. */
static u64 gen_pfn(struct input *in)
{
	switch (take(in, 1) % 8) {
	case 0:
	case 1:
	case 2:
	case 3: return next_pfn;
	case 4:
	case 5: return take(in, 2);
	case 6: return U64_MAX - take(in, 1) % 4;
	default: return take(in, 8);
	}
}

static size_t gen_layout(struct input *in)
{
	size_t n = 1 + take(in, 2) % MAX_LAYOUT, i = 0;

	while (i < n) {
		u64 pfn = gen_pfn(in);
		size_t len = 1 + take(in, 1) % 64;

		if (len > 48)
			len = (len - 48) * 64; /* long stretches, THP-like */
		for (; len-- && i < n; i++)
			layout[i] = pfn++;
		next_pfn = pfn;
	}
	return n;
}

static void check_batch(const struct pfn_batch *batch)
{
	CHECK(ref_batch_matches(&ref_batch, batch));
}

static void reinit_batch(struct pfn_batch *batch, u32 capacity)
{
	pfn_batch_destroy(batch);
	CHECK(pfn_batch_init(batch, capacity) == 0);
	ref_batch_clear(&ref_batch);
	ref_batch.capacity_runs = capacity; /* keeps its PFN array */
}

/* Both strategies from empty batches of the same capacity: same runs. */
static void compare_strategies(u32 capacity, size_t n)
{
	struct pfn_batch a, b;
	size_t got_a, got_b;

	CHECK(pfn_batch_init(&a, capacity) == 0);
	CHECK(pfn_batch_init(&b, capacity) == 0);
	got_a = pfn_batch_fill_per_page(&a, layout, n);
	got_b = pfn_batch_fill_run_aware(&b, layout, n);
	CHECK(got_a == got_b);
	CHECK(a.nruns == b.nruns && a.total_pfns == b.total_pfns);
	CHECK(!memcmp(a.run_pfn, b.run_pfn, a.nruns * sizeof(u64)));
	CHECK(!memcmp(a.run_npfns, b.run_npfns, a.nruns * sizeof(u32)));
	CHECK(a.total_pfns == got_a);
	CHECK(got_a == n || a.nruns == capacity);
	pfn_batch_destroy(&a);
	pfn_batch_destroy(&b);
}

static void batch_op(struct input *in, struct pfn_batch *batch, unsigned int op)
{
	size_t n, off;
	u64 pfn, count;

	switch (op) {
	case 0: /* new capacity; the bad ones first */
		CHECK(pfn_batch_init(&(struct pfn_batch){}, 0) == -EINVAL);
		CHECK(pfn_batch_init(&(struct pfn_batch){},
				     PFN_BATCH_MAX_RUNS + 1) == -EINVAL);
		reinit_batch(batch, 1 + take(in, 1) % 64);
		break;
	case 1:
		pfn = gen_pfn(in);
		if (ref_batch.npfns >= MAX_REF_PFNS)
			break;
		CHECK(pfn_batch_add_pfn(batch, pfn) ==
		      ref_batch_add_pfn(&ref_batch, pfn));
		next_pfn = pfn + 1;
		break;
	case 2:
		pfn = gen_pfn(in);
		count = take(in, 2) % 2048;
		if (ref_batch.npfns + count > MAX_REF_PFNS)
			break;
		CHECK(pfn_batch_add_run(batch, pfn, count) ==
		      ref_batch_add_run(&ref_batch, pfn, count));
		next_pfn = pfn + count;
		break;
	case 3:
	case 4:
		n = gen_layout(in);
		if (ref_batch.npfns + n > MAX_REF_PFNS)
			break;
		CHECK((op == 3 ? pfn_batch_fill_per_page(batch, layout, n) :
				 pfn_batch_fill_run_aware(batch, layout, n)) ==
		      ref_batch_fill(&ref_batch, layout, n));
		compare_strategies(batch->capacity_runs, n);
		break;
	case 5:
		count = take(in, 2) % (ref_batch.npfns + 2);
		pfn_batch_skip(batch, count);
		ref_batch_skip(&ref_batch, count);
		break;
	case 6:
		pfn_batch_clear(batch);
		ref_batch_clear(&ref_batch);
		break;
	case 7:
		n = gen_layout(in);
		off = take(in, 2) % n;
		CHECK(pfn_contig_len(layout + off, n - off) ==
		      ref_contig_len(layout + off, n - off));
		CHECK(pfn_layout_min_runs(layout + off, n - off) ==
		      ref_count_runs(layout + off, n - off));
		break;
	}
	check_batch(batch);
}

/* A valid range inside the window: small, 2 MiB-ish or 1 GiB. */
static void gen_range(struct input *in, u64 *iova, u64 *length)
{
	u64 sel = take(in, 1);

	/* Half of the ranges in the first 16 MiB, where IOTLB accesses go. */
	*iova = WINDOW_BASE +
		(take(in, 2) % (sel & 16 ? 8 : WINDOW_BYTES / M2)) * M2;
	if (sel & 1)
		*iova += (take(in, 2) % 512) * K4;
	switch ((sel >> 1) % 8) {
	case 0:
	case 1:
	case 2:
	case 3: *length = (1 + take(in, 1) % 64) * K4; break;
	case 4:
	case 5:
		*length = (1 + take(in, 1) % 4) * M2 + (take(in, 1) % 4) * K4;
		break;
	case 6: *length = (1 + take(in, 2) % 1024) * K4; break;
	default:
		/*
		 * A whole 1 GiB where 1 GiB leaves exist and the budget
		 * allows; else 8 MiB.
		 */
		*iova = WINDOW_BASE + (take(in, 1) % 2) * G1;
		*length = 4 * M2;
		if ((cur_bitmap & G1) && (sel & 32) && big_ranges_left) {
			big_ranges_left--;
			*length = G1;
		}
		break;
	}
	if (*iova + *length > WINDOW_BASE + WINDOW_BYTES)
		*length = WINDOW_BASE + WINDOW_BYTES - *iova;
}

static void check_pt(const struct mock_pt *pt)
{
	CHECK(!memcmp(pt->ioptes, ref_pt.ioptes, sizeof(pt->ioptes)));
	CHECK(pt->table_pages == ref_pt_table_pages(&ref_pt));
}

static void check_translate(const struct mock_pt *pt, u64 iova)
{
	enum mock_pt_size leaf_got, leaf_want;
	u64 pa_got, pa_want;
	u32 reads_got, reads_want;
	bool mapped;

	mapped = ref_pt_translate(&ref_pt, iova, &pa_want, &leaf_want,
				  &reads_want);
	CHECK(mock_pt_translate(pt, iova, &pa_got, &leaf_got, &reads_got) ==
	      mapped);
	CHECK(reads_got == reads_want);
	if (mapped)
		CHECK(pa_got == pa_want && leaf_got == leaf_want);
}

static u64 gen_iova(struct input *in)
{
	switch (take(in, 1) % 8) {
	case 5:
	case 6:
	case 7:
		/* a few pages near the start, so that IOTLB entries are reused */
		return WINDOW_BASE + (take(in, 1) % 8) * M2 +
		       (take(in, 1) % 16) * K4;
	case 0: return WINDOW_BASE - G1 + take(in, 4) % G1; /* same top entry */
	case 1: return take(in, 6);			    /* anywhere */
	case 2: return (1ULL << 48) + take(in, 2);	    /* past the end */
	default: return WINDOW_BASE + take(in, 8) % WINDOW_BYTES;
	}
}

/* Inputs the core must refuse before touching the table. */
static void bad_map(struct input *in, struct mock_pt *pt)
{
	u64 iova = WINDOW_BASE + (take(in, 2) % 1024) * M2, paddr = 0;
	u64 length = K4 * (1 + take(in, 1) % 8);
	struct mock_pt_counts got, want;

	switch (take(in, 1) % 7) {
	case 0: iova += 1 + take(in, 2) % (K4 - 1); break;
	case 1: length += 1 + take(in, 2) % (K4 - 1); break;
	case 2: length = 0; break;
	case 3:
		iova = (1ULL << 48) - K4 * (1 + take(in, 1) % 4);
		length = K4 * (5 + take(in, 1));
		break;
	case 4: paddr = 1 + take(in, 2) % (K4 - 1); break;
	case 5:
		paddr = (U64_MAX & ~(K4 - 1)) - K4 * (take(in, 1) % 4);
		length = K4 * (5 + take(in, 1));
		break;
	default:
		iova = U64_MAX & ~(K4 - 1);
		length = 2 * K4;
		break;
	}
	if (take(in, 1) % 2) {
		CHECK(mock_pt_map(pt, iova, paddr, length, &got) ==
		      ref_pt_map(&ref_pt, iova, paddr, length, &want));
	} else if (paddr == 0) {
		CHECK(mock_pt_unmap(pt, iova, length, &got) ==
		      ref_pt_unmap(&ref_pt, iova, length, &want));
	} else {
		return;
	}
	CHECK(!memcmp(&got, &want, sizeof(got)));
}

struct tlb_pair {
	struct iotlb tlb;
	struct ref_tlb ref;
	bool live;
};

static void tlb_reinit(struct input *in, struct tlb_pair *t)
{
	struct iotlb_config cfg = {};
	u32 s, ways;

	if (t->live) {
		iotlb_destroy(&t->tlb);
		ref_tlb_destroy(&t->ref);
	}
	for (s = 0; s < MOCK_PT_NR_SIZES; s++) {
		ways = 1U << (take(in, 1) % 4);
		cfg.entries[s] = ways * (take(in, 1) % 5);
		cfg.ways[s] = cfg.entries[s] && take(in, 1) % 2 ? ways : 0;
	}
	CHECK(iotlb_init(&t->tlb, &cfg) == 0);
	ref_tlb_init(&t->ref, cfg.entries, cfg.ways);
	t->live = true;
}

static void pt_op(struct input *in, struct mock_pt *pt, struct tlb_pair *t,
		  unsigned int op)
{
	struct mock_pt_counts got, want;
	struct iotlb_sweep_result acc = {};
	enum mock_pt_size leaf = MOCK_PT_4K;
	u64 iova, length, paddr, pa;
	int ret, i;

	switch (op) {
	case 0: /* map, PA co-aligned with the IOVA or a few pages off */
		gen_range(in, &iova, &length);
		paddr = (iova - WINDOW_BASE) + G1 * (take(in, 1) % 4);
		if (take(in, 1) % 4 == 0)
			paddr += K4 * (take(in, 1) % 4);
		ret = ref_pt_map(&ref_pt, iova, paddr, length, &want);
		CHECK(mock_pt_map(pt, iova, paddr, length, &got) == ret);
		CHECK(!memcmp(&got, &want, sizeof(got)));
		break;
	case 1:
		gen_range(in, &iova, &length);
		ret = ref_pt_unmap(&ref_pt, iova, length, &want);
		CHECK(mock_pt_unmap(pt, iova, length, &got) == ret);
		CHECK(!memcmp(&got, &want, sizeof(got)));
		break;
	case 2:
		for (i = 0; i < 4; i++)
			check_translate(pt, gen_iova(in));
		break;
	case 3: bad_map(in, pt); break;
	case 4: tlb_reinit(in, t); break;
	case 5: /* IOTLB accesses against the reference LRU */
		if (!t->live)
			tlb_reinit(in, t);
		for (i = 0; i < 8; i++) {
			iova = gen_iova(in);
			CHECK(iotlb_access(&t->tlb, pt, iova, &acc) ==
			      ref_tlb_access(&t->ref, iova,
					     ref_pt_translate(&ref_pt, iova, &pa,
							      &leaf, &(u32){ 0 }),
					     leaf));
		}
		CHECK(acc.accesses == 8 && acc.hits + acc.misses == 8);
		break;
	case 7: /* a map that runs out of memory: all or nothing */
		gen_range(in, &iova, &length);
		paddr = iova - WINDOW_BASE;
		pfnlab_shim_alloc_budget = take(in, 1) % 4;
		ret = mock_pt_map(pt, iova, paddr, length, &got);
		pfnlab_shim_alloc_budget = -1;
		if (ret == -ENOMEM) {
			CHECK(!got.ioptes[0] && !got.ioptes[1] && !got.ioptes[2]);
			break; /* the table must still equal the reference */
		}
		CHECK(ref_pt_map(&ref_pt, iova, paddr, length, &want) == ret);
		CHECK(!memcmp(&got, &want, sizeof(got)));
		break;
	case 6:
		if (!t->live)
			break;
		iova = gen_iova(in);
		length = take(in, 1) % 2 ? take(in, 4) : take(in, 8);
		iotlb_invalidate(&t->tlb, iova, length);
		ref_tlb_invalidate(&t->ref, iova, length);
		break;
	}
	check_pt(pt);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static const u64 bitmaps[] = { K4, K4 | M2, K4 | G1, K4 | M2 | G1 };
	struct input in = { data, size };
	struct tlb_pair tlb = { .live = false };
	struct pfn_batch batch = {};
	struct mock_pt pt;
	unsigned int nops;
	u64 bitmap;

	bitmap = bitmaps[take(&in, 1) % 4];
	cur_bitmap = bitmap;
	big_ranges_left = 1;
	ref_pt_reset(&ref_pt, bitmap);
	CHECK(mock_pt_init(&pt, bitmap) == 0);
	next_pfn = 0;
	reinit_batch(&batch, 1 + take(&in, 1) % 64);

	for (nops = 0; in.size && nops < MAX_OPS; nops++) {
		unsigned int op = take(&in, 1) % 16;

		if (op < 8)
			batch_op(&in, &batch, op);
		else
			pt_op(&in, &pt, &tlb, op - 8);
	}

	pfn_batch_destroy(&batch);
	mock_pt_destroy(&pt);
	CHECK(pt.table_pages == 0 && pt.top == NULL);
	if (tlb.live) {
		iotlb_destroy(&tlb.tlb);
		ref_tlb_destroy(&tlb.ref);
	}
	return 0;
}
