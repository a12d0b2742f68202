// SPDX-License-Identifier: GPL-2.0
/*
 * pfnlab: the mock domain kind, which wraps the shared core's software IO
 * page table (mock_pt) and its IOTLB model (iotlb), and IOTLB_SWEEP, which
 * only a mock domain can answer.  What every kind shares is in domain.c
 * (the objects) and io_pagetable.c (maps).
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/ktime.h>
#include <linux/sched.h>
#include <linux/overflow.h>
#include <linux/log2.h>
#include <linux/sizes.h>
#include <linux/string.h>

#include "pfnlab_private.h"
#include "trace.h"

/**
 * struct pfnlab_mock_domain - a mock domain
 * @dom: the common part
 * @pt: the software IO page table
 * @tlb: the IOTLB model in front of it
 */
struct pfnlab_mock_domain {
	struct pfnlab_domain dom;
	struct mock_pt pt;
	struct iotlb tlb;
};

static struct pfnlab_mock_domain *to_mock(struct pfnlab_domain *dom)
{
	return container_of(dom, struct pfnlab_mock_domain, dom);
}

static int pfnlab_mock_map(struct pfnlab_domain *dom, u64 iova,
			   phys_addr_t paddr, u64 length, int prot, u64 *ioptes)
{
	struct mock_pt_counts added;
	int ret;

	ret = mock_pt_map(&to_mock(dom)->pt, iova, paddr, length, &added);
	if (!ret)
		pfnlab_add_counts(ioptes, added.ioptes);
	return ret;
}

static void pfnlab_mock_sync(struct pfnlab_domain *dom, u64 iova, u64 length)
{
	iotlb_invalidate(&to_mock(dom)->tlb, iova, length);
}

static int pfnlab_mock_unmap(struct pfnlab_domain *dom, u64 iova, u64 length,
			     u64 *ioptes)
{
	struct mock_pt_counts removed;
	int ret;

	ret = mock_pt_unmap(&to_mock(dom)->pt, iova, length, &removed);
	if (!ret)
		pfnlab_add_counts(ioptes, removed.ioptes);
	return ret;
}

static bool pfnlab_mock_iova_to_phys(struct pfnlab_domain *dom, u64 iova,
				     phys_addr_t *phys)
{
	enum mock_pt_size leaf;
	u32 walk_reads;
	u64 paddr;

	if (!mock_pt_translate(&to_mock(dom)->pt, iova, &paddr, &leaf,
			       &walk_reads))
		return false;
	*phys = paddr;
	return true;
}

static u64 pfnlab_mock_pt_bytes(struct pfnlab_domain *dom)
{
	return (u64)to_mock(dom)->pt.table_pages * MOCK_PT_PGSIZE_4K;
}

static void pfnlab_mock_destroy(struct pfnlab_domain *dom)
{
	struct pfnlab_mock_domain *m = to_mock(dom);

	iotlb_destroy(&m->tlb);
	mock_pt_destroy(&m->pt);
	kfree(m);
}

static const struct pfnlab_domain_ops pfnlab_mock_ops = {
	.pt_bytes = pfnlab_mock_pt_bytes,
	.map = pfnlab_mock_map,
	.sync_map = pfnlab_mock_sync,
	.unmap = pfnlab_mock_unmap,
	.sync_unmap = pfnlab_mock_sync,
	.iova_to_phys = pfnlab_mock_iova_to_phys,
	.destroy = pfnlab_mock_destroy,
};

/**
 * pfnlab_mock_domain_create() - make a mock domain
 * @a: the request (kind already checked)
 *
 * Return: the domain or an ERR_PTR: -EOPNOTSUPP for a reserved field,
 * -EINVAL for a bad page-size bitmap or IOTLB geometry, -E2BIG for too many
 * IOTLB entries, -ENOMEM.
 */
struct pfnlab_domain *pfnlab_mock_domain_create(struct pfnlab_domain_create *a)
{
	static const struct iotlb_config default_cfg = {
		.entries = { 64, 32, 4 },
	};
	u64 bitmap = a->pgsize_bitmap ? a->pgsize_bitmap : MOCK_PT_PGSIZE_ALL;
	struct pfnlab_mock_domain *m;
	struct iotlb_config cfg;
	bool geometry_given = false;
	unsigned int i;
	int ret;

	if (a->iotlb.__reserved[0] || a->iotlb.__reserved[1])
		return ERR_PTR(-EOPNOTSUPP);
	for (i = 0; i < PFNLAB_PGSIZE_NR; i++) {
		cfg.entries[i] = a->iotlb.entries[i];
		cfg.ways[i] = a->iotlb.ways[i];
		if (cfg.entries[i] || cfg.ways[i])
			geometry_given = true;
	}
	if (!geometry_given)
		cfg = default_cfg;

	m = kzalloc(sizeof(*m), GFP_KERNEL_ACCOUNT);
	if (!m)
		return ERR_PTR(-ENOMEM);
	/* The bitmap is checked here: -EINVAL without 4 KiB or with other bits. */
	ret = mock_pt_init(&m->pt, bitmap);
	if (ret)
		goto err_free;
	ret = iotlb_init(&m->tlb, &cfg);
	if (ret)
		goto err_pt;
	m->dom.ops = &pfnlab_mock_ops;
	m->dom.aperture_start = 0;
	m->dom.aperture_end = (1ULL << MOCK_PT_IOVA_BITS) - 1;
	m->dom.pgsize_bitmap = bitmap;
	return &m->dom;

err_pt:
	mock_pt_destroy(&m->pt);
err_free:
	kfree(m);
	return ERR_PTR(ret);
}

/**
 * pfnlab_iotlb_sweep() - PFNLAB_IOTLB_SWEEP
 * @ctx: the fd
 * @a: the request
 *
 * Return: 0 or a negative errno from the UAPI's tables.
 */
int pfnlab_iotlb_sweep(struct pfnlab_ctx *ctx, struct pfnlab_iotlb_sweep *a)
{
	struct iotlb_sweep_result res;
	struct iotlb_sweep sweep = {};
	struct pfnlab_mock_domain *m;
	struct pfnlab_obj *obj;
	u64 start_ns;
	unsigned int i;
	int ret;

	if (a->flags & ~PFNLAB_SWEEP_FLUSH_FIRST)
		return -EOPNOTSUPP;
	obj = pfnlab_obj_get(ctx, a->domain_id, PFNLAB_OBJ_DOMAIN);
	if (!obj)
		return -ENOENT;
	if (container_of(obj, struct pfnlab_domain, obj)->kind !=
	    PFNLAB_DOMAIN_MOCK)
		return -EOPNOTSUPP;
	m = to_mock(container_of(obj, struct pfnlab_domain, obj));
	if (a->pattern > PFNLAB_IOTLB_RANDOM)
		return -EINVAL;
	if (!a->window || !a->stride || a->window % MOCK_PT_PGSIZE_4K ||
	    a->stride % MOCK_PT_PGSIZE_4K || a->iova % MOCK_PT_PGSIZE_4K)
		return -EINVAL;
	if (!a->passes || a->passes > PFNLAB_IOTLB_MAX_PASSES)
		return -EINVAL;

	sweep.iova = a->iova;
	sweep.window_bytes = a->window;
	sweep.stride_bytes = a->stride;
	sweep.seed = a->seed;
	sweep.passes = a->passes;
	switch (a->pattern) {
	case PFNLAB_IOTLB_SEQUENTIAL:
		sweep.pattern = IOTLB_PATTERN_SEQUENTIAL;
		break;
	case PFNLAB_IOTLB_STRIDED: sweep.pattern = IOTLB_PATTERN_STRIDED; break;
	default: sweep.pattern = IOTLB_PATTERN_RANDOM; break;
	}
	if (a->flags & PFNLAB_SWEEP_FLUSH_FIRST)
		iotlb_flush(&m->tlb);
	start_ns = ktime_get_ns();
	ret = iotlb_run_sweep(&m->tlb, &m->pt, &sweep, &res);
	a->out_sweep_ns = ktime_get_ns() - start_ns;
	if (ret)
		return ret;
	a->out_accesses = res.accesses;
	a->out_hits = res.hits;
	a->out_misses = res.misses;
	a->out_faults = res.faults;
	a->out_walk_reads = res.walk_reads;
	for (i = 0; i < ARRAY_SIZE(a->out_walk_reads_by_level); i++)
		a->out_walk_reads_by_level[i] = res.walk_reads_by_level[i];
	for (i = 0; i < PFNLAB_PGSIZE_NR; i++)
		a->out_misses_by_pgsize[i] = res.misses_by_size[i];
	return 0;
}
