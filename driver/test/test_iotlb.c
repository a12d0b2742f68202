// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the IOTLB model: hit/miss counts of sequential, strided
 * and random sweeps against hand-computed values and the reference LRU,
 * set associativity, 2 MiB leaves, faults, invalidate/flush, bad input.
 */
#include <stdlib.h>
#include <string.h>

#include "test_util.h"
#include "iotlb.h"
#include "ref.h"

#define K4 MOCK_PT_PGSIZE_4K
#define M2 MOCK_PT_PGSIZE_2M
#define G1 MOCK_PT_PGSIZE_1G
#define ALL (K4 | M2 | G1)
/* Window base: 1 GiB aligned, so its page number is 0 modulo any set count. */
#define BASE G1

static const struct iotlb_config fa64 = { .entries = { 64 } };

/* Identity-map [iova, iova + length) with the page sizes of @bitmap. */
static void setup_pt(struct mock_pt *pt, u64 bitmap, u64 iova, u64 length)
{
	assert_int_equal(mock_pt_init(pt, bitmap), 0);
	assert_int_equal(mock_pt_map(pt, iova, iova, length, NULL), 0);
}

static struct iotlb_sweep_result run(struct iotlb *tlb, const struct mock_pt *pt,
				     u64 window, u64 stride,
				     enum iotlb_pattern pattern, u64 passes)
{
	const struct iotlb_sweep sweep = {
		.iova = BASE,
		.window_bytes = window,
		.stride_bytes = stride,
		.pattern = pattern,
		.seed = 1,
		.passes = passes,
	};
	struct iotlb_sweep_result res;

	assert_int_equal(iotlb_run_sweep(tlb, pt, &sweep, &res), 0);
	assert_int_equal(res.accesses, res.hits + res.misses);
	return res;
}

static void assert_hits(const struct iotlb_sweep_result *res, u64 accesses,
			u64 hits, u64 misses)
{
	assert_int_equal(res->accesses, accesses);
	assert_int_equal(res->hits, hits);
	assert_int_equal(res->misses, misses);
}

/* The example: 64 entries hold a 256 KiB window of 4 KiB pages. */
static void test_fa_lru_fits(void **state)
{
	struct iotlb_sweep_result res;
	struct mock_pt pt;
	struct iotlb tlb;

	(void)state;
	setup_pt(&pt, K4, BASE, 1 << 20);
	assert_int_equal(iotlb_init(&tlb, &fa64), 0);
	res = run(&tlb, &pt, 256 << 10, 0, IOTLB_PATTERN_SEQUENTIAL, 4);
	assert_hits(&res, 256, 192, 64); /* misses only in the first pass */
	assert_int_equal(res.faults, 0);
	assert_int_equal(res.walk_reads, 64 * 4);
	for (int level = 0; level < MOCK_PT_LEVELS; level++)
		assert_int_equal(res.walk_reads_by_level[level], 64);
	assert_int_equal(res.misses_by_size[MOCK_PT_4K], 64);
	assert_int_equal(res.misses_by_size[MOCK_PT_2M], 0);

	/* Warm now: a further pass only hits. */
	res = run(&tlb, &pt, 256 << 10, 0, IOTLB_PATTERN_SEQUENTIAL, 1);
	assert_hits(&res, 64, 64, 0);
	iotlb_destroy(&tlb);
	mock_pt_destroy(&pt);
}

/* 128 pages cycled through 64 LRU entries: every access misses. */
static void test_fa_lru_thrash(void **state)
{
	struct iotlb_sweep_result res;
	struct mock_pt pt;
	struct iotlb tlb;

	(void)state;
	setup_pt(&pt, K4, BASE, 1 << 20);
	assert_int_equal(iotlb_init(&tlb, &fa64), 0);
	res = run(&tlb, &pt, 512 << 10, 0, IOTLB_PATTERN_SEQUENTIAL, 4);
	assert_hits(&res, 512, 0, 512);
	assert_int_equal(res.walk_reads, 512 * 4);
	/* One page less than the window stays a miss too (LRU, not random). */
	iotlb_flush(&tlb);
	res = run(&tlb, &pt, 260 << 10, 0, IOTLB_PATTERN_SEQUENTIAL, 3);
	assert_hits(&res, 195, 0, 195);
	iotlb_destroy(&tlb);
	mock_pt_destroy(&pt);
}

static void test_set_associative(void **state)
{
	const struct iotlb_config four_way = { .entries = { 64 },
					       .ways = { 4 } };
	const struct iotlb_config direct = { .entries = { 64 }, .ways = { 1 } };
	struct iotlb_sweep_result res;
	struct mock_pt pt;
	struct iotlb tlb;

	(void)state;
	setup_pt(&pt, K4, BASE, 1 << 20);

	/* 16 sets x 4 ways: 64 consecutive pages fill every set exactly. */
	assert_int_equal(iotlb_init(&tlb, &four_way), 0);
	assert_int_equal(tlb.sets[MOCK_PT_4K], 16);
	res = run(&tlb, &pt, 256 << 10, 0, IOTLB_PATTERN_SEQUENTIAL, 4);
	assert_hits(&res, 256, 192, 64);
	/* A 64 KiB stride puts 16 pages in one set of 4 ways: all miss... */
	iotlb_flush(&tlb);
	res = run(&tlb, &pt, 1 << 20, 64 << 10, IOTLB_PATTERN_SEQUENTIAL, 2);
	assert_hits(&res, 32, 0, 32);
	iotlb_destroy(&tlb);
	/* ...where a fully associative IOTLB of the same size keeps them. */
	assert_int_equal(iotlb_init(&tlb, &fa64), 0);
	res = run(&tlb, &pt, 1 << 20, 64 << 10, IOTLB_PATTERN_SEQUENTIAL, 2);
	assert_hits(&res, 32, 16, 16);
	iotlb_destroy(&tlb);

	/* Direct mapped: pages 0 and 64 share set 0 and evict each other. */
	assert_int_equal(iotlb_init(&tlb, &direct), 0);
	res = run(&tlb, &pt, 256 << 10, 0, IOTLB_PATTERN_SEQUENTIAL, 4);
	assert_hits(&res, 256, 192, 64);
	iotlb_flush(&tlb);
	res = run(&tlb, &pt, 512 << 10, 256 << 10, IOTLB_PATTERN_SEQUENTIAL, 3);
	assert_hits(&res, 6, 0, 6);
	iotlb_destroy(&tlb);
	mock_pt_destroy(&pt);
}

static void test_strided(void **state)
{
	const struct iotlb_config fa16 = { .entries = { 16 } };
	const struct iotlb_config fa8 = { .entries = { 8 } };
	const struct iotlb_config two_way = { .entries = { 8 }, .ways = { 2 } };
	struct iotlb_sweep_result res;
	struct mock_pt pt;
	struct iotlb tlb;

	(void)state;
	setup_pt(&pt, K4, BASE, 1 << 20);
	/* 64 KiB window, 16 KiB stride: 16 pages, each once per pass. */
	assert_int_equal(iotlb_init(&tlb, &fa16), 0);
	res = run(&tlb, &pt, 64 << 10, 16 << 10, IOTLB_PATTERN_STRIDED, 2);
	assert_hits(&res, 32, 16, 16);
	iotlb_destroy(&tlb);
	assert_int_equal(iotlb_init(&tlb, &fa8), 0);
	res = run(&tlb, &pt, 64 << 10, 16 << 10, IOTLB_PATTERN_STRIDED, 2);
	assert_hits(&res, 32, 0, 32);
	iotlb_destroy(&tlb);
	/*
	 * 4 sets x 2 ways, order 0,4,8,12,1,5,...: each set sees its four
	 * pages back to back and keeps the last two, which the next pass
	 * evicts before reaching them.
	 */
	assert_int_equal(iotlb_init(&tlb, &two_way), 0);
	res = run(&tlb, &pt, 64 << 10, 16 << 10, IOTLB_PATTERN_STRIDED, 2);
	assert_hits(&res, 32, 0, 32);
	/* A 32 KiB window fits (8 pages, 2 per set): second pass hits. */
	iotlb_flush(&tlb);
	res = run(&tlb, &pt, 32 << 10, 16 << 10, IOTLB_PATTERN_STRIDED, 2);
	assert_hits(&res, 16, 8, 8);
	iotlb_destroy(&tlb);
	mock_pt_destroy(&pt);
}

/* Sweeps over 2 MiB leaves: one entry per 2 MiB, walks of three reads. */
static void test_2m_leaves(void **state)
{
	const struct iotlb_config small = { .entries = { 64, 8 } };
	const struct iotlb_config big = { .entries = { 64, 32 } };
	const struct iotlb_config one = { .entries = { 0, 1 } };
	const struct iotlb_config none = { .entries = { 64 } };
	struct iotlb_sweep_result res;
	struct mock_pt pt;
	struct iotlb tlb;

	(void)state;
	setup_pt(&pt, ALL, BASE, 64 << 20); /* 32 leaves of 2 MiB */
	assert_int_equal(pt.ioptes[MOCK_PT_2M], 32);

	assert_int_equal(iotlb_init(&tlb, &small), 0);
	res = run(&tlb, &pt, 64 << 20, 0, IOTLB_PATTERN_SEQUENTIAL, 2);
	/* 32 leaves cycled through 8 entries: one miss per leaf per pass. */
	assert_hits(&res, 32768, 32768 - 64, 64);
	assert_int_equal(res.walk_reads, 64 * 3);
	assert_int_equal(res.walk_reads_by_level[0], 0);
	assert_int_equal(res.walk_reads_by_level[1], 64);
	assert_int_equal(res.walk_reads_by_level[3], 64);
	assert_int_equal(res.misses_by_size[MOCK_PT_2M], 64);
	/* Stepping 2 MiB at a time visits all 32 leaves before any repeats. */
	iotlb_flush(&tlb);
	res = run(&tlb, &pt, 64 << 20, M2, IOTLB_PATTERN_STRIDED, 1);
	assert_hits(&res, 16384, 0, 16384);
	iotlb_destroy(&tlb);

	assert_int_equal(iotlb_init(&tlb, &big), 0);
	res = run(&tlb, &pt, 64 << 20, M2, IOTLB_PATTERN_STRIDED, 1);
	assert_hits(&res, 16384, 16384 - 32, 32);
	iotlb_destroy(&tlb);

	/* One entry, two leaves: strided alternates, sequential does not. */
	assert_int_equal(iotlb_init(&tlb, &one), 0);
	res = run(&tlb, &pt, 4 << 20, M2, IOTLB_PATTERN_STRIDED, 1);
	assert_hits(&res, 1024, 0, 1024);
	res = run(&tlb, &pt, 4 << 20, 0, IOTLB_PATTERN_SEQUENTIAL, 1);
	assert_hits(&res, 1024, 1022, 2);
	/* stride == window: the strided order is the sequential one */
	iotlb_flush(&tlb);
	res = run(&tlb, &pt, 4 << 20, 4 << 20, IOTLB_PATTERN_STRIDED, 1);
	assert_hits(&res, 1024, 1022, 2);
	iotlb_destroy(&tlb);

	/* 2 MiB leaves not cached: every access walks. */
	assert_int_equal(iotlb_init(&tlb, &none), 0);
	res = run(&tlb, &pt, 64 << 20, 0, IOTLB_PATTERN_SEQUENTIAL, 1);
	assert_hits(&res, 16384, 0, 16384);
	iotlb_destroy(&tlb);
	mock_pt_destroy(&pt);
}

static void test_faults_are_not_filled(void **state)
{
	struct iotlb_sweep_result res;
	struct mock_pt pt;
	struct iotlb tlb;

	(void)state;
	setup_pt(&pt, K4, BASE, 128 << 10); /* half of the window */
	assert_int_equal(iotlb_init(&tlb, &fa64), 0);
	res = run(&tlb, &pt, 256 << 10, 0, IOTLB_PATTERN_SEQUENTIAL, 2);
	assert_hits(&res, 128, 32, 96);
	assert_int_equal(res.faults, 64);
	/* The unmapped pages share the level-0 table: 4 reads each. */
	assert_int_equal(res.walk_reads, 96 * 4);
	assert_int_equal(res.misses_by_size[MOCK_PT_4K], 32);
	/* Beyond the IOVA space: a fault with no read. */
	memset(&res, 0, sizeof(res));
	assert_false(iotlb_access(&tlb, &pt, 1ULL << 48, &res));
	assert_int_equal(res.faults, 1);
	assert_int_equal(res.walk_reads, 0);
	iotlb_destroy(&tlb);
	mock_pt_destroy(&pt);
}

static void test_invalidate_and_flush(void **state)
{
	const struct iotlb_config mixed = { .entries = { 64, 8 } };
	struct iotlb_sweep_result res;
	struct mock_pt pt;
	struct iotlb tlb;

	(void)state;
	setup_pt(&pt, K4, BASE, 1 << 20);
	assert_int_equal(iotlb_init(&tlb, &fa64), 0);
	res = run(&tlb, &pt, 256 << 10, 0, IOTLB_PATTERN_SEQUENTIAL, 1);
	assert_hits(&res, 64, 0, 64);

	iotlb_invalidate(&tlb, BASE + (16 << 10) + 5, 8 << 10); /* 3 pages */
	res = run(&tlb, &pt, 256 << 10, 0, IOTLB_PATTERN_SEQUENTIAL, 1);
	assert_hits(&res, 64, 61, 3);
	iotlb_invalidate(&tlb, BASE, 0); /* nothing */
	iotlb_invalidate(&tlb, BASE + (256 << 10),
			 U64_MAX); /* none cached there */
	res = run(&tlb, &pt, 256 << 10, 0, IOTLB_PATTERN_SEQUENTIAL, 1);
	assert_hits(&res, 64, 64, 0);
	iotlb_flush(&tlb);
	res = run(&tlb, &pt, 256 << 10, 0, IOTLB_PATTERN_SEQUENTIAL, 1);
	assert_hits(&res, 64, 0, 64);

	/* Unmapped without an invalidate, a cached page still hits (stale). */
	assert_int_equal(mock_pt_unmap(&pt, BASE, K4, NULL), 0);
	memset(&res, 0, sizeof(res));
	assert_true(iotlb_access(&tlb, &pt, BASE, &res));
	iotlb_invalidate(&tlb, 0, U64_MAX);
	assert_false(iotlb_access(&tlb, &pt, BASE, &res));
	assert_int_equal(res.faults, 1);
	iotlb_destroy(&tlb);
	mock_pt_destroy(&pt);

	/* Invalidating one 4 KiB page drops the 2 MiB entry that covers it. */
	setup_pt(&pt, ALL, BASE, 4 << 20);
	assert_int_equal(iotlb_init(&tlb, &mixed), 0);
	res = run(&tlb, &pt, 4 << 20, M2, IOTLB_PATTERN_SEQUENTIAL, 1);
	assert_hits(&res, 2, 0, 2);
	iotlb_invalidate(&tlb, BASE + M2 + (100 << 12), K4);
	res = run(&tlb, &pt, 4 << 20, M2, IOTLB_PATTERN_SEQUENTIAL, 1);
	assert_hits(&res, 2, 1, 1);
	iotlb_destroy(&tlb);
	mock_pt_destroy(&pt);
}

static void test_splitmix64_known_values(void **state)
{
	u64 s = 0;

	(void)state;
	/* splitmix64's published output for state 0. */
	assert_int_equal(iotlb_splitmix64(&s), 0xe220a8397b1dcdafULL);
	assert_int_equal(iotlb_splitmix64(&s), 0x6e789e6aa1b965f4ULL);
	assert_int_equal(iotlb_splitmix64(&s), 0x06c45d188009454fULL);
}

/*
 * Random sweeps over mixed leaves and holes equal the reference LRU fed
 * with the same offsets, for several geometries.
 */
static void test_random_against_reference(void **state)
{
	static const struct iotlb_config cfgs[] = {
		{ .entries = { 64 } },
		{ .entries = { 64 }, .ways = { 4 } },
		{ .entries = { 64 }, .ways = { 1 } },
		{ .entries = { 32, 4, 2 }, .ways = { 8, 2, 0 } },
		{ .entries = { 0, 16 } },
	};
	const u64 window = G1 + (64 << 20);
	struct iotlb_sweep_result res;
	struct iotlb_sweep sweep;
	enum mock_pt_size leaf;
	u64 rng, k, pass, iova, hits, faults, misses;
	struct ref_tlb ref;
	struct mock_pt pt;
	struct iotlb tlb;
	bool mapped;
	size_t c;

	(void)state;
	/* 4K leaves, a hole, 2M leaves, and a 1G leaf at BASE + 1G. */
	assert_int_equal(mock_pt_init(&pt, ALL), 0);
	assert_int_equal(mock_pt_map(&pt, BASE, BASE + K4, 8 << 20, NULL), 0);
	assert_int_equal(mock_pt_map(&pt, BASE + (16 << 20), BASE + (16 << 20),
				     32 << 20, NULL),
			 0);
	assert_int_equal(mock_pt_map(&pt, BASE + G1, BASE + G1, G1, NULL), 0);

	for (c = 0; c < sizeof(cfgs) / sizeof(cfgs[0]); c++) {
		assert_int_equal(iotlb_init(&tlb, &cfgs[c]), 0);
		ref_tlb_init(&ref, cfgs[c].entries, cfgs[c].ways);
		sweep = (struct iotlb_sweep){
			.iova = BASE,
			.window_bytes = window,
			.stride_bytes = 0,
			.pattern = IOTLB_PATTERN_RANDOM,
			.seed = 1000 + c,
			.passes = 1,
		};
		/* Only a part of the window, so that pages repeat: stride 1 MiB... */
		sweep.stride_bytes = 1 << 20;
		sweep.passes = 40;
		assert_int_equal(iotlb_run_sweep(&tlb, &pt, &sweep, &res), 0);
		rng = sweep.seed;
		hits = faults = misses = 0;
		for (pass = 0; pass < sweep.passes; pass++) {
			for (k = 0; k < window / sweep.stride_bytes; k++) {
				iova = BASE + (iotlb_splitmix64(&rng) %
					       (window / sweep.stride_bytes)) *
						      sweep.stride_bytes;
				mapped = mock_pt_translate(&pt, iova, NULL,
							   &leaf, NULL);
				if (ref_tlb_access(&ref, iova, mapped, leaf))
					hits++;
				else
					misses++;
				faults += !mapped;
			}
		}
		assert_hits(&res, sweep.passes * (window >> 20), hits, misses);
		assert_int_equal(res.faults, faults);
		assert_true(hits > 0 && faults > 0 && misses > faults);
		iotlb_destroy(&tlb);
		ref_tlb_destroy(&ref);
	}
	mock_pt_destroy(&pt);
}

static void test_bad_input(void **state)
{
	struct iotlb_config cfg = { .entries = { IOTLB_MAX_ENTRIES + 1 } };
	struct iotlb_sweep sweep = {
		.iova = BASE,
		.window_bytes = 12 << 10,
		.stride_bytes = 0,
		.pattern = IOTLB_PATTERN_SEQUENTIAL,
		.passes = 1,
	};
	struct iotlb_sweep_result res;
	struct mock_pt pt;
	struct iotlb tlb;

	(void)state;
	assert_int_equal(iotlb_init(&tlb, &cfg), -E2BIG);
	assert_null(tlb.entry[0]);
	iotlb_destroy(&tlb); /* safe after a failed init */
	cfg = (struct iotlb_config){ .entries = { 4 }, .ways = { 8 } };
	assert_int_equal(iotlb_init(&tlb, &cfg), -EINVAL);
	cfg = (struct iotlb_config){ .entries = { 64, 12 }, .ways = { 0, 8 } };
	assert_int_equal(iotlb_init(&tlb, &cfg), -EINVAL);
	cfg = (struct iotlb_config){ .entries = { 64, 0 }, .ways = { 0, 4 } };
	assert_int_equal(iotlb_init(&tlb, &cfg), -EINVAL);
	cfg = (struct iotlb_config){ .entries = { IOTLB_MAX_ENTRIES, 0, 1 } };
	assert_int_equal(iotlb_init(&tlb, &cfg), 0);
	iotlb_destroy(&tlb);
	/* Out of memory for either array: -ENOMEM, nothing left (LSan). */
	for (long budget = 0; budget < 2; budget++) {
		pfnlab_shim_alloc_budget = budget;
		assert_int_equal(iotlb_init(&tlb, &cfg), -ENOMEM);
		pfnlab_shim_alloc_budget = -1;
		assert_null(tlb.entry[0]);
		assert_null(tlb.entry[2]);
	}
	cfg = (struct iotlb_config){ .entries = { 0 } }; /* caches nothing */
	assert_int_equal(iotlb_init(&tlb, &cfg), 0);

	setup_pt(&pt, K4, BASE, 1 << 20);
	assert_int_equal(iotlb_run_sweep(&tlb, &pt, &sweep, &res), 0);
	assert_hits(&res, 3, 0, 3);

	sweep.window_bytes = 0;
	assert_int_equal(iotlb_run_sweep(&tlb, &pt, &sweep, &res), -EINVAL);
	sweep.window_bytes = 12 << 10;
	sweep.stride_bytes = 8 << 10; /* not a divisor of the window */
	assert_int_equal(iotlb_run_sweep(&tlb, &pt, &sweep, &res), -EINVAL);
	sweep.stride_bytes = 6 << 10; /* fine for sequential... */
	assert_int_equal(iotlb_run_sweep(&tlb, &pt, &sweep, &res), 0);
	assert_int_equal(res.accesses, 2);
	sweep.pattern = IOTLB_PATTERN_STRIDED; /* ...not for strided */
	assert_int_equal(iotlb_run_sweep(&tlb, &pt, &sweep, &res), -EINVAL);
	sweep.pattern = (enum iotlb_pattern)7;
	sweep.stride_bytes = 0;
	assert_int_equal(iotlb_run_sweep(&tlb, &pt, &sweep, &res), -EINVAL);
	sweep.pattern = IOTLB_PATTERN_RANDOM;
	sweep.passes = 0;
	assert_int_equal(iotlb_run_sweep(&tlb, &pt, &sweep, &res), -EINVAL);
	sweep.passes = 1;
	sweep.iova = (1ULL << 48) - K4;
	assert_int_equal(iotlb_run_sweep(&tlb, &pt, &sweep, &res), -EOVERFLOW);
	sweep.iova = U64_MAX - K4;
	assert_int_equal(iotlb_run_sweep(&tlb, &pt, &sweep, &res), -EOVERFLOW);
	sweep.iova = 0;
	sweep.window_bytes = 1ULL << 40; /* 2^28 accesses per pass */
	sweep.passes = 32;
	assert_int_equal(iotlb_run_sweep(&tlb, &pt, &sweep, &res), -E2BIG);
	sweep.passes = 1ULL << 62;
	assert_int_equal(iotlb_run_sweep(&tlb, &pt, &sweep, &res), -E2BIG);
	assert_int_equal(res.accesses, 0); /* zeroed on error */
	iotlb_destroy(&tlb);
	mock_pt_destroy(&pt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fa_lru_fits),
		cmocka_unit_test(test_fa_lru_thrash),
		cmocka_unit_test(test_set_associative),
		cmocka_unit_test(test_strided),
		cmocka_unit_test(test_2m_leaves),
		cmocka_unit_test(test_faults_are_not_filled),
		cmocka_unit_test(test_invalidate_and_flush),
		cmocka_unit_test(test_splitmix64_known_values),
		cmocka_unit_test(test_random_against_reference),
		cmocka_unit_test(test_bad_input),
	};

	return cmocka_run_group_tests_name("iotlb", tests, NULL, NULL);
}
