// SPDX-License-Identifier: GPL-2.0
/*
 * Reference IOTLB: per set, the cached tags in recency order (a hit moves
 * its tag to the front, a fill pushes at the front and drops the back).
 */
#include <stdlib.h>
#include <string.h>

#include "ref.h"

void ref_tlb_init(struct ref_tlb *ref, const u32 *entries, const u32 *ways)
{
	int s;

	memset(ref, 0, sizeof(*ref));
	for (s = 0; s < MOCK_PT_NR_SIZES; s++) {
		if (!entries[s])
			continue;
		ref->ways[s] = ways[s] ? ways[s] : entries[s];
		ref->sets[s] = entries[s] / ref->ways[s];
		ref->tags[s] = calloc(entries[s], sizeof(u64));
		ref->used[s] = calloc(ref->sets[s], sizeof(u32));
		if (!ref->tags[s] || !ref->used[s])
			abort();
	}
}

void ref_tlb_destroy(struct ref_tlb *ref)
{
	int s;

	for (s = 0; s < MOCK_PT_NR_SIZES; s++) {
		free(ref->tags[s]);
		free(ref->used[s]);
	}
	memset(ref, 0, sizeof(*ref));
}

/* One access; @mapped and @leaf are what a page-table walk would find. */
bool ref_tlb_access(struct ref_tlb *ref, u64 iova, bool mapped,
		    enum mock_pt_size leaf)
{
	u64 tag, *list;
	u32 s, set, i, *used;

	for (s = 0; s < MOCK_PT_NR_SIZES; s++) {
		if (!ref->ways[s])
			continue;
		tag = iova >> (12 + 9 * s);
		set = tag % ref->sets[s];
		list = ref->tags[s] + (u64)set * ref->ways[s];
		for (i = 0; i < ref->used[s][set]; i++) {
			if (list[i] == tag) {
				memmove(list + 1, list, i * sizeof(u64));
				list[0] = tag;
				return true;
			}
		}
	}
	if (!mapped || !ref->ways[leaf])
		return false;
	tag = iova >> (12 + 9 * leaf);
	set = tag % ref->sets[leaf];
	list = ref->tags[leaf] + (u64)set * ref->ways[leaf];
	used = &ref->used[leaf][set];
	if (*used < ref->ways[leaf])
		(*used)++;
	memmove(list + 1, list, (*used - 1) * sizeof(u64));
	list[0] = tag;
	return false;
}

/* Drop every cached page that overlaps [iova, iova + length). */
void ref_tlb_invalidate(struct ref_tlb *ref, u64 iova, u64 length)
{
	u64 *list, page_start, page_end, end = iova + length;
	u32 s, set, i, kept;

	if (!length)
		return;
	if (end < iova)
		end = UINT64_MAX; /* through the end of the space */
	for (s = 0; s < MOCK_PT_NR_SIZES; s++) {
		for (set = 0; set < ref->sets[s]; set++) {
			list = ref->tags[s] + (u64)set * ref->ways[s];
			for (i = kept = 0; i < ref->used[s][set]; i++) {
				page_start = list[i] << (12 + 9 * s);
				page_end = page_start +
					   ((1ULL << (12 + 9 * s)) - 1);
				if (page_end < iova || page_start >= end)
					list[kept++] = list[i];
			}
			ref->used[s][set] = kept;
		}
	}
}
