// SPDX-License-Identifier: GPL-2.0
/*
 * Buffers and placement against independent truths: get_mempolicy's view of
 * each page's node, /proc/kpageflags' THP and HUGE bits for each PFN, and
 * the hugetlb pool counters.  The tests that reserve hugetlb pages put the
 * pool back as they found it.
 */
#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <numa.h>
#include <numaif.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "memory.h"
#include "topology.h"

#define MIB (1024UL * 1024)
#define KPF_HUGE 17
#define KPF_THP 22

/* Node of the page at @addr per get_mempolicy (not move_pages). */
static int node_of(void *addr)
{
	int node = -1;

	if (get_mempolicy(&node, NULL, 0, addr, MPOL_F_NODE | MPOL_F_ADDR))
		return -1;
	return node;
}

/* Fraction of the 4 KiB pages of @b whose PFN kpageflags marks THP or HUGE. */
static double kpageflags_huge_fraction(const struct buffer *b)
{
	size_t n = b->size / 4096, huge = 0;
	uint64_t *pfns = calloc(n, sizeof(*pfns));
	int fd = open("/proc/kpageflags", O_RDONLY);

	assert_non_null(pfns);
	assert_true(fd >= 0);
	assert_int_equal(pagemap_read_pfns(b->addr, n, pfns), 0);
	for (size_t i = 0; i < n; i++) {
		uint64_t flags = 0;

		assert_int_equal(pread(fd, &flags, 8, (off_t)(pfns[i] * 8)), 8);
		huge += (flags >> KPF_THP & 1) || (flags >> KPF_HUGE & 1);
	}
	close(fd);
	free(pfns);
	return (double)huge / (double)n;
}

static void test_4k_on_node0(void **state)
{
	struct buffer b;
	struct placement p;
	char why[256];

	(void)state;
	assert_int_equal(buffer_alloc(&b, "4k", 8 * MIB, 0, why, sizeof(why)), BUF_OK);
	assert_int_equal(buffer_verify(&b, 0, &p), 0);
	/* Independent truth: every page's node per get_mempolicy. */
	for (size_t off = 0; off < b.size; off += 4096)
		assert_int_equal(node_of((char *)b.addr + off), 0);
	assert_true(p.on_node_fraction == 1.0);
	assert_true(p.huge_fraction == 0.0);
	assert_true(kpageflags_huge_fraction(&b) == 0.0);
	assert_true(p.ok);
	buffer_free(&b);
	assert_null(b.addr);
}

/* Pages never touched are on no node: move_pages must not count them. */
static void test_unfaulted_pages_not_counted(void **state)
{
	size_t len = 64 * 4096;
	char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	(void)state;
	assert_true(m != MAP_FAILED);
	assert_true(pages_on_node_fraction(m, 64, 0) == 0.0);
	for (size_t i = 0; i < 16; i++)
		m[i * 4096] = 1;
	assert_true(pages_on_node_fraction(m, 64, 0) == 16.0 / 64);
	munmap(m, len);
}

static void test_missing_node_skipped(void **state)
{
	struct buffer b;
	char why[256];
	int missing = topology_max_node() + 1;

	(void)state;
	assert_int_equal(buffer_alloc(&b, "4k", 8 * MIB, missing, why, sizeof(why)), BUF_SKIP);
	assert_non_null(strstr(why, "does not exist"));
	assert_null(b.addr);
	assert_int_equal(buffer_alloc(&b, "4k", 8 * MIB, 1000, why, sizeof(why)), BUF_SKIP);
	assert_null(b.addr);
}

/* THP: what the harness reports equals what kpageflags says of each PFN. */
static void test_thp_matches_kpageflags(void **state)
{
	struct buffer b;
	struct placement p;
	char why[256];
	int rc;

	(void)state;
	rc = buffer_alloc(&b, "thp", 16 * MIB, 0, why, sizeof(why));
	if (rc == BUF_SKIP)
		skip();
	assert_int_equal(rc, BUF_OK);
	assert_int_equal((uintptr_t)b.addr % (2 * MIB), 0);
	assert_int_equal(buffer_verify(&b, 0, &p), 0);
	assert_true(fabs(p.huge_fraction - kpageflags_huge_fraction(&b)) < 1e-9);
	/* ok exactly when (nearly) all of it came as huge pages */
	assert_int_equal(p.ok, p.huge_fraction >= 0.99);
	buffer_free(&b);
}

/* Runs of consecutive PFNs in @b, one pagemap entry read at a time. */
static uint64_t pfn_runs_one_by_one(const struct buffer *b)
{
	int fd = open("/proc/self/pagemap", O_RDONLY);
	uint64_t runs = 0, prev = 0;

	assert_true(fd >= 0);
	for (size_t i = 0; i < b->size / 4096; i++) {
		uint64_t e = 0, pfn;
		off_t off = (off_t)(((uintptr_t)b->addr / 4096 + i) * 8);

		assert_int_equal(pread(fd, &e, 8, off), 8);
		pfn = e & ((1ULL << 55) - 1);
		assert_true(e >> 63 && pfn);
		runs += i == 0 || pfn != prev + 1;
		prev = pfn;
	}
	close(fd);
	return runs;
}

/*
 * The placement's physical layout: the runs a reader that takes pagemap an
 * entry at a time counts, across the reader's chunk of 16 MiB of 4 KiB
 * pages, and at most one run per huge page of a THP buffer.
 */
static void test_pfn_runs_match_pagemap(void **state)
{
	struct buffer b;
	struct placement p;
	char why[256];
	int rc;

	(void)state;
	if (geteuid() != 0)
		skip(); /* pagemap hides PFNs */
	assert_int_equal(buffer_alloc(&b, "4k", 24 * MIB, 0, why, sizeof(why)), BUF_OK);
	assert_int_equal(buffer_verify(&b, 0, &p), 0);
	assert_true(p.pfn_runs >= 1 && p.pfn_runs <= 24 * MIB / 4096);
	assert_int_equal(p.pfn_runs, pfn_runs_one_by_one(&b));
	buffer_free(&b);
	rc = buffer_alloc(&b, "thp", 16 * MIB, 0, why, sizeof(why));
	if (rc == BUF_SKIP)
		return;
	assert_int_equal(rc, BUF_OK);
	assert_int_equal(buffer_verify(&b, 0, &p), 0);
	assert_int_equal(p.pfn_runs, pfn_runs_one_by_one(&b));
	if (p.huge_fraction >= 1)
		assert_true(p.pfn_runs <= 16 * MIB / (2 * MIB));
	buffer_free(&b);
}

/*
 * A placement that did not come true is flagged (ok = 0, with the reason):
 * pages elsewhere than asked, or 4 KiB pages where huge ones were promised.
 */
static void test_flagging_rule(void **state)
{
	struct buffer b;
	struct placement p;
	char why[256];

	(void)state;
	assert_int_equal(buffer_alloc(&b, "4k", 4 * MIB, 0, why, sizeof(why)), BUF_OK);
	/* The pages are on node 0 (get_mempolicy agrees); ask about node 1. */
	assert_int_equal(node_of(b.addr), 0);
	assert_int_equal(buffer_verify(&b, 1, &p), 0);
	assert_true(p.on_node_fraction == 0.0);
	assert_false(p.ok);
	assert_non_null(strstr(p.why, "of pages on node 1"));
	/* Pretend the kind promised huge pages: kpageflags says none are. */
	assert_true(kpageflags_huge_fraction(&b) == 0.0);
	b.want_huge = 1;
	assert_int_equal(buffer_verify(&b, 0, &p), 0);
	assert_false(p.ok);
	assert_non_null(strstr(p.why, "in huge pages"));
	b.want_huge = 0;
	buffer_free(&b);
}

static long read_pool(const char *file)
{
	char path[128];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/mm/hugepages/hugepages-2048kB/%s", file);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

static int write_pool(long n)
{
	FILE *f = fopen("/proc/sys/vm/nr_hugepages", "w");
	int ok;

	if (!f)
		return -1;
	ok = fprintf(f, "%ld\n", n) > 0;
	return fclose(f) == 0 && ok ? 0 : -1;
}

static long pool_before = -1;

/* Put the pool back even when an assertion ended the test early. */
static int restore_pool(void **state)
{
	(void)state;
	if (pool_before >= 0)
		write_pool(pool_before);
	pool_before = -1;
	return 0;
}

static void test_hugetlb_pool(void **state)
{
	long before = read_pool("nr_hugepages");
	struct buffer b;
	struct placement p;
	char why[256];

	(void)state;
	if (before < 0 || getuid() != 0)
		skip();
	pool_before = before;
	if (read_pool("free_hugepages") == 0) {
		assert_int_equal(buffer_alloc(&b, "hugetlb-2m", 4 * MIB, 0, why, sizeof(why)),
				 BUF_SKIP);
		assert_non_null(strstr(why, "hugetlb pool empty"));
		assert_null(b.addr);
	}
	/* Reserve four more pages, use two, give the pool back as found. */
	assert_int_equal(write_pool(before + 4), 0);
	if (read_pool("free_hugepages") < 2) {
		write_pool(before);
		skip(); /* the kernel found no contiguous memory */
	}
	assert_int_equal(buffer_alloc(&b, "hugetlb-2m", 4 * MIB, 0, why, sizeof(why)), BUF_OK);
	assert_int_equal(buffer_verify(&b, 0, &p), 0);
	assert_true(p.huge_fraction == 1.0);
	assert_true(kpageflags_huge_fraction(&b) == 1.0);
	assert_true(p.on_node_fraction == 1.0);
	assert_true(p.ok);
	/* A size that is not a multiple of the huge page is refused cleanly. */
	{
		struct buffer c;

		assert_int_equal(buffer_alloc(&c, "hugetlb-2m", 3 * MIB, 0, why, sizeof(why)),
				 BUF_SKIP);
		assert_null(c.addr);
	}
	buffer_free(&b);
	assert_int_equal(write_pool(before), 0);
	assert_int_equal(read_pool("nr_hugepages"), before);
}

static void test_memfd(void **state)
{
	struct buffer b;
	struct placement p;
	char why[256];

	(void)state;
	assert_int_equal(buffer_alloc(&b, "memfd", 4 * MIB, 0, why, sizeof(why)), BUF_OK);
	assert_true(b.memfd >= 0);
	assert_int_equal(buffer_verify(&b, 0, &p), 0);
	assert_true(p.on_node_fraction == 1.0);
	for (size_t off = 0; off < b.size; off += 4096)
		assert_int_equal(node_of((char *)b.addr + off), 0);
	buffer_free(&b);
	assert_int_equal(b.memfd, -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_4k_on_node0),
		cmocka_unit_test(test_unfaulted_pages_not_counted),
		cmocka_unit_test(test_missing_node_skipped),
		cmocka_unit_test(test_thp_matches_kpageflags),
		cmocka_unit_test(test_pfn_runs_match_pagemap),
		cmocka_unit_test(test_flagging_rule),
		cmocka_unit_test_teardown(test_hugetlb_pool, restore_pool),
		cmocka_unit_test(test_memfd),
	};

	topology_init();
	return cmocka_run_group_tests_name("placement", tests, NULL, NULL);
}
