/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim for <linux/slab.h> (and the kv* helpers of <linux/mm.h>):
 * every allocator is calloc(), every free is free(), so ASan and LSan see
 * each allocation the core makes.  GFP flags are accepted and ignored.
 */
#ifndef PFNLAB_SHIM_LINUX_SLAB_H
#define PFNLAB_SHIM_LINUX_SLAB_H

#include <stdlib.h>

typedef unsigned int gfp_t;
#define GFP_KERNEL		0U
#define GFP_KERNEL_ACCOUNT	0U

static inline void *kzalloc(size_t size, gfp_t gfp __attribute__((unused)))
{
	return calloc(1, size);
}

static inline void *kcalloc(size_t n, size_t size, gfp_t gfp __attribute__((unused)))
{
	return calloc(n, size);
}

static inline void *kvzalloc(size_t size, gfp_t gfp __attribute__((unused)))
{
	return calloc(1, size);
}

static inline void *kvcalloc(size_t n, size_t size, gfp_t gfp __attribute__((unused)))
{
	return calloc(n, size);
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
