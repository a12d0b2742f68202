/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Trivially correct reference models of the shared core, for the unit
 * tests and the fuzz target.  They keep one entry per page (a flat list of
 * PFNs, a per-page IOVA array) and derive everything else from that, so
 * they share no logic with driver/core/.
 */
#ifndef PFNLAB_TEST_REF_H
#define PFNLAB_TEST_REF_H

#include <linux/types.h>

#include "mock_pt.h"
#include "pfn_batch.h"

/**
 * struct ref_batch - a batch as the flat list of PFNs it holds
 * @pfns: the PFNs, in order
 * @npfns: elements of @pfns in use
 * @max_pfns: elements allocated
 * @capacity_runs: runs the modelled batch may use
 * @nruns: maximal stretches in @pfns, kept up to date on add and recounted
 *         from scratch on skip
 *
 * Runs are not stored: they are the maximal stretches of @pfns (a stretch
 * never wraps past U64_MAX).  The model ignores PFN_BATCH_MAX_RUN_PFNS, so
 * callers keep @npfns far below it.
 */
struct ref_batch {
	u64 *pfns;
	size_t npfns;
	size_t max_pfns;
	u32 capacity_runs;
	u64 nruns;
};

void ref_batch_init(struct ref_batch *ref, u32 capacity_runs, size_t max_pfns);
void ref_batch_destroy(struct ref_batch *ref);
void ref_batch_clear(struct ref_batch *ref);
u64 ref_count_runs(const u64 *pfns, size_t npfns);
bool ref_batch_add_pfn(struct ref_batch *ref, u64 pfn);
u64 ref_batch_add_run(struct ref_batch *ref, u64 pfn, u64 npfns);
size_t ref_batch_fill(struct ref_batch *ref, const u64 *pfns, size_t npfns);
void ref_batch_skip(struct ref_batch *ref, u64 npfns);
size_t ref_contig_len(const u64 *pfns, size_t npfns);
bool ref_batch_matches(const struct ref_batch *ref,
		       const struct pfn_batch *batch);

/**
 * struct ref_pt - an IO page table as one record per 4 KiB page
 * @base: first IOVA of the modelled window (1 GiB aligned)
 * @npages: pages in the window (a multiple of 1 GiB worth)
 * @pgsize_bitmap: allowed leaf sizes
 * @paddr: per page, its physical address when mapped
 * @leaf: per page, 0 when unmapped, else 1 + its leaf's &enum mock_pt_size
 * @mapped_in_2m: per 2 MiB region of the window, pages mapped
 * @small_in_1g: per 1 GiB region, pages mapped by leaves below 1 GiB
 * @small_in_2m: per 2 MiB region, pages mapped by 4 KiB leaves
 * @mapped_in_1g: per 1 GiB region, pages mapped
 * @mapped: pages mapped in the window
 * @ioptes: leaves by page size
 */
struct ref_pt {
	u64 base;
	u64 npages;
	u64 pgsize_bitmap;
	u64 *paddr;
	u8 *leaf;
	u32 *mapped_in_2m;
	u32 *small_in_2m;
	u32 *mapped_in_1g;
	u32 *small_in_1g;
	u64 mapped;
	u64 ioptes[MOCK_PT_NR_SIZES];
};

void ref_pt_init(struct ref_pt *ref, u64 base, u64 window_bytes,
		 u64 pgsize_bitmap);
void ref_pt_reset(struct ref_pt *ref, u64 pgsize_bitmap);
void ref_pt_destroy(struct ref_pt *ref);
int ref_pt_map(struct ref_pt *ref, u64 iova, u64 paddr, u64 length,
	       struct mock_pt_counts *added);
int ref_pt_unmap(struct ref_pt *ref, u64 iova, u64 length,
		 struct mock_pt_counts *removed);
bool ref_pt_translate(const struct ref_pt *ref, u64 iova, u64 *paddr,
		      enum mock_pt_size *leaf, u32 *walk_reads);
u64 ref_pt_table_pages(const struct ref_pt *ref);

/**
 * struct ref_tlb - an IOTLB as, per set, a list of tags most recent first
 * @ways: associativity per page size (0: that size is not cached)
 * @sets: sets per page size
 * @tags: per page size, @sets lists of @ways tags
 * @used: per page size and set, tags in the list
 */
struct ref_tlb {
	u32 ways[MOCK_PT_NR_SIZES];
	u32 sets[MOCK_PT_NR_SIZES];
	u64 *tags[MOCK_PT_NR_SIZES];
	u32 *used[MOCK_PT_NR_SIZES];
};

void ref_tlb_init(struct ref_tlb *ref, const u32 *entries, const u32 *ways);
void ref_tlb_destroy(struct ref_tlb *ref);
bool ref_tlb_access(struct ref_tlb *ref, u64 iova, bool mapped,
		    enum mock_pt_size leaf);
void ref_tlb_invalidate(struct ref_tlb *ref, u64 iova, u64 length);

#endif /* PFNLAB_TEST_REF_H */
