/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim for <linux/slab.h> (kzalloc, kvcalloc ...): every
 * allocator is calloc(), every free is free(), so ASan and LSan see each
 * allocation the core makes.  GFP flags are accepted and ignored.
 *
 * Fault injection for the tests: while pfnlab_shim_alloc_budget is not
 * negative, it is the number of allocations that still succeed; after
 * that every allocation fails, as under memory pressure in the kernel.
 */
#ifndef PFNLAB_SHIM_LINUX_SLAB_H
#define PFNLAB_SHIM_LINUX_SLAB_H

#include <stdbool.h>
#include <stdlib.h>

typedef unsigned int gfp_t;
#define GFP_KERNEL 0U
#define GFP_KERNEL_ACCOUNT 0U

/* Weak, so that every file including this shares one definition. */
extern long pfnlab_shim_alloc_budget;
__attribute__((weak)) long pfnlab_shim_alloc_budget = -1;

static inline bool pfnlab_shim_alloc_allowed(void)
{
	if (pfnlab_shim_alloc_budget < 0)
		return true;
	if (!pfnlab_shim_alloc_budget)
		return false;
	pfnlab_shim_alloc_budget--;
	return true;
}

static inline void *kcalloc(size_t n, size_t size,
			    gfp_t gfp __attribute__((unused)))
{
	return pfnlab_shim_alloc_allowed() ? calloc(n, size) : NULL;
}

static inline void *kzalloc(size_t size, gfp_t gfp)
{
	return kcalloc(1, size, gfp);
}

static inline void *kvcalloc(size_t n, size_t size, gfp_t gfp)
{
	return kcalloc(n, size, gfp);
}

static inline void *kvzalloc(size_t size, gfp_t gfp)
{
	return kcalloc(1, size, gfp);
}

static inline void kfree(const void *p)
{
	free((void *)p);
}

static inline void kvfree(const void *p)
{
	free((void *)p);
}

#endif
