// SPDX-License-Identifier: GPL-2.0
/*
 * pfnlab: accesses (in-kernel users that keep a range pinned in the xarray
 * tier) and READ (the pfn_reader over a range, without keeping anything).
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/xarray.h>
#include <linux/uaccess.h>
#include <linux/ktime.h>

#include "pfnlab_private.h"

/* Indexes dropped under one hold of the xarray's lock (a stack array). */
#define PFNLAB_XA_PUT_CHUNK 32

/**
 * pfnlab_access_put_range() - drop an access's hold on a range
 * @op: the operation
 * @pages: the pages object
 * @start_idx: first index
 * @npages: indexes
 *
 * The PFN of each index comes from the xarray; the entry goes when its last
 * access does, the pin when its last holder does.  The xarray is walked
 * once per %PFNLAB_XA_PUT_CHUNK indexes under its lock (as iommufd clears
 * its own), and the holds are dropped after the lock is released, since
 * dropping a pin may sleep.
 */
static void pfnlab_access_put_range(struct pfnlab_op *op,
				    struct pfnlab_pages *pages, u64 start_idx,
				    u64 npages)
{
	XA_STATE(xas, &pages->pinned_pfns, start_idx);
	u64 pfns[PFNLAB_XA_PUT_CHUNK];
	u64 idx = start_idx, end = start_idx + npages, i, n, nfound;
	void *entry;

	while (idx < end) {
		n = min_t(u64, end - idx, PFNLAB_XA_PUT_CHUNK);
		for (i = 0; i < n; i++)
			pfns[i] = PFNLAB_NO_PFN;
		nfound = 0;
		xas_set(&xas, idx);
		xas_lock(&xas);
		xas_for_each(&xas, entry, idx + n - 1) {
			struct pfnlab_index_users *pi = &pages->idx[xas.xa_index];

			if (!xa_is_value(entry) || !pi->accesses)
				continue;
			pfns[xas.xa_index - idx] = xa_to_value(entry);
			nfound++;
			if (!--pi->accesses)
				xas_store(&xas, NULL);
		}
		xas_unlock(&xas);
		/* Every index of an access has its PFN in the xarray. */
		WARN_ON_ONCE(nfound != n);
		pfnlab_pages_release_range(op, pages, idx, pfns, n, true);
		idx += n;
		cond_resched();
	}
	pfnlab_pages_unpin_flush(op);
	pfnlab_pages_update_account(pages);
}

/* Entries stored under one hold of the xarray's lock, at most. */
#define PFNLAB_XA_STORES_PER_LOCK 1024

/**
 * pfnlab_access_store() - drain a batch into the xarray tier
 * @r: the reader
 * @arg: unused (the tier is @r's pages object)
 * @stored: set to the PFNs of the batch now held by the access
 *
 * One walk of the xarray under its lock for a stretch of indexes, as
 * iommufd fills its own (batch_to_xarray()): an xa_store() per index took
 * the lock and walked down from the root every time, the largest part of
 * an ACCESS_PIN of huge pages.  Nodes the walk needs are allocated with
 * the lock dropped (xas_nomem()), and the lock is let go every
 * %PFNLAB_XA_STORES_PER_LOCK entries so that a huge batch does not hold
 * the CPU.
 *
 * Return: 0 or -ENOMEM; *@stored counts the PFNs taken either way.
 */
static int pfnlab_access_store(struct pfnlab_reader *r, void *arg, u64 *stored)
{
	struct pfnlab_pages *pages = r->pages;
	const struct pfn_batch *batch = &r->batch;
	u64 idx = r->batch_idx, start_ns = ktime_get_ns(), pfn = 0, left = 0;
	struct pfnlab_index_users *iu = &pages->idx[idx];
	XA_STATE(xas, &pages->pinned_pfns, idx);
	u32 run = 0, nruns = batch->nruns, n;
	int ret = 0;

	if (nruns) {
		pfn = batch->run_pfn[0];
		left = batch->run_npfns[0];
	}
	while (run < nruns) {
		xas_set(&xas, idx);
		xas_lock(&xas);
		for (n = 0; n < PFNLAB_XA_STORES_PER_LOCK; n++) {
			if (!iu->accesses) {
				xas_store(&xas, xa_mk_value(pfn));
				if (xas_error(&xas))
					break;
			}
			iu->accesses++;
			iu++;
			idx++;
			pfn++;
			if (!--left) {
				if (++run == nruns)
					break;
				pfn = batch->run_pfn[run];
				left = batch->run_npfns[run];
			}
			xas_next(&xas);
		}
		xas_unlock(&xas);
		/* A node was missing: allocate it unlocked, then go on at @idx. */
		if (xas_nomem(&xas, GFP_KERNEL_ACCOUNT))
			continue;
		ret = xas_error(&xas);
		if (ret)
			break;
		cond_resched();
	}
	*stored = idx - r->batch_idx;
	pfnlab_phase_add(r->op, PFNLAB_PHASE_STORE, ktime_get_ns() - start_ns);
	return ret;
}

/**
 * pfnlab_access_pin() - PFNLAB_ACCESS_PIN
 * @ctx: the fd
 * @a: the request
 *
 * Return: 0 or a negative errno from the UAPI's tables; on failure nothing
 * this call pinned stays pinned.
 */
int pfnlab_access_pin(struct pfnlab_ctx *ctx, struct pfnlab_access_pin *a)
{
	struct pfnlab_op *op = &ctx->op;
	struct pfnlab_reader *r;
	struct pfnlab_access *acc;
	struct pfnlab_pages *pages;
	struct pfnlab_obj *obj;
	u64 start_idx;
	int ret;

	if (a->flags)
		return -EOPNOTSUPP;
	ret = pfnlab_check_reader_opts(&a->opts);
	if (ret)
		return ret;
	obj = pfnlab_obj_get(ctx, a->pages_id, PFNLAB_OBJ_PAGES);
	if (!obj)
		return -ENOENT;
	pages = container_of(obj, struct pfnlab_pages, obj);
	ret = pfnlab_check_range(pages, a->offset, a->length);
	if (ret)
		return ret;
	start_idx = a->offset >> PAGE_SHIFT;

	acc = kzalloc(sizeof(*acc), GFP_KERNEL_ACCOUNT);
	r = kzalloc(sizeof(*r), GFP_KERNEL_ACCOUNT);
	if (!acc || !r) {
		ret = -ENOMEM;
		goto out_free;
	}
	ret = pfnlab_reader_init(r, op, pages, start_idx,
				 a->length >> PAGE_SHIFT, &a->opts, false);
	if (ret)
		goto out_free;
	ret = pfnlab_reader_fill(r, pfnlab_access_store, NULL);
	if (!ret) {
		acc->pages = pages;
		acc->start_idx = start_idx;
		acc->npages = a->length >> PAGE_SHIFT;
		ret = pfnlab_obj_insert(ctx, &acc->obj, PFNLAB_OBJ_ACCESS);
	}
	if (ret) {
		u64 kept = r->batch_idx - start_idx + r->batch_consumed;

		pfnlab_reader_abort(r);
		/* What the access already held in the xarray goes back too. */
		pfnlab_access_put_range(op, pages, start_idx, kept);
		pfnlab_reader_destroy(r);
		goto out_free;
	}
	pfnlab_reader_destroy(r);
	kfree(r);
	pages->naccesses++;
	a->out_access_id = acc->obj.id;
	op->new_id = acc->obj.id;
	op->rep->npinned = pages->npinned;
	return 0;

out_free:
	kfree(r);
	kfree(acc);
	return ret;
}

/**
 * pfnlab_access_destroy() - end an access: drop its holds and free it
 * @ctx: the fd
 * @acc: the access
 */
void pfnlab_access_destroy(struct pfnlab_ctx *ctx, struct pfnlab_access *acc)
{
	struct pfnlab_pages *pages = acc->pages;

	pfnlab_access_put_range(&ctx->op, pages, acc->start_idx, acc->npages);
	pages->naccesses--;
	ctx->op.rep->npinned = pages->npinned;
	pfnlab_obj_remove(ctx, &acc->obj);
	kfree(acc);
}

/**
 * pfnlab_access_unpin() - PFNLAB_ACCESS_UNPIN
 * @ctx: the fd
 * @a: the request
 *
 * Return: 0, or -ENOENT when the id names no access (a double unpin).
 */
int pfnlab_access_unpin(struct pfnlab_ctx *ctx, struct pfnlab_access_unpin *a)
{
	struct pfnlab_obj *obj = pfnlab_obj_get(ctx, a->access_id,
						PFNLAB_OBJ_ACCESS);

	if (!obj)
		return -ENOENT;
	pfnlab_access_destroy(ctx, container_of(obj, struct pfnlab_access, obj));
	return 0;
}

/**
 * pfnlab_read() - PFNLAB_READ
 * @ctx: the fd
 * @a: the request
 *
 * Return: 0 or a negative errno from the UAPI's tables; pins taken for the
 * read are always dropped before returning.
 */
int pfnlab_read(struct pfnlab_ctx *ctx, struct pfnlab_read *a)
{
	struct pfnlab_op *op = &ctx->op;
	struct pfnlab_pages *pages;
	struct pfnlab_reader *r;
	struct pfnlab_obj *obj;
	int ret;

	if (a->flags & ~(PFNLAB_READ_COPY_PFNS | PFNLAB_READ_COPY_TIERS) ||
	    a->__reserved)
		return -EOPNOTSUPP;
	ret = pfnlab_check_reader_opts(&a->opts);
	if (ret)
		return ret;
	obj = pfnlab_obj_get(ctx, a->pages_id, PFNLAB_OBJ_PAGES);
	if (!obj)
		return -ENOENT;
	pages = container_of(obj, struct pfnlab_pages, obj);
	ret = pfnlab_check_range(pages, a->offset, a->length);
	if (ret)
		return ret;
	/* The whole output must be writable before anything is pinned. */
	if ((a->flags & PFNLAB_READ_COPY_PFNS) &&
	    (!a->pfns_uptr ||
	     !access_ok(u64_to_user_ptr(a->pfns_uptr),
			(a->length >> PAGE_SHIFT) * sizeof(u64))))
		return -EFAULT;
	if ((a->flags & PFNLAB_READ_COPY_TIERS) &&
	    (!a->tiers_uptr || !access_ok(u64_to_user_ptr(a->tiers_uptr),
					  a->length >> PAGE_SHIFT)))
		return -EFAULT;

	r = kzalloc(sizeof(*r), GFP_KERNEL_ACCOUNT);
	if (!r)
		return -ENOMEM;
	ret = pfnlab_reader_init(r, op, pages, a->offset >> PAGE_SHIFT,
				 a->length >> PAGE_SHIFT, &a->opts, true);
	if (ret)
		goto out;
	if (a->flags & PFNLAB_READ_COPY_PFNS)
		r->pfns_out = u64_to_user_ptr(a->pfns_uptr);
	if (a->flags & PFNLAB_READ_COPY_TIERS)
		r->tiers_out = u64_to_user_ptr(a->tiers_uptr);
	/* Nothing to drain into: the batch only measures how PFNs coalesce. */
	ret = pfnlab_reader_fill(r, NULL, NULL);
	if (ret)
		pfnlab_reader_abort(r);
	pfnlab_reader_destroy(r);
	op->rep->npinned = pages->npinned;
out:
	kfree(r);
	return ret;
}
