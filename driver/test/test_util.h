/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by the cmocka unit tests of the core. */
#ifndef PFNLAB_TEST_UTIL_H
#define PFNLAB_TEST_UTIL_H

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <linux/slab.h> /* pfnlab_shim_alloc_budget */
#include <linux/types.h>

/* A seeded generator for test data (not the core's sweep generator). */
static inline u64 test_rand(u64 *state)
{
	u64 z;

	*state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
	z = *state;
	return z ^ (z >> 29);
}

#endif
