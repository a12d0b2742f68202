// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of mock_pt: bitmap validation, page-size selection for every
 * alignment case, bad input, -EEXIST rollback, unmap splitting, walk-read
 * counts per level, table freeing; and a seeded run against the reference.
 */
#include <stdlib.h>
#include <string.h>

#include "test_util.h"
#include "mock_pt.h"
#include "ref.h"

#define K4 MOCK_PT_PGSIZE_4K
#define M2 MOCK_PT_PGSIZE_2M
#define G1 MOCK_PT_PGSIZE_1G
#define ALL (K4 | M2 | G1)

static void assert_counts(const u64 *ioptes, u64 n4k, u64 n2m, u64 n1g)
{
	assert_int_equal(ioptes[MOCK_PT_4K], n4k);
	assert_int_equal(ioptes[MOCK_PT_2M], n2m);
	assert_int_equal(ioptes[MOCK_PT_1G], n1g);
}

static void assert_maps_to(const struct mock_pt *pt, u64 iova, u64 paddr,
			   enum mock_pt_size size)
{
	enum mock_pt_size leaf;
	u64 got;
	u32 reads;

	assert_true(mock_pt_translate(pt, iova, &got, &leaf, &reads));
	assert_int_equal(got, paddr);
	assert_int_equal(leaf, size);
	assert_int_equal(reads, MOCK_PT_LEVELS - size);
}

static void assert_unmapped(const struct mock_pt *pt, u64 iova, u32 reads)
{
	u32 got;

	assert_false(mock_pt_translate(pt, iova, NULL, NULL, &got));
	assert_int_equal(got, reads);
}

static void test_init_bitmap(void **state)
{
	struct mock_pt pt;

	(void)state;
	assert_int_equal(mock_pt_init(&pt, 0), -EINVAL);
	assert_int_equal(mock_pt_init(&pt, M2), -EINVAL);
	assert_int_equal(mock_pt_init(&pt, M2 | G1), -EINVAL);
	assert_int_equal(mock_pt_init(&pt, K4 | (1ULL << 13)), -EINVAL);
	assert_int_equal(mock_pt_init(&pt, ALL | (1ULL << 39)), -EINVAL);
	assert_null(pt.top);
	mock_pt_destroy(&pt); /* safe after a failed init */

	assert_int_equal(mock_pt_init(&pt, K4), 0);
	assert_int_equal(pt.table_pages, 1);
	assert_counts(pt.ioptes, 0, 0, 0);
	assert_unmapped(&pt, 0, 1);
	mock_pt_destroy(&pt);
	assert_int_equal(mock_pt_init(&pt, ALL), 0);
	assert_int_equal(pt.pgsize_bitmap, ALL);
	mock_pt_destroy(&pt);
}

struct size_case {
	u64 bitmap, iova, paddr, length;
	u64 n4k, n2m, n1g; /* leaves expected, by hand */
	u64 tables;	   /* tables expected, the top one included */
};

/* Every combination of IOVA/PA alignment and length against each bitmap. */
static const struct size_case size_cases[] = {
	/* 4 KiB only: always 4 KiB leaves; one level-0 table per 2 MiB. */
	{ K4, 0, 0, K4, 1, 0, 0, 4 },
	{ K4, M2, 4 * M2, M2, 512, 0, 0, 4 },
	{ K4, G1, G1, G1, 262144, 0, 0, 3 + 512 },
	/* 4K|2M */
	{ K4 | M2, M2, 4 * M2, M2, 0, 1, 0, 3 },
	{ K4 | M2, M2, 4 * M2 + K4, M2, 512, 0, 0, 4 }, /* PA off */
	{ K4 | M2, M2 + K4, 4 * M2, M2, 512, 0, 0, 5 }, /* IOVA off: 2 tables */
	{ K4 | M2, M2, 4 * M2, M2 - K4, 511, 0, 0, 4 }, /* too short */
	{ K4 | M2, M2, 4 * M2, M2 + K4, 1, 1, 0, 4 },
	{ K4 | M2, M2 - K4, 2 * M2 - K4, M2 + 2 * K4, 2, 1, 0, 5 },
	{ K4 | M2, G1, G1, G1, 0, 512, 0, 3 }, /* no 1G in bitmap */
	/* 4K|2M|1G */
	{ ALL, G1, 2 * G1, G1, 0, 0, 1, 2 },
	{ ALL, G1, 2 * G1 + M2, G1, 0, 512, 0, 3 }, /* PA only 2M aligned */
	{ ALL, G1 + M2, 2 * G1, G1, 0, 512, 0, 4 }, /* IOVA only 2M aligned */
	{ ALL, G1, 2 * G1, G1 + M2 + K4, 1, 1, 1, 4 },
	{ ALL, G1 + K4, K4, G1, 512, 511, 0, 6 }, /* same 4K offset */
	{ ALL, G1 + K4, 2 * K4, G1, 262144, 0, 0, 4 + 513 }, /* never co-aligned */
	/* 4K|1G: a 2 MiB-aligned stretch still needs 4 KiB leaves */
	{ K4 | G1, G1, G1, G1 + M2, 512, 0, 1, 4 },
	{ K4 | G1, G1, G1 + M2, M2, 512, 0, 0, 4 },
	/* top of the IOVA space */
	{ ALL, (1ULL << 48) - G1, G1, G1, 0, 0, 1, 2 },
};

static void test_page_size_selection(void **state)
{
	struct mock_pt_counts added;
	struct mock_pt pt;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(size_cases) / sizeof(size_cases[0]); i++) {
		const struct size_case *c = &size_cases[i];
		u64 last = c->length - K4;

		assert_int_equal(mock_pt_init(&pt, c->bitmap), 0);
		assert_int_equal(mock_pt_map(&pt, c->iova, c->paddr, c->length,
					     &added),
				 0);
		assert_counts(added.ioptes, c->n4k, c->n2m, c->n1g);
		assert_counts(pt.ioptes, c->n4k, c->n2m, c->n1g);
		assert_int_equal(pt.table_pages, c->tables);
		/* First, middle and last page translate, with an offset. */
		assert_true(
			mock_pt_translate(&pt, c->iova + 7, &last, NULL, NULL));
		assert_int_equal(last, c->paddr + 7);
		last = c->length / 2 & ~(K4 - 1);
		assert_true(mock_pt_translate(&pt, c->iova + last, &last, NULL,
					      NULL));
		assert_int_equal(last, c->paddr + (c->length / 2 & ~(K4 - 1)));
		assert_true(mock_pt_translate(&pt, c->iova + c->length - 1,
					      &last, NULL, NULL));
		assert_int_equal(last, c->paddr + c->length - 1);
		assert_false(mock_pt_translate(&pt, c->iova + c->length, NULL,
					       NULL, NULL));
		mock_pt_destroy(&pt);
	}
}

static void test_map_bad_input(void **state)
{
	struct mock_pt_counts added;
	struct mock_pt pt;

	(void)state;
	assert_int_equal(mock_pt_init(&pt, ALL), 0);
	assert_int_equal(mock_pt_map(&pt, 0, 0, 0, &added), -EINVAL);
	assert_int_equal(mock_pt_map(&pt, 1, 0, K4, &added), -EINVAL);
	assert_int_equal(mock_pt_map(&pt, 0, 8, K4, &added), -EINVAL);
	assert_int_equal(mock_pt_map(&pt, 0, 0, K4 + 1, &added), -EINVAL);
	assert_int_equal(mock_pt_map(&pt, (1ULL << 48) - K4, 0, 2 * K4, &added),
			 -EOVERFLOW);
	assert_int_equal(mock_pt_map(&pt, 1ULL << 48, 0, K4, &added),
			 -EOVERFLOW);
	assert_int_equal(mock_pt_map(&pt, U64_MAX - K4 + 1, 0, 2 * K4, &added),
			 -EOVERFLOW);
	assert_int_equal(mock_pt_map(&pt, 0, U64_MAX - K4 + 1, 2 * K4, &added),
			 -EOVERFLOW);
	assert_int_equal(mock_pt_unmap(&pt, 0, 0, &added), -EINVAL);
	assert_int_equal(mock_pt_unmap(&pt, K4 / 2, K4, &added), -EINVAL);
	assert_int_equal(mock_pt_unmap(&pt, 0, 1ULL << 49, &added), -EOVERFLOW);
	assert_int_equal(mock_pt_unmap(&pt, 0, K4, &added), -ENOENT);
	/* Nothing was left behind. */
	assert_int_equal(pt.table_pages, 1);
	assert_counts(pt.ioptes, 0, 0, 0);
	assert_counts(added.ioptes, 0, 0, 0);
	/* The last page of the IOVA space is mappable; NULL counts are fine. */
	assert_int_equal(mock_pt_map(&pt, (1ULL << 48) - K4, 0, K4, NULL), 0);
	assert_int_equal(mock_pt_unmap(&pt, (1ULL << 48) - K4, K4, NULL), 0);
	assert_int_equal(pt.table_pages, 1);
	mock_pt_destroy(&pt);
}

static void test_map_overlap_rolls_back(void **state)
{
	struct mock_pt_counts added = { { 9, 9, 9 } };
	struct mock_pt pt;

	(void)state;
	assert_int_equal(mock_pt_init(&pt, ALL), 0);
	assert_int_equal(mock_pt_map(&pt, G1 + 2 * K4, 0x100000, 2 * K4, NULL),
			 0);
	assert_int_equal(pt.table_pages, 4);

	/* Overlaps at its end: nothing of it stays. */
	assert_int_equal(mock_pt_map(&pt, G1, 0x200000, 3 * K4, &added),
			 -EEXIST);
	assert_counts(added.ioptes, 0, 0, 0);
	assert_unmapped(&pt, G1, 4);
	assert_unmapped(&pt, G1 + K4, 4);
	assert_maps_to(&pt, G1 + 2 * K4, 0x100000, MOCK_PT_4K);
	assert_counts(pt.ioptes, 2, 0, 0);
	assert_int_equal(pt.table_pages, 4);

	/* A large map over it (would be one 1 GiB leaf) fails the same way. */
	assert_int_equal(mock_pt_map(&pt, G1, G1, G1, &added), -EEXIST);
	assert_int_equal(mock_pt_map(&pt, 0, 0, 2 * G1, &added), -EEXIST);
	assert_unmapped(&pt, 0, 2);
	assert_counts(pt.ioptes, 2, 0, 0);
	assert_int_equal(pt.table_pages, 4);

	/* The free neighbours are still mappable. */
	assert_int_equal(mock_pt_map(&pt, G1, 0x200000, 2 * K4, &added), 0);
	assert_int_equal(mock_pt_map(&pt, 0, 0, G1, &added), 0);
	assert_counts(added.ioptes, 0, 0, 1);
	assert_counts(pt.ioptes, 4, 0, 1);
	/* Inside a 1 GiB leaf. */
	assert_int_equal(mock_pt_map(&pt, G1 - K4, 0, K4, &added), -EEXIST);
	mock_pt_destroy(&pt);
}

static void test_unmap_splits(void **state)
{
	struct mock_pt_counts removed;
	struct mock_pt pt;
	const u64 pa = 5 * G1;

	(void)state;
	assert_int_equal(mock_pt_init(&pt, ALL), 0);
	assert_int_equal(mock_pt_map(&pt, G1, pa, G1, NULL), 0);
	assert_counts(pt.ioptes, 0, 0, 1);
	assert_int_equal(pt.table_pages, 2);

	/* One page out of the 1 GiB leaf: 1G -> 512 x 2M, one 2M -> 512 x 4K. */
	assert_int_equal(mock_pt_unmap(&pt, G1 + M2 + K4, K4, &removed), 0);
	assert_counts(removed.ioptes, 1, 0, 0);
	assert_counts(pt.ioptes, 511, 511, 0);
	assert_int_equal(pt.table_pages, 4);
	assert_maps_to(&pt, G1 + 5, pa + 5, MOCK_PT_2M);
	assert_maps_to(&pt, G1 + M2, pa + M2, MOCK_PT_4K);
	assert_unmapped(&pt, G1 + M2 + K4, 4);
	assert_maps_to(&pt, G1 + M2 + 2 * K4, pa + M2 + 2 * K4, MOCK_PT_4K);
	assert_maps_to(&pt, 2 * G1 - 1, pa + G1 - 1, MOCK_PT_2M);

	/* Not all mapped: -ENOENT, nothing unmapped. */
	assert_int_equal(mock_pt_unmap(&pt, G1, M2 + 2 * K4, &removed), -ENOENT);
	assert_counts(removed.ioptes, 0, 0, 0);
	assert_counts(pt.ioptes, 511, 511, 0);

	/* A whole 2M leaf and one 4K leaf: no further split. */
	assert_int_equal(mock_pt_unmap(&pt, G1, M2 + K4, &removed), 0);
	assert_counts(removed.ioptes, 1, 1, 0);
	assert_counts(pt.ioptes, 510, 510, 0);

	/* Across a 2M leaf boundary, partly: splits the 2M leaf at 4M. */
	assert_int_equal(mock_pt_unmap(&pt, G1 + 2 * K4 + M2, M2, &removed), 0);
	assert_counts(removed.ioptes, 510 + 2, 0, 0);
	assert_counts(pt.ioptes, 510, 509, 0);
	assert_maps_to(&pt, G1 + 2 * M2 + 2 * K4, pa + 2 * M2 + 2 * K4,
		       MOCK_PT_4K);
	assert_unmapped(&pt, G1 + 2 * M2 + K4, 4);

	/* The rest: every table but the top is freed. */
	assert_int_equal(mock_pt_unmap(&pt, G1 + 2 * M2 + 2 * K4,
				       G1 - 2 * M2 - 2 * K4, &removed),
			 0);
	assert_counts(removed.ioptes, 510, 509, 0);
	assert_counts(pt.ioptes, 0, 0, 0);
	assert_int_equal(pt.table_pages, 1);
	assert_unmapped(&pt, G1, 1);
	mock_pt_destroy(&pt);
}

static void test_unmap_split_without_2m(void **state)
{
	struct mock_pt_counts removed;
	struct mock_pt pt;

	(void)state;
	/* 4K|1G: a split 1 GiB leaf can only become 4 KiB leaves. */
	assert_int_equal(mock_pt_init(&pt, K4 | G1), 0);
	assert_int_equal(mock_pt_map(&pt, 0, G1, G1, NULL), 0);
	assert_int_equal(mock_pt_unmap(&pt, G1 / 2, K4, &removed), 0);
	assert_counts(removed.ioptes, 1, 0, 0);
	assert_counts(pt.ioptes, 262143, 0, 0);
	assert_int_equal(pt.table_pages, 3 + 512);
	assert_maps_to(&pt, G1 / 2 - K4, G1 + G1 / 2 - K4, MOCK_PT_4K);
	assert_unmapped(&pt, G1 / 2, 4);
	assert_int_equal(mock_pt_unmap(&pt, 0, G1 / 2, &removed), 0);
	assert_int_equal(mock_pt_unmap(&pt, G1 / 2 + K4, G1 / 2 - K4, &removed),
			 0);
	assert_counts(pt.ioptes, 0, 0, 0);
	assert_int_equal(pt.table_pages, 1);
	mock_pt_destroy(&pt);
}

static void test_walk_reads_per_level(void **state)
{
	struct mock_pt pt;
	const u64 top_span = 1ULL << 39;

	(void)state;
	assert_int_equal(mock_pt_init(&pt, ALL), 0);
	assert_int_equal(mock_pt_map(&pt, 0, 0, K4, NULL), 0); /* 4K */
	assert_int_equal(mock_pt_map(&pt, 4 * M2, 4 * M2, M2, NULL), 0); /* 2M */
	assert_int_equal(mock_pt_map(&pt, 3 * G1, 3 * G1, G1, NULL), 0); /* 1G */
	assert_maps_to(&pt, 0, 0, MOCK_PT_4K); /* 4 reads */
	assert_maps_to(&pt, 4 * M2 + 12345, 4 * M2 + 12345, MOCK_PT_2M); /* 3 */
	assert_maps_to(&pt, 3 * G1 + 999, 3 * G1 + 999, MOCK_PT_1G);	 /* 2 */

	assert_unmapped(&pt, K4, 4);	     /* level-0 entry not present */
	assert_unmapped(&pt, 2 * M2, 3);     /* level-1 entry not present */
	assert_unmapped(&pt, G1, 2);	     /* level-2 entry not present */
	assert_unmapped(&pt, top_span, 1);   /* top entry not present */
	assert_unmapped(&pt, 1ULL << 48, 0); /* outside the IOVA space */
	assert_unmapped(&pt, U64_MAX, 0);
	mock_pt_destroy(&pt);
}

/* Every allocation that can fail during a map, failing in turn: rolled back. */
static void test_map_enomem_rolls_back(void **state)
{
	struct mock_pt_counts added;
	struct mock_pt pt;
	long budget;
	int ret = -ENOMEM;

	(void)state;
	assert_int_equal(mock_pt_init(&pt, K4 | M2), 0);
	assert_int_equal(mock_pt_map(&pt, 0, 0, K4, NULL), 0); /* 4 tables */
	/* 4 KiB + 2 MiB + 4 KiB in a new 1 GiB region: up to 3 new tables. */
	for (budget = 0; ret == -ENOMEM; budget++) {
		pfnlab_shim_alloc_budget = budget;
		ret = mock_pt_map(&pt, G1 + M2 - K4, 2 * M2 - K4, M2 + 2 * K4,
				  &added);
		pfnlab_shim_alloc_budget = -1;
		if (ret != -ENOMEM)
			break;
		assert_int_equal(pt.table_pages, 4);
		assert_counts(pt.ioptes, 1, 0, 0);
		assert_counts(added.ioptes, 0, 0, 0);
		assert_unmapped(&pt, G1 + M2 - K4, 2);
		assert_unmapped(&pt, G1 + M2, 2);
	}
	assert_int_equal(ret, 0);
	assert_int_equal(budget, 3); /* L1 + 2 x L0 tables */
	assert_counts(added.ioptes, 2, 1, 0);
	assert_int_equal(pt.table_pages, 4 + 3);
	mock_pt_destroy(&pt);

	pfnlab_shim_alloc_budget = 0;
	assert_int_equal(mock_pt_init(&pt, K4), -ENOMEM);
	pfnlab_shim_alloc_budget = -1;
	assert_null(pt.top);
}

/* A split that runs out of memory leaves every translation as it was. */
static void test_unmap_split_enomem(void **state)
{
	struct mock_pt_counts removed;
	struct mock_pt pt;
	static const long budgets[] = { 0, 1, 100, 512 };
	size_t i;

	(void)state;
	/* 4K|1G: splitting the 1 GiB leaf needs 1 + 512 tables at once. */
	assert_int_equal(mock_pt_init(&pt, K4 | G1), 0);
	assert_int_equal(mock_pt_map(&pt, 0, G1, G1, NULL), 0);
	for (i = 0; i < sizeof(budgets) / sizeof(budgets[0]); i++) {
		pfnlab_shim_alloc_budget = budgets[i];
		assert_int_equal(mock_pt_unmap(&pt, M2, K4, &removed), -ENOMEM);
		pfnlab_shim_alloc_budget = -1;
		assert_counts(removed.ioptes, 0, 0, 0);
		assert_counts(pt.ioptes, 0, 0, 1);
		assert_int_equal(pt.table_pages, 2);
		assert_maps_to(&pt, M2, G1 + M2, MOCK_PT_1G);
	}
	pfnlab_shim_alloc_budget = 513;
	assert_int_equal(mock_pt_unmap(&pt, M2, K4, &removed), 0);
	pfnlab_shim_alloc_budget = -1;
	assert_counts(removed.ioptes, 1, 0, 0);
	assert_int_equal(pt.table_pages, 2 + 513);
	mock_pt_destroy(&pt);

	/* 4K|2M|1G: the second split (2M -> 4K) fails after the first. */
	assert_int_equal(mock_pt_init(&pt, ALL), 0);
	assert_int_equal(mock_pt_map(&pt, 0, G1, G1, NULL), 0);
	pfnlab_shim_alloc_budget = 1;
	assert_int_equal(mock_pt_unmap(&pt, M2 + K4, K4, &removed), -ENOMEM);
	pfnlab_shim_alloc_budget = -1;
	assert_counts(removed.ioptes, 0, 0, 0);
	/* Split into 2 MiB leaves, which stay; nothing unmapped. */
	assert_counts(pt.ioptes, 0, 512, 0);
	assert_maps_to(&pt, M2 + K4, G1 + M2 + K4, MOCK_PT_2M);
	mock_pt_destroy(&pt);
}

/*
 * A seeded sequence of maps, unmaps and translates against the reference.
 * Unmaps mostly target part of a recent map, so that splits happen; the
 * table is emptied every 100 operations so that maps keep finding room.
 */
static void test_random_against_reference(void **state)
{
	static const u64 bitmaps[] = { K4, K4 | M2, K4 | G1, ALL };
	const u64 base = 7 * G1, window = 2 * G1;
	struct mock_pt_counts got, want;
	enum mock_pt_size leaf_got, leaf_want;
	u64 rng = 5, iova, paddr, len, pa_got, pa_want,
	    recent[16][2] = { { 0 } };
	u32 reads_got, reads_want;
	struct ref_pt ref;
	struct mock_pt pt;
	bool mapped;
	/* outcomes, so that the mix of cases is checked too */
	int ret, maps = 0, unmaps = 0, eexist = 0, enoent = 0, n1g = 0;
	size_t b;
	int i;

	(void)state;
	ref_pt_init(&ref, base, window, K4);
	for (b = 0; b < sizeof(bitmaps) / sizeof(bitmaps[0]); b++) {
		for (i = 0; i < 1000; i++) {
			if (i % 100 == 0) {
				if (i)
					mock_pt_destroy(&pt);
				ref_pt_reset(&ref, bitmaps[b]);
				assert_int_equal(mock_pt_init(&pt, bitmaps[b]),
						 0);
			}
			if (i % 100 == 0 || test_rand(&rng) % 2) {
				iova = base + (test_rand(&rng) % 2) * G1 +
				       (test_rand(&rng) % 64) * M2 +
				       (test_rand(&rng) % 3 ?
						0 :
						(test_rand(&rng) % 512) * K4);
				len = test_rand(&rng) % 3 ?
					      (1 + test_rand(&rng) % 64) * K4 :
					      (1 + test_rand(&rng) % 3) * M2 +
						      (test_rand(&rng) % 2) *
							      K4 *
							      (test_rand(&rng) %
							       512);
				if (i % 100 == 0 || test_rand(&rng) % 32 == 0) {
					iova = base + (test_rand(&rng) % 2) * G1;
					len = G1;
				}
				if (iova + len > base + window)
					len = base + window - iova;
				/* PA co-aligned with the IOVA, or off by a few pages */
				paddr = (iova - base) +
					(test_rand(&rng) % 4 ?
						 0 :
						 K4 * (test_rand(&rng) % 4));
				ret = ref_pt_map(&ref, iova, paddr, len, &want);
				assert_int_equal(mock_pt_map(&pt, iova, paddr,
							     len, &got),
						 ret);
				if (!ret) {
					recent[maps % 16][0] = iova;
					recent[maps % 16][1] = len;
				}
				maps += !ret;
			} else {
				paddr = test_rand(&rng) % 16;
				iova = recent[paddr][0];
				len = recent[paddr][1] / K4;
				if (!len || test_rand(&rng) % 8 == 0) {
					iova = base + (test_rand(&rng) %
						       (window / K4)) *
							      K4;
					len = 1 + test_rand(&rng) % 1024;
				}
				/* a random part of it */
				paddr = test_rand(&rng) % len;
				iova += paddr * K4;
				len = (1 + test_rand(&rng) % (len - paddr)) * K4;
				if (iova + len > base + window)
					len = base + window - iova;
				ret = ref_pt_unmap(&ref, iova, len, &want);
				assert_int_equal(mock_pt_unmap(&pt, iova, len,
							       &got),
						 ret);
				unmaps += !ret;
			}
			eexist += ret == -EEXIST;
			enoent += ret == -ENOENT;
			n1g += pt.ioptes[MOCK_PT_1G] != 0;
			assert_memory_equal(&got, &want, sizeof(got));
			assert_memory_equal(pt.ioptes, ref.ioptes,
					    sizeof(ref.ioptes));
			assert_int_equal(pt.table_pages,
					 ref_pt_table_pages(&ref));
			iova = base + (test_rand(&rng) % (window / K4)) * K4 +
			       test_rand(&rng) % K4;
			mapped = ref_pt_translate(&ref, iova, &pa_want,
						  &leaf_want, &reads_want);
			assert_int_equal(mock_pt_translate(&pt, iova, &pa_got,
							   &leaf_got, &reads_got),
					 mapped);
			assert_int_equal(reads_got, reads_want);
			if (mapped) {
				assert_int_equal(pa_got, pa_want);
				assert_int_equal(leaf_got, leaf_want);
			}
		}
		mock_pt_destroy(&pt);
	}
	ref_pt_destroy(&ref);
	assert_true(maps > 400 && unmaps > 400 && eexist > 100 &&
		    enoent > 100 && n1g > 50);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_bitmap),
		cmocka_unit_test(test_page_size_selection),
		cmocka_unit_test(test_map_bad_input),
		cmocka_unit_test(test_map_overlap_rolls_back),
		cmocka_unit_test(test_unmap_splits),
		cmocka_unit_test(test_unmap_split_without_2m),
		cmocka_unit_test(test_walk_reads_per_level),
		cmocka_unit_test(test_map_enomem_rolls_back),
		cmocka_unit_test(test_unmap_split_enomem),
		cmocka_unit_test(test_random_against_reference),
	};

	return cmocka_run_group_tests_name("mock_pt", tests, NULL, NULL);
}
