// SPDX-License-Identifier: GPL-2.0
/*
 * PFNs through every tier, and the mock domain, against /proc/self/pagemap,
 * for 4 KiB, THP and hugetlb 2 MiB memory.
 *
 * The truth is pagemap: the PFN the kernel's page tables hold for each page.
 * READ must return exactly that from the origin, from the xarray of an access
 * and from a domain that maps the index; MAP must build the IO page table
 * that a hand-written reference computes from the same PFNs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab.h"

#define BUF_BYTES (8UL << 20) /* four 2 MiB pages: room for both halves */
#define IOVA_BASE (1UL << 30) /* 1 GiB aligned, so every leaf size can fit */
#define PGSIZE_ALL (LAB_PAGE_SIZE | LAB_HUGE_2M | (1UL << 30))

/*
 * Reference IO page table shape: walking the pages in IOVA order, a 2 MiB
 * leaf wherever the IOVA and the PFN are 2 MiB aligned and the next 512
 * pages are physically contiguous; a 4 KiB leaf otherwise.  (The buffers
 * here are too small for a 1 GiB leaf.)
 */
static void reference_ioptes(const uint64_t *truth, size_t npages, uint64_t iova,
			     uint64_t pgsize_bitmap, uint64_t ioptes[PFNLAB_PGSIZE_NR])
{
	const size_t per_2m = LAB_HUGE_2M / LAB_PAGE_SIZE;
	size_t i = 0, j;

	memset(ioptes, 0, PFNLAB_PGSIZE_NR * sizeof(ioptes[0]));
	while (i < npages) {
		int leaf_2m = (pgsize_bitmap & LAB_HUGE_2M) &&
			      (iova + i * LAB_PAGE_SIZE) % LAB_HUGE_2M == 0 &&
			      truth[i] % per_2m == 0 && i + per_2m <= npages;

		for (j = 1; leaf_2m && j < per_2m; j++)
			if (truth[i + j] != truth[i] + j)
				leaf_2m = 0;
		if (leaf_2m) {
			ioptes[PFNLAB_PGSIZE_2M]++;
			i += per_2m;
		} else {
			ioptes[PFNLAB_PGSIZE_4K]++;
			i++;
		}
	}
}

/*
 * Origin, then xarray (ACCESS_PIN of the first quarter), then domain (MAP
 * of the second quarter): each READ must take every index from the cheapest
 * tier that holds it, and give pagemap's PFN.
 */
static void check_tiers(enum lab_kind kind, struct pfnlab_reader_opts opts)
{
	struct lab_buf buf;
	struct pfnlab_read rd;
	struct pfnlab_map map;
	size_t npages, quarter;
	uint64_t *truth, *pfns;
	uint8_t *tiers;
	uint32_t pages_id, domain_id, access_id;
	int fd = lab_open(), anchor;

	lab_buf_alloc(&buf, kind, BUF_BYTES);
	npages = lab_buf_npages(&buf);
	quarter = npages / 4;
	truth = calloc(npages, sizeof(*truth));
	pfns = calloc(npages, sizeof(*pfns));
	tiers = calloc(npages, 1);
	assert_true(truth && pfns && tiers);
	anchor = lab_anchor(&buf);
	lab_pagemap(buf.ptr, npages, truth);

	pages_id = lab_pages_create(fd, buf.ptr, buf.length, PFNLAB_PAGES_WRITABLE,
				    PFNLAB_ACCOUNT_USER);
	assert_int_equal(lab_read(fd, pages_id, 0, buf.length, pfns, tiers, opts, &rd), 0);
	lab_expect_tier(pfns, tiers, truth, 0, npages, PFNLAB_TIER_ORIGIN);
	assert_int_equal(rd.out.pfns_by_tier[PFNLAB_TIER_ORIGIN], npages);
	/* A READ pins what no one holds only for its own duration. */
	assert_int_equal(lab_pages_info(fd, pages_id).out_npinned, 0);

	assert_int_equal(lab_access_pin(fd, pages_id, 0, quarter * LAB_PAGE_SIZE, &access_id), 0);
	domain_id = lab_mock_domain(fd, 0);
	assert_int_equal(lab_map(fd, domain_id, pages_id, quarter * LAB_PAGE_SIZE,
				 quarter * LAB_PAGE_SIZE, IOVA_BASE, opts, &map),
			 0);
	assert_int_equal(lab_pages_info(fd, pages_id).out_npinned, 2 * quarter);

	memset(pfns, 0, npages * sizeof(*pfns));
	memset(tiers, 0xff, npages);
	assert_int_equal(lab_read(fd, pages_id, 0, buf.length, pfns, tiers, opts, &rd), 0);
	lab_expect_tier(pfns, tiers, truth, 0, quarter, PFNLAB_TIER_XARRAY);
	lab_expect_tier(pfns, tiers, truth, quarter, quarter, PFNLAB_TIER_DOMAIN);
	lab_expect_tier(pfns, tiers, truth, 2 * quarter, npages - 2 * quarter, PFNLAB_TIER_ORIGIN);
	assert_int_equal(rd.out.pfns_by_tier[PFNLAB_TIER_XARRAY], quarter);
	assert_int_equal(rd.out.pfns_by_tier[PFNLAB_TIER_DOMAIN], quarter);
	assert_int_equal(rd.out.pfns_by_tier[PFNLAB_TIER_ORIGIN], npages - 2 * quarter);
	assert_int_equal(lab_pages_info(fd, pages_id).out_npinned, 2 * quarter);

	assert_int_equal(lab_unmap(fd, domain_id, IOVA_BASE, quarter * LAB_PAGE_SIZE, NULL), 0);
	assert_int_equal(lab_access_unpin(fd, access_id), 0);
	assert_int_equal(lab_pages_info(fd, pages_id).out_npinned, 0);
	assert_int_equal(lab_destroy(fd, domain_id), 0);
	assert_int_equal(lab_destroy(fd, pages_id), 0);
	close(fd);
	close(anchor);
	free(truth);
	free(pfns);
	free(tiers);
	lab_buf_free(&buf);
}

/*
 * MAP the whole buffer into a mock domain at @iova with @fill and check:
 * every IOVA translates (domain tier of READ) to pagemap's PFN, IOPTEs by
 * size equal the reference, runs equal pagemap's contiguous stretches when
 * one batch held them all.  Returns the runs, for comparing strategies.
 */
static uint64_t check_mock_map_on(const struct lab_buf *bufp, uint64_t iova, uint64_t pgsize_bitmap,
				  uint32_t fill, uint64_t expect_2m_leaves)
{
	struct pfnlab_reader_opts opts = lab_opts(512, 4096, fill);
	uint64_t want[PFNLAB_PGSIZE_NR];
	struct lab_buf buf = *bufp;
	struct pfnlab_map map;
	struct pfnlab_read rd;
	struct pfnlab_unmap um;
	uint64_t *truth, *pfns, runs;
	uint8_t *tiers;
	size_t npages;
	uint32_t pages_id, domain_id;
	int fd = lab_open(), anchor;

	npages = lab_buf_npages(&buf);
	truth = calloc(npages, sizeof(*truth));
	pfns = calloc(npages, sizeof(*pfns));
	tiers = calloc(npages, 1);
	assert_true(truth && pfns && tiers);
	anchor = lab_anchor(&buf);
	lab_pagemap(buf.ptr, npages, truth);

	pages_id = lab_pages_create(fd, buf.ptr, buf.length, PFNLAB_PAGES_WRITABLE,
				    PFNLAB_ACCOUNT_USER);
	domain_id = lab_mock_domain(fd, pgsize_bitmap);
	assert_int_equal(lab_map(fd, domain_id, pages_id, 0, buf.length, iova, opts, &map), 0);
	assert_int_equal(map.out.npinned, npages);
	assert_int_equal(map.out.pfns_by_tier[PFNLAB_TIER_ORIGIN], npages);

	reference_ioptes(truth, npages, iova, pgsize_bitmap ? pgsize_bitmap : PGSIZE_ALL, want);
	assert_int_equal(map.out.ioptes[PFNLAB_PGSIZE_4K], want[PFNLAB_PGSIZE_4K]);
	assert_int_equal(map.out.ioptes[PFNLAB_PGSIZE_2M], want[PFNLAB_PGSIZE_2M]);
	assert_int_equal(map.out.ioptes[PFNLAB_PGSIZE_1G], 0);
	if (expect_2m_leaves != UINT64_MAX)
		assert_int_equal(map.out.ioptes[PFNLAB_PGSIZE_2M], expect_2m_leaves);
	if (map.out.batch_refills == 1)
		assert_int_equal(map.out.runs, lab_count_runs(truth, npages));
	else
		assert_true(map.out.runs >= lab_count_runs(truth, npages));
	runs = map.out.runs;

	assert_int_equal(lab_read(fd, pages_id, 0, buf.length, pfns, tiers, opts, &rd), 0);
	lab_expect_tier(pfns, tiers, truth, 0, npages, PFNLAB_TIER_DOMAIN);

	assert_int_equal(lab_unmap(fd, domain_id, iova, buf.length, &um), 0);
	assert_int_equal(um.out_unmapped, buf.length);
	assert_int_equal(um.out.ioptes[PFNLAB_PGSIZE_4K], want[PFNLAB_PGSIZE_4K]);
	assert_int_equal(um.out.ioptes[PFNLAB_PGSIZE_2M], want[PFNLAB_PGSIZE_2M]);
	assert_int_equal(lab_pages_info(fd, pages_id).out_npinned, 0);
	assert_int_equal(lab_destroy(fd, domain_id), 0);
	assert_int_equal(lab_destroy(fd, pages_id), 0);
	close(fd);
	close(anchor);
	free(truth);
	free(pfns);
	free(tiers);
	return runs;
}

static uint64_t check_mock_map(enum lab_kind kind, uint64_t iova, uint64_t pgsize_bitmap,
			       uint32_t fill, uint64_t expect_2m_leaves)
{
	struct lab_buf buf;
	uint64_t runs;

	lab_buf_alloc(&buf, kind, BUF_BYTES);
	runs = check_mock_map_on(&buf, iova, pgsize_bitmap, fill, expect_2m_leaves);
	lab_buf_free(&buf);
	return runs;
}

/* Both fill strategies must produce the same runs on the same memory. */
static void check_fill_strategies(enum lab_kind kind)
{
	struct lab_buf buf;
	uint64_t runs_ref, runs_aware, *before, *after;
	size_t npages;
	int anchor;

	lab_buf_alloc(&buf, kind, BUF_BYTES);
	npages = lab_buf_npages(&buf);
	before = calloc(npages, sizeof(*before));
	after = calloc(npages, sizeof(*after));
	assert_true(before && after);
	anchor = lab_anchor(&buf);
	lab_pagemap(buf.ptr, npages, before);
	runs_ref = check_mock_map_on(&buf, IOVA_BASE, 0, PFNLAB_FILL_PER_PAGE, UINT64_MAX);
	runs_aware = check_mock_map_on(&buf, IOVA_BASE, 0, PFNLAB_FILL_RUN_AWARE, UINT64_MAX);
	/* The same memory both times, or the comparison means nothing. */
	lab_pagemap(buf.ptr, npages, after);
	close(anchor);
	assert_memory_equal(before, after, npages * sizeof(*before));
	assert_int_equal(runs_ref, runs_aware);
	free(before);
	free(after);
	lab_buf_free(&buf);
}

/*
 * Exact per-page equality of both strategies on one pages object: a READ
 * with each gives the same PFN sequence, and the same run count.
 */
static void check_fill_same_pfns(enum lab_kind kind)
{
	struct lab_buf buf;
	struct pfnlab_read rd_ref, rd_aware;
	uint64_t *a, *b;
	size_t npages;
	uint32_t pages_id;
	int fd = lab_open(), anchor;

	lab_buf_alloc(&buf, kind, BUF_BYTES);
	npages = lab_buf_npages(&buf);
	a = calloc(npages, sizeof(*a));
	b = calloc(npages, sizeof(*b));
	assert_true(a && b);
	anchor = lab_anchor(&buf);
	pages_id = lab_pages_create(fd, buf.ptr, buf.length, 0, PFNLAB_ACCOUNT_USER);
	/* Small GUP calls and a small batch: many refills, runs cut at edges. */
	assert_int_equal(lab_read(fd, pages_id, 0, buf.length, a, NULL,
				  lab_opts(7, 3, PFNLAB_FILL_PER_PAGE), &rd_ref),
			 0);
	assert_int_equal(lab_read(fd, pages_id, 0, buf.length, b, NULL,
				  lab_opts(7, 3, PFNLAB_FILL_RUN_AWARE), &rd_aware),
			 0);
	assert_memory_equal(a, b, npages * sizeof(*a));
	assert_int_equal(rd_ref.out.runs, rd_aware.out.runs);
	assert_int_equal(rd_ref.out.batch_refills, rd_aware.out.batch_refills);
	/* Three runs per batch: at least one refill per three stretches. */
	assert_true(rd_ref.out.batch_refills >= (lab_count_runs(a, npages) + 2) / 3);
	lab_pagemap(buf.ptr, npages, b);
	assert_memory_equal(a, b, npages * sizeof(*a));
	assert_int_equal(lab_destroy(fd, pages_id), 0);
	close(fd);
	close(anchor);
	free(a);
	free(b);
	lab_buf_free(&buf);
}

#define PER_KIND(kind, suffix)                                                                \
	static void test_tiers_##suffix(void **state)                                         \
	{                                                                                     \
		(void)state;                                                                  \
		check_tiers(kind, lab_default_opts());                                        \
	}                                                                                     \
	static void test_tiers_small_batches_##suffix(void **state)                           \
	{                                                                                     \
		(void)state;                                                                  \
		check_tiers(kind, lab_opts(3, 2, PFNLAB_FILL_PER_PAGE));                      \
	}                                                                                     \
	static void test_mock_fill_strategies_##suffix(void **state)                          \
	{                                                                                     \
		(void)state;                                                                  \
		check_fill_strategies(kind);                                                  \
	}                                                                                     \
	static void test_mock_4k_only_##suffix(void **state)                                  \
	{                                                                                     \
		(void)state;                                                                  \
		check_mock_map(kind, IOVA_BASE, LAB_PAGE_SIZE, PFNLAB_FILL_RUN_AWARE, 0);     \
	}                                                                                     \
	static void test_mock_misaligned_iova_##suffix(void **state)                          \
	{                                                                                     \
		(void)state;                                                                  \
		/* IOVA 4 KiB off 2 MiB alignment: no 2 MiB leaf can be used. */              \
		check_mock_map(kind, IOVA_BASE + LAB_PAGE_SIZE, 0, PFNLAB_FILL_RUN_AWARE, 0); \
	}                                                                                     \
	static void test_fill_same_pfns_##suffix(void **state)                                \
	{                                                                                     \
		(void)state;                                                                  \
		check_fill_same_pfns(kind);                                                   \
	}

PER_KIND(LAB_4K, 4k)
PER_KIND(LAB_THP, thp)
PER_KIND(LAB_HUGETLB_2M, hugetlb_2m)

/* A 2 MiB aligned hugetlb buffer at a 2 MiB aligned IOVA: 2 MiB leaves only. */
static void test_mock_hugetlb_2m_leaves(void **state)
{
	(void)state;
	check_mock_map(LAB_HUGETLB_2M, IOVA_BASE, 0, PFNLAB_FILL_RUN_AWARE, BUF_BYTES / LAB_HUGE_2M);
	check_mock_map(LAB_HUGETLB_2M, IOVA_BASE, 0, PFNLAB_FILL_PER_PAGE, BUF_BYTES / LAB_HUGE_2M);
}

#define KIND_TESTS(suffix)                                                                          \
	LAB_TEST(test_tiers_##suffix), LAB_TEST(test_tiers_small_batches_##suffix),                 \
		LAB_TEST(test_mock_fill_strategies_##suffix),                                       \
		LAB_TEST(test_mock_4k_only_##suffix), LAB_TEST(test_mock_misaligned_iova_##suffix), \
		LAB_TEST(test_fill_same_pfns_##suffix)

int main(void)
{
	const struct CMUnitTest tests[] = {
		KIND_TESTS(4k),
		KIND_TESTS(thp),
		KIND_TESTS(hugetlb_2m),
		LAB_TEST(test_mock_hugetlb_2m_leaves),
	};

	return LAB_RUN("tiers", tests);
}
