/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pfn_batch: a fixed-capacity list of runs of physically contiguous PFNs.
 *
 * Part of the pfnlab shared core: this file compiles unchanged in the kernel
 * module and, through driver/core/shim/, in userspace.
 *
 * A batch holds PFNs in order.  Adding a PFN that directly follows the last
 * run extends that run; any other PFN starts a new run; when all
 * @capacity_runs runs are in use and the PFN does not extend the last one,
 * the batch is full.  A run never holds more than PFN_BATCH_MAX_RUN_PFNS
 * PFNs (its length is a u32); a longer stretch continues in the next run.
 * U64_MAX is never followed by 0: a stretch does not wrap around the PFN
 * space.
 */
#ifndef PFNLAB_CORE_PFN_BATCH_H
#define PFNLAB_CORE_PFN_BATCH_H

#include <linux/types.h>
#include <linux/limits.h>

/* Capacity limit, in runs: 12 MiB of run arrays at most. */
#define PFN_BATCH_MAX_RUNS (1U << 20)
/* PFNs one run can hold; a longer stretch is split over runs. */
#define PFN_BATCH_MAX_RUN_PFNS U32_MAX

/**
 * struct pfn_batch - runs of contiguous PFNs, in the order they were added
 * @run_pfn: first PFN of each run
 * @run_npfns: number of PFNs in each run (1 .. PFN_BATCH_MAX_RUN_PFNS)
 * @capacity_runs: number of elements of @run_pfn and @run_npfns
 * @nruns: runs in use, 0 .. @capacity_runs
 * @total_pfns: sum of @run_npfns[0 .. @nruns)
 */
struct pfn_batch {
	u64 *run_pfn;
	u32 *run_npfns;
	u32 capacity_runs;
	u32 nruns;
	u64 total_pfns;
};

int pfn_batch_init(struct pfn_batch *batch, u32 capacity_runs);
void pfn_batch_destroy(struct pfn_batch *batch);
void pfn_batch_clear(struct pfn_batch *batch);
bool pfn_batch_add_pfn(struct pfn_batch *batch, u64 pfn);
u64 pfn_batch_add_run(struct pfn_batch *batch, u64 pfn, u64 npfns);
size_t pfn_batch_fill_per_page(struct pfn_batch *batch, const u64 *pfns,
			       size_t npfns);
size_t pfn_batch_fill_run_aware(struct pfn_batch *batch, const u64 *pfns,
				size_t npfns);
size_t pfn_contig_len(const u64 *pfns, size_t npfns);
u64 pfn_layout_min_runs(const u64 *pfns, size_t npfns);
void pfn_batch_skip(struct pfn_batch *batch, u64 npfns);

#endif /* PFNLAB_CORE_PFN_BATCH_H */
