/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pfnlab: the module's private objects and the interfaces between its files.
 *
 * Concurrency: every ioctl of one fd runs under that fd's mutex
 * (&pfnlab_ctx.lock), and every object (pages, domain, map, access) belongs
 * to exactly one fd, so no object needs a lock of its own.  Two threads
 * racing on one fd simply take turns (a waiter can be interrupted);
 * release() runs only once no ioctl is in flight.  The one other path into
 * an fd's objects is the removal of a real domain's device: it finds the
 * domain on a module-wide list (its own mutex, never held while waiting
 * for an fd), holds a reference to the fd's context and then takes the
 * fd's mutex like an ioctl.  The module-wide statistics have their own
 * mutex.
 */
#ifndef PFNLAB_PRIVATE_H
#define PFNLAB_PRIVATE_H

#include <linux/types.h>
#include <linux/mutex.h>
#include <linux/xarray.h>
#include <linux/interval_tree.h>
#include <linux/mm_types.h>
#include <linux/iommu.h>
#include <linux/kref.h>

#include "uapi/pfnlab.h"
#include "pfn_batch.h"
#include "mock_pt.h"
#include "iotlb.h"

/* Not a PFN: an index whose PFN could not be read (xarray values stop at LONG_MAX). */
#define PFNLAB_NO_PFN U64_MAX

/* Runs of released pages queued before they are unpinned ... */
#define PFNLAB_UNPIN_RUNS 64
/* ... and pages, so that one flush stays short (32 MiB of 4 KiB pages). */
#define PFNLAB_UNPIN_MAX_PAGES 8192

/**
 * enum pfnlab_obj_type - what an id of the per-fd table names
 * @PFNLAB_OBJ_PAGES: a struct pfnlab_pages
 * @PFNLAB_OBJ_DOMAIN: a struct pfnlab_domain
 * @PFNLAB_OBJ_ACCESS: a struct pfnlab_access
 */
enum pfnlab_obj_type {
	PFNLAB_OBJ_PAGES,
	PFNLAB_OBJ_DOMAIN,
	PFNLAB_OBJ_ACCESS,
};

/**
 * struct pfnlab_obj - header of every object in the per-fd table
 * @type: enum pfnlab_obj_type
 * @id: its id in &pfnlab_ctx.objects (never 0)
 */
struct pfnlab_obj {
	enum pfnlab_obj_type type;
	u32 id;
};

struct pfnlab_ctx;

/**
 * struct pfnlab_op - per-ioctl scratch state, kept in the fd's context
 * @ctx: the fd
 * @rep: the operation's report (points into the ioctl buffer, or at
 *	@scratch_rep for operations without one)
 * @scratch_rep: report for operations whose struct has none (close, DESTROY)
 * @phases_run: bit per enum pfnlab_phase that this operation ran
 * @new_id: id of the object the operation created, 0 if none
 * @new_area: the map the operation made (MAP), NULL if none
 * @unpin_nruns: number of entries of @unpin_run_pfn in use
 * @unpin_queued: pages in those runs
 * @unpin_dirty: whether those pages are unpinned as dirty
 * @leak_one_pin: fault injection: skip the next unpin (INJECT=leak-pin)
 * @unpin_released: pages released since the fd's pin counters were last
 *	brought up to date (pfnlab_pages_unpin_flush() does it)
 * @unpin_run_npfns: pages in each queued run
 * @unpin_run_pfn: first PFN of each run of physically contiguous released
 *	pages waiting to be unpinned (one unpin_user_page_range_dirty_lock()
 *	a run, which takes a folio's pages at once); last, so that resetting
 *	the state before it leaves the arrays alone
 */
struct pfnlab_op {
	struct pfnlab_ctx *ctx;
	struct pfnlab_op_report *rep;
	struct pfnlab_op_report scratch_rep;
	u32 phases_run;
	u32 new_id;
	struct pfnlab_area *new_area;
	u32 unpin_nruns;
	u32 unpin_queued;
	bool unpin_dirty;
	bool leak_one_pin;
	u64 unpin_released;
	u32 unpin_run_npfns[PFNLAB_UNPIN_RUNS];
	u64 unpin_run_pfn[PFNLAB_UNPIN_RUNS];
};

/**
 * union pfnlab_ioctl_buf - kernel copy of any ioctl struct
 * @size: the size field every struct starts with
 * @info: PFNLAB_INFO
 * @pages_create: PFNLAB_PAGES_CREATE
 * @pages_info: PFNLAB_PAGES_INFO
 * @domain_create: PFNLAB_DOMAIN_CREATE
 * @map: PFNLAB_MAP
 * @unmap: PFNLAB_UNMAP
 * @access_pin: PFNLAB_ACCESS_PIN
 * @access_unpin: PFNLAB_ACCESS_UNPIN
 * @read: PFNLAB_READ
 * @sweep: PFNLAB_IOTLB_SWEEP
 * @stats: PFNLAB_STATS
 * @stats_reset: PFNLAB_STATS_RESET
 * @destroy: PFNLAB_DESTROY
 * @quiesce: PFNLAB_QUIESCE
 */
union pfnlab_ioctl_buf {
	__u32 size;
	struct pfnlab_info info;
	struct pfnlab_pages_create pages_create;
	struct pfnlab_pages_info pages_info;
	struct pfnlab_domain_create domain_create;
	struct pfnlab_map map;
	struct pfnlab_unmap unmap;
	struct pfnlab_access_pin access_pin;
	struct pfnlab_access_unpin access_unpin;
	struct pfnlab_read read;
	struct pfnlab_iotlb_sweep sweep;
	struct pfnlab_stats stats;
	struct pfnlab_stats_reset stats_reset;
	struct pfnlab_destroy destroy;
	struct pfnlab_quiesce quiesce;
};

/**
 * struct pfnlab_ctx - state of one open /dev/pfnlab
 * @ref: the fd holds one reference; a device removal that must reach a
 *	real domain of this fd holds another while it waits for @lock
 * @lock: serialises every ioctl of this fd (see the top of this file)
 * @closed: release() ran: the table is empty for good
 * @objects: id -> struct pfnlab_obj; ids allocated from 1, cyclically
 * @next_id: where the next id search starts (ids are not reused)
 * @nobjects: objects in @objects
 * @ndomains: domains in @objects (capped by PFNLAB_MAX_DOMAINS)
 * @nmaps: live maps over all its domains (PFNLAB_MAX_MAPS)
 * @index_bytes: per-page bookkeeping of its pages objects
 *	(PFNLAB_MAX_INDEX_BYTES)
 * @pt_bytes: IO page table memory of its domains (PFNLAB_MAX_PT_BYTES)
 * @npinned_now: pages this fd's objects hold pinned now
 * @stats: cumulative counters of this fd (the out_* fields are used)
 * @op: scratch state of the ioctl in progress
 * @buf: kernel copy of the ioctl struct in progress
 */
struct pfnlab_ctx {
	struct kref ref;
	struct mutex lock;
	bool closed;
	struct xarray objects;
	u32 next_id;
	u64 nobjects;
	u32 ndomains;
	u32 nmaps;
	u64 index_bytes;
	u64 pt_bytes;
	u64 npinned_now;
	struct pfnlab_stats stats;
	struct pfnlab_op op;
	union pfnlab_ioctl_buf buf;
};

/**
 * struct pfnlab_index_users - who holds one index of a pages object
 * @users: maps, accesses and in-flight operations holding the index; the
 *	index is pinned exactly while this is not 0
 * @accesses: accesses holding it; its PFN is in the xarray tier exactly
 *	while this is not 0
 */
struct pfnlab_index_users {
	u32 users;
	u32 accesses;
};

/**
 * struct pfnlab_pages - a range of user memory and its pin state
 * @obj: table header
 * @ctx: the fd it belongs to
 * @mm: the creator's mm (mmgrab()ed: the struct stays, the address space
 *	may go; mmget_not_zero() before using it)
 * @user: the creator's user_struct (get_uid()ed), charged in user mode
 * @uptr: first user address
 * @npages: length in PAGE_SIZE pages
 * @writable: pinned with FOLL_WRITE, mapped with IOMMU_WRITE
 * @limit_exempt: the creator had CAP_IPC_LOCK: locked_vm is not charged
 * @account_mode: enum pfnlab_account
 * @idx: per-index holders, @npages entries
 * @pinned_pfns: the xarray tier: index -> xa_mk_value(pfn) while an access
 *	holds the index
 * @maps_itree: maps of this object, keyed by index range
 * @npinned: indexes pinned now, transient READ pins not included
 * @last_npinned: pages charged now (what @npinned was at the last charge)
 * @nmaps: live maps of this object
 * @naccesses: live accesses of this object
 */
struct pfnlab_pages {
	struct pfnlab_obj obj;
	struct pfnlab_ctx *ctx;
	struct mm_struct *mm;
	struct user_struct *user;
	unsigned long uptr;
	u64 npages;
	bool writable;
	bool limit_exempt;
	u32 account_mode;
	struct pfnlab_index_users *idx;
	struct xarray pinned_pfns;
	struct rb_root_cached maps_itree;
	u64 npinned;
	u64 last_npinned;
	u32 nmaps;
	u32 naccesses;
};

struct pfnlab_domain;

/**
 * struct pfnlab_domain_ops - what a domain kind implements
 * @check_map: may [@iova, @last] be mapped (NULL: anywhere in the
 *	aperture); 0 or the errno of the refusal
 * @pt_bytes: IO page table memory the domain uses now (NULL: not known
 *	exactly; MAP then counts an upper bound per map)
 * @map: map [@iova, @iova + @length) to @paddr; adds the leaves it used to
 *	@ioptes (per enum pfnlab_pgsize); all or nothing
 * @sync_map: make a range just mapped visible (IOTLB invalidation)
 * @unmap: unmap a range that covers whole leaves; adds the leaves removed
 *	to @ioptes
 * @sync_unmap: flush the IOTLB after @unmap
 * @iova_to_phys: translate; false if @iova is not mapped
 * @destroy: free the kind's state (no maps are left)
 */
struct pfnlab_domain_ops {
	int (*check_map)(struct pfnlab_domain *dom, u64 iova, u64 last);
	u64 (*pt_bytes)(struct pfnlab_domain *dom);
	int (*map)(struct pfnlab_domain *dom, u64 iova, phys_addr_t paddr,
		   u64 length, int prot, u64 *ioptes);
	void (*sync_map)(struct pfnlab_domain *dom, u64 iova, u64 length);
	int (*unmap)(struct pfnlab_domain *dom, u64 iova, u64 length,
		     u64 *ioptes);
	void (*sync_unmap)(struct pfnlab_domain *dom, u64 iova, u64 length);
	bool (*iova_to_phys)(struct pfnlab_domain *dom, u64 iova,
			     phys_addr_t *phys);
	void (*destroy)(struct pfnlab_domain *dom);
};

/**
 * struct pfnlab_domain - an IO page table
 * @obj: table header
 * @ops: the kind's operations
 * @kind: enum pfnlab_domain_kind
 * @maps_itree: maps of this domain, keyed by IOVA range
 * @nmaps: live maps
 * @aperture_start: first usable IOVA
 * @aperture_end: last usable IOVA
 * @pgsize_bitmap: leaf sizes it uses
 * @teardown_pfns: PFNs of one teardown piece (see pfnlab_area_unmap()),
 *	allocated at creation so that unmapping never allocates
 * @teardown_piece: bytes of one piece: the largest leaf size
 * @pt_bytes: its share of &pfnlab_ctx.pt_bytes
 * @removed: real: the device went away and the domain was revoked
 */
struct pfnlab_domain {
	struct pfnlab_obj obj;
	const struct pfnlab_domain_ops *ops;
	u32 kind;
	struct rb_root_cached maps_itree;
	u32 nmaps;
	u64 aperture_start;
	u64 aperture_end;
	u64 pgsize_bitmap;
	u64 *teardown_pfns;
	u64 teardown_piece;
	u64 pt_bytes;
	bool removed;
};

/**
 * struct pfnlab_area - one MAP: part of a pages object mapped in a domain
 * @iova_node: node in &pfnlab_domain.maps_itree, [iova, iova + len - 1]
 * @index_node: node in &pfnlab_pages.maps_itree, [first, last index]
 * @domain: the domain
 * @pages: the pages object
 * @iova: first IOVA
 * @start_idx: first index of @pages
 * @npages: length in pages
 * @ioptes: leaves the map used, per enum pfnlab_pgsize
 * @pt_bytes: domains without an exact count: the page table bytes this map
 *	was counted for
 */
struct pfnlab_area {
	struct interval_tree_node iova_node;
	struct interval_tree_node index_node;
	struct pfnlab_domain *domain;
	struct pfnlab_pages *pages;
	u64 iova;
	u64 start_idx;
	u64 npages;
	u64 ioptes[PFNLAB_PGSIZE_NR];
	u64 pt_bytes;
};

/**
 * struct pfnlab_access - an in-kernel user of a range (the xarray tier)
 * @obj: table header
 * @pages: the pages object
 * @start_idx: first index
 * @npages: length in pages
 */
struct pfnlab_access {
	struct pfnlab_obj obj;
	struct pfnlab_pages *pages;
	u64 start_idx;
	u64 npages;
};

/**
 * struct pfnlab_reader - the pfn_reader: walks an index range tier by tier
 *	and fills a pfn_batch
 * @op: the operation it runs for
 * @pages: the pages object
 * @batch: the batch it fills
 * @pages_per_call: most indexes read per chunk (and per GUP call)
 * @fill: enum pfnlab_fill
 * @transient: READ: pins are dropped again chunk by chunk and are not
 *	counted in npinned
 * @pfns_out: READ with COPY_PFNS: where the PFNs go, else NULL
 * @tiers_out: READ with COPY_TIERS: where the tiers go, else NULL
 * @start_idx: first index of the range
 * @next_idx: first index not yet read into a chunk
 * @end_idx: end of the range (exclusive)
 * @batch_idx: index of the first PFN in @batch
 * @batch_consumed: PFNs at the front of @batch the consumer already took
 *	over (after a partial drain)
 * @chunk_pfns: PFNs of the current chunk
 * @chunk_tiers: tier of each PFN of the current chunk
 * @gup_pages: pages returned by GUP for the current chunk
 * @chunk_idx: first index of the current chunk
 * @chunk_n: indexes in the current chunk
 * @chunk_used: indexes of the chunk already added to @batch
 * @chunk_held: the chunk's holds are still to be dropped (transient only)
 * @chunk_charged: pages of the chunk charged for the read (transient only)
 */
struct pfnlab_reader {
	struct pfnlab_op *op;
	struct pfnlab_pages *pages;
	struct pfn_batch batch;
	u32 pages_per_call;
	u32 fill;
	bool transient;
	u64 __user *pfns_out;
	u8 __user *tiers_out;
	u64 start_idx;
	u64 next_idx;
	u64 end_idx;
	u64 batch_idx;
	u64 batch_consumed;
	u64 *chunk_pfns;
	u8 *chunk_tiers;
	struct page **gup_pages;
	u64 chunk_idx;
	u32 chunk_n;
	u32 chunk_used;
	bool chunk_held;
	u32 chunk_charged;
};

/* Add leaf counts per enum pfnlab_pgsize (the same order as mock_pt's). */
static inline void pfnlab_add_counts(u64 *ioptes, const u64 *counts)
{
	unsigned int i;

	for (i = 0; i < PFNLAB_PGSIZE_NR; i++)
		ioptes[i] += counts[i];
}

/*
 * The files and who calls whom (scripts/module-calls.sh checks there is no
 * circle): main.c (ioctls) calls everything; access.c and io_pagetable.c
 * drive the pfn_reader; pfn_reader.c calls pages.c; domain.c picks a kind
 * (domain_mock.c, domain_real.c); domain_real.c tears maps down through
 * io_pagetable.c when its device goes; object.c and stats.c call nobody
 * else.
 */

/* object.c */
struct pfnlab_ctx *pfnlab_ctx_new(void);
void pfnlab_ctx_put(struct pfnlab_ctx *ctx);
struct pfnlab_obj *pfnlab_obj_get(struct pfnlab_ctx *ctx, u32 id,
				  enum pfnlab_obj_type type);
int pfnlab_obj_insert(struct pfnlab_ctx *ctx, struct pfnlab_obj *obj,
		      enum pfnlab_obj_type type);
void pfnlab_obj_remove(struct pfnlab_ctx *ctx, struct pfnlab_obj *obj);
void pfnlab_phase_add(struct pfnlab_op *op, enum pfnlab_phase phase, u64 ns);
void pfnlab_op_begin(struct pfnlab_ctx *ctx, struct pfnlab_op_report *rep);

/* pages.c */
extern unsigned long pfnlab_pin_delay_ns;
int pfnlab_pages_create(struct pfnlab_ctx *ctx, struct pfnlab_pages_create *a);
int pfnlab_pages_info(struct pfnlab_ctx *ctx, struct pfnlab_pages_info *a);
void pfnlab_pages_destroy(struct pfnlab_ctx *ctx, struct pfnlab_pages *pages);
long pfnlab_pages_pin(struct pfnlab_op *op, struct pfnlab_pages *pages, u64 idx,
		      u32 npages, struct page **out);
void pfnlab_pages_release_range(struct pfnlab_op *op,
				struct pfnlab_pages *pages, u64 start_idx,
				const u64 *pfns, u64 npages, bool counted);
void pfnlab_pages_release(struct pfnlab_op *op, struct pfnlab_pages *pages,
			  u64 idx, u64 pfn, bool counted);
void pfnlab_pages_unpin_flush(struct pfnlab_op *op);
int pfnlab_pages_update_account(struct pfnlab_pages *pages);
int pfnlab_pages_charge_transient(struct pfnlab_pages *pages,
				  unsigned long npages, bool inc);
int pfnlab_check_range(struct pfnlab_pages *pages, u64 offset, u64 length);
struct pfnlab_area *pfnlab_pages_find_area(struct pfnlab_pages *pages, u64 idx);

/* pfn_reader.c */
int pfnlab_check_reader_opts(const struct pfnlab_reader_opts *opts);
int pfnlab_reader_init(struct pfnlab_reader *r, struct pfnlab_op *op,
		       struct pfnlab_pages *pages, u64 start_idx, u64 npages,
		       const struct pfnlab_reader_opts *opts, bool transient);
int pfnlab_reader_next(struct pfnlab_reader *r);
void pfnlab_reader_consumed(struct pfnlab_reader *r, u64 npfns);
void pfnlab_reader_drained(struct pfnlab_reader *r);
void pfnlab_reader_abort(struct pfnlab_reader *r);
void pfnlab_reader_destroy(struct pfnlab_reader *r);

/**
 * typedef pfnlab_consume_fn - what a reader's batches are drained into
 * @r: the reader holding the batch
 * @arg: the consumer's state
 * @used: on error, set to the PFNs of the batch the consumer kept (the
 *	reader releases the rest)
 *
 * Return: 0, or an error that stops the reader.
 */
typedef int (*pfnlab_consume_fn)(struct pfnlab_reader *r, void *arg, u64 *used);
int pfnlab_reader_fill(struct pfnlab_reader *r, pfnlab_consume_fn consume,
		       void *arg);

/* access.c */
int pfnlab_access_pin(struct pfnlab_ctx *ctx, struct pfnlab_access_pin *a);
int pfnlab_access_unpin(struct pfnlab_ctx *ctx, struct pfnlab_access_unpin *a);
void pfnlab_access_destroy(struct pfnlab_ctx *ctx, struct pfnlab_access *acc);
int pfnlab_read(struct pfnlab_ctx *ctx, struct pfnlab_read *a);

/* domain.c */
int pfnlab_domain_create(struct pfnlab_ctx *ctx, struct pfnlab_domain_create *a);
void pfnlab_domain_destroy(struct pfnlab_ctx *ctx, struct pfnlab_domain *dom);

/* io_pagetable.c */
void pfnlab_pt_update(struct pfnlab_ctx *ctx, struct pfnlab_domain *dom,
		      s64 estimate);
int pfnlab_map(struct pfnlab_ctx *ctx, struct pfnlab_map *a);
int pfnlab_unmap(struct pfnlab_ctx *ctx, struct pfnlab_unmap *a);
void pfnlab_area_destroy(struct pfnlab_op *op, struct pfnlab_area *area);

/* domain_mock.c */
struct pfnlab_domain *pfnlab_mock_domain_create(struct pfnlab_domain_create *a);
int pfnlab_iotlb_sweep(struct pfnlab_ctx *ctx, struct pfnlab_iotlb_sweep *a);

/* domain_real.c */
struct pfnlab_domain *pfnlab_real_domain_create(struct pfnlab_ctx *ctx,
						struct pfnlab_domain_create *a);
bool pfnlab_iommu_usable(void);
int pfnlab_real_init(void);
void pfnlab_real_exit(void);

/* stats.c */
void pfnlab_stats_op_done(struct pfnlab_ctx *ctx, unsigned int cmd_idx, int ret,
			  bool reached);
void pfnlab_stats_pins(struct pfnlab_ctx *ctx, u64 pinned, u64 unpinned);
void pfnlab_stats_objects(s64 delta);
int pfnlab_stats_get(struct pfnlab_ctx *ctx, struct pfnlab_stats *a);
int pfnlab_stats_reset(struct pfnlab_ctx *ctx, struct pfnlab_stats_reset *a);
int pfnlab_quiesce(struct pfnlab_ctx *ctx, struct pfnlab_quiesce *a);

#endif /* PFNLAB_PRIVATE_H */
