// SPDX-License-Identifier: GPL-2.0
/*
 * mock_pt: software 4-level IO page table (see mock_pt.h for the model).
 *
 * Shared core: builds in the module and, through driver/core/shim/, in
 * userspace, so it may only use the kernel APIs the shim provides.
 */
#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/minmax.h>
#include <linux/overflow.h>
#include <linux/slab.h>

#include "mock_pt.h"

/*
 * Entry format.  Tables are kzalloc()ed, so their addresses are at least
 * 8-byte aligned and the low two bits are free for flags; leaf addresses
 * are at least 4 KiB aligned.
 *   not present: 0
 *   table:       virtual address of the lower table | PTE_PRESENT
 *   leaf:        physical address | PTE_LEAF | PTE_PRESENT
 */
#define PTE_PRESENT BIT_ULL(0)
#define PTE_LEAF BIT_ULL(1)
#define PTE_FLAGS (PTE_PRESENT | PTE_LEAF)
#define PTE_LEAF_ADDR (~(MOCK_PT_PGSIZE_4K - 1))
#define TOP_LEVEL (MOCK_PT_LEVELS - 1)
#define IOVA_LIMIT (1ULL << MOCK_PT_IOVA_BITS)

/* Bytes one entry of a table at @level covers. */
static u64 level_span(unsigned int level)
{
	return 1ULL << mock_pt_level_shift(level);
}

static unsigned int pte_index(u64 iova, unsigned int level)
{
	return (iova >> mock_pt_level_shift(level)) &
	       (MOCK_PT_TABLE_ENTRIES - 1);
}

static bool pte_is_leaf(u64 pte)
{
	return pte & PTE_LEAF;
}

static bool pte_is_table(u64 pte)
{
	return (pte & PTE_FLAGS) == PTE_PRESENT;
}

static u64 *pte_table(u64 pte)
{
	return (u64 *)(uintptr_t)(pte & ~PTE_FLAGS);
}

static u64 table_pte(const u64 *table)
{
	return (u64)(uintptr_t)table | PTE_PRESENT;
}

/* First IOVA after @iova that starts a new entry of a table at @level. */
static u64 entry_end(u64 iova, unsigned int level)
{
	return (iova | (level_span(level) - 1)) + 1;
}

static u64 *table_alloc(struct mock_pt *pt)
{
	u64 *table = kzalloc(MOCK_PT_TABLE_ENTRIES * sizeof(u64),
			     GFP_KERNEL_ACCOUNT);

	if (table)
		pt->table_pages++;
	return table;
}

/* Free @table (at @level) and everything below it, uncounting its leaves. */
static void free_subtree(struct mock_pt *pt, u64 *table, unsigned int level)
{
	unsigned int i;

	for (i = 0; i < MOCK_PT_TABLE_ENTRIES; i++) {
		if (pte_is_leaf(table[i]))
			pt->ioptes[level]--;
		else if (pte_is_table(table[i]))
			free_subtree(pt, pte_table(table[i]), level - 1);
	}
	kfree(table);
	pt->table_pages--;
}

static bool table_is_empty(const u64 *table)
{
	unsigned int i;

	for (i = 0; i < MOCK_PT_TABLE_ENTRIES; i++)
		if (table[i])
			return false;
	return true;
}

/* Whether any leaf maps a page of [start, end) (within @table's reach). */
static bool range_has_leaf(const u64 *table, unsigned int level, u64 start,
			   u64 end)
{
	u64 next, pte;

	for (; start < end; start = next) {
		next = entry_end(start, level);
		pte = table[pte_index(start, level)];
		if (pte_is_leaf(pte))
			return true;
		if (pte_is_table(pte) &&
		    range_has_leaf(pte_table(pte), level - 1, start,
				   min(next, end)))
			return true;
	}
	return false;
}

/* Whether every page of [start, end) is mapped by some leaf. */
static bool range_is_mapped(const u64 *table, unsigned int level, u64 start,
			    u64 end)
{
	u64 next, pte;

	for (; start < end; start = next) {
		next = entry_end(start, level);
		pte = table[pte_index(start, level)];
		if (pte_is_leaf(pte))
			continue;
		if (!pte_is_table(pte) ||
		    !range_is_mapped(pte_table(pte), level - 1, start,
				     min(next, end)))
			return false;
	}
	return true;
}

/*
 * Remove every leaf in [start, end), counting it in @removed (may be NULL),
 * and free each lower table that this leaves empty.  The caller has made
 * sure that no leaf crosses @start or @end.
 */
static void remove_range(struct mock_pt *pt, u64 *table, unsigned int level,
			 u64 start, u64 end, struct mock_pt_counts *removed)
{
	u64 next, *child;

	for (; start < end; start = next) {
		u64 *pte = &table[pte_index(start, level)];

		next = entry_end(start, level);
		if (pte_is_leaf(*pte)) {
			*pte = 0;
			pt->ioptes[level]--;
			if (removed)
				removed->ioptes[level]++;
		} else if (pte_is_table(*pte)) {
			child = pte_table(*pte);
			remove_range(pt, child, level - 1, start,
				     min(next, end), removed);
			if (table_is_empty(child)) {
				*pte = 0;
				kfree(child);
				pt->table_pages--;
			}
		}
	}
}

/*
 * Build a table at @level that maps the level_span(@level + 1) bytes at
 * @paddr with the largest leaves the bitmap allows below that span.
 * Return: the table, or NULL (nothing left allocated) when out of memory.
 */
static u64 *build_split_table(struct mock_pt *pt, unsigned int level, u64 paddr)
{
	bool leaf_ok = !level || (pt->pgsize_bitmap & level_span(level));
	u64 *table = table_alloc(pt), *child;
	unsigned int i;

	if (!table)
		return NULL;
	for (i = 0; i < MOCK_PT_TABLE_ENTRIES; i++) {
		u64 entry_paddr = paddr + i * level_span(level);

		if (leaf_ok) {
			table[i] = entry_paddr | PTE_LEAF | PTE_PRESENT;
			pt->ioptes[level]++;
			continue;
		}
		child = build_split_table(pt, level - 1, entry_paddr);
		if (!child) {
			free_subtree(pt, table, level);
			return NULL;
		}
		table[i] = table_pte(child);
	}
	return table;
}

/*
 * Make @boundary a leaf boundary: split every large leaf that maps both
 * the page before and the page at @boundary.  Translations do not change.
 */
static int split_at(struct mock_pt *pt, u64 boundary)
{
	unsigned int level;
	u64 *table = pt->top, *split;

	if (!(boundary & (IOVA_LIMIT - 1)))
		return 0;
	for (level = TOP_LEVEL; level > 0; level--) {
		u64 *pte = &table[pte_index(boundary, level)];

		if (!(*pte & PTE_PRESENT))
			return 0;
		if (pte_is_leaf(*pte)) {
			if (!(boundary & (level_span(level) - 1)))
				return 0;
			split = build_split_table(pt, level - 1,
						  *pte & PTE_LEAF_ADDR);
			if (!split)
				return -ENOMEM;
			pt->ioptes[level]--;
			*pte = table_pte(split);
		}
		table = pte_table(*pte);
	}
	return 0;
}

/* Map one leaf at @level; the caller checked that the slot holds no leaf. */
static int install_leaf(struct mock_pt *pt, u64 iova, u64 paddr,
			unsigned int leaf_level)
{
	unsigned int level;
	u64 *table = pt->top, *pte, *child;

	for (level = TOP_LEVEL; level > leaf_level; level--) {
		pte = &table[pte_index(iova, level)];
		if (!(*pte & PTE_PRESENT)) {
			child = table_alloc(pt);
			if (!child)
				return -ENOMEM;
			*pte = table_pte(child);
		}
		table = pte_table(*pte);
	}
	pte = &table[pte_index(iova, leaf_level)];
	/* Only an empty table can be here: it gives way to the leaf. */
	if (pte_is_table(*pte))
		free_subtree(pt, pte_table(*pte), leaf_level - 1);
	*pte = paddr | PTE_LEAF | PTE_PRESENT;
	pt->ioptes[leaf_level]++;
	return 0;
}

/* Largest allowed leaf level for the next step of a map. */
static unsigned int pick_leaf_level(const struct mock_pt *pt, u64 iova,
				    u64 paddr, u64 remaining)
{
	unsigned int level;
	u64 size;

	for (level = MOCK_PT_1G; level > MOCK_PT_4K; level--) {
		size = level_span(level);
		if ((pt->pgsize_bitmap & size) &&
		    !((iova | paddr) & (size - 1)) && remaining >= size)
			return level;
	}
	return MOCK_PT_4K;
}

static int check_iova_range(u64 iova, u64 length)
{
	u64 end;

	if (!length || ((iova | length) & (MOCK_PT_PGSIZE_4K - 1)))
		return -EINVAL;
	if (check_add_overflow(iova, length, &end) || end > IOVA_LIMIT)
		return -EOVERFLOW;
	return 0;
}

/**
 * mock_pt_init() - create an empty IO page table
 * @pt: table to initialise; left zeroed on failure
 * @pgsize_bitmap: page sizes maps may use: MOCK_PT_PGSIZE_4K must be set,
 *                 MOCK_PT_PGSIZE_2M and MOCK_PT_PGSIZE_1G may be
 *
 * Allocates the top-level table (so @table_pages starts at 1).
 *
 * Return: 0; -EINVAL for a bitmap without 4 KiB or with any other bit;
 * -ENOMEM.
 */
int mock_pt_init(struct mock_pt *pt, u64 pgsize_bitmap)
{
	*pt = (struct mock_pt){};
	if (!(pgsize_bitmap & MOCK_PT_PGSIZE_4K) ||
	    (pgsize_bitmap & ~MOCK_PT_PGSIZE_ALL))
		return -EINVAL;
	pt->top = table_alloc(pt);
	if (!pt->top)
		return -ENOMEM;
	pt->pgsize_bitmap = pgsize_bitmap;
	return 0;
}

/**
 * mock_pt_destroy() - free every table, mapped or not
 * @pt: table from mock_pt_init(), successful or not; left zeroed
 */
void mock_pt_destroy(struct mock_pt *pt)
{
	if (pt->top)
		free_subtree(pt, pt->top, TOP_LEVEL);
	*pt = (struct mock_pt){};
}

/**
 * mock_pt_map() - map [@iova, @iova + @length) to [@paddr, @paddr + @length)
 * @pt: the table
 * @iova: first IOVA, 4 KiB aligned
 * @paddr: first physical address, 4 KiB aligned
 * @length: bytes, a non-zero multiple of 4 KiB
 * @added: if not NULL, set to the leaves this call added by page size
 *         (all zero on failure)
 *
 * Each step uses the largest page size in the bitmap that the alignment of
 * the IOVA, the alignment of the physical address and the remaining length
 * allow.  The call is all or nothing: on any error the table is as before.
 *
 * Return: 0; -EINVAL for a zero length or an unaligned @iova, @paddr or
 * @length; -EOVERFLOW when the IOVA range passes 2^MOCK_PT_IOVA_BITS or
 * the physical range passes 2^64; -EEXIST when any page of the range is
 * already mapped; -ENOMEM.
 */
int mock_pt_map(struct mock_pt *pt, u64 iova, u64 paddr, u64 length,
		struct mock_pt_counts *added)
{
	struct mock_pt_counts counts = {};
	unsigned int level;
	u64 done, paddr_last;
	int ret;

	ret = check_iova_range(iova, length);
	if (!ret && (paddr & (MOCK_PT_PGSIZE_4K - 1)))
		ret = -EINVAL;
	if (!ret && check_add_overflow(paddr, length - 1, &paddr_last))
		ret = -EOVERFLOW;
	if (!ret && range_has_leaf(pt->top, TOP_LEVEL, iova, iova + length))
		ret = -EEXIST;

	for (done = 0; !ret && done < length; done += level_span(level)) {
		level = pick_leaf_level(pt, iova + done, paddr + done,
					length - done);
		ret = install_leaf(pt, iova + done, paddr + done, level);
		if (ret)
			/* Every leaf of the range is ours: take them back. */
			remove_range(pt, pt->top, TOP_LEVEL, iova,
				     iova + length, NULL);
		else
			counts.ioptes[level]++;
	}

	if (ret)
		counts = (struct mock_pt_counts){};
	if (added)
		*added = counts;
	return ret;
}

/**
 * mock_pt_unmap() - unmap [@iova, @iova + @length)
 * @pt: the table
 * @iova: first IOVA, 4 KiB aligned
 * @length: bytes, a non-zero multiple of 4 KiB
 * @removed: if not NULL, set to the leaves this call removed by page size
 *           (all zero on failure)
 *
 * The range need not match earlier maps: a large leaf that the range only
 * partly covers is split first (see mock_pt.h), so the pages outside the
 * range stay mapped in smaller leaves; @removed counts the leaves removed
 * after that split.  Tables left empty are freed.
 *
 * Return: 0; -EINVAL for a zero length or an unaligned @iova or @length;
 * -EOVERFLOW when the range passes 2^MOCK_PT_IOVA_BITS; -ENOENT when any
 * page of the range is not mapped (nothing is unmapped); -ENOMEM when a
 * split needs a table that cannot be allocated (nothing is unmapped, every
 * translation is as before, though a split already done stays split).
 */
int mock_pt_unmap(struct mock_pt *pt, u64 iova, u64 length,
		  struct mock_pt_counts *removed)
{
	struct mock_pt_counts counts = {};
	int ret;

	ret = check_iova_range(iova, length);
	if (!ret && !range_is_mapped(pt->top, TOP_LEVEL, iova, iova + length))
		ret = -ENOENT;
	if (!ret)
		ret = split_at(pt, iova);
	if (!ret)
		ret = split_at(pt, iova + length);
	if (!ret)
		remove_range(pt, pt->top, TOP_LEVEL, iova, iova + length,
			     &counts);

	if (removed)
		*removed = counts;
	return ret;
}

/**
 * mock_pt_translate() - walk the table for one IOVA
 * @pt: the table
 * @iova: any IOVA; bytes within the page are kept in *@paddr
 * @paddr: if not NULL and mapped, set to the physical address
 * @leaf: if not NULL and mapped, set to the page size of the leaf
 * @walk_reads: if not NULL, set to the entries the walk read: 4 for a
 *              4 KiB leaf, 3 for 2 MiB, 2 for 1 GiB; up to and including
 *              the first non-present entry when not mapped; 0 for an IOVA
 *              at or above 2^MOCK_PT_IOVA_BITS
 *
 * Return: true when @iova is mapped.
 */
bool mock_pt_translate(const struct mock_pt *pt, u64 iova, u64 *paddr,
		       enum mock_pt_size *leaf, u32 *walk_reads)
{
	const u64 *table = pt->top;
	unsigned int level;
	bool mapped = false;
	u32 reads = 0;
	u64 pte;

	for (level = MOCK_PT_LEVELS; iova < IOVA_LIMIT && level-- > 0;) {
		pte = table[pte_index(iova, level)];
		reads++;
		if (!(pte & PTE_PRESENT))
			break;
		if (pte_is_leaf(pte)) {
			if (paddr)
				*paddr = (pte & PTE_LEAF_ADDR) +
					 (iova & (level_span(level) - 1));
			if (leaf)
				*leaf = (enum mock_pt_size)level;
			mapped = true;
			break;
		}
		table = pte_table(pte);
	}
	if (walk_reads)
		*walk_reads = reads;
	return mapped;
}
