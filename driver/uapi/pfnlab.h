/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * pfnlab: an instrumented model of iommufd's iopt_pages PFN storage.
 *
 * This header is the whole contract between pfnlab.ko and userspace.  It is
 * included unchanged by the module, by the pfnlab harness and by the tests.
 */
#ifndef _UAPI_PFNLAB_H
#define _UAPI_PFNLAB_H

#include <linux/ioctl.h>
#include <linux/types.h>

/**
 * DOC: Overview
 *
 * Opening ``/dev/pfnlab`` gives a private object table.  Objects are named by
 * a __u32 id, never 0, that is not used twice in the life of the fd (ids
 * count up; only after 2^32 - 1 of them do they wrap, skipping live ones):
 *
 * - a **pages** object (PFNLAB_PAGES_CREATE) is a page-aligned range of the
 *   caller's virtual memory; indexes into it are PAGE_SIZE units from its
 *   start, offsets are bytes from its start;
 * - a **domain** (PFNLAB_DOMAIN_CREATE) is an IO page table: either the mock
 *   software table with its IOTLB model, or a real unmanaged iommu_domain
 *   attached to an unbound PCI device;
 * - an **access** (PFNLAB_ACCESS_PIN) is an in-kernel user that pinned a range
 *   of a pages object into its xarray tier.
 *
 * A pages object pins each index at most once, whoever needs it: the first
 * user (a map or an access) of an index pins it, the last one unpins it.
 * ``npinned`` is the number of its indexes pinned now; ``last_npinned`` is
 * how many of those were already charged to the locked-memory limit.
 *
 * Every ioctl takes a pointer to a struct whose first member is ``__u32
 * size``, the size of the struct as userspace knows it.  The kernel accepts a
 * smaller, older struct (down to the size of version 1 of that struct) and a
 * larger, newer one as long as every byte the kernel does not know is zero.
 * Output fields are written back only up to ``size``.  Unknown ``flags`` bits
 * and non-zero ``__reserved`` fields fail with -EOPNOTSUPP, so that a later
 * ABI can give them meaning.
 *
 * Closing the fd destroys every object in its table in dependency order
 * (maps, accesses, domains, pages): nothing stays pinned or charged.
 */

/**
 * DOC: Concurrency, limits and write-back
 *
 * The ioctls of one fd run one at a time.  A caller that has to wait for
 * another ioctl of the same fd waits interruptibly: a signal ends the wait
 * with -EINTR and nothing done; an fd opened with O_NONBLOCK does not wait
 * at all (-EAGAIN).  Every loop whose length the caller chooses (pinning,
 * mapping, unmapping, sweeping) gives the CPU up between steps and ends
 * promptly on a fatal signal, undoing what it did (-EINTR).  The work of
 * one ioctl is bounded: an IOTLB_SWEEP makes at most
 * PFNLAB_IOTLB_MAX_SWEEP_ACCESSES translations (call it again, without
 * PFNLAB_SWEEP_FLUSH_FIRST, to sweep further); a pin waits as long as the
 * page faults it takes (a range registered with userfaultfd waits for the
 * fault to be resolved), and a waiter on the same fd can be interrupted.
 *
 * Kernel memory an fd makes the kernel keep is charged to the memory
 * cgroup of the task that made it, and capped per fd: at most
 * PFNLAB_MAX_OBJECTS objects, PFNLAB_MAX_DOMAINS domains and PFNLAB_MAX_MAPS
 * maps, PFNLAB_MAX_INDEX_BYTES of per-page bookkeeping of pages objects
 * (8 bytes per page of their ranges) and PFNLAB_MAX_PT_BYTES of IO page
 * tables (exact for mock domains; for real domains an upper bound of what
 * their maps can need).  Past a cap the call fails with -ENOSPC and does
 * nothing.
 *
 * Write-back.  Before an ioctl does anything it writes the struct back to
 * userspace unchanged: a struct that cannot be written fails with -EFAULT
 * and nothing happens.  Should the struct become unwritable while the call
 * runs (another thread unmapping it), an ioctl that creates (PAGES_CREATE,
 * DOMAIN_CREATE, MAP, ACCESS_PIN) is undone and returns -EFAULT; one that
 * removes (UNMAP, ACCESS_UNPIN, DESTROY, STATS_RESET) has happened and
 * returns -EFAULT.
 *
 * Real domains and their devices.  A real domain owns its device's IOMMU
 * group the way VFIO does.  If the device goes away (hot removal), the
 * domain is revoked at once: every map is unmapped and unpinned, the group
 * detached and released, and the domain stays as an empty id; MAP and UNMAP
 * on it then fail with -ENODEV, and DESTROY frees it.
 */

/**
 * DOC: Errors shared by every ioctl
 *
 * ======================================================  ============
 * condition                                               errno
 * ======================================================  ============
 * ioctl number pfnlab does not know                       -ENOTTY
 * ``size`` smaller than version 1 of the struct           -EINVAL
 * ``size`` larger and a byte beyond the known struct set  -E2BIG
 * struct pointer not readable or writable                 -EFAULT
 * a signal while waiting for another ioctl of the fd      -EINTR
 * the fd is busy and was opened with O_NONBLOCK           -EAGAIN
 * unknown bit in ``flags``                                -EOPNOTSUPP
 * non-zero ``__reserved`` field                           -EOPNOTSUPP
 * id that names no object of this fd                      -ENOENT
 * id that names an object of another type                 -ENOENT
 * out of kernel memory                                    -ENOMEM
 * ======================================================  ============
 */

/**
 * DOC: Bad input, per ioctl
 *
 * Each row is tested in the lab VM (harness/vm/tests).  After any of these
 * failures nothing the call pinned stays pinned and nothing stays charged.
 * (Not a row, since nobody is left to see it: an ioctl cut short by a
 * fatal signal returns -EINTR, with nothing left of it.)
 *
 * ================  ===============================================  ============
 * ioctl             input                                            errno
 * ================  ===============================================  ============
 * PAGES_CREATE      length 0                                         -EINVAL
 * PAGES_CREATE      uptr or length not PAGE_SIZE aligned             -EINVAL
 * PAGES_CREATE      uptr + length wraps or leaves the user range     -EOVERFLOW
 * PAGES_CREATE      part of the range has no VMA                     -EFAULT
 * PAGES_CREATE      WRITABLE asked of a VMA without write permission -EPERM
 * PAGES_CREATE      unknown account mode                             -EINVAL
 * PAGES_CREATE      ACCOUNT_NONE without CAP_IPC_LOCK                -EPERM
 * PAGES_CREATE      the fd's page bookkeeping past PFNLAB_MAX_INDEX_BYTES -ENOSPC
 * any create        the fd holds PFNLAB_MAX_OBJECTS objects          -ENOSPC
 * DOMAIN_CREATE     unknown kind                                     -EINVAL
 * DOMAIN_CREATE     mock pgsize_bitmap without 4K or with other bits -EINVAL
 * DOMAIN_CREATE     mock IOTLB geometry invalid (entries % ways)     -EINVAL
 * DOMAIN_CREATE     mock IOTLB larger than PFNLAB_IOTLB_MAX_ENTRIES  -E2BIG
 * DOMAIN_CREATE     real: no PCI device at that address              -ENOENT
 * DOMAIN_CREATE     real: device not behind a usable IOMMU           -ENODEV
 * DOMAIN_CREATE     real: a DMA-API driver is bound to the device    -EBUSY
 * DOMAIN_CREATE     real: device already owned (domain, VFIO)        -EBUSY
 * DOMAIN_CREATE     real: the device's IOMMU group has other devices -EXDEV
 * DOMAIN_CREATE     real: a bridge (PCI class 0x06), host bridges too -EPERM
 * DOMAIN_CREATE     the fd holds PFNLAB_MAX_DOMAINS domains          -ENOSPC
 * MAP               length 0                                         -EINVAL
 * MAP               iova, offset or length not PAGE_SIZE aligned     -EINVAL
 * MAP               iova + length wraps                              -EOVERFLOW
 * MAP               iova range outside the domain's aperture         -ERANGE
 * MAP               offset + length beyond the pages object          -ERANGE
 * MAP               IOVA overlapping an existing map of the domain   -EEXIST
 * MAP               range no longer mapped in the process            -EFAULT
 * MAP               pin would exceed RLIMIT_MEMLOCK                  -ENOMEM
 * MAP               real: range overlaps a reserved IOVA region (MSI) -EADDRINUSE
 * MAP               real: the domain's device was removed            -ENODEV
 * MAP               the fd holds PFNLAB_MAX_MAPS maps                -ENOSPC
 * MAP               the fd's IO page tables past PFNLAB_MAX_PT_BYTES -ENOSPC
 * MAP/READ/PIN      pages_per_call 0 or above PFNLAB_MAX_PAGES_PER_CALL -EINVAL
 * MAP/READ/PIN      batch_runs 0                                     -EINVAL
 * MAP/READ/PIN      batch_runs above PFNLAB_MAX_BATCH_RUNS           -E2BIG
 * MAP/READ/PIN      unknown fill strategy                            -EINVAL
 * UNMAP             length 0, or iova/length not PAGE_SIZE aligned   -EINVAL
 * UNMAP             iova + length wraps                              -EOVERFLOW
 * UNMAP             no map starts inside the range                   -ENOENT
 * UNMAP             the range cuts through a map (maps pair whole)   -EINVAL
 * UNMAP             real: the domain's device was removed            -ENODEV
 * ACCESS_PIN        length 0 or offset/length not aligned            -EINVAL
 * ACCESS_PIN        offset + length beyond the pages object          -ERANGE
 * ACCESS_PIN        pin would exceed RLIMIT_MEMLOCK                  -ENOMEM
 * ACCESS_UNPIN      access already unpinned (double unpin)           -ENOENT
 * READ              length 0 or offset/length not aligned            -EINVAL
 * READ              offset + length beyond the pages object          -ERANGE
 * READ              COPY_PFNS/COPY_TIERS with an unwritable buffer   -EFAULT
 * READ              COPY_PFNS/COPY_TIERS with a NULL buffer          -EFAULT
 * READ              its transient pins would exceed RLIMIT_MEMLOCK   -ENOMEM
 * IOTLB_SWEEP       domain is not a mock domain                      -EOPNOTSUPP
 * IOTLB_SWEEP       window 0, stride 0 or not a multiple of 4 KiB    -EINVAL
 * IOTLB_SWEEP       iova not 4 KiB aligned                           -EINVAL
 * IOTLB_SWEEP       window not a multiple of stride                  -EINVAL
 * IOTLB_SWEEP       unknown pattern                                  -EINVAL
 * IOTLB_SWEEP       iova + window beyond the 48-bit IOVA space       -EOVERFLOW
 * IOTLB_SWEEP       more than PFNLAB_IOTLB_MAX_SWEEP_ACCESSES accesses -E2BIG
 * IOTLB_SWEEP       passes 0 or above PFNLAB_IOTLB_MAX_PASSES        -EINVAL
 * DESTROY           pages with live maps or accesses                 -EBUSY
 * DESTROY           domain with live maps                            -EBUSY
 * DESTROY           access (use ACCESS_UNPIN)                        -EINVAL
 * ================  ===============================================  ============
 */

/**
 * PFNLAB_ABI_VERSION - bumped when an ioctl struct grows or a rule changes
 *	(2: ids never reused, per-fd caps, the write-back rule, bounded
 *	sweeps, interruptible waits).
 */
#define PFNLAB_ABI_VERSION 2
/** PFNLAB_DEVICE_PATH - the misc device pfnlab.ko registers. */
#define PFNLAB_DEVICE_PATH "/dev/pfnlab"
/** PFNLAB_MAX_PAGES_PER_CALL - the most pages one GUP call may be asked for. */
#define PFNLAB_MAX_PAGES_PER_CALL 8192
/** PFNLAB_MAX_BATCH_RUNS - the largest pfn_batch capacity, in runs. */
#define PFNLAB_MAX_BATCH_RUNS (1U << 20)
/**
 * PFNLAB_IOTLB_MAX_ENTRIES - the most entries of one page size's IOTLB (a
 * lookup scans a whole set, so this bounds its cost; equals the shared
 * core's IOTLB_MAX_ENTRIES).
 */
#define PFNLAB_IOTLB_MAX_ENTRIES (1U << 14)
/** PFNLAB_IOTLB_MAX_PASSES - the most passes of one IOTLB sweep. */
#define PFNLAB_IOTLB_MAX_PASSES (1U << 16)
/**
 * PFNLAB_IOTLB_MAX_SWEEP_ACCESSES - the most translations one IOTLB_SWEEP
 *	makes in all its passes (under a second on hardware, a few seconds
 *	under emulation), so that no ioctl holds its fd for long.
 */
#define PFNLAB_IOTLB_MAX_SWEEP_ACCESSES (1ULL << 24)
/** PFNLAB_MAX_OBJECTS - the most objects (pages, domains, accesses) of one fd. */
#define PFNLAB_MAX_OBJECTS 65536
/** PFNLAB_MAX_DOMAINS - the most domains of one fd (a mock one costs ~2 MiB). */
#define PFNLAB_MAX_DOMAINS 64
/** PFNLAB_MAX_MAPS - the most live maps of one fd, over all its domains. */
#define PFNLAB_MAX_MAPS 65536
/**
 * PFNLAB_MAX_INDEX_BYTES - per-page bookkeeping all pages objects of one fd
 *	may use (8 bytes per page: ranges of 128 GiB in all).
 */
#define PFNLAB_MAX_INDEX_BYTES (256ULL << 20)
/** PFNLAB_MAX_PT_BYTES - IO page table memory all domains of one fd may use. */
#define PFNLAB_MAX_PT_BYTES (256ULL << 20)
/** PFNLAB_HIST_BUCKETS - log2 latency buckets per phase in STATS. */
#define PFNLAB_HIST_BUCKETS 64

#define PFNLAB_TYPE 0xBF

enum {
	PFNLAB_CMD_BASE = 0x80,
	PFNLAB_CMD_INFO = PFNLAB_CMD_BASE,
	PFNLAB_CMD_PAGES_CREATE,
	PFNLAB_CMD_PAGES_INFO,
	PFNLAB_CMD_DOMAIN_CREATE,
	PFNLAB_CMD_MAP,
	PFNLAB_CMD_UNMAP,
	PFNLAB_CMD_ACCESS_PIN,
	PFNLAB_CMD_ACCESS_UNPIN,
	PFNLAB_CMD_READ,
	PFNLAB_CMD_IOTLB_SWEEP,
	PFNLAB_CMD_STATS,
	PFNLAB_CMD_STATS_RESET,
	PFNLAB_CMD_DESTROY,
	PFNLAB_CMD_QUIESCE,
};

/**
 * enum pfnlab_pgsize - the leaf sizes an IO page table can use.
 * @PFNLAB_PGSIZE_4K: 4 KiB leaf.
 * @PFNLAB_PGSIZE_2M: 2 MiB leaf.
 * @PFNLAB_PGSIZE_1G: 1 GiB leaf.
 * @PFNLAB_PGSIZE_NR: number of sizes; arrays indexed by this enum.
 */
enum pfnlab_pgsize {
	PFNLAB_PGSIZE_4K,
	PFNLAB_PGSIZE_2M,
	PFNLAB_PGSIZE_1G,
	PFNLAB_PGSIZE_NR,
};

/**
 * enum pfnlab_phase - the timed phases of an operation.
 * @PFNLAB_PHASE_PIN: GUP calls that pin pages from the origin.
 * @PFNLAB_PHASE_FILL: adding PFNs to a pfn_batch (either strategy).
 * @PFNLAB_PHASE_MAP: writing the batch into a domain.
 * @PFNLAB_PHASE_UNMAP: clearing a range of a domain.
 * @PFNLAB_PHASE_INVALIDATE: IOTLB invalidation after map or unmap.
 * @PFNLAB_PHASE_UNPIN: releasing pins.
 * @PFNLAB_PHASE_STORE: storing a batch's PFNs into the xarray tier
 *	(ACCESS_PIN), with the per-index holder counts it raises.
 * @PFNLAB_PHASE_NR: number of phases; arrays indexed by this enum.
 */
enum pfnlab_phase {
	PFNLAB_PHASE_PIN,
	PFNLAB_PHASE_FILL,
	PFNLAB_PHASE_MAP,
	PFNLAB_PHASE_UNMAP,
	PFNLAB_PHASE_INVALIDATE,
	PFNLAB_PHASE_UNPIN,
	PFNLAB_PHASE_STORE,
	PFNLAB_PHASE_NR,
};

/**
 * enum pfnlab_tier - where the pfn_reader found a PFN.
 * @PFNLAB_TIER_XARRAY: the pinned xarray of an access.
 * @PFNLAB_TIER_DOMAIN: a domain that already maps the index (iova to phys).
 * @PFNLAB_TIER_ORIGIN: the user pointer, pinned with GUP.
 * @PFNLAB_TIER_NR: number of tiers.
 */
enum pfnlab_tier {
	PFNLAB_TIER_XARRAY,
	PFNLAB_TIER_DOMAIN,
	PFNLAB_TIER_ORIGIN,
	PFNLAB_TIER_NR,
};

/**
 * enum pfnlab_fill - how the pfn_reader adds pinned pages to a batch.
 * @PFNLAB_FILL_PER_PAGE: the reference: one add per PAGE_SIZE page.
 * @PFNLAB_FILL_RUN_AWARE: the per-page steps until a run holds 16 PFNs, then
 *	the rest of its physically contiguous stretch in one add, found by
 *	checking every PFN's contiguity (a folio is never assumed mapped
 *	whole).  Same runs as the reference; on fragmented memory, where runs
 *	stay short, the same work.
 */
enum pfnlab_fill {
	PFNLAB_FILL_PER_PAGE,
	PFNLAB_FILL_RUN_AWARE,
};

/**
 * struct pfnlab_reader_opts - how one request runs the pfn_reader.
 * @pages_per_call: pages asked of each GUP call, 1 to
 *	PFNLAB_MAX_PAGES_PER_CALL.
 * @batch_runs: capacity of the pfn_batch in runs, 1 to PFNLAB_MAX_BATCH_RUNS.
 * @fill: an enum pfnlab_fill.
 * @__reserved: must be 0.
 */
struct pfnlab_reader_opts {
	__u32 pages_per_call;
	__u32 batch_runs;
	__u32 fill;
	__u32 __reserved;
};

/**
 * struct pfnlab_op_report - what one operation did and how long each phase
 *	took.  Written back by MAP, UNMAP, ACCESS_PIN, ACCESS_UNPIN and READ.
 * @total_ns: the whole ioctl from entry to exit, in ns.
 * @phase_ns: time in each enum pfnlab_phase, in ns.
 * @pfns_by_tier: PFNs the reader took from each enum pfnlab_tier.
 * @runs: runs the batches held, summed over every refill.
 * @batch_refills: times a batch was filled and drained.
 * @gup_calls: calls into pin_user_pages_fast() or pin_user_pages_remote().
 * @map_calls: calls into the domain's map or unmap operation.
 * @ioptes: IOPTEs added (MAP) or removed (UNMAP) per enum pfnlab_pgsize.
 * @npinned_delta: pages this operation pinned (positive) or unpinned
 *	(negative) in the pages object; shared indexes are pinned once.
 * @npinned: the pages object's npinned after the operation.
 */
struct pfnlab_op_report {
	__aligned_u64 total_ns;
	__aligned_u64 phase_ns[PFNLAB_PHASE_NR];
	__aligned_u64 pfns_by_tier[PFNLAB_TIER_NR];
	__aligned_u64 runs;
	__aligned_u64 batch_refills;
	__aligned_u64 gup_calls;
	__aligned_u64 map_calls;
	__aligned_u64 ioptes[PFNLAB_PGSIZE_NR];
	__s64 npinned_delta;
	__aligned_u64 npinned;
};

/**
 * enum pfnlab_domain_kind - kinds of IO page table.
 * @PFNLAB_DOMAIN_MOCK: software 4-level table with an IOTLB model.
 * @PFNLAB_DOMAIN_REAL: unmanaged iommu_domain on an unbound PCI device.
 */
enum pfnlab_domain_kind {
	PFNLAB_DOMAIN_MOCK,
	PFNLAB_DOMAIN_REAL,
};

/**
 * struct pfnlab_info - PFNLAB_INFO: what this module supports.
 * @size: sizeof(struct pfnlab_info).
 * @flags: must be 0.
 * @out_abi_version: PFNLAB_ABI_VERSION of the module.
 * @out_page_size: the kernel's PAGE_SIZE in bytes.
 * @out_domain_kinds: bit (1 << enum pfnlab_domain_kind) per kind available.
 * @out_iommu_usable: 1 if an IOMMU is present, so a real domain can work.
 * @out_max_pages_per_call: PFNLAB_MAX_PAGES_PER_CALL.
 * @out_max_batch_runs: PFNLAB_MAX_BATCH_RUNS.
 * @out_mock_pgsize_bitmap: leaf sizes the mock domain supports, in bytes.
 * @out_pin_delay_ns: the pin_delay_ns module parameter (fault injection for
 *	regression tests of the compare tooling; 0 in normal use).
 * @out_kernel_version: LINUX_VERSION_CODE the module was built for.
 * @__reserved: 0.
 */
struct pfnlab_info {
	__u32 size;
	__u32 flags;
	__u32 out_abi_version;
	__u32 out_page_size;
	__u32 out_domain_kinds;
	__u32 out_iommu_usable;
	__u32 out_max_pages_per_call;
	__u32 out_max_batch_runs;
	__aligned_u64 out_mock_pgsize_bitmap;
	__aligned_u64 out_pin_delay_ns;
	__u32 out_kernel_version;
	__u32 __reserved;
};
#define PFNLAB_INFO _IO(PFNLAB_TYPE, PFNLAB_CMD_INFO)

/**
 * enum pfnlab_account - whom pinned pages are charged to.
 * @PFNLAB_ACCOUNT_USER: the user's locked_vm against RLIMIT_MEMLOCK
 *	(skipped with CAP_IPC_LOCK); mm->pinned_vm is always raised.
 * @PFNLAB_ACCOUNT_MM: mm->locked_vm against RLIMIT_MEMLOCK (skipped with
 *	CAP_IPC_LOCK); mm->pinned_vm is always raised.
 * @PFNLAB_ACCOUNT_NONE: no limit is charged; needs CAP_IPC_LOCK.
 */
enum pfnlab_account {
	PFNLAB_ACCOUNT_USER,
	PFNLAB_ACCOUNT_MM,
	PFNLAB_ACCOUNT_NONE,
};

/** PFNLAB_PAGES_WRITABLE - pin with FOLL_WRITE; map with IOMMU write. */
#define PFNLAB_PAGES_WRITABLE (1U << 0)

/**
 * struct pfnlab_pages_create - PFNLAB_PAGES_CREATE: remember a user range.
 * @size: sizeof(struct pfnlab_pages_create).
 * @flags: PFNLAB_PAGES_WRITABLE or 0.
 * @account_mode: an enum pfnlab_account.
 * @out_pages_id: id of the new pages object.
 * @uptr: start of the range, PAGE_SIZE aligned.
 * @length: bytes, PAGE_SIZE aligned, not 0.
 *
 * Nothing is pinned yet: MAP, ACCESS_PIN and READ pin on demand.  The range
 * must be covered by VMAs now (and writable ones if WRITABLE), and is pinned
 * from the mm of the creating process even when used from another.  Whether
 * the creator has CAP_IPC_LOCK is decided here, once: with it, locked_vm is
 * never charged for this object (mm->pinned_vm still is).  The limit
 * checked is RLIMIT_MEMLOCK of the task that pins.
 */
struct pfnlab_pages_create {
	__u32 size;
	__u32 flags;
	__u32 account_mode;
	__u32 out_pages_id;
	__aligned_u64 uptr;
	__aligned_u64 length;
};
#define PFNLAB_PAGES_CREATE _IO(PFNLAB_TYPE, PFNLAB_CMD_PAGES_CREATE)

/**
 * struct pfnlab_pages_info - PFNLAB_PAGES_INFO: the accounting of a pages
 *	object.
 * @size: sizeof(struct pfnlab_pages_info).
 * @pages_id: the pages object.
 * @out_npages: size of the range in PAGE_SIZE pages.
 * @out_npinned: indexes pinned now.
 * @out_last_npinned: pages charged to the limit now.
 * @out_nmaps: live maps of this object in any domain.
 * @out_naccesses: live accesses of this object.
 * @out_account_mode: its enum pfnlab_account.
 * @__reserved: 0.
 */
struct pfnlab_pages_info {
	__u32 size;
	__u32 pages_id;
	__aligned_u64 out_npages;
	__aligned_u64 out_npinned;
	__aligned_u64 out_last_npinned;
	__u32 out_nmaps;
	__u32 out_naccesses;
	__u32 out_account_mode;
	__u32 __reserved;
};
#define PFNLAB_PAGES_INFO _IO(PFNLAB_TYPE, PFNLAB_CMD_PAGES_INFO)

/**
 * struct pfnlab_iotlb_geometry - shape of the mock domain's IOTLB model.
 * @entries: entries caching each enum pfnlab_pgsize; 0 caches none of it.
 * @ways: associativity per size; 0 means fully associative; @entries must
 *	be a multiple of it.  Replacement within a set is LRU.
 * @__reserved: must be 0.
 */
struct pfnlab_iotlb_geometry {
	__u32 entries[PFNLAB_PGSIZE_NR];
	__u32 ways[PFNLAB_PGSIZE_NR];
	__u32 __reserved[2];
};

/**
 * struct pfnlab_domain_create - PFNLAB_DOMAIN_CREATE: make an IO page table.
 * @size: sizeof(struct pfnlab_domain_create).
 * @flags: must be 0.
 * @kind: an enum pfnlab_domain_kind.
 * @out_domain_id: id of the new domain.
 * @pgsize_bitmap: mock: leaf sizes it may use, in bytes; 4 KiB is required,
 *	2 MiB and 1 GiB are optional; 0 means all three.  Real: ignored.
 * @out_pgsize_bitmap: the leaf sizes the domain really uses.
 * @iotlb: mock: the IOTLB model; all zero means 64 fully associative 4 KiB
 *	entries, 32 2 MiB entries and 4 1 GiB entries.  Real: must be 0.
 * @pci_segment: real: PCI segment (domain) of the device.
 * @pci_bdf: real: bus << 8 | device << 3 | function.
 * @out_aperture_start: first usable IOVA.
 * @out_aperture_end: last usable IOVA.
 */
struct pfnlab_domain_create {
	__u32 size;
	__u32 flags;
	__u32 kind;
	__u32 out_domain_id;
	__aligned_u64 pgsize_bitmap;
	__aligned_u64 out_pgsize_bitmap;
	struct pfnlab_iotlb_geometry iotlb;
	__u32 pci_segment;
	__u32 pci_bdf;
	__aligned_u64 out_aperture_start;
	__aligned_u64 out_aperture_end;
};
#define PFNLAB_DOMAIN_CREATE _IO(PFNLAB_TYPE, PFNLAB_CMD_DOMAIN_CREATE)

/** PFNLAB_MAP_READONLY - map without IOMMU write permission. */
#define PFNLAB_MAP_READONLY (1U << 0)

/**
 * struct pfnlab_map - PFNLAB_MAP: pin (where needed) and map part of a pages
 *	object into a domain.
 * @size: sizeof(struct pfnlab_map).
 * @flags: PFNLAB_MAP_READONLY or 0.
 * @domain_id: the domain.
 * @pages_id: the pages object.
 * @offset: byte offset into the pages object, PAGE_SIZE aligned.
 * @length: bytes, PAGE_SIZE aligned, not 0.
 * @iova: where the range starts in the domain, PAGE_SIZE aligned.
 * @opts: how the reader runs.
 * @out: what the map did.
 *
 * The reader takes each index from the cheapest tier that holds it.  Each
 * batch run is mapped with the largest leaf that alignment and length allow.
 * On failure everything this call mapped is unmapped and everything it
 * pinned is unpinned.  A pages object created without
 * PFNLAB_PAGES_WRITABLE is always mapped read-only.
 */
struct pfnlab_map {
	__u32 size;
	__u32 flags;
	__u32 domain_id;
	__u32 pages_id;
	__aligned_u64 offset;
	__aligned_u64 length;
	__aligned_u64 iova;
	struct pfnlab_reader_opts opts;
	struct pfnlab_op_report out;
};
#define PFNLAB_MAP _IO(PFNLAB_TYPE, PFNLAB_CMD_MAP)

/**
 * struct pfnlab_unmap - PFNLAB_UNMAP: unmap whole maps from a domain.
 * @size: sizeof(struct pfnlab_unmap).
 * @flags: must be 0.
 * @domain_id: the domain.
 * @__reserved: must be 0.
 * @iova: start of the range, PAGE_SIZE aligned.
 * @length: bytes, PAGE_SIZE aligned, not 0.
 * @out_unmapped: bytes unmapped.
 * @out: what the unmap did.
 *
 * Every map that starts inside [iova, iova + length) is removed; a map that
 * only partly lies inside fails the whole call (maps pair whole).  Pages no
 * other user holds are unpinned.
 */
struct pfnlab_unmap {
	__u32 size;
	__u32 flags;
	__u32 domain_id;
	__u32 __reserved;
	__aligned_u64 iova;
	__aligned_u64 length;
	__aligned_u64 out_unmapped;
	struct pfnlab_op_report out;
};
#define PFNLAB_UNMAP _IO(PFNLAB_TYPE, PFNLAB_CMD_UNMAP)

/**
 * struct pfnlab_access_pin - PFNLAB_ACCESS_PIN: pin a range into the
 *	xarray tier on behalf of a new access object.
 * @size: sizeof(struct pfnlab_access_pin).
 * @flags: must be 0.
 * @pages_id: the pages object.
 * @out_access_id: id of the new access.
 * @offset: byte offset into the pages object, PAGE_SIZE aligned.
 * @length: bytes, PAGE_SIZE aligned, not 0.
 * @opts: how the reader runs.
 * @out: what the pin did.
 */
struct pfnlab_access_pin {
	__u32 size;
	__u32 flags;
	__u32 pages_id;
	__u32 out_access_id;
	__aligned_u64 offset;
	__aligned_u64 length;
	struct pfnlab_reader_opts opts;
	struct pfnlab_op_report out;
};
#define PFNLAB_ACCESS_PIN _IO(PFNLAB_TYPE, PFNLAB_CMD_ACCESS_PIN)

/**
 * struct pfnlab_access_unpin - PFNLAB_ACCESS_UNPIN: end an access.
 * @size: sizeof(struct pfnlab_access_unpin).
 * @access_id: the access; its id is gone afterwards.
 * @out: what the unpin did.
 */
struct pfnlab_access_unpin {
	__u32 size;
	__u32 access_id;
	struct pfnlab_op_report out;
};
#define PFNLAB_ACCESS_UNPIN _IO(PFNLAB_TYPE, PFNLAB_CMD_ACCESS_UNPIN)

/** PFNLAB_READ_COPY_PFNS - write one __u64 PFN per page to @pfns_uptr. */
#define PFNLAB_READ_COPY_PFNS (1U << 0)
/** PFNLAB_READ_COPY_TIERS - write one __u8 enum pfnlab_tier per page to
 * @tiers_uptr. */
#define PFNLAB_READ_COPY_TIERS (1U << 1)

/**
 * struct pfnlab_read - PFNLAB_READ: run the pfn_reader over a range without
 *	mapping it.
 * @size: sizeof(struct pfnlab_read).
 * @flags: PFNLAB_READ_COPY_PFNS and/or PFNLAB_READ_COPY_TIERS.
 * @pages_id: the pages object.
 * @__reserved: must be 0.
 * @offset: byte offset into the pages object, PAGE_SIZE aligned.
 * @length: bytes, PAGE_SIZE aligned, not 0.
 * @pfns_uptr: with COPY_PFNS, room for length / PAGE_SIZE __u64.
 * @tiers_uptr: with COPY_TIERS, room for length / PAGE_SIZE __u8.
 * @opts: how the reader runs.
 * @out: what the read did.
 *
 * Indexes no user holds are pinned from the origin for the read and
 * unpinned before it returns, so npinned is unchanged afterwards.
 */
struct pfnlab_read {
	__u32 size;
	__u32 flags;
	__u32 pages_id;
	__u32 __reserved;
	__aligned_u64 offset;
	__aligned_u64 length;
	__aligned_u64 pfns_uptr;
	__aligned_u64 tiers_uptr;
	struct pfnlab_reader_opts opts;
	struct pfnlab_op_report out;
};
#define PFNLAB_READ _IO(PFNLAB_TYPE, PFNLAB_CMD_READ)

/**
 * enum pfnlab_iotlb_pattern - access patterns of an IOTLB sweep.
 * @PFNLAB_IOTLB_SEQUENTIAL: one access every @stride bytes from the start of
 *	the window to its end, each pass.
 * @PFNLAB_IOTLB_STRIDED: every 4 KiB page of the window (window / 4 KiB
 *	accesses per pass), visited in steps of @stride that wrap modulo the
 *	window onto the next page (see driver/core/iotlb.h for the exact
 *	order).
 * @PFNLAB_IOTLB_RANDOM: window / stride accesses per pass at stride-aligned
 *	offsets drawn from a PRNG seeded with @seed (the same in userspace).
 */
enum pfnlab_iotlb_pattern {
	PFNLAB_IOTLB_SEQUENTIAL,
	PFNLAB_IOTLB_STRIDED,
	PFNLAB_IOTLB_RANDOM,
};

/** PFNLAB_SWEEP_FLUSH_FIRST - empty the IOTLB before the sweep. */
#define PFNLAB_SWEEP_FLUSH_FIRST (1U << 0)

/**
 * struct pfnlab_iotlb_sweep - PFNLAB_IOTLB_SWEEP: drive the IOTLB model of a
 *	mock domain with an access pattern.
 * @size: sizeof(struct pfnlab_iotlb_sweep).
 * @flags: PFNLAB_SWEEP_FLUSH_FIRST or 0.
 * @domain_id: a mock domain.
 * @pattern: an enum pfnlab_iotlb_pattern.
 * @iova: start of the window.
 * @window: bytes, a multiple of 4 KiB, not 0.
 * @stride: bytes between accesses, a multiple of 4 KiB, not 0.
 * @seed: PRNG seed of the random pattern.
 * @passes: times the pattern runs, 1 to PFNLAB_IOTLB_MAX_PASSES.
 * @out_accesses: translations done.
 * @out_hits: translations the IOTLB answered.
 * @out_misses: translations that walked the table.
 * @out_faults: misses on IOVAs with no mapping.
 * @out_walk_reads: page-table entries read by the walks.
 * @out_walk_reads_by_level: walk reads per level, 0 = 4 KiB leaf level.
 * @out_misses_by_pgsize: misses per enum pfnlab_pgsize of the leaf found.
 * @out_sweep_ns: time the sweep took, in ns.
 */
struct pfnlab_iotlb_sweep {
	__u32 size;
	__u32 flags;
	__u32 domain_id;
	__u32 pattern;
	__aligned_u64 iova;
	__aligned_u64 window;
	__aligned_u64 stride;
	__aligned_u64 seed;
	__aligned_u64 passes;
	__aligned_u64 out_accesses;
	__aligned_u64 out_hits;
	__aligned_u64 out_misses;
	__aligned_u64 out_faults;
	__aligned_u64 out_walk_reads;
	__aligned_u64 out_walk_reads_by_level[4];
	__aligned_u64 out_misses_by_pgsize[PFNLAB_PGSIZE_NR];
	__aligned_u64 out_sweep_ns;
};
#define PFNLAB_IOTLB_SWEEP _IO(PFNLAB_TYPE, PFNLAB_CMD_IOTLB_SWEEP)

/**
 * struct pfnlab_phase_stats - cumulative statistics of one phase.
 * @count: times the phase ran.
 * @total_ns: time spent in it, in ns.
 * @max_ns: the longest single run, in ns.
 * @hist: log2 histogram of single runs: bucket 0 counts 0 and 1 ns, bucket
 *	i > 0 counts [2^i, 2^(i+1)) ns.
 */
struct pfnlab_phase_stats {
	__aligned_u64 count;
	__aligned_u64 total_ns;
	__aligned_u64 max_ns;
	__aligned_u64 hist[PFNLAB_HIST_BUCKETS];
};

/** PFNLAB_STATS_GLOBAL - module-wide counters instead of this fd's. */
#define PFNLAB_STATS_GLOBAL (1U << 0)

/**
 * struct pfnlab_stats - PFNLAB_STATS: cumulative counters of this fd (or of
 *	the module with PFNLAB_STATS_GLOBAL) since open or STATS_RESET.
 * @size: sizeof(struct pfnlab_stats).
 * @flags: PFNLAB_STATS_GLOBAL or 0.
 * @out_ops: ioctls that reached their operation, per PFNLAB_CMD_* - BASE.
 * @out_errors: ioctls that failed, per PFNLAB_CMD_* - BASE.
 * @out_pfns_by_tier: PFNs read from each enum pfnlab_tier.
 * @out_runs: runs produced by all batches.
 * @out_batch_refills: batches filled.
 * @out_gup_calls: GUP calls.
 * @out_map_calls: domain map and unmap calls.
 * @out_pages_pinned: pages pinned (cumulative).
 * @out_pages_unpinned: pages unpinned (cumulative).
 * @out_npinned_now: pages pinned right now (not reset by STATS_RESET).
 * @out_objects_live: objects alive right now (not reset by STATS_RESET).
 * @out_ioptes_mapped: IOPTEs written per enum pfnlab_pgsize.
 * @phase: per enum pfnlab_phase.
 */
struct pfnlab_stats {
	__u32 size;
	__u32 flags;
	__aligned_u64 out_ops[16];
	__aligned_u64 out_errors[16];
	__aligned_u64 out_pfns_by_tier[PFNLAB_TIER_NR];
	__aligned_u64 out_runs;
	__aligned_u64 out_batch_refills;
	__aligned_u64 out_gup_calls;
	__aligned_u64 out_map_calls;
	__aligned_u64 out_pages_pinned;
	__aligned_u64 out_pages_unpinned;
	__aligned_u64 out_npinned_now;
	__aligned_u64 out_objects_live;
	__aligned_u64 out_ioptes_mapped[PFNLAB_PGSIZE_NR];
	struct pfnlab_phase_stats phase[PFNLAB_PHASE_NR];
};
#define PFNLAB_STATS _IO(PFNLAB_TYPE, PFNLAB_CMD_STATS)

/**
 * struct pfnlab_stats_reset - PFNLAB_STATS_RESET: zero the cumulative
 *	counters of this fd (or the module's with PFNLAB_STATS_GLOBAL).
 * @size: sizeof(struct pfnlab_stats_reset).
 * @flags: PFNLAB_STATS_GLOBAL or 0.
 */
struct pfnlab_stats_reset {
	__u32 size;
	__u32 flags;
};
#define PFNLAB_STATS_RESET _IO(PFNLAB_TYPE, PFNLAB_CMD_STATS_RESET)

/**
 * struct pfnlab_destroy - PFNLAB_DESTROY: free a pages object or a domain.
 * @size: sizeof(struct pfnlab_destroy).
 * @id: the object.  A domain's maps must be unmapped first, a pages
 *	object's maps and accesses must be gone first (-EBUSY otherwise).
 */
struct pfnlab_destroy {
	__u32 size;
	__u32 id;
};
#define PFNLAB_DESTROY _IO(PFNLAB_TYPE, PFNLAB_CMD_DESTROY)

/**
 * struct pfnlab_quiesce - PFNLAB_QUIESCE: return once the kernel has run
 *	the work that calls before it deferred, so that none of it is charged
 *	to the next call a harness times.
 * @size: sizeof(struct pfnlab_quiesce).
 * @flags: 0.
 * @out_wait_ns: how long the wait took, in ns.
 *
 * Removing entries from an xarray (ACCESS_UNPIN, and the kernel's own paths
 * pfnlab is measured beside: iommufd's unpin, io_uring's unregistration)
 * frees its nodes only after an RCU grace period, from a callback that runs
 * a few ticks later on the same CPU, most likely inside whatever the task
 * does next.  QUIESCE waits until every RCU callback queued before it has
 * run (rcu_barrier()), in any fd or subsystem.  It holds no object and
 * changes none; it waits about two grace periods and cannot be interrupted
 * while it does.
 */
struct pfnlab_quiesce {
	__u32 size;
	__u32 flags;
	__aligned_u64 out_wait_ns;
};
#define PFNLAB_QUIESCE _IO(PFNLAB_TYPE, PFNLAB_CMD_QUIESCE)

#endif /* _UAPI_PFNLAB_H */
