// SPDX-License-Identifier: GPL-2.0
/*
 * iotlb: IOTLB model and access sweeps over a mock_pt (see iotlb.h).
 *
 * Shared core: builds in the module and, through driver/core/shim/, in
 * userspace, so it may only use the kernel APIs the shim provides.
 */
#include <linux/errno.h>
#include <linux/overflow.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "iotlb.h"

/* Accesses between two checks for rescheduling and fatal signals. */
#define SWEEP_RESCHED_EVERY 4096

/**
 * iotlb_init() - create an empty IOTLB
 * @tlb: IOTLB to initialise; left zeroed on failure
 * @cfg: geometry per page size
 *
 * Return: 0; -E2BIG when a page size has more than IOTLB_MAX_ENTRIES
 * entries; -EINVAL when ways exceed entries, entries are not a multiple of
 * ways, or ways are given for a page size with no entries; -ENOMEM.
 */
int iotlb_init(struct iotlb *tlb, const struct iotlb_config *cfg)
{
	unsigned int size;
	u32 entries, ways;

	*tlb = (struct iotlb){};
	for (size = 0; size < MOCK_PT_NR_SIZES; size++) {
		entries = cfg->entries[size];
		ways = cfg->ways[size] ? cfg->ways[size] : entries;
		if (entries > IOTLB_MAX_ENTRIES)
			return -E2BIG;
		if (!entries && cfg->ways[size])
			return -EINVAL;
		if (entries && (ways > entries || entries % ways))
			return -EINVAL;
	}
	for (size = 0; size < MOCK_PT_NR_SIZES; size++) {
		entries = cfg->entries[size];
		if (!entries)
			continue;
		ways = cfg->ways[size] ? cfg->ways[size] : entries;
		tlb->entry[size] = kvcalloc(entries, sizeof(struct iotlb_entry),
					    GFP_KERNEL_ACCOUNT);
		if (!tlb->entry[size]) {
			iotlb_destroy(tlb);
			return -ENOMEM;
		}
		tlb->cfg.entries[size] = entries;
		tlb->cfg.ways[size] = ways;
		tlb->sets[size] = entries / ways;
	}
	return 0;
}

/**
 * iotlb_destroy() - free the entry arrays
 * @tlb: IOTLB from iotlb_init(), successful or not; left zeroed
 */
void iotlb_destroy(struct iotlb *tlb)
{
	unsigned int size;

	for (size = 0; size < MOCK_PT_NR_SIZES; size++)
		kvfree(tlb->entry[size]);
	*tlb = (struct iotlb){};
}

/**
 * iotlb_flush() - invalidate every entry
 * @tlb: the IOTLB
 */
void iotlb_flush(struct iotlb *tlb)
{
	unsigned int size;
	u32 i;

	for (size = 0; size < MOCK_PT_NR_SIZES; size++)
		for (i = 0; i < tlb->cfg.entries[size]; i++)
			tlb->entry[size][i].valid = false;
}

/**
 * iotlb_invalidate() - invalidate the entries that cache any of a range
 * @tlb: the IOTLB
 * @iova: start of the range
 * @length: bytes; 0 invalidates nothing; a range past 2^64 ends there
 *
 * Invalidates every entry whose page overlaps [@iova, @iova + @length),
 * whatever its page size.  Costs one pass over all entries.
 */
void iotlb_invalidate(struct iotlb *tlb, u64 iova, u64 length)
{
	struct iotlb_entry *e;
	unsigned int size;
	u64 end, first, last;
	u32 i;

	if (!length)
		return;
	if (check_add_overflow(iova, length, &end))
		end = 0; /* 2^64: every page from @iova on */
	for (size = 0; size < MOCK_PT_NR_SIZES; size++) {
		/* Tags (page numbers) of the first and last page touched. */
		first = iova >> mock_pt_level_shift(size);
		last = (end - 1) >> mock_pt_level_shift(size);
		for (i = 0; i < tlb->cfg.entries[size]; i++) {
			e = &tlb->entry[size][i];
			if (e->valid && e->tag >= first && e->tag <= last)
				e->valid = false;
		}
	}
}

/* Look @tag up in the array of page size @size; refresh its age on a hit. */
static bool iotlb_lookup(struct iotlb *tlb, unsigned int size, u64 tag)
{
	u32 ways = tlb->cfg.ways[size], w;
	struct iotlb_entry *set;

	set = &tlb->entry[size][(tag % tlb->sets[size]) * ways];
	for (w = 0; w < ways; w++) {
		if (set[w].valid && set[w].tag == tag) {
			set[w].last_use = ++tlb->clock;
			return true;
		}
	}
	return false;
}

/* Cache @tag in its set: a free way, else the least recently used one. */
static void iotlb_fill(struct iotlb *tlb, unsigned int size, u64 tag)
{
	u32 ways = tlb->cfg.ways[size], w;
	struct iotlb_entry *set, *victim;

	if (!tlb->cfg.entries[size])
		return;
	set = &tlb->entry[size][(tag % tlb->sets[size]) * ways];
	victim = &set[0];
	for (w = 0; w < ways; w++) {
		if (!set[w].valid) {
			victim = &set[w];
			break;
		}
		if (set[w].last_use < victim->last_use)
			victim = &set[w];
	}
	victim->tag = tag;
	victim->valid = true;
	victim->last_use = ++tlb->clock;
}

/**
 * iotlb_access() - translate one IOVA through the IOTLB
 * @tlb: the IOTLB
 * @pt: the page table walked on a miss
 * @iova: the IOVA
 * @acc: counters to add this access to (not cleared)
 *
 * A hit refreshes the entry's LRU age.  A miss walks @pt, counting the
 * entries read per level, and caches the leaf found (evicting the set's
 * least recently used entry when it is full); an unmapped @iova is a fault
 * and caches nothing.
 *
 * Return: true on a hit.
 */
bool iotlb_access(struct iotlb *tlb, const struct mock_pt *pt, u64 iova,
		  struct iotlb_sweep_result *acc)
{
	enum mock_pt_size leaf;
	unsigned int size;
	u32 reads, i;
	bool mapped;

	acc->accesses++;
	for (size = 0; size < MOCK_PT_NR_SIZES; size++) {
		if (tlb->cfg.entries[size] &&
		    iotlb_lookup(tlb, size, iova >> mock_pt_level_shift(size))) {
			acc->hits++;
			return true;
		}
	}

	acc->misses++;
	mapped = mock_pt_translate(pt, iova, NULL, &leaf, &reads);
	acc->walk_reads += reads;
	/* A walk reads the top level first and goes down one level per read. */
	for (i = 0; i < reads; i++)
		acc->walk_reads_by_level[MOCK_PT_LEVELS - 1 - i]++;
	if (!mapped) {
		acc->faults++;
		return false;
	}
	acc->misses_by_size[leaf]++;
	iotlb_fill(tlb, leaf, iova >> mock_pt_level_shift(leaf));
	return false;
}

/**
 * iotlb_splitmix64() - the sweeps' pseudo-random generator
 * @state: generator state, advanced by one step
 *
 * splitmix64: small, fast and the same in the kernel and userspace.
 *
 * Return: the next 64-bit value.
 */
u64 iotlb_splitmix64(u64 *state)
{
	u64 z;

	*state += 0x9e3779b97f4a7c15ULL;
	z = *state;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/**
 * iotlb_run_sweep() - run one access pattern (see iotlb.h) over @pt
 * @tlb: the IOTLB (not flushed first)
 * @pt: the page table
 * @sweep: the pattern
 * @res: set to the counters of this sweep
 *
 * Context: process context; may sleep (yields the CPU between blocks of
 * accesses, and stops early when the task is being killed).
 *
 * Return: 0; -EINVAL for a zero window, a window that is not a multiple of
 * the stride, a strided stride that is not a multiple of 4 KiB, zero
 * passes or an unknown pattern; -EOVERFLOW when the window passes
 * 2^MOCK_PT_IOVA_BITS; -E2BIG when the sweep would make more than
 * IOTLB_MAX_SWEEP_ACCESSES accesses; -EINTR when a fatal signal
 * interrupted it (the IOTLB keeps what the sweep cached so far).  On
 * error @res is zeroed.
 */
int iotlb_run_sweep(struct iotlb *tlb, const struct mock_pt *pt,
		    const struct iotlb_sweep *sweep,
		    struct iotlb_sweep_result *res)
{
	u64 stride = sweep->stride_bytes ? sweep->stride_bytes :
					   MOCK_PT_PGSIZE_4K;
	u64 window = sweep->window_bytes, end, per_pass, total, pass, k;
	u64 offset, phase, rng = sweep->seed, nslots;

	*res = (struct iotlb_sweep_result){};
	if (!window || window % stride || !sweep->passes)
		return -EINVAL;
	if (sweep->pattern != IOTLB_PATTERN_SEQUENTIAL &&
	    sweep->pattern != IOTLB_PATTERN_STRIDED &&
	    sweep->pattern != IOTLB_PATTERN_RANDOM)
		return -EINVAL;
	if (sweep->pattern == IOTLB_PATTERN_STRIDED && stride % MOCK_PT_PGSIZE_4K)
		return -EINVAL;
	if (check_add_overflow(sweep->iova, window, &end) ||
	    end > (1ULL << MOCK_PT_IOVA_BITS))
		return -EOVERFLOW;
	nslots = window / stride;
	per_pass = sweep->pattern == IOTLB_PATTERN_STRIDED ?
			   window / MOCK_PT_PGSIZE_4K :
			   nslots;
	if (check_mul_overflow(per_pass, sweep->passes, &total) ||
	    total > IOTLB_MAX_SWEEP_ACCESSES)
		return -E2BIG;

	for (pass = 0; pass < sweep->passes; pass++) {
		offset = 0;
		phase = 0;
		for (k = 0; k < per_pass; k++) {
			if (sweep->pattern == IOTLB_PATTERN_SEQUENTIAL)
				offset = k * stride;
			else if (sweep->pattern == IOTLB_PATTERN_RANDOM)
				offset = (iotlb_splitmix64(&rng) % nslots) *
					 stride;
			iotlb_access(tlb, pt, sweep->iova + offset + phase, res);
			/* Strided: step on, wrapping onto the next 4 KiB page. */
			if (sweep->pattern == IOTLB_PATTERN_STRIDED) {
				offset += stride;
				if (offset == window) {
					offset = 0;
					phase += MOCK_PT_PGSIZE_4K;
				}
			}
			if (res->accesses % SWEEP_RESCHED_EVERY)
				continue;
			if (fatal_signal_pending(current)) {
				*res = (struct iotlb_sweep_result){};
				return -EINTR;
			}
			cond_resched();
		}
	}
	return 0;
}
