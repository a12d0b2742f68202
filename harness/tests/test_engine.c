// SPDX-License-Identifier: GPL-2.0
/*
 * The engine's order of benchmarks within a round (engine_round_order()):
 * a permutation, the same for the same round every time, and spread so that
 * no benchmark keeps the start of the rounds (where a state of the machine
 * that lasts part of a round falls).  Checked against counts: in a fixed
 * order the first benchmark would start every round.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "engine.h"

#define NBENCH 60
#define NROUNDS 64
#define EARLY 10 /* the first positions of a round */

static void test_order_is_permutation(void **state)
{
	size_t order[NBENCH], again[NBENCH], other[NBENCH];

	(void)state;
	for (int round = 0; round < NROUNDS; round++) {
		int seen[NBENCH] = { 0 };

		engine_round_order(NBENCH, round, order);
		for (size_t i = 0; i < NBENCH; i++) {
			assert_true(order[i] < NBENCH);
			seen[order[i]]++;
		}
		for (size_t i = 0; i < NBENCH; i++)
			assert_int_equal(seen[i], 1);
		engine_round_order(NBENCH, round, again);
		assert_memory_equal(order, again, sizeof(order));
	}
	engine_round_order(NBENCH, 0, order);
	engine_round_order(NBENCH, 1, other);
	assert_memory_not_equal(order, other, sizeof(order));
	/* one benchmark, and none */
	engine_round_order(1, 5, order);
	assert_int_equal(order[0], 0);
	engine_round_order(0, 5, order);
}

/*
 * Over 64 rounds each benchmark should be among the first 10 of 60 about
 * 64 * 10 / 60 = 10.7 times (binomial SD 3); none may be there 25 times,
 * and every one must be there at least once.
 */
static void test_order_spreads_the_start(void **state)
{
	int early[NBENCH] = { 0 };
	size_t order[NBENCH];

	(void)state;
	for (int round = 0; round < NROUNDS; round++) {
		engine_round_order(NBENCH, round, order);
		for (size_t k = 0; k < EARLY; k++)
			early[order[k]]++;
	}
	for (size_t i = 0; i < NBENCH; i++) {
		assert_true(early[i] < 25);
		assert_true(early[i] >= 1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_is_permutation),
		cmocka_unit_test(test_order_spreads_the_start),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
