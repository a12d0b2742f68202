// SPDX-License-Identifier: GPL-2.0
/*
 * pfnlab: the pages object.  It remembers a range of user memory with the mm
 * and the user it came from, counts who holds each index, pins from the
 * origin with GUP and charges what it pinned.
 *
 * Accounting follows docs/design.md, section 1: @npinned counts the indexes
 * pinned now, @last_npinned how many of them are charged.  A call pins
 * first, then charges the difference; when the charge fails the call
 * unpins what it pinned.  Unpinning uncharges the difference the other
 * way.
 */
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/sched/user.h>
#include <linux/sched/signal.h>
#include <linux/cred.h>
#include <linux/capability.h>
#include <linux/slab.h>
#include <linux/ktime.h>
#include <linux/overflow.h>

#include "pfnlab_private.h"
#include "compat.h"
#include "trace.h"

unsigned long pfnlab_pin_delay_ns;
module_param_named(pin_delay_ns, pfnlab_pin_delay_ns, ulong, 0644);
MODULE_PARM_DESC(
	pin_delay_ns,
	"busy delay added per pinned page, in ns (regression tests of the compare tooling)");

/**
 * pfnlab_check_vmas() - check that VMAs cover a user range
 * @mm: the caller's mm
 * @start: first address
 * @end: end address (exclusive)
 * @writable: every VMA must also allow writes
 *
 * Return: 0, -EFAULT for a hole, -EPERM for a VMA without write permission
 * when @writable.
 */
static int pfnlab_check_vmas(struct mm_struct *mm, unsigned long start,
			     unsigned long end, bool writable)
{
	struct vm_area_struct *vma;
	unsigned long addr = start;
	int ret = 0;

	mmap_read_lock(mm);
	while (addr < end) {
		vma = find_vma(mm, addr);
		if (!vma || vma->vm_start > addr) {
			ret = -EFAULT;
			break;
		}
		if (writable && !(vma->vm_flags & VM_WRITE)) {
			ret = -EPERM;
			break;
		}
		addr = vma->vm_end;
	}
	mmap_read_unlock(mm);
	return ret;
}

/**
 * pfnlab_pages_create() - PFNLAB_PAGES_CREATE
 * @ctx: the fd
 * @a: the request
 *
 * Return: 0 or a negative errno from the UAPI's bad-input table.
 */
int pfnlab_pages_create(struct pfnlab_ctx *ctx, struct pfnlab_pages_create *a)
{
	bool writable = a->flags & PFNLAB_PAGES_WRITABLE;
	struct pfnlab_pages *pages;
	u64 end;
	int ret;

	if (a->flags & ~PFNLAB_PAGES_WRITABLE)
		return -EOPNOTSUPP;
	if (a->account_mode > PFNLAB_ACCOUNT_NONE)
		return -EINVAL;
	if (!a->length || !PAGE_ALIGNED(a->uptr) || !PAGE_ALIGNED(a->length))
		return -EINVAL;
	if (check_add_overflow(a->uptr, a->length, &end) || end > TASK_SIZE)
		return -EOVERFLOW;
	if (a->account_mode == PFNLAB_ACCOUNT_NONE && !capable(CAP_IPC_LOCK))
		return -EPERM;
	if (!current->mm)
		return -EFAULT;
	ret = pfnlab_check_vmas(current->mm, a->uptr, end, writable);
	if (ret)
		return ret;
	/* The bookkeeping is 8 bytes a page whether or not any is pinned. */
	if (ctx->index_bytes + (a->length >> PAGE_SHIFT) * sizeof(*pages->idx) >
	    PFNLAB_MAX_INDEX_BYTES)
		return -ENOSPC;

	pages = kzalloc(sizeof(*pages), GFP_KERNEL_ACCOUNT);
	if (!pages)
		return -ENOMEM;
	pages->npages = a->length >> PAGE_SHIFT;
	/*
	 * Charged to the caller's memory cgroup; over its limit the call
	 * fails (NORETRY: no OOM kill for it), quietly (NOWARN).
	 */
	pages->idx = kvcalloc(pages->npages, sizeof(*pages->idx),
			      GFP_KERNEL_ACCOUNT | __GFP_NORETRY | __GFP_NOWARN);
	if (!pages->idx) {
		kfree(pages);
		return -ENOMEM;
	}
	pages->ctx = ctx;
	pages->uptr = a->uptr;
	pages->writable = writable;
	pages->account_mode = a->account_mode;
	pages->limit_exempt = capable(CAP_IPC_LOCK);
	xa_init(&pages->pinned_pfns);
	pages->maps_itree = RB_ROOT_CACHED;

	ret = pfnlab_obj_insert(ctx, &pages->obj, PFNLAB_OBJ_PAGES);
	if (ret) {
		kvfree(pages->idx);
		kfree(pages);
		return ret;
	}
	mmgrab(current->mm);
	pages->mm = current->mm;
	pages->user = get_uid(current_user());
	ctx->index_bytes += pages->npages * sizeof(*pages->idx);
	a->out_pages_id = pages->obj.id;
	ctx->op.new_id = pages->obj.id;
	return 0;
}

/**
 * pfnlab_pages_info() - PFNLAB_PAGES_INFO
 * @ctx: the fd
 * @a: the request
 *
 * Return: 0, -EOPNOTSUPP for a non-zero reserved field, -ENOENT.
 */
int pfnlab_pages_info(struct pfnlab_ctx *ctx, struct pfnlab_pages_info *a)
{
	struct pfnlab_obj *obj;
	struct pfnlab_pages *pages;

	if (a->__reserved)
		return -EOPNOTSUPP;
	obj = pfnlab_obj_get(ctx, a->pages_id, PFNLAB_OBJ_PAGES);
	if (!obj)
		return -ENOENT;
	pages = container_of(obj, struct pfnlab_pages, obj);
	a->out_npages = pages->npages;
	a->out_npinned = pages->npinned;
	a->out_last_npinned = pages->last_npinned;
	a->out_nmaps = pages->nmaps;
	a->out_naccesses = pages->naccesses;
	a->out_account_mode = pages->account_mode;
	return 0;
}

/**
 * pfnlab_pages_destroy() - free a pages object that nothing uses
 * @ctx: the fd
 * @pages: the object: no maps, no accesses, so nothing pinned
 */
void pfnlab_pages_destroy(struct pfnlab_ctx *ctx, struct pfnlab_pages *pages)
{
	WARN_ON_ONCE(pages->npinned || pages->nmaps || pages->naccesses);
	/* Returns any charge left (none when npinned is 0). */
	pfnlab_pages_update_account(pages);
	ctx->index_bytes -= pages->npages * sizeof(*pages->idx);
	pfnlab_obj_remove(ctx, &pages->obj);
	xa_destroy(&pages->pinned_pfns);
	kvfree(pages->idx);
	free_uid(pages->user);
	mmdrop(pages->mm);
	kfree(pages);
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
 * pfnlab_check_range() - check an offset/length pair against a pages object
 * @pages: the object
 * @offset: bytes from its start
 * @length: bytes
 *
 * Return: 0, -EINVAL for a zero or unaligned value, -ERANGE beyond the end.
 */
int pfnlab_check_range(struct pfnlab_pages *pages, u64 offset, u64 length)
{
	u64 end;

	if (!length || !PAGE_ALIGNED(offset) || !PAGE_ALIGNED(length))
		return -EINVAL;
	if (check_add_overflow(offset, length, &end) ||
	    end > pages->npages << PAGE_SHIFT)
		return -ERANGE;
	return 0;
}

/**
 * pfnlab_pin_delay() - the pin_delay_ns fault injection
 * @npages: pages just pinned
 *
 * Busy-waits pin_delay_ns per page: the delay must cost CPU time the way a
 * slower pin path would, so that a regression check can see it.
 */
static void pfnlab_pin_delay(u64 npages)
{
	u64 delay = READ_ONCE(pfnlab_pin_delay_ns), until;

	if (!delay || check_mul_overflow(delay, npages, &delay))
		return;
	until = ktime_get_ns() + delay;
	while (ktime_get_ns() < until)
		cpu_relax();
}

/**
 * pfnlab_pages_pin() - pin indexes from the origin with GUP
 * @op: the operation (its report counts GUP calls and pin time)
 * @pages: the pages object
 * @idx: first index
 * @npages: indexes to pin (at most PFNLAB_MAX_PAGES_PER_CALL)
 * @out: where the pinned pages go
 *
 * Uses pin_user_pages_fast() when the caller runs in the pages' mm, else
 * pin_user_pages_remote() under the mmap lock of that mm, if it is still
 * alive.  GUP may pin fewer pages than asked: it is called again for the
 * rest.  The pin is FOLL_LONGTERM, plus FOLL_WRITE when writable.
 *
 * Return: @npages, or a negative errno with nothing left pinned.
 */
long pfnlab_pages_pin(struct pfnlab_op *op, struct pfnlab_pages *pages, u64 idx,
		      u32 npages, struct page **out)
{
	unsigned int gup_flags = FOLL_LONGTERM |
				 (pages->writable ? FOLL_WRITE : 0);
	unsigned long addr = pages->uptr + (idx << PAGE_SHIFT);
	bool local = current->mm == pages->mm;
	u64 start_ns = ktime_get_ns(), ns;
	long done = 0, ret = 0;

	if (!local) {
		if (!mmget_not_zero(pages->mm))
			return -EFAULT;
		mmap_read_lock(pages->mm);
	}
	while (done < npages) {
		if (local)
			ret = pin_user_pages_fast(addr + (done << PAGE_SHIFT),
						  npages - done, gup_flags,
						  out + done);
		else
			ret = pfnlab_pin_remote(pages->mm,
						addr + (done << PAGE_SHIFT),
						npages - done, gup_flags,
						out + done);
		op->rep->gup_calls++;
		if (ret <= 0) {
			/* 0 pages and no error: nothing there to pin. */
			if (!ret)
				ret = -EFAULT;
			break;
		}
		done += ret;
	}
	if (!local) {
		mmap_read_unlock(pages->mm);
		mmput(pages->mm);
	}
	if (ret < 0 && done) {
		unpin_user_pages(out, done);
		pfnlab_stats_pins(pages->ctx, done, done);
		done = 0;
	}
	if (ret >= 0) {
		pfnlab_pin_delay(done);
		pfnlab_stats_pins(pages->ctx, done, 0);
	}
	ns = ktime_get_ns() - start_ns;
	pfnlab_phase_add(op, PFNLAB_PHASE_PIN, ns);
	trace_pfnlab_pin(pages->obj.id, idx, npages, ret < 0 ? ret : done, ns);
	return ret < 0 ? ret : done;
}

/**
 * pfnlab_pages_unpin_flush() - unpin the runs queued by
 *	pfnlab_pages_release_range() and count the pages released
 * @op: the operation
 */
void pfnlab_pages_unpin_flush(struct pfnlab_op *op)
{
	u64 start_ns;
	u32 i;

	if (op->unpin_released) {
		pfnlab_stats_pins(op->ctx, 0, op->unpin_released);
		op->unpin_released = 0;
	}
	if (!op->unpin_nruns)
		return;
	start_ns = ktime_get_ns();
	for (i = 0; i < op->unpin_nruns; i++) {
		struct page *first = pfn_to_page(op->unpin_run_pfn[i]);

		unpin_user_page_range_dirty_lock(first, op->unpin_run_npfns[i],
						 op->unpin_dirty);
	}
	pfnlab_phase_add(op, PFNLAB_PHASE_UNPIN, ktime_get_ns() - start_ns);
	op->unpin_nruns = 0;
	op->unpin_queued = 0;
}

/*
 * Queue a run of physically contiguous pages whose last holders are gone
 * for unpinning, joined to the run before it when the two touch, so that
 * a folio's pages are unpinned at once (as iommufd unpins a batch's runs).
 */
static void pfnlab_unpin_queue(struct pfnlab_op *op, bool dirty, u64 pfn,
			       u64 npfns)
{
	u32 last = op->unpin_nruns - 1;

	op->unpin_released += npfns;
	if (unlikely(op->leak_one_pin)) {
		/* Fault injection: the run's first page stays pinned forever. */
		op->leak_one_pin = false;
		pfn++;
		if (!--npfns)
			return;
	}
	if (op->unpin_nruns && op->unpin_dirty == dirty &&
	    pfn == op->unpin_run_pfn[last] + op->unpin_run_npfns[last] &&
	    npfns <= U32_MAX - op->unpin_run_npfns[last]) {
		op->unpin_run_npfns[last] += npfns;
	} else {
		if (op->unpin_nruns == PFNLAB_UNPIN_RUNS ||
		    (op->unpin_nruns && op->unpin_dirty != dirty))
			pfnlab_pages_unpin_flush(op);
		op->unpin_dirty = dirty;
		op->unpin_run_pfn[op->unpin_nruns] = pfn;
		op->unpin_run_npfns[op->unpin_nruns++] = npfns;
	}
	op->unpin_queued += npfns;
	if (op->unpin_queued >= PFNLAB_UNPIN_MAX_PAGES)
		pfnlab_pages_unpin_flush(op);
}

/**
 * pfnlab_pages_release_range() - drop one holder of each of consecutive
 *	indexes
 * @op: the operation
 * @pages: the pages object
 * @start_idx: the first index
 * @pfns: the PFN of each index (the caller read them from a tier);
 *	%PFNLAB_NO_PFN for an index to leave alone
 * @npages: indexes (a chunk or a teardown piece, far below U32_MAX)
 * @counted: the pins are counted in npinned (false for READ's transient
 *	pins)
 *
 * The indexes whose last holder goes are queued for unpinning, a run of
 * contiguous PFNs at a time; the caller ends with
 * pfnlab_pages_unpin_flush() and pfnlab_pages_update_account().  The run
 * is kept in locals, so that a page costs a decrement and a compare.
 */
void pfnlab_pages_release_range(struct pfnlab_op *op,
				struct pfnlab_pages *pages, u64 start_idx,
				const u64 *pfns, u64 npages, bool counted)
{
	struct pfnlab_index_users *iu = &pages->idx[start_idx];
	bool dirty = pages->writable;
	u64 i, nreleased = 0, run_pfn = 0, run_npfns = 0;

	for (i = 0; i < npages; i++, iu++) {
		if (pfns[i] == PFNLAB_NO_PFN || WARN_ON_ONCE(!iu->users))
			continue;
		if (--iu->users)
			continue;
		nreleased++;
		if (run_npfns && pfns[i] == run_pfn + run_npfns) {
			run_npfns++;
			continue;
		}
		if (run_npfns)
			pfnlab_unpin_queue(op, dirty, run_pfn, run_npfns);
		run_pfn = pfns[i];
		run_npfns = 1;
	}
	if (run_npfns)
		pfnlab_unpin_queue(op, dirty, run_pfn, run_npfns);
	if (counted && nreleased) {
		pages->npinned -= nreleased;
		op->rep->npinned_delta -= nreleased;
		op->rep->npinned = pages->npinned;
	}
}

/**
 * pfnlab_pages_release() - drop one holder of an index
 * @op: the operation
 * @pages: the pages object
 * @idx: the index
 * @pfn: its PFN (the caller read it from a tier)
 * @counted: the pin is counted in npinned (false for READ's transient pins)
 *
 * pfnlab_pages_release_range() for one index.
 */
void pfnlab_pages_release(struct pfnlab_op *op, struct pfnlab_pages *pages,
			  u64 idx, u64 pfn, bool counted)
{
	pfnlab_pages_release_range(op, pages, idx, &pfn, 1, counted);
}

/**
 * pfnlab_charge_user() - charge pages to the user's locked_vm
 * @user: the user
 * @npages: pages
 *
 * The same lock-free scheme as the kernel's own per-user accounting: the
 * limit is RLIMIT_MEMLOCK of the calling task.
 *
 * Return: 0 or -ENOMEM over the limit.
 */
static int pfnlab_charge_user(struct user_struct *user, unsigned long npages)
{
	unsigned long limit = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	unsigned long cur = atomic_long_read(&user->locked_vm), new;

	do {
		if (check_add_overflow(cur, npages, &new) || new > limit)
			return -ENOMEM;
	} while (!atomic_long_try_cmpxchg(&user->locked_vm, &cur, new));
	return 0;
}

/**
 * pfnlab_account() - move @npages of charge in or out
 * @pages: the pages object
 * @npages: pages
 * @inc: charge (true) or uncharge (false)
 *
 * Return: 0 or -ENOMEM when a charge would pass RLIMIT_MEMLOCK.
 */
static int pfnlab_account(struct pfnlab_pages *pages, unsigned long npages,
			  bool inc)
{
	int ret = 0;

	if (pages->account_mode == PFNLAB_ACCOUNT_NONE)
		return 0;
	if (!pages->limit_exempt) {
		if (pages->account_mode == PFNLAB_ACCOUNT_USER) {
			if (inc)
				ret = pfnlab_charge_user(pages->user, npages);
			else
				atomic_long_sub(npages, &pages->user->locked_vm);
		} else if (inc) {
			/* Charging needs the address space: pins do too. */
			if (!mmget_not_zero(pages->mm))
				return -EFAULT;
			ret = account_locked_vm(pages->mm, npages, true);
			mmput(pages->mm);
		} else if (mmget_not_zero(pages->mm)) {
			/* A dead mm's locked_vm needs no return. */
			account_locked_vm(pages->mm, npages, false);
			mmput(pages->mm);
		}
	}
	if (ret)
		return ret;
	if (inc)
		atomic64_add(npages, &pages->mm->pinned_vm);
	else
		atomic64_sub(npages, &pages->mm->pinned_vm);
	return 0;
}

/**
 * pfnlab_pages_charge_transient() - charge or return READ's transient pins
 * @pages: the pages object
 * @npages: pages the read holds pinned for a moment
 * @inc: charge (true) or return (false)
 *
 * A transient pin is still a pin: while it lasts it counts against the
 * same limit as any other, so that READ cannot pin past RLIMIT_MEMLOCK.
 *
 * Return: 0 or -ENOMEM over the limit (nothing charged).
 */
int pfnlab_pages_charge_transient(struct pfnlab_pages *pages,
				  unsigned long npages, bool inc)
{
	return pfnlab_account(pages, npages, inc);
}

/**
 * pfnlab_pages_update_account() - charge or uncharge the difference between
 *	npinned and last_npinned
 * @pages: the pages object
 *
 * Return: 0, or -ENOMEM (nothing charged; the caller unpins what it pinned
 * and calls this again, which then has nothing to do).
 */
int pfnlab_pages_update_account(struct pfnlab_pages *pages)
{
	int ret = 0;

	if (pages->npinned > pages->last_npinned)
		ret = pfnlab_account(pages,
				     pages->npinned - pages->last_npinned, true);
	else if (pages->npinned < pages->last_npinned)
		ret = pfnlab_account(pages, pages->last_npinned - pages->npinned,
				     false);
	if (!ret)
		pages->last_npinned = pages->npinned;
	return ret;
}
