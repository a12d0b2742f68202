// SPDX-License-Identifier: GPL-2.0
/*
 * pfnlab: the pfn_reader.  It walks an index range of a pages object in
 * chunks of at most pages_per_call indexes.  Each chunk comes from one tier,
 * the cheapest that holds its first index:
 *
 *  1. the xarray of accesses (the index has an access holder),
 *  2. a domain that maps the index (any other holder is a map): the PFN is
 *     read back by translating the IOVA,
 *  3. the origin: the user memory, pinned with GUP.
 *
 * Every index the reader hands out is held (its user count raised) until
 * the caller either keeps it (a map or an access now holds it) or the
 * reader drops it again (abort, or READ's transient pins).
 *
 * The chunk's PFN array is added to the pfn_batch with the chosen strategy;
 * the time spent in pfn_batch_fill_per_page() or pfn_batch_fill_run_aware()
 * (both check contiguity PFN by PFN; neither assumes a folio is mapped
 * whole) is the FILL phase.  When the batch is full, or the range is done,
 * pfnlab_reader_next() returns 1 and the caller drains it.
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/ktime.h>
#include <linux/sched.h>

#include "pfnlab_private.h"
#include "trace.h"

/**
 * pfnlab_check_reader_opts() - validate struct pfnlab_reader_opts
 * @opts: the options
 *
 * Return: 0, -EOPNOTSUPP for a reserved field, -EINVAL for pages_per_call,
 * batch_runs 0 or an unknown strategy, -E2BIG for too many runs.
 */
int pfnlab_check_reader_opts(const struct pfnlab_reader_opts *opts)
{
	if (opts->__reserved)
		return -EOPNOTSUPP;
	if (!opts->pages_per_call ||
	    opts->pages_per_call > PFNLAB_MAX_PAGES_PER_CALL)
		return -EINVAL;
	if (!opts->batch_runs)
		return -EINVAL;
	if (opts->batch_runs > PFNLAB_MAX_BATCH_RUNS)
		return -E2BIG;
	if (opts->fill != PFNLAB_FILL_PER_PAGE &&
	    opts->fill != PFNLAB_FILL_RUN_AWARE)
		return -EINVAL;
	return 0;
}

/**
 * pfnlab_reader_init() - prepare a reader
 * @r: the reader
 * @op: the operation
 * @pages: the pages object
 * @start_idx: first index
 * @npages: indexes to read
 * @opts: validated options
 * @transient: READ: drop every hold again as soon as the chunk is in the
 *	batch, and keep npinned out of it
 *
 * Return: 0 or -ENOMEM.
 */
int pfnlab_reader_init(struct pfnlab_reader *r, struct pfnlab_op *op,
		       struct pfnlab_pages *pages, u64 start_idx, u64 npages,
		       const struct pfnlab_reader_opts *opts, bool transient)
{
	int ret;

	memset(r, 0, sizeof(*r));
	r->op = op;
	r->pages = pages;
	r->pages_per_call = opts->pages_per_call;
	r->fill = opts->fill;
	r->transient = transient;
	r->start_idx = start_idx;
	r->next_idx = start_idx;
	r->end_idx = start_idx + npages;
	r->batch_idx = start_idx;
	ret = pfn_batch_init(&r->batch, opts->batch_runs);
	if (ret)
		return ret;
	r->chunk_pfns = kvmalloc_array(r->pages_per_call, sizeof(*r->chunk_pfns),
				       GFP_KERNEL_ACCOUNT);
	r->chunk_tiers = kvmalloc(r->pages_per_call, GFP_KERNEL_ACCOUNT);
	r->gup_pages = kvmalloc_array(r->pages_per_call, sizeof(*r->gup_pages),
				      GFP_KERNEL_ACCOUNT);
	if (!r->chunk_pfns || !r->chunk_tiers || !r->gup_pages) {
		pfnlab_reader_destroy(r);
		return -ENOMEM;
	}
	return 0;
}

/**
 * pfnlab_reader_destroy() - free the reader's buffers
 * @r: the reader (after the last drain, or after pfnlab_reader_abort())
 */
void pfnlab_reader_destroy(struct pfnlab_reader *r)
{
	pfn_batch_destroy(&r->batch);
	kvfree(r->chunk_pfns);
	kvfree(r->chunk_tiers);
	kvfree(r->gup_pages);
	r->chunk_pfns = NULL;
	r->chunk_tiers = NULL;
	r->gup_pages = NULL;
}

/**
 * pfnlab_index_tier() - the cheapest tier that holds an index
 * @pages: the pages object
 * @idx: the index
 *
 * An index with an access holder is in the xarray; one with any other
 * holder is held by a map, so a domain translates it; else only the
 * origin has it.
 *
 * Return: an enum pfnlab_tier.
 */
static enum pfnlab_tier pfnlab_index_tier(struct pfnlab_pages *pages, u64 idx)
{
	if (pages->idx[idx].accesses)
		return PFNLAB_TIER_XARRAY;
	if (pages->idx[idx].users)
		return PFNLAB_TIER_DOMAIN;
	return PFNLAB_TIER_ORIGIN;
}

/**
 * pfnlab_read_domain_tier() - read PFNs back from a domain that maps them
 * @r: the reader
 * @idx: first index; a map of the pages object covers it
 * @max: most indexes to read
 *
 * Return: indexes read (at least 1), or -EIO if the bookkeeping says a map
 * holds the index but none translates it (a bug).
 */
static long pfnlab_read_domain_tier(struct pfnlab_reader *r, u64 idx, u32 max)
{
	struct pfnlab_pages *pages = r->pages;
	struct pfnlab_area *area = pfnlab_pages_find_area(pages, idx);
	struct pfnlab_domain *dom;
	phys_addr_t phys;
	u32 n;

	if (WARN_ON_ONCE(!area))
		return -EIO;
	dom = area->domain;
	max = min_t(u64, max, area->start_idx + area->npages - idx);
	for (n = 0; n < max; n++) {
		if (n && pfnlab_index_tier(pages, idx + n) != PFNLAB_TIER_DOMAIN)
			break;
		if (WARN_ON_ONCE(
			    !dom->ops->iova_to_phys(dom,
						    area->iova +
							    ((idx + n -
							      area->start_idx)
							     << PAGE_SHIFT),
						    &phys)))
			return -EIO;
		r->chunk_pfns[n] = PHYS_PFN(phys);
	}
	return n;
}

/**
 * pfnlab_read_chunk() - read the next chunk from its tier and hold it
 * @r: the reader
 *
 * Return: 0, or a negative errno.  On a charge failure the chunk is already
 * held and counted, so that pfnlab_reader_abort() undoes it with the rest.
 */
static int pfnlab_read_chunk(struct pfnlab_reader *r)
{
	struct pfnlab_pages *pages = r->pages;
	struct pfnlab_op_report *rep = r->op->rep;
	u64 idx = r->next_idx;
	u32 max = min_t(u64, r->end_idx - idx, r->pages_per_call);
	enum pfnlab_tier tier = pfnlab_index_tier(pages, idx);
	long n = 0, i;
	int ret = 0;

	switch (tier) {
	case PFNLAB_TIER_XARRAY:
		while (n < max && pfnlab_index_tier(pages, idx + n) ==
					  PFNLAB_TIER_XARRAY) {
			void *entry = xa_load(&pages->pinned_pfns, idx + n);

			if (WARN_ON_ONCE(!xa_is_value(entry)))
				return -EIO;
			r->chunk_pfns[n++] = xa_to_value(entry);
		}
		break;
	case PFNLAB_TIER_DOMAIN:
		n = pfnlab_read_domain_tier(r, idx, max);
		break;
	case PFNLAB_TIER_ORIGIN:
		/* Every holder counts in users: an index without one is here. */
		while (n < max && !pages->idx[idx + n].users)
			n++;
		n = pfnlab_pages_pin(r->op, pages, idx, n, r->gup_pages);
		for (i = 0; i < n; i++) {
			r->chunk_pfns[i] = page_to_pfn(r->gup_pages[i]);
			pages->idx[idx + i].users = 1;
		}
		break;
	default: return -EIO;
	}
	if (n < 0)
		return n;

	if (tier != PFNLAB_TIER_ORIGIN)
		for (i = 0; i < n; i++)
			pages->idx[idx + i].users++;
	memset(r->chunk_tiers, tier, n);
	r->chunk_idx = idx;
	r->chunk_n = n;
	r->chunk_used = 0;
	r->chunk_held = true;
	r->next_idx += n;
	rep->pfns_by_tier[tier] += n;

	if (tier == PFNLAB_TIER_ORIGIN && !r->transient) {
		pages->npinned += n;
		rep->npinned_delta += n;
		rep->npinned = pages->npinned;
		ret = pfnlab_pages_update_account(pages);
		if (ret)
			return ret;
	}
	/* READ's pins are charged while they last, like any other. */
	if (tier == PFNLAB_TIER_ORIGIN && r->transient && n) {
		ret = pfnlab_pages_charge_transient(pages, n, true);
		if (ret)
			return ret;
		r->chunk_charged = n;
	}

	/* READ copies each chunk out as soon as it is read. */
	if (r->pfns_out &&
	    copy_to_user(r->pfns_out + (idx - r->start_idx), r->chunk_pfns,
			 n * sizeof(*r->chunk_pfns)))
		return -EFAULT;
	if (r->tiers_out && copy_to_user(r->tiers_out + (idx - r->start_idx),
					 r->chunk_tiers, n))
		return -EFAULT;
	return 0;
}

/**
 * pfnlab_release_chunk_rest() - drop the holds of the chunk's indexes from
 *	@from on
 * @r: the reader
 * @from: first chunk position to drop
 */
static void pfnlab_release_chunk_rest(struct pfnlab_reader *r, u32 from)
{
	pfnlab_pages_release_range(r->op, r->pages, r->chunk_idx + from,
				   r->chunk_pfns + from, r->chunk_n - from,
				   !r->transient);
	r->chunk_held = false;
	if (r->chunk_charged) {
		pfnlab_pages_charge_transient(r->pages, r->chunk_charged, false);
		r->chunk_charged = 0;
	}
}

/**
 * pfnlab_reader_next() - fill the batch until it is full or the range ends
 * @r: the reader; its batch must be empty (freshly drained)
 *
 * Return: 1 when the batch holds PFNs to drain (the caller drains them and
 * calls pfnlab_reader_drained()), 0 when the range is done, or a negative
 * errno (the caller then calls pfnlab_reader_abort()).
 */
int pfnlab_reader_next(struct pfnlab_reader *r)
{
	u64 start_ns;
	size_t used;
	int ret;

	for (;;) {
		if (r->chunk_used == r->chunk_n) {
			if (r->transient && r->chunk_held) {
				pfnlab_release_chunk_rest(r, 0);
				pfnlab_pages_unpin_flush(r->op);
			}
			if (r->next_idx == r->end_idx)
				break;
			/* A long range must not hog the CPU between chunks. */
			cond_resched();
			ret = pfnlab_read_chunk(r);
			if (ret)
				return ret;
		}
		start_ns = ktime_get_ns();
		if (r->fill == PFNLAB_FILL_RUN_AWARE)
			used = pfn_batch_fill_run_aware(&r->batch,
							r->chunk_pfns +
								r->chunk_used,
							r->chunk_n -
								r->chunk_used);
		else
			used = pfn_batch_fill_per_page(&r->batch,
						       r->chunk_pfns +
							       r->chunk_used,
						       r->chunk_n -
							       r->chunk_used);
		pfnlab_phase_add(r->op, PFNLAB_PHASE_FILL,
				 ktime_get_ns() - start_ns);
		r->chunk_used += used;
		/* The batch is full: drain it before the chunk goes on. */
		if (r->chunk_used < r->chunk_n)
			break;
	}
	if (!r->batch.total_pfns)
		return 0;
	r->op->rep->runs += r->batch.nruns;
	r->op->rep->batch_refills++;
	return 1;
}

/**
 * pfnlab_reader_consumed() - the caller took over part of the batch and
 *	then failed
 * @r: the reader
 * @npfns: PFNs at the front of the batch the caller keeps (they are no
 *	longer the reader's to drop in pfnlab_reader_abort())
 */
void pfnlab_reader_consumed(struct pfnlab_reader *r, u64 npfns)
{
	r->batch_consumed = npfns;
}

/**
 * pfnlab_reader_drained() - the caller took over the whole batch
 * @r: the reader
 */
void pfnlab_reader_drained(struct pfnlab_reader *r)
{
	trace_pfnlab_batch_flush(r->pages->obj.id, r->batch_idx,
				 r->batch.total_pfns, r->batch.nruns,
				 r->batch.capacity_runs);
	r->batch_idx += r->batch.total_pfns;
	r->batch_consumed = 0;
	pfn_batch_clear(&r->batch);
}

/**
 * pfnlab_reader_abort() - drop every hold the caller did not take over
 * @r: the reader
 *
 * Drops the batch's indexes past what the caller consumed, then the rest of
 * the current chunk, unpins what nobody else holds and returns the charge.
 */
void pfnlab_reader_abort(struct pfnlab_reader *r)
{
	struct pfnlab_pages *pages = r->pages;
	u64 idx = r->batch_idx, skip = r->batch_consumed, k;
	u32 run;

	if (!r->transient) {
		for (run = 0; run < r->batch.nruns; run++) {
			for (k = 0; k < r->batch.run_npfns[run]; k++, idx++) {
				if (skip) {
					skip--;
					continue;
				}
				pfnlab_pages_release(r->op, pages, idx,
						     r->batch.run_pfn[run] + k,
						     true);
			}
		}
		if (r->chunk_held)
			pfnlab_release_chunk_rest(r, r->chunk_used);
	} else if (r->chunk_held) {
		pfnlab_release_chunk_rest(r, 0);
	}
	pfn_batch_clear(&r->batch);
	pfnlab_pages_unpin_flush(r->op);
	pfnlab_pages_update_account(pages);
}

/**
 * pfnlab_reader_fill() - drive a reader to its end, draining each batch
 *	into a consumer
 * @r: an initialised reader
 * @consume: the consumer (a domain's map, the xarray tier), or NULL for
 *	one that keeps nothing (READ measures the batches only)
 * @arg: the consumer's state
 *
 * The one loop every user of a reader runs, as iommufd's pfn_reader is
 * driven by first/next.
 *
 * Return: 0 when every batch was drained, else the reader's or the
 * consumer's error; the caller aborts the reader and undoes what its
 * consumer kept.
 */
int pfnlab_reader_fill(struct pfnlab_reader *r, pfnlab_consume_fn consume,
		       void *arg)
{
	u64 used;
	int ret;

	while ((ret = pfnlab_reader_next(r)) > 0) {
		if (consume) {
			used = 0;
			ret = consume(r, arg, &used);
			if (ret) {
				pfnlab_reader_consumed(r, used);
				return ret;
			}
		}
		pfnlab_reader_drained(r);
	}
	return ret;
}
