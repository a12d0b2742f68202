// SPDX-License-Identifier: GPL-2.0
/*
 * Reference pfn_batch: a flat list of PFNs; runs are counted from it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ref.h"

void ref_batch_init(struct ref_batch *ref, u32 capacity_runs, size_t max_pfns)
{
	ref->pfns = calloc(max_pfns ? max_pfns : 1, sizeof(*ref->pfns));
	if (!ref->pfns)
		abort();
	ref->npfns = 0;
	ref->nruns = 0;
	ref->max_pfns = max_pfns;
	ref->capacity_runs = capacity_runs;
}

void ref_batch_destroy(struct ref_batch *ref)
{
	free(ref->pfns);
	memset(ref, 0, sizeof(*ref));
}

void ref_batch_clear(struct ref_batch *ref)
{
	ref->npfns = 0;
	ref->nruns = 0;
}

/* b continues a stretch that ends with a (no wrap from U64_MAX to 0). */
static bool ref_follows(u64 a, u64 b)
{
	return a != UINT64_MAX && b == a + 1;
}

u64 ref_count_runs(const u64 *pfns, size_t npfns)
{
	u64 runs = 0;
	size_t i;

	for (i = 0; i < npfns; i++)
		if (i == 0 || !ref_follows(pfns[i - 1], pfns[i]))
			runs++;
	return runs;
}

bool ref_batch_add_pfn(struct ref_batch *ref, u64 pfn)
{
	bool extends = ref->npfns && ref_follows(ref->pfns[ref->npfns - 1], pfn);

	if (!extends && ref->nruns + 1 > ref->capacity_runs)
		return false;
	if (ref->npfns == ref->max_pfns)
		abort(); /* the test asked for more than it allocated */
	ref->pfns[ref->npfns++] = pfn;
	ref->nruns += !extends;
	return true;
}

u64 ref_batch_add_run(struct ref_batch *ref, u64 pfn, u64 npfns)
{
	u64 i;

	for (i = 0; i < npfns; i++) {
		if (i && pfn + i == 0)
			break; /* would wrap past U64_MAX */
		if (!ref_batch_add_pfn(ref, pfn + i))
			break;
	}
	return i;
}

size_t ref_batch_fill(struct ref_batch *ref, const u64 *pfns, size_t npfns)
{
	size_t i;

	for (i = 0; i < npfns; i++)
		if (!ref_batch_add_pfn(ref, pfns[i]))
			break;
	return i;
}

void ref_batch_skip(struct ref_batch *ref, u64 npfns)
{
	if (npfns >= ref->npfns) {
		ref_batch_clear(ref);
		return;
	}
	memmove(ref->pfns, ref->pfns + npfns,
		(ref->npfns - npfns) * sizeof(*ref->pfns));
	ref->npfns -= npfns;
	ref->nruns = ref_count_runs(ref->pfns, ref->npfns);
}

size_t ref_contig_len(const u64 *pfns, size_t npfns)
{
	size_t i;

	for (i = 1; i <= npfns; i++)
		if (i == npfns || !ref_follows(pfns[i - 1], pfns[i]))
			return i;
	return 0;
}

/*
 * Whether @batch holds exactly @ref's PFNs, in order, as maximal runs: each
 * run is contiguous and matches the list, and there are as many runs as the
 * list has maximal stretches, so runs split only where the list does.
 * Prints the first difference.
 */
bool ref_batch_matches(const struct ref_batch *ref,
		       const struct pfn_batch *batch)
{
	size_t pos = 0;
	u64 sum = 0, j;
	u32 r;

	for (r = 0; r < batch->nruns; r++) {
		if (!batch->run_npfns[r]) {
			fprintf(stderr, "run %u is empty\n", r);
			return false;
		}
		for (j = 0; j < batch->run_npfns[r]; j++, pos++) {
			if (pos >= ref->npfns ||
			    ref->pfns[pos] != batch->run_pfn[r] + j) {
				fprintf(stderr,
					"run %u pfn %llu differs at %zu\n", r,
					(unsigned long long)j, pos);
				return false;
			}
		}
		sum += batch->run_npfns[r];
	}
	if (pos != ref->npfns || sum != batch->total_pfns ||
	    batch->nruns != ref_count_runs(ref->pfns, ref->npfns) ||
	    batch->nruns != ref->nruns || batch->nruns > batch->capacity_runs) {
		fprintf(stderr,
			"batch: %u runs %llu pfns; ref: %llu runs %zu pfns\n",
			batch->nruns, (unsigned long long)batch->total_pfns,
			(unsigned long long)ref_count_runs(ref->pfns, ref->npfns),
			ref->npfns);
		return false;
	}
	return true;
}
