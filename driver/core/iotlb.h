/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iotlb: a model of an IOMMU's translation cache in front of a mock_pt.
 *
 * Part of the pfnlab shared core: compiles unchanged in the kernel module
 * and, through driver/core/shim/, in userspace.
 *
 * The model keeps one set-associative array per page size.  An entry
 * caches one leaf: its tag is iova >> page_shift, its set is
 * (iova >> page_shift) % sets.  A lookup probes every cached page size; a
 * hit refreshes the entry's LRU age.  A miss walks the page table
 * (mock_pt_translate(), counting its entry reads per level) and fills the
 * array of the leaf's page size, evicting the least recently used entry of
 * the set when it is full.  A miss on an unmapped IOVA counts as a miss and
 * a fault, and fills nothing.  Page-table changes are not seen until
 * iotlb_invalidate() or iotlb_flush(), as with real hardware.
 *
 * A lookup costs O(ways) per cached page size, so a fully associative
 * array is scanned whole; IOTLB_MAX_ENTRIES bounds that cost.
 *
 * Sweeps (struct iotlb_sweep; s = stride_bytes, or 4 KiB when 0; W =
 * window_bytes, a non-zero multiple of s; offsets are from @iova):
 *  - IOTLB_PATTERN_SEQUENTIAL: W / s accesses per pass at offsets
 *    0, s, 2s, ..., W - s.
 *  - IOTLB_PATTERN_STRIDED: W / 4 KiB accesses per pass, one in every
 *    4 KiB page of the window (s must be a multiple of 4 KiB), visited in
 *    steps of s that wrap modulo W onto the next page: access k is at
 *    offset (k * s) % W + ((k * s) / W) * 4 KiB.  With s = 16 KiB and
 *    W = 64 KiB: 0, 16K, 32K, 48K, 4K, 20K, 36K, 52K, 8K, ...
 *  - IOTLB_PATTERN_RANDOM: W / s accesses per pass at offsets r * s, r
 *    drawn uniformly from [0, W / s) by splitmix64 seeded with @seed (the
 *    generator runs on across passes), so a seed gives the same offsets in
 *    the kernel and in userspace.
 * Each pattern repeats @passes times.  The IOTLB is not flushed first.
 */
#ifndef PFNLAB_CORE_IOTLB_H
#define PFNLAB_CORE_IOTLB_H

#include <linux/types.h>

#include "mock_pt.h"

/* Largest number of entries of one page size (-E2BIG above). */
#define IOTLB_MAX_ENTRIES 16384U
/*
 * Largest number of accesses one sweep may make, all passes (-E2BIG above):
 * a bound on the time one call holds its caller (a module ioctl holds its fd).
 */
#define IOTLB_MAX_SWEEP_ACCESSES (1ULL << 24)

/**
 * struct iotlb_config - geometry of the IOTLB, per page size
 * @entries: entries caching leaves of each &enum mock_pt_size; 0 means
 *           that size is not cached (every access to such a leaf misses)
 * @ways: associativity per page size; 0 means fully associative
 *        (one set); @entries must be a multiple of @ways
 */
struct iotlb_config {
	u32 entries[MOCK_PT_NR_SIZES];
	u32 ways[MOCK_PT_NR_SIZES];
};

/**
 * enum iotlb_pattern - order of the accesses of a sweep (see iotlb.h)
 * @IOTLB_PATTERN_SEQUENTIAL: every stride, low to high
 * @IOTLB_PATTERN_STRIDED: every 4 KiB page, in steps of the stride
 * @IOTLB_PATTERN_RANDOM: seeded uniform offsets, stride granular
 */
enum iotlb_pattern {
	IOTLB_PATTERN_SEQUENTIAL,
	IOTLB_PATTERN_STRIDED,
	IOTLB_PATTERN_RANDOM,
};

/**
 * struct iotlb_sweep - one access pattern over an IOVA window
 * @iova: start of the window
 * @window_bytes: size of the window; a non-zero multiple of the stride
 * @stride_bytes: step between accesses; 0 means 4 KiB
 * @pattern: &enum iotlb_pattern
 * @seed: seed of IOTLB_PATTERN_RANDOM (ignored otherwise)
 * @passes: times the pattern is repeated, at least 1
 */
struct iotlb_sweep {
	u64 iova;
	u64 window_bytes;
	u64 stride_bytes;
	enum iotlb_pattern pattern;
	u64 seed;
	u64 passes;
};

/**
 * struct iotlb_sweep_result - what accesses cost (counters add up)
 * @accesses: translations asked for; @hits + @misses
 * @hits: translations found in the IOTLB
 * @misses: translations that needed a page-table walk
 * @faults: misses whose walk found no mapping (a subset of @misses)
 * @walk_reads: page-table entries read by all walks
 * @walk_reads_by_level: @walk_reads by table level (0 = 4 KiB leaf level,
 *                       3 = top)
 * @misses_by_size: successful misses by the page size of the leaf found
 */
struct iotlb_sweep_result {
	u64 accesses;
	u64 hits;
	u64 misses;
	u64 faults;
	u64 walk_reads;
	u64 walk_reads_by_level[MOCK_PT_LEVELS];
	u64 misses_by_size[MOCK_PT_NR_SIZES];
};

/**
 * struct iotlb_entry - one cached leaf
 * @tag: iova >> page_shift of the leaf
 * @last_use: LRU age: value of &iotlb.clock at the last fill or hit
 * @valid: whether the entry caches anything
 */
struct iotlb_entry {
	u64 tag;
	u64 last_use;
	bool valid;
};

/**
 * struct iotlb - the IOTLB model
 * @cfg: geometry it was created with (ways resolved: never 0 when
 *       entries is not 0)
 * @sets: number of sets per page size (entries / ways)
 * @entry: per page size, @sets * ways entries; set i is the ways entries
 *         starting at i * ways
 * @clock: LRU clock, advanced by every hit and fill
 */
struct iotlb {
	struct iotlb_config cfg;
	u32 sets[MOCK_PT_NR_SIZES];
	struct iotlb_entry *entry[MOCK_PT_NR_SIZES];
	u64 clock;
};

int iotlb_init(struct iotlb *tlb, const struct iotlb_config *cfg);
void iotlb_destroy(struct iotlb *tlb);
void iotlb_flush(struct iotlb *tlb);
void iotlb_invalidate(struct iotlb *tlb, u64 iova, u64 length);
bool iotlb_access(struct iotlb *tlb, const struct mock_pt *pt, u64 iova,
		  struct iotlb_sweep_result *acc);
int iotlb_run_sweep(struct iotlb *tlb, const struct mock_pt *pt,
		    const struct iotlb_sweep *sweep,
		    struct iotlb_sweep_result *res);
u64 iotlb_splitmix64(u64 *state);

#endif /* PFNLAB_CORE_IOTLB_H */
