// SPDX-License-Identifier: GPL-2.0
/*
 * Reference IO page table: one record per 4 KiB page of a window (its
 * physical address and the size of the leaf that maps it), plus per-region
 * counts from which the walk length and the table count follow.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ref.h"

#define REF_PAGE 4096ULL
#define PAGES_PER_2M 512ULL
#define PAGES_PER_1G (512ULL * 512ULL)
#define IOVA_END (1ULL << 48)

static u64 size_bytes(int size)
{
	return REF_PAGE << (9 * size);
}

static bool size_allowed(const struct ref_pt *ref, int size)
{
	return size == MOCK_PT_4K || (ref->pgsize_bitmap & size_bytes(size));
}

static u64 page_index(const struct ref_pt *ref, u64 iova)
{
	if (iova < ref->base || iova - ref->base >= ref->npages * REF_PAGE) {
		fprintf(stderr, "ref_pt: iova %#llx outside the window\n",
			(unsigned long long)iova);
		abort();
	}
	return (iova - ref->base) / REF_PAGE;
}

void ref_pt_init(struct ref_pt *ref, u64 base, u64 window_bytes,
		 u64 pgsize_bitmap)
{
	memset(ref, 0, sizeof(*ref));
	/* One 512 GiB top-level entry holds the whole window. */
	if (base % size_bytes(MOCK_PT_1G) || !window_bytes ||
	    window_bytes % size_bytes(MOCK_PT_1G) ||
	    (base >> 39) != ((base + window_bytes - 1) >> 39))
		abort();
	ref->base = base;
	ref->npages = window_bytes / REF_PAGE;
	ref->pgsize_bitmap = pgsize_bitmap;
	ref->paddr = calloc(ref->npages, sizeof(*ref->paddr));
	ref->leaf = calloc(ref->npages, sizeof(*ref->leaf));
	ref->mapped_in_2m = calloc(ref->npages / PAGES_PER_2M, sizeof(u32));
	ref->small_in_2m = calloc(ref->npages / PAGES_PER_2M, sizeof(u32));
	ref->mapped_in_1g = calloc(ref->npages / PAGES_PER_1G, sizeof(u32));
	ref->small_in_1g = calloc(ref->npages / PAGES_PER_1G, sizeof(u32));
	if (!ref->paddr || !ref->leaf || !ref->mapped_in_2m ||
	    !ref->small_in_2m || !ref->mapped_in_1g || !ref->small_in_1g)
		abort();
}

/* Unmap everything, touching only the 2 MiB regions that hold mappings. */
void ref_pt_reset(struct ref_pt *ref, u64 pgsize_bitmap)
{
	u64 r, n2m = ref->npages / PAGES_PER_2M,
	       n1g = ref->npages / PAGES_PER_1G;

	for (r = 0; r < n2m; r++)
		if (ref->mapped_in_2m[r])
			memset(ref->leaf + r * PAGES_PER_2M, 0, PAGES_PER_2M);
	memset(ref->mapped_in_2m, 0, n2m * sizeof(u32));
	memset(ref->small_in_2m, 0, n2m * sizeof(u32));
	memset(ref->mapped_in_1g, 0, n1g * sizeof(u32));
	memset(ref->small_in_1g, 0, n1g * sizeof(u32));
	memset(ref->ioptes, 0, sizeof(ref->ioptes));
	ref->mapped = 0;
	ref->pgsize_bitmap = pgsize_bitmap;
}

void ref_pt_destroy(struct ref_pt *ref)
{
	free(ref->paddr);
	free(ref->leaf);
	free(ref->mapped_in_2m);
	free(ref->small_in_2m);
	free(ref->mapped_in_1g);
	free(ref->small_in_1g);
	memset(ref, 0, sizeof(*ref));
}

/* Record page @idx as mapped by a leaf of @size at @paddr, or (size < 0) unmapped. */
static void set_page(struct ref_pt *ref, u64 idx, int size, u64 paddr)
{
	u64 r2 = idx / PAGES_PER_2M, r1 = idx / PAGES_PER_1G;
	int old = (int)ref->leaf[idx] - 1;

	if (old >= 0) {
		ref->mapped--;
		ref->mapped_in_2m[r2]--;
		ref->mapped_in_1g[r1]--;
		ref->small_in_1g[r1] -= old < MOCK_PT_1G;
		ref->small_in_2m[r2] -= old == MOCK_PT_4K;
	}
	if (size >= 0) {
		ref->mapped++;
		ref->mapped_in_2m[r2]++;
		ref->mapped_in_1g[r1]++;
		ref->small_in_1g[r1] += size < MOCK_PT_1G;
		ref->small_in_2m[r2] += size == MOCK_PT_4K;
	}
	ref->leaf[idx] = (u8)(size + 1);
	ref->paddr[idx] = paddr;
}

static int check_iova(u64 iova, u64 length)
{
	if (!length || iova % REF_PAGE || length % REF_PAGE)
		return -EINVAL;
	if (iova > IOVA_END || length > IOVA_END - iova)
		return -EOVERFLOW;
	return 0;
}

int ref_pt_map(struct ref_pt *ref, u64 iova, u64 paddr, u64 length,
	       struct mock_pt_counts *added)
{
	u64 pos, off;
	int err, size;

	memset(added, 0, sizeof(*added));
	err = check_iova(iova, length);
	if (!err && paddr % REF_PAGE)
		err = -EINVAL;
	if (!err && paddr + (length - 1) < paddr)
		err = -EOVERFLOW;
	if (err)
		return err;
	for (pos = 0; pos < length; pos += REF_PAGE)
		if (ref->leaf[page_index(ref, iova + pos)])
			return -EEXIST;

	for (pos = 0; pos < length; pos += size_bytes(size)) {
		for (size = MOCK_PT_1G; size > MOCK_PT_4K; size--)
			if (size_allowed(ref, size) &&
			    (iova + pos) % size_bytes(size) == 0 &&
			    (paddr + pos) % size_bytes(size) == 0 &&
			    length - pos >= size_bytes(size))
				break;
		for (off = 0; off < size_bytes(size); off += REF_PAGE)
			set_page(ref, page_index(ref, iova + pos + off), size,
				 paddr + pos + off);
		ref->ioptes[size]++;
		added->ioptes[size]++;
	}
	return 0;
}

/*
 * If the leaf holding page @iova straddles @start or @end, replace it by
 * the largest allowed smaller leaves that do not.
 */
static void split_leaf(struct ref_pt *ref, u64 iova, u64 start, u64 end)
{
	int size = ref->leaf[page_index(ref, iova)] - 1, small;
	u64 leaf_start = iova & ~(size_bytes(size) - 1), q, bs, be;

	if (leaf_start >= start && leaf_start + size_bytes(size) <= end)
		return;
	ref->ioptes[size]--;
	for (q = leaf_start; q < leaf_start + size_bytes(size); q += REF_PAGE) {
		for (small = size - 1; small > MOCK_PT_4K; small--) {
			if (!size_allowed(ref, small))
				continue;
			bs = q & ~(size_bytes(small) - 1);
			be = bs + size_bytes(small);
			if (!(bs < start && start < be) &&
			    !(bs < end && end < be))
				break;
		}
		if (q % size_bytes(small) == 0)
			ref->ioptes[small]++;
		set_page(ref, page_index(ref, q), small,
			 ref->paddr[page_index(ref, q)]);
	}
}

int ref_pt_unmap(struct ref_pt *ref, u64 iova, u64 length,
		 struct mock_pt_counts *removed)
{
	u64 pos, idx;
	int err;

	memset(removed, 0, sizeof(*removed));
	err = check_iova(iova, length);
	if (err)
		return err;
	for (pos = 0; pos < length; pos += REF_PAGE)
		if (!ref->leaf[page_index(ref, iova + pos)])
			return -ENOENT;

	split_leaf(ref, iova, iova, iova + length);
	split_leaf(ref, iova + length - REF_PAGE, iova, iova + length);
	for (pos = 0; pos < length; pos += REF_PAGE) {
		int size;

		idx = page_index(ref, iova + pos);
		size = ref->leaf[idx] - 1;
		if ((iova + pos) % size_bytes(size) == 0) {
			ref->ioptes[size]--;
			removed->ioptes[size]++;
		}
		set_page(ref, idx, -1, 0);
	}
	return 0;
}

bool ref_pt_translate(const struct ref_pt *ref, u64 iova, u64 *paddr,
		      enum mock_pt_size *leaf, u32 *walk_reads)
{
	bool in_window = iova >= ref->base &&
			 iova - ref->base < ref->npages * REF_PAGE;
	u64 idx = in_window ? (iova - ref->base) / REF_PAGE : 0;
	u32 reads;

	if (iova >= IOVA_END) {
		*walk_reads = 0;
		return false;
	}
	if (in_window && ref->leaf[idx]) {
		*leaf = (enum mock_pt_size)(ref->leaf[idx] - 1);
		*paddr = ref->paddr[idx] + iova % REF_PAGE;
		*walk_reads = MOCK_PT_LEVELS - (u32)*leaf;
		return true;
	}
	/*
	 * Unmapped: the walk reads one entry per level until an entry is not
	 * present, and a lower table exists exactly while its region holds a
	 * mapping (empty tables are freed).
	 */
	reads = 1;
	if ((iova >> 39) == (ref->base >> 39) && ref->mapped) {
		reads++;
		if (in_window && ref->mapped_in_1g[idx / PAGES_PER_1G]) {
			reads++;
			if (ref->mapped_in_2m[idx / PAGES_PER_2M])
				reads++;
		}
	}
	*walk_reads = reads;
	return false;
}

u64 ref_pt_table_pages(const struct ref_pt *ref)
{
	u64 tables = 1 + (ref->mapped != 0), r;

	for (r = 0; r < ref->npages / PAGES_PER_1G; r++)
		tables += ref->small_in_1g[r] != 0;
	for (r = 0; r < ref->npages / PAGES_PER_2M; r++)
		tables += ref->small_in_2m[r] != 0;
	return tables;
}
