/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mock_pt: a software 4-level IO page table with 4 KiB, 2 MiB and 1 GiB
 * leaves, the "mock domain" of pfnlab.
 *
 * Part of the pfnlab shared core: compiles unchanged in the kernel module
 * and, through driver/core/shim/, in userspace.
 *
 * Layout: levels are numbered 0 (the 4 KiB leaf level) to 3 (the top).
 * Each table is 512 u64 entries (4 KiB); level L is indexed by IOVA bits
 * [12 + 9L, 20 + 9L].  A leaf at level L maps 1 << (12 + 9L) bytes, so
 * level 0 holds 4 KiB leaves, level 1 2 MiB leaves and level 2 1 GiB
 * leaves.  IOVAs have MOCK_PT_IOVA_BITS bits.  The top table is allocated
 * by mock_pt_init(); lower tables are allocated when a map first needs them
 * and freed as soon as an unmap leaves them empty, so @table_pages always
 * counts the tables that some mapping needs (plus the top).
 *
 * Page-size choice: each step of a map uses the largest size in the
 * page-size bitmap that the IOVA alignment, the physical address alignment
 * and the remaining length all allow.
 *
 * Unmap of part of a large leaf splits it: the leaf is replaced by a table
 * of the next smaller page size the bitmap allows (4 KiB always), and so on
 * down until the unmapped range begins and ends on leaf boundaries.  The
 * pages left mapped keep their translations, now in smaller leaves.
 *
 * Not safe for concurrent use: the caller serialises every call on one
 * table (mock_pt_translate() may run concurrently with other translates).
 */
#ifndef PFNLAB_CORE_MOCK_PT_H
#define PFNLAB_CORE_MOCK_PT_H

#include <linux/types.h>

#define MOCK_PT_PGSIZE_4K (1ULL << 12)
#define MOCK_PT_PGSIZE_2M (1ULL << 21)
#define MOCK_PT_PGSIZE_1G (1ULL << 30)
/* Every page size a mock_pt can use. */
#define MOCK_PT_PGSIZE_ALL \
	(MOCK_PT_PGSIZE_4K | MOCK_PT_PGSIZE_2M | MOCK_PT_PGSIZE_1G)
#define MOCK_PT_IOVA_BITS 48
/* Number of levels; level MOCK_PT_LEVELS - 1 is the top. */
#define MOCK_PT_LEVELS 4
/* Entries per table (9 index bits per level). */
#define MOCK_PT_TABLE_ENTRIES 512

/**
 * enum mock_pt_size - leaf page sizes; the value is also the leaf's level
 * @MOCK_PT_4K: 4 KiB leaf at level 0
 * @MOCK_PT_2M: 2 MiB leaf at level 1
 * @MOCK_PT_1G: 1 GiB leaf at level 2
 * @MOCK_PT_NR_SIZES: number of page sizes
 */
enum mock_pt_size {
	MOCK_PT_4K,
	MOCK_PT_2M,
	MOCK_PT_1G,
	MOCK_PT_NR_SIZES
};

/**
 * struct mock_pt_counts - leaf entries (IOPTEs) by page size
 * @ioptes: leaves added or removed by one call, indexed by &enum mock_pt_size
 */
struct mock_pt_counts {
	u64 ioptes[MOCK_PT_NR_SIZES];
};

/**
 * struct mock_pt - the IO page table
 * @top: top-level (level 3) table; private to mock_pt.c
 * @pgsize_bitmap: page sizes maps may use (MOCK_PT_PGSIZE_* bits)
 * @ioptes: leaves present now, by &enum mock_pt_size
 * @table_pages: 4 KiB tables allocated now, the top one included
 */
struct mock_pt {
	u64 *top;
	u64 pgsize_bitmap;
	u64 ioptes[MOCK_PT_NR_SIZES];
	u64 table_pages;
};

/**
 * mock_pt_level_shift() - lowest IOVA bit that indexes a table at a level
 * @level: 0 (the 4 KiB leaf level) to MOCK_PT_LEVELS - 1; an &enum
 *	mock_pt_size is its leaf's level
 *
 * Return: 12 + 9 * @level; a leaf at @level maps 1 << that many bytes.
 */
static inline unsigned int mock_pt_level_shift(unsigned int level)
{
	return 12 + 9 * level;
}

int mock_pt_init(struct mock_pt *pt, u64 pgsize_bitmap);
void mock_pt_destroy(struct mock_pt *pt);
int mock_pt_map(struct mock_pt *pt, u64 iova, u64 paddr, u64 length,
		struct mock_pt_counts *added);
int mock_pt_unmap(struct mock_pt *pt, u64 iova, u64 length,
		  struct mock_pt_counts *removed);
bool mock_pt_translate(const struct mock_pt *pt, u64 iova, u64 *paddr,
		       enum mock_pt_size *leaf, u32 *walk_reads);

#endif /* PFNLAB_CORE_MOCK_PT_H */
