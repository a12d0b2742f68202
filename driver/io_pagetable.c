// SPDX-License-Identifier: GPL-2.0
/*
 * pfnlab: maps, as iommufd's io_pagetable keeps them: MAP drives the
 * pfn_reader over a range of a pages object into a domain, UNMAP and
 * teardown take whole maps out, and the fd's count of IO page table memory
 * follows both.  Any domain kind, through its ops.
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
 * pfnlab_pt_update() - bring the fd's count of IO page table memory up to
 *	date after a domain changed
 * @ctx: the fd
 * @dom: the domain
 * @estimate: for a kind without an exact count, the bytes to add (or,
 *	negative, take off) for the map just made (or removed)
 */
void pfnlab_pt_update(struct pfnlab_ctx *ctx, struct pfnlab_domain *dom,
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
			if (WARN_ON_ONCE(
				    !dom->ops->iova_to_phys(dom,
							    iova + (k
								    << PAGE_SHIFT),
							    &phys)))
				dom->teardown_pfns[k] = PFNLAB_NO_PFN;
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
		pfnlab_pages_release_range(op, pages, start_idx,
					   dom->teardown_pfns, n, true);
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
					      area->ioptes[i] :
					      removed[i];
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
	u64 added[PFNLAB_PGSIZE_NR] = {}, start_ns, map_ns, len;
	u32 run;
	int ret = 0;

	*mapped = 0;
	/*
	 * One clock reading a batch, not one a run: on fragmented memory a
	 * batch is hundreds of one- or two-page runs, and a clock read per
	 * run cost more than the map calls it timed where the clocksource is
	 * slow to read (the lab VM's HPET).
	 */
	start_ns = ktime_get_ns();
	for (run = 0; run < r->batch.nruns; run++) {
		len = (u64)r->batch.run_npfns[run] << PAGE_SHIFT;
		ret = dom->ops->map(dom, iova + (*mapped << PAGE_SHIFT),
				    PFN_PHYS(r->batch.run_pfn[run]), len, prot,
				    added);
		op->rep->map_calls++;
		if (ret)
			break;
		*mapped += r->batch.run_npfns[run];
	}
	map_ns = ktime_get_ns() - start_ns;
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
 * struct pfnlab_map_fill - a MAP in progress, as pfnlab_reader_fill's
 *	consumer
 * @dom: the domain
 * @iova: IOVA of the range's first page
 * @prot: IOMMU_READ / IOMMU_WRITE
 * @ioptes: the map's leaf counts
 * @mapped: pages mapped so far
 */
struct pfnlab_map_fill {
	struct pfnlab_domain *dom;
	u64 iova;
	int prot;
	u64 *ioptes;
	u64 mapped;
};

static int pfnlab_map_consume(struct pfnlab_reader *r, void *arg, u64 *used)
{
	struct pfnlab_map_fill *m = arg;
	int ret;

	ret = pfnlab_map_batch(r, m->dom, m->iova + (m->mapped << PAGE_SHIFT),
			       m->prot, m->ioptes, used);
	m->mapped += *used;
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
	struct pfnlab_map_fill fill = {};
	struct pfnlab_obj *obj;
	u64 last, start_idx, estimate;
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
	fill.dom = dom;
	fill.iova = a->iova;
	fill.prot = prot;
	fill.ioptes = area->ioptes;
	ret = pfnlab_reader_fill(r, pfnlab_map_consume, &fill);
	/* An exact count is known only now: past the cap, the map is undone. */
	if (!ret && dom->ops->pt_bytes &&
	    ctx->pt_bytes - dom->pt_bytes + dom->ops->pt_bytes(dom) >
		    PFNLAB_MAX_PT_BYTES)
		ret = -ENOSPC;
	if (ret) {
		pfnlab_reader_abort(r);
		if (fill.mapped)
			pfnlab_unmap_pages(op, dom, pages, a->iova, start_idx,
					   fill.mapped, area->ioptes);
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
		struct pfnlab_area *area = container_of(node, struct pfnlab_area,
							iova_node);

		a->out_unmapped += area->npages << PAGE_SHIFT;
		pfnlab_area_destroy(op, area);
	}
	op->leak_one_pin = false;
	return 0;
}
