// SPDX-License-Identifier: GPL-2.0
/*
 * pfn_batch: runs of contiguous PFNs and the two ways of filling them.
 *
 * Shared core: builds in the module and, through driver/core/shim/, in
 * userspace, so it may only use the kernel APIs the shim provides.
 */
#include <linux/errno.h>
#include <linux/minmax.h>
#include <linux/slab.h>

#include "pfn_batch.h"

/*
 * The contiguity scan compares this many PFNs per step without an early
 * exit, so that the compiler can turn the inner loop into vector compares.
 */
#define PFN_SCAN_BLOCK 16

/**
 * pfn_batch_init() - allocate the run arrays of an empty batch
 * @batch: batch to initialise; left zeroed on failure, so that
 *         pfn_batch_destroy() is always safe to call
 * @capacity_runs: number of runs the batch can hold
 *
 * Return: 0; -EINVAL if @capacity_runs is 0 or above PFN_BATCH_MAX_RUNS;
 * -ENOMEM if the arrays cannot be allocated.
 */
int pfn_batch_init(struct pfn_batch *batch, u32 capacity_runs)
{
	*batch = (struct pfn_batch){};
	if (!capacity_runs || capacity_runs > PFN_BATCH_MAX_RUNS)
		return -EINVAL;
	batch->run_pfn = kvcalloc(capacity_runs, sizeof(*batch->run_pfn),
				  GFP_KERNEL_ACCOUNT);
	batch->run_npfns = kvcalloc(capacity_runs, sizeof(*batch->run_npfns),
				    GFP_KERNEL_ACCOUNT);
	if (!batch->run_pfn || !batch->run_npfns) {
		pfn_batch_destroy(batch);
		return -ENOMEM;
	}
	batch->capacity_runs = capacity_runs;
	return 0;
}

/**
 * pfn_batch_destroy() - free the run arrays
 * @batch: batch from pfn_batch_init(), successful or not; left zeroed
 */
void pfn_batch_destroy(struct pfn_batch *batch)
{
	kvfree(batch->run_pfn);
	kvfree(batch->run_npfns);
	*batch = (struct pfn_batch){};
}

/**
 * pfn_batch_clear() - empty the batch, keeping its capacity
 * @batch: batch to empty
 */
void pfn_batch_clear(struct pfn_batch *batch)
{
	batch->nruns = 0;
	batch->total_pfns = 0;
}

/* Whether @pfn directly follows run @run (never across the end of PFN space). */
static bool pfn_batch_follows(const struct pfn_batch *batch, u32 run, u64 pfn)
{
	u64 end = batch->run_pfn[run] + batch->run_npfns[run];

	/* end == 0 means the run ends at U64_MAX: nothing follows it. */
	return end && pfn == end;
}

/**
 * pfn_batch_add_pfn() - add one PFN (the per-page step)
 * @batch: batch to add to
 * @pfn: the PFN
 *
 * Extends the last run when @pfn follows it and the run is below
 * PFN_BATCH_MAX_RUN_PFNS; otherwise starts a new run.
 *
 * Return: true if added; false if the batch is full (nothing changed).
 */
bool pfn_batch_add_pfn(struct pfn_batch *batch, u64 pfn)
{
	u32 last = batch->nruns - 1;

	if (batch->nruns && pfn_batch_follows(batch, last, pfn) &&
	    batch->run_npfns[last] < PFN_BATCH_MAX_RUN_PFNS) {
		batch->run_npfns[last]++;
	} else {
		if (batch->nruns == batch->capacity_runs)
			return false;
		batch->run_pfn[batch->nruns] = pfn;
		batch->run_npfns[batch->nruns] = 1;
		batch->nruns++;
	}
	batch->total_pfns++;
	return true;
}

/**
 * pfn_batch_add_run() - add a physically contiguous stretch at once
 * @batch: batch to add to
 * @pfn: first PFN of the stretch
 * @npfns: PFNs in the stretch (@pfn, @pfn + 1, ...)
 *
 * The result is exactly what @npfns calls of pfn_batch_add_pfn() would
 * give: the last run is extended first, up to PFN_BATCH_MAX_RUN_PFNS, then
 * new runs of at most PFN_BATCH_MAX_RUN_PFNS each are started while runs
 * are free.  A stretch that would pass U64_MAX is cut there.
 *
 * Return: PFNs added, from the start of the stretch; less than @npfns when
 * the batch became full (or the stretch was cut).
 */
u64 pfn_batch_add_run(struct pfn_batch *batch, u64 pfn, u64 npfns)
{
	u64 added = 0, step;
	u32 last = batch->nruns - 1;

	if (pfn && npfns > U64_MAX - pfn + 1)
		npfns = U64_MAX - pfn + 1;
	if (!npfns)
		return 0;

	if (batch->nruns && pfn_batch_follows(batch, last, pfn)) {
		step = min_t(u64, npfns,
			     PFN_BATCH_MAX_RUN_PFNS - batch->run_npfns[last]);
		batch->run_npfns[last] += step;
		added = step;
	}
	while (added < npfns && batch->nruns < batch->capacity_runs) {
		step = min_t(u64, npfns - added, PFN_BATCH_MAX_RUN_PFNS);
		batch->run_pfn[batch->nruns] = pfn + added;
		batch->run_npfns[batch->nruns] = step;
		batch->nruns++;
		added += step;
	}
	batch->total_pfns += added;
	return added;
}

/**
 * pfn_contig_len() - length of the contiguous stretch at the start of @pfns
 * @pfns: PFNs
 * @npfns: number of elements of @pfns
 *
 * Contiguity is checked for every element; nothing is assumed from folios
 * or page sizes.  The scan compares whole blocks without branching so that
 * the compiler can vectorise it, and finds the exact end only in the block
 * where the stretch breaks.
 *
 * Return: the largest n <= @npfns with @pfns[i] == @pfns[0] + i for all
 * i < n (n stays below a wrap past U64_MAX); 0 when @npfns is 0.
 */
size_t pfn_contig_len(const u64 *pfns, size_t npfns)
{
	u64 first, mismatch;
	size_t i, j;

	if (!npfns)
		return 0;
	first = pfns[0];
	if (first && (u64)npfns - 1 > U64_MAX - first)
		npfns = U64_MAX - first + 1;

	/*
	 * A stretch that ends within its first block is found one PFN at a
	 * time, so that only one that outlasts it pays for whole-block
	 * compares.
	 */
	for (i = 1; i < npfns && i < PFN_SCAN_BLOCK; i++)
		if (pfns[i] != first + i)
			return i;

	for (; i + PFN_SCAN_BLOCK <= npfns; i += PFN_SCAN_BLOCK) {
		mismatch = 0;
		for (j = 0; j < PFN_SCAN_BLOCK; j++)
			mismatch |= pfns[i + j] ^ (first + i + j);
		if (mismatch)
			break;
	}
	for (; i < npfns; i++)
		if (pfns[i] != first + i)
			break;
	return i;
}

/*
 * The loop both strategies share.  Each PFN either extends the last run or
 * starts a new one, exactly as pfn_batch_add_pfn() decides; the last run
 * is kept in locals while the loop runs, so that a page costs one compare
 * and two increments rather than a call and three loads through @batch.
 *
 * @run_aware: once the last run holds PFN_SCAN_BLOCK PFNs, the rest of its
 * stretch is found with pfn_contig_len() and added at once.  Until then
 * both strategies run the same instructions (the run length is compared
 * with a constant either way), so that on fragmented 4 KiB memory, whose
 * runs never reach the scan, run-aware does exactly the per-page work.
 */
static inline size_t pfn_batch_fill(struct pfn_batch *batch, const u64 *pfns,
				    size_t npfns, bool run_aware)
{
	u32 nruns = batch->nruns, last_npfns = 0;
	/* Run length from which the rest of a stretch is scanned. */
	const u32 scan_from = run_aware ? PFN_SCAN_BLOCK :
					  PFN_BATCH_MAX_RUN_PFNS;
	/* The PFN that extends the last run; 0 when nothing can. */
	u64 next = 0, step;
	size_t i;

	if (nruns) {
		last_npfns = batch->run_npfns[nruns - 1];
		/* A run ending at U64_MAX wraps @next to 0: nothing follows. */
		next = batch->run_pfn[nruns - 1] + last_npfns;
	}
	for (i = 0; i < npfns; i++) {
		u64 pfn = pfns[i];

		if (pfn == next && next) {
			/* The same one compare for both strategies ... */
			if (likely(last_npfns < scan_from)) {
				last_npfns++;
				next++;
				continue;
			}
			/*
			 * ... until a run-aware run has lasted a block: then
			 * the rest of its stretch, from @pfns[i], is scanned.
			 */
			if (last_npfns < PFN_BATCH_MAX_RUN_PFNS) {
				step = min_t(u64,
					     pfn_contig_len(pfns + i, npfns - i),
					     PFN_BATCH_MAX_RUN_PFNS - last_npfns);
				last_npfns += step;
				next += step;
				i += step - 1;
				continue;
			}
		}
		if (nruns == batch->capacity_runs)
			break;
		if (nruns)
			batch->run_npfns[nruns - 1] = last_npfns;
		batch->run_pfn[nruns] = pfn;
		last_npfns = 1;
		next = pfn + 1;
		nruns++;
	}
	if (nruns)
		batch->run_npfns[nruns - 1] = last_npfns;
	batch->nruns = nruns;
	batch->total_pfns += i;
	return i;
}

/**
 * pfn_batch_fill_per_page() - fill with one decision per PFN
 * @batch: batch to fill (appended to; it is not cleared first)
 * @pfns: PFNs to add, in order
 * @npfns: number of elements of @pfns
 *
 * The reference strategy: each PFN extends the last run or starts a new
 * one, as pfn_batch_add_pfn() would.
 *
 * Return: PFNs consumed from the start of @pfns; less than @npfns when the
 * batch became full.
 */
size_t pfn_batch_fill_per_page(struct pfn_batch *batch, const u64 *pfns,
			       size_t npfns)
{
	return pfn_batch_fill(batch, pfns, npfns, false);
}

/**
 * pfn_batch_fill_run_aware() - fill, scanning long stretches in blocks
 * @batch: batch to fill (appended to; it is not cleared first)
 * @pfns: PFNs to add, in order
 * @npfns: number of elements of @pfns
 *
 * The per-page loop, except that a run which has lasted PFN_SCAN_BLOCK
 * PFNs has the rest of its stretch found by pfn_contig_len() (every PFN
 * still checked; nothing assumed from folios) and added in one step.
 * Produces exactly the runs, and consumes exactly the PFNs, that
 * pfn_batch_fill_per_page() would.
 *
 * Return: PFNs consumed from the start of @pfns; less than @npfns when the
 * batch became full.
 */
size_t pfn_batch_fill_run_aware(struct pfn_batch *batch, const u64 *pfns,
				size_t npfns)
{
	return pfn_batch_fill(batch, pfns, npfns, true);
}

/**
 * pfn_layout_min_runs() - fewest runs a batch could hold @pfns in
 * @pfns: PFNs
 * @npfns: number of elements of @pfns
 *
 * Counts the maximal contiguous stretches, ignoring PFN_BATCH_MAX_RUN_PFNS:
 * the yardstick a batch's run count is compared against.
 *
 * Return: number of maximal contiguous stretches; 0 when @npfns is 0.
 */
u64 pfn_layout_min_runs(const u64 *pfns, size_t npfns)
{
	u64 breaks = 0;
	size_t i;

	if (!npfns)
		return 0;
	for (i = 1; i < npfns; i++)
		breaks += (pfns[i] != pfns[i - 1] + 1) |
			  (pfns[i - 1] == U64_MAX);
	return breaks + 1;
}

/**
 * pfn_batch_skip() - drop the first @npfns PFNs of the batch
 * @batch: batch whose consumer used only part of it
 * @npfns: PFNs to drop from the front; @npfns >= @batch->total_pfns empties
 *         the batch
 *
 * The runs that remain are moved to the front of the arrays, the first one
 * shortened if it was partly consumed, so that the batch can be refilled.
 */
void pfn_batch_skip(struct pfn_batch *batch, u64 npfns)
{
	u32 first = 0, i;

	if (npfns >= batch->total_pfns) {
		pfn_batch_clear(batch);
		return;
	}
	batch->total_pfns -= npfns;
	while (npfns >= batch->run_npfns[first]) {
		npfns -= batch->run_npfns[first];
		first++;
	}
	batch->run_pfn[first] += npfns;
	batch->run_npfns[first] -= npfns;
	if (!first)
		return;
	for (i = first; i < batch->nruns; i++) {
		batch->run_pfn[i - first] = batch->run_pfn[i];
		batch->run_npfns[i - first] = batch->run_npfns[i];
	}
	batch->nruns -= first;
}
