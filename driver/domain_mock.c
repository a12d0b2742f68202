// SPDX-License-Identifier: GPL-2.0
/*
 * pfnlab: domains.  What every kind shares (creation, MAP, UNMAP, the maps'
 * interval trees, teardown) and the mock kind, which wraps the shared
 * core's software IO page table (mock_pt) and its IOTLB model (iotlb).
 *
 * Maps pair whole: UNMAP removes whole maps only.  A map is torn down in
 * pieces aligned to the domain's largest leaf size, so that no piece ever
 * cuts a leaf: each piece's PFNs are read back from the domain, the piece is
 * unmapped and its IOTLB flushed, and only then are its pages released.
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

/* Add leaf counts per enum pfnlab_pgsize (the same order as mock_pt's). */
static void pfnlab_add_counts(u64 *ioptes, const u64 *counts)
{
	unsigned int i;

	for (i = 0; i < PFNLAB_PGSIZE_NR; i++)
		ioptes[i] += counts[i];
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
static struct pfnlab_domain *
pfnlab_mock_domain_create(struct pfnlab_domain_create *a)
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
 * pfnlab_pt_update() - bring the fd's count of IO page table memory up to
 *	date after a domain changed
 * @ctx: the fd
 * @dom: the domain
 * @estimate: for a kind without an exact count, the bytes to add (or,
 *	negative, take off) for the map just made (or removed)
 */
static void pfnlab_pt_update(struct pfnlab_ctx *ctx, struct pfnlab_domain *dom,
			     s64 estimate)
{
	u64 now = dom->ops->pt_bytes ? dom->ops->pt_bytes(dom) :
				       dom->pt_bytes + estimate;

	ctx->pt_bytes = ctx->pt_bytes - dom->pt_bytes + now;
	dom->pt_bytes = now;
}

/*
 * An upper bound of the IO page table memory a map of @length bytes can
 * need in a 4-level table: a leaf table per 2 MiB it touches (one more for
 * an unaligned start) and a table per level above.
 */
static u64 pfnlab_pt_estimate(u64 length)
{
	return (DIV_ROUND_UP(length, SZ_2M) + 1 + 3) * SZ_4K;
}

/**
 * pfnlab_domain_create() - PFNLAB_DOMAIN_CREATE
 * @ctx: the fd
 * @a: the request
 *
 * Return: 0 or a negative errno from the UAPI's tables.
 */
int pfnlab_domain_create(struct pfnlab_ctx *ctx, struct pfnlab_domain_create *a)
{
	struct pfnlab_domain *dom;
	u64 piece;
	int ret;

	if (a->flags)
		return -EOPNOTSUPP;
	if (ctx->ndomains >= PFNLAB_MAX_DOMAINS)
		return -ENOSPC;
	switch (a->kind) {
	case PFNLAB_DOMAIN_MOCK:
		dom = pfnlab_mock_domain_create(a);
		break;
	case PFNLAB_DOMAIN_REAL:
		if (memchr_inv(&a->iotlb, 0, sizeof(a->iotlb)))
			return -EINVAL;
		dom = pfnlab_real_domain_create(ctx, a);
		break;
	default:
		return -EINVAL;
	}
	if (IS_ERR(dom))
		return PTR_ERR(dom);
	dom->kind = a->kind;
	dom->maps_itree = RB_ROOT_CACHED;
	/* Teardown pieces: the largest leaf, at most 1 GiB, at least a page. */
	piece = dom->pgsize_bitmap & (SZ_1G | (SZ_1G - 1));
	dom->teardown_piece = piece > PAGE_SIZE ? 1ULL << __fls(piece) :
						  PAGE_SIZE;
	dom->teardown_pfns = kvmalloc_array(dom->teardown_piece >> PAGE_SHIFT,
					    sizeof(u64), GFP_KERNEL_ACCOUNT);
	ret = dom->teardown_pfns ? 0 : -ENOMEM;
	if (!ret)
		ret = pfnlab_obj_insert(ctx, &dom->obj, PFNLAB_OBJ_DOMAIN);
	if (ret) {
		kvfree(dom->teardown_pfns);
		dom->ops->destroy(dom);
		return ret;
	}
	ctx->ndomains++;
	pfnlab_pt_update(ctx, dom, 0);
	a->out_domain_id = dom->obj.id;
	a->out_pgsize_bitmap = dom->pgsize_bitmap;
	a->out_aperture_start = dom->aperture_start;
	a->out_aperture_end = dom->aperture_end;
	ctx->op.new_id = dom->obj.id;
	return 0;
}

/**
 * pfnlab_domain_destroy() - free a domain without maps
 * @ctx: the fd
 * @dom: the domain
 */
void pfnlab_domain_destroy(struct pfnlab_ctx *ctx, struct pfnlab_domain *dom)
{
	WARN_ON_ONCE(dom->nmaps);
	ctx->pt_bytes -= dom->pt_bytes;
	ctx->ndomains--;
	pfnlab_obj_remove(ctx, &dom->obj);
	kvfree(dom->teardown_pfns);
	dom->ops->destroy(dom);
}

/**
 * pfnlab_pages_find_area() - a map of a pages object that covers an index
 * @pages: the pages object
 * @idx: the index
 *
 * Return: the map, or NULL.
 */
struct pfnlab_area *pfnlab_pages_find_area(struct pfnlab_pages *pages, u64 idx)
{
	struct interval_tree_node *node;

	node = interval_tree_iter_first(&pages->maps_itree, idx, idx);
	return node ? container_of(node, struct pfnlab_area, index_node) : NULL;
}

/**
 * pfnlab_unmap_pages() - unmap a range that one map put in a domain and
 *	release its pages
 * @op: the operation
 * @dom: the domain
 * @pages: the pages object the range came from
 * @iova: first IOVA
 * @start_idx: index of @pages mapped at @iova
 * @npages: pages
 * @ioptes: where the leaves removed are added
 *
 * Works piece by piece (see the top of this file); allocates nothing, so
 * it cannot fail.
 */
static void pfnlab_unmap_pages(struct pfnlab_op *op, struct pfnlab_domain *dom,
			       struct pfnlab_pages *pages, u64 iova,
			       u64 start_idx, u64 npages, u64 *ioptes)
{
	u64 end = iova + (npages << PAGE_SHIFT), piece_end, boundary;
	u64 removed[PFNLAB_PGSIZE_NR], start_ns, unmap_ns, k, n;
	phys_addr_t phys;
	int ret;

	while (iova < end) {
		boundary = (iova | (dom->teardown_piece - 1)) + 1;
		piece_end = boundary && boundary < end ? boundary : end;
		n = (piece_end - iova) >> PAGE_SHIFT;
		for (k = 0; k < n; k++) {
			if (WARN_ON_ONCE(!dom->ops->iova_to_phys(dom,
					iova + (k << PAGE_SHIFT), &phys)))
				dom->teardown_pfns[k] = U64_MAX;
			else
				dom->teardown_pfns[k] = PHYS_PFN(phys);
		}
		memset(removed, 0, sizeof(removed));
		start_ns = ktime_get_ns();
		ret = dom->ops->unmap(dom, iova, piece_end - iova, removed);
		unmap_ns = ktime_get_ns() - start_ns;
		WARN_ON_ONCE(ret);
		op->rep->map_calls++;
		pfnlab_phase_add(op, PFNLAB_PHASE_UNMAP, unmap_ns);
		start_ns = ktime_get_ns();
		dom->ops->sync_unmap(dom, iova, piece_end - iova);
		pfnlab_phase_add(op, PFNLAB_PHASE_INVALIDATE,
				 ktime_get_ns() - start_ns);
		trace_pfnlab_unmap(dom->obj.id, iova, piece_end - iova,
				   unmap_ns, removed);
		pfnlab_add_counts(ioptes, removed);
		/* Only now, with no IOVA left pointing at them, drop the pins. */
		for (k = 0; k < n; k++)
			if (dom->teardown_pfns[k] != U64_MAX)
				pfnlab_pages_release(op, pages, start_idx + k,
						     dom->teardown_pfns[k],
						     true);
		iova = piece_end;
		start_idx += n;
		cond_resched();
	}
	pfnlab_pages_unpin_flush(op);
	pfnlab_pages_update_account(pages);
}

/**
 * pfnlab_area_destroy() - unmap a whole map, release its pages, free it
 * @op: the operation (its report collects the leaves removed)
 * @area: the map
 */
void pfnlab_area_destroy(struct pfnlab_op *op, struct pfnlab_area *area)
{
	struct pfnlab_domain *dom = area->domain;
	struct pfnlab_pages *pages = area->pages;
	u64 removed[PFNLAB_PGSIZE_NR] = {};
	unsigned int i;

	pfnlab_unmap_pages(op, dom, pages, area->iova, area->start_idx,
			   area->npages, removed);
	/* A real domain cannot say which leaves it removed: the map's own. */
	for (i = 0; i < PFNLAB_PGSIZE_NR; i++)
		op->rep->ioptes[i] += dom->kind == PFNLAB_DOMAIN_REAL ?
				      area->ioptes[i] : removed[i];
	interval_tree_remove(&area->iova_node, &dom->maps_itree);
	interval_tree_remove(&area->index_node, &pages->maps_itree);
	dom->nmaps--;
	pages->nmaps--;
	op->ctx->nmaps--;
	pfnlab_pt_update(op->ctx, dom, -(s64)area->pt_bytes);
	op->rep->npinned = pages->npinned;
	kfree(area);
}

/**
 * pfnlab_map_batch() - write a drained batch into a domain
 * @r: the reader holding the batch
 * @dom: the domain
 * @iova: IOVA of the batch's first PFN
 * @prot: IOMMU_READ / IOMMU_WRITE
 * @ioptes: where the leaves added are counted
 * @mapped: set to the PFNs of the batch now mapped
 *
 * Return: 0 or the first map error (earlier runs stay mapped: the caller
 * unmaps them with the rest of what the call mapped).
 */
static int pfnlab_map_batch(struct pfnlab_reader *r, struct pfnlab_domain *dom,
			    u64 iova, int prot, u64 *ioptes, u64 *mapped)
{
	struct pfnlab_op *op = r->op;
	u64 added[PFNLAB_PGSIZE_NR] = {}, start_ns, map_ns = 0, len;
	u32 run;
	int ret = 0;

	*mapped = 0;
	for (run = 0; run < r->batch.nruns; run++) {
		len = (u64)r->batch.run_npfns[run] << PAGE_SHIFT;
		start_ns = ktime_get_ns();
		ret = dom->ops->map(dom, iova + (*mapped << PAGE_SHIFT),
				    PFN_PHYS(r->batch.run_pfn[run]), len, prot,
				    added);
		map_ns += ktime_get_ns() - start_ns;
		op->rep->map_calls++;
		if (ret)
			break;
		*mapped += r->batch.run_npfns[run];
	}
	pfnlab_phase_add(op, PFNLAB_PHASE_MAP, map_ns);
	if (*mapped) {
		start_ns = ktime_get_ns();
		dom->ops->sync_map(dom, iova, *mapped << PAGE_SHIFT);
		pfnlab_phase_add(op, PFNLAB_PHASE_INVALIDATE,
				 ktime_get_ns() - start_ns);
	}
	trace_pfnlab_map(dom->obj.id, r->pages->obj.id, iova,
			 *mapped << PAGE_SHIFT, r->batch.nruns, map_ns, added);
	pfnlab_add_counts(ioptes, added);
	return ret;
}

/**
 * pfnlab_map() - PFNLAB_MAP
 * @ctx: the fd
 * @a: the request
 *
 * Return: 0 or a negative errno from the UAPI's tables; on failure nothing
 * this call mapped stays mapped and nothing it pinned stays pinned.
 */
int pfnlab_map(struct pfnlab_ctx *ctx, struct pfnlab_map *a)
{
	struct pfnlab_op *op = &ctx->op;
	struct pfnlab_domain *dom;
	struct pfnlab_pages *pages;
	struct pfnlab_area *area;
	struct pfnlab_reader *r;
	struct pfnlab_obj *obj;
	u64 last, start_idx, mapped = 0, batch_mapped, estimate;
	int prot = IOMMU_READ, ret;
	unsigned int i;

	if (a->flags & ~PFNLAB_MAP_READONLY)
		return -EOPNOTSUPP;
	ret = pfnlab_check_reader_opts(&a->opts);
	if (ret)
		return ret;
	obj = pfnlab_obj_get(ctx, a->domain_id, PFNLAB_OBJ_DOMAIN);
	if (!obj)
		return -ENOENT;
	dom = container_of(obj, struct pfnlab_domain, obj);
	obj = pfnlab_obj_get(ctx, a->pages_id, PFNLAB_OBJ_PAGES);
	if (!obj)
		return -ENOENT;
	pages = container_of(obj, struct pfnlab_pages, obj);
	if (!a->length || !PAGE_ALIGNED(a->iova | a->offset | a->length))
		return -EINVAL;
	if (check_add_overflow(a->iova, a->length, &last))
		return -EOVERFLOW;
	last--;
	if (a->iova < dom->aperture_start || last > dom->aperture_end)
		return -ERANGE;
	if (dom->ops->check_map) {
		ret = dom->ops->check_map(dom, a->iova, last);
		if (ret)
			return ret;
	}
	ret = pfnlab_check_range(pages, a->offset, a->length);
	if (ret)
		return ret;
	if (interval_tree_iter_first(&dom->maps_itree, a->iova, last))
		return -EEXIST;
	if (ctx->nmaps >= PFNLAB_MAX_MAPS)
		return -ENOSPC;
	/* Without an exact count, the bound is checked before mapping. */
	estimate = dom->ops->pt_bytes ? 0 : pfnlab_pt_estimate(a->length);
	if (ctx->pt_bytes + estimate > PFNLAB_MAX_PT_BYTES)
		return -ENOSPC;
	if (pages->writable && !(a->flags & PFNLAB_MAP_READONLY))
		prot |= IOMMU_WRITE;
	start_idx = a->offset >> PAGE_SHIFT;

	area = kzalloc(sizeof(*area), GFP_KERNEL_ACCOUNT);
	r = kzalloc(sizeof(*r), GFP_KERNEL_ACCOUNT);
	if (!area || !r) {
		ret = -ENOMEM;
		goto out_free;
	}
	ret = pfnlab_reader_init(r, op, pages, start_idx,
				 a->length >> PAGE_SHIFT, &a->opts, false);
	if (ret)
		goto out_free;
	while ((ret = pfnlab_reader_next(r)) > 0) {
		ret = pfnlab_map_batch(r, dom, a->iova + (mapped << PAGE_SHIFT),
				       prot, area->ioptes, &batch_mapped);
		mapped += batch_mapped;
		if (ret) {
			pfnlab_reader_consumed(r, batch_mapped);
			break;
		}
		pfnlab_reader_drained(r);
	}
	/* An exact count is known only now: past the cap, the map is undone. */
	if (!ret && dom->ops->pt_bytes &&
	    ctx->pt_bytes - dom->pt_bytes + dom->ops->pt_bytes(dom) >
	    PFNLAB_MAX_PT_BYTES)
		ret = -ENOSPC;
	if (ret) {
		pfnlab_reader_abort(r);
		if (mapped)
			pfnlab_unmap_pages(op, dom, pages, a->iova, start_idx,
					   mapped, area->ioptes);
		pfnlab_reader_destroy(r);
		pfnlab_pt_update(ctx, dom, 0);
		goto out_free;
	}
	pfnlab_reader_destroy(r);
	kfree(r);

	area->domain = dom;
	area->pages = pages;
	area->iova = a->iova;
	area->start_idx = start_idx;
	area->npages = a->length >> PAGE_SHIFT;
	area->iova_node.start = a->iova;
	area->iova_node.last = last;
	area->index_node.start = start_idx;
	area->index_node.last = start_idx + area->npages - 1;
	interval_tree_insert(&area->iova_node, &dom->maps_itree);
	interval_tree_insert(&area->index_node, &pages->maps_itree);
	dom->nmaps++;
	pages->nmaps++;
	ctx->nmaps++;
	area->pt_bytes = estimate;
	pfnlab_pt_update(ctx, dom, estimate);
	for (i = 0; i < PFNLAB_PGSIZE_NR; i++)
		op->rep->ioptes[i] = area->ioptes[i];
	op->rep->npinned = pages->npinned;
	op->new_area = area;
	return 0;

out_free:
	kfree(r);
	kfree(area);
	return ret;
}

/**
 * pfnlab_unmap() - PFNLAB_UNMAP
 * @ctx: the fd
 * @a: the request
 *
 * Return: 0, -EOPNOTSUPP, -ENOENT, -EINVAL (bad range, or the range cuts
 * through a map), -EOVERFLOW.
 */
int pfnlab_unmap(struct pfnlab_ctx *ctx, struct pfnlab_unmap *a)
{
	struct pfnlab_op *op = &ctx->op;
	struct interval_tree_node *node;
	struct pfnlab_domain *dom;
	struct pfnlab_obj *obj;
	u64 last;

	if (a->flags || a->__reserved)
		return -EOPNOTSUPP;
	obj = pfnlab_obj_get(ctx, a->domain_id, PFNLAB_OBJ_DOMAIN);
	if (!obj)
		return -ENOENT;
	dom = container_of(obj, struct pfnlab_domain, obj);
	if (dom->removed)
		return -ENODEV;
	if (!a->length || !PAGE_ALIGNED(a->iova | a->length))
		return -EINVAL;
	if (check_add_overflow(a->iova, a->length, &last))
		return -EOVERFLOW;
	last--;

	node = interval_tree_iter_first(&dom->maps_itree, a->iova, last);
	if (!node)
		return -ENOENT;
	for (; node; node = interval_tree_iter_next(node, a->iova, last))
		if (node->start < a->iova || node->last > last)
			return -EINVAL;

#ifdef PFNLAB_INJECT_LEAK_PIN
	op->leak_one_pin = true;
#endif
	a->out_unmapped = 0;
	while ((node = interval_tree_iter_first(&dom->maps_itree, a->iova,
						last))) {
		struct pfnlab_area *area = container_of(node,
							struct pfnlab_area,
							iova_node);

		a->out_unmapped += area->npages << PAGE_SHIFT;
		pfnlab_area_destroy(op, area);
	}
	op->leak_one_pin = false;
	return 0;
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
	case PFNLAB_IOTLB_STRIDED:
		sweep.pattern = IOTLB_PATTERN_STRIDED;
		break;
	default:
		sweep.pattern = IOTLB_PATTERN_RANDOM;
		break;
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
