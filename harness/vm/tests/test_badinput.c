// SPDX-License-Identifier: GPL-2.0
/*
 * Every row of the UAPI's error tables (driver/uapi/pfnlab.h, DOC "Errors
 * shared by every ioctl" and "Bad input, per ioctl"), one test each, named
 * after its ioctl and input.  Each test checks the documented errno, that
 * nothing the failed call touched is pinned afterwards (npinned where there
 * is a pages object, and the system's pins in the teardown), and where it
 * matters that the state before the call is intact.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lab.h"

#define NPAGES 16
#define IOVA (1UL << 30)
#define BYTES (NPAGES * LAB_PAGE_SIZE)

/** struct fx - an fd with a writable 16-page buffer, its pages object and a
 * mock domain. */
struct fx {
	int fd;
	char *buf;
	uint32_t pages_id;
	uint32_t domain_id;
};

static void fx_open(struct fx *fx)
{
	fx->fd = lab_open();
	fx->buf = mmap(NULL, BYTES, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	assert_true(fx->buf != MAP_FAILED);
	fx->pages_id = lab_pages_create(fx->fd, fx->buf, BYTES, PFNLAB_PAGES_WRITABLE,
					PFNLAB_ACCOUNT_USER);
	fx->domain_id = lab_mock_domain(fx->fd, 0);
}

/* Nothing of the fixture is pinned, then everything is freed cleanly. */
static void fx_close(struct fx *fx)
{
	assert_int_equal(lab_pages_info(fx->fd, fx->pages_id).out_npinned, 0);
	assert_int_equal(lab_destroy(fx->fd, fx->domain_id), 0);
	assert_int_equal(lab_destroy(fx->fd, fx->pages_id), 0);
	close(fx->fd);
	munmap(fx->buf, BYTES);
}

static int create_pages(int fd, const void *uptr, uint64_t length, uint32_t flags, uint32_t mode)
{
	struct pfnlab_pages_create pc = {
		.size = sizeof(pc),
		.flags = flags,
		.account_mode = mode,
		.uptr = (uintptr_t)uptr,
		.length = length,
	};

	return lab_ioctl(fd, PFNLAB_PAGES_CREATE, &pc);
}

static int fx_map(struct fx *fx, uint64_t offset, uint64_t length, uint64_t iova)
{
	return lab_map(fx->fd, fx->domain_id, fx->pages_id, offset, length, iova,
		       lab_default_opts(), NULL);
}

/* ---- Errors shared by every ioctl ------------------------------------- */

static void test_any_unknown_ioctl_enotty(void **state)
{
	struct pfnlab_destroy d = { .size = sizeof(d) };
	int fd = lab_open();

	(void)state;
	assert_int_equal(lab_ioctl(fd, _IO(PFNLAB_TYPE, PFNLAB_CMD_QUIESCE + 1), &d), -ENOTTY);
	assert_int_equal(lab_ioctl(fd, _IO(PFNLAB_TYPE, PFNLAB_CMD_BASE - 1), &d), -ENOTTY);
	assert_int_equal(lab_ioctl(fd, _IO(PFNLAB_TYPE + 1, PFNLAB_CMD_INFO), &d), -ENOTTY);
	close(fd);
}

static void test_any_size_too_small_einval(void **state)
{
	struct pfnlab_info info = { .size = 4 };
	struct fx fx;

	(void)state;
	fx_open(&fx);
	assert_int_equal(lab_ioctl(fx.fd, PFNLAB_INFO, &info), -EINVAL);
	{
		struct pfnlab_map m = { .size = offsetof(struct pfnlab_map, iova),
					.domain_id = fx.domain_id,
					.pages_id = fx.pages_id,
					.length = BYTES };
		assert_int_equal(lab_ioctl(fx.fd, PFNLAB_MAP, &m), -EINVAL);
	}
	fx_close(&fx);
}

static void test_any_size_larger_nonzero_tail_e2big(void **state)
{
	struct {
		struct pfnlab_info info;
		uint64_t tail[4];
	} big;
	int fd = lab_open();

	(void)state;
	/* A larger struct with a zero tail is accepted... */
	memset(&big, 0, sizeof(big));
	big.info.size = sizeof(big);
	assert_int_equal(lab_ioctl(fd, PFNLAB_INFO, &big), 0);
	assert_int_equal(big.info.out_abi_version, PFNLAB_ABI_VERSION);
	assert_int_equal(big.info.out_page_size, LAB_PAGE_SIZE);
	/* ...one with a non-zero byte past what the kernel knows is not. */
	memset(&big, 0, sizeof(big));
	big.info.size = sizeof(big);
	big.tail[3] = 1;
	assert_int_equal(lab_ioctl(fd, PFNLAB_INFO, &big), -E2BIG);
	close(fd);
}

static void test_any_bad_struct_pointer_efault(void **state)
{
	void *none = mmap(NULL, LAB_PAGE_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct pfnlab_info *ro = mmap(NULL, LAB_PAGE_SIZE, PROT_READ | PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fd = lab_open();

	(void)state;
	assert_true(none != MAP_FAILED && ro != MAP_FAILED);
	assert_int_equal(lab_ioctl(fd, PFNLAB_INFO, none), -EFAULT);
	assert_int_equal(lab_ioctl(fd, PFNLAB_PAGES_CREATE, none), -EFAULT);
	/* Readable but not writable: the output cannot be written back. */
	ro->size = sizeof(*ro);
	assert_int_equal(mprotect(ro, LAB_PAGE_SIZE, PROT_READ), 0);
	assert_int_equal(lab_ioctl(fd, PFNLAB_INFO, ro), -EFAULT);
	munmap(none, LAB_PAGE_SIZE);
	munmap(ro, LAB_PAGE_SIZE);
	close(fd);
}

static void test_any_unknown_flag_eopnotsupp(void **state)
{
	struct pfnlab_info info = { .size = sizeof(info), .flags = 1U << 31 };
	struct fx fx;

	(void)state;
	fx_open(&fx);
	assert_int_equal(lab_ioctl(fx.fd, PFNLAB_INFO, &info), -EOPNOTSUPP);
	assert_int_equal(create_pages(fx.fd, fx.buf, BYTES, 1U << 30, PFNLAB_ACCOUNT_USER),
			 -EOPNOTSUPP);
	{
		struct pfnlab_map m = { .size = sizeof(m),
					.flags = 1U << 31,
					.domain_id = fx.domain_id,
					.pages_id = fx.pages_id,
					.length = BYTES,
					.iova = IOVA,
					.opts = lab_default_opts() };
		assert_int_equal(lab_ioctl(fx.fd, PFNLAB_MAP, &m), -EOPNOTSUPP);
	}
	fx_close(&fx);
}

static void test_any_reserved_nonzero_eopnotsupp(void **state)
{
	struct fx fx;
	struct pfnlab_map m;
	struct pfnlab_unmap u = { .size = sizeof(u), .__reserved = 1, .iova = IOVA, .length = BYTES };

	(void)state;
	fx_open(&fx);
	memset(&m, 0, sizeof(m));
	m.size = sizeof(m);
	m.domain_id = fx.domain_id;
	m.pages_id = fx.pages_id;
	m.length = BYTES;
	m.iova = IOVA;
	m.opts = lab_default_opts();
	m.opts.__reserved = 1;
	assert_int_equal(lab_ioctl(fx.fd, PFNLAB_MAP, &m), -EOPNOTSUPP);
	u.domain_id = fx.domain_id;
	assert_int_equal(lab_ioctl(fx.fd, PFNLAB_UNMAP, &u), -EOPNOTSUPP);
	fx_close(&fx);
}

static void test_any_unknown_id_enoent(void **state)
{
	struct fx fx;

	(void)state;
	fx_open(&fx);
	assert_int_equal(lab_destroy(fx.fd, 0), -ENOENT);
	assert_int_equal(lab_destroy(fx.fd, 0x7fff1234), -ENOENT);
	assert_int_equal(lab_map(fx.fd, 0x7fff1234, fx.pages_id, 0, BYTES, IOVA, lab_default_opts(),
				 NULL),
			 -ENOENT);
	assert_int_equal(lab_map(fx.fd, fx.domain_id, 0x7fff1234, 0, BYTES, IOVA,
				 lab_default_opts(), NULL),
			 -ENOENT);
	fx_close(&fx);
}

static void test_any_wrong_type_id_enoent(void **state)
{
	struct fx fx;
	struct pfnlab_pages_info pi = { .size = sizeof(pi) };

	(void)state;
	fx_open(&fx);
	/* Pages and domain swapped. */
	assert_int_equal(lab_map(fx.fd, fx.pages_id, fx.domain_id, 0, BYTES, IOVA,
				 lab_default_opts(), NULL),
			 -ENOENT);
	pi.pages_id = fx.domain_id;
	assert_int_equal(lab_ioctl(fx.fd, PFNLAB_PAGES_INFO, &pi), -ENOENT);
	assert_int_equal(lab_access_pin(fx.fd, fx.domain_id, 0, BYTES, NULL), -ENOENT);
	fx_close(&fx);
}

/* An id of one fd means nothing on another. */
static void test_any_other_fds_id_enoent(void **state)
{
	struct fx fx;
	int fd2 = lab_open();

	(void)state;
	fx_open(&fx);
	assert_int_equal(lab_map(fd2, fx.domain_id, fx.pages_id, 0, BYTES, IOVA, lab_default_opts(),
				 NULL),
			 -ENOENT);
	close(fd2);
	fx_close(&fx);
}

/* ---- PAGES_CREATE ------------------------------------------------------- */

static void test_pages_create_length_zero_einval(void **state)
{
	struct fx fx;

	(void)state;
	fx_open(&fx);
	assert_int_equal(create_pages(fx.fd, fx.buf, 0, 0, PFNLAB_ACCOUNT_USER), -EINVAL);
	fx_close(&fx);
}

static void test_pages_create_unaligned_einval(void **state)
{
	struct fx fx;

	(void)state;
	fx_open(&fx);
	assert_int_equal(create_pages(fx.fd, fx.buf + 8, LAB_PAGE_SIZE, 0, PFNLAB_ACCOUNT_USER),
			 -EINVAL);
	assert_int_equal(create_pages(fx.fd, fx.buf, LAB_PAGE_SIZE + 8, 0, PFNLAB_ACCOUNT_USER),
			 -EINVAL);
	fx_close(&fx);
}

static void test_pages_create_wrap_eoverflow(void **state)
{
	struct pfnlab_pages_create pc = {
		.size = sizeof(pc),
		.uptr = UINT64_MAX - LAB_PAGE_SIZE + 1,
		.length = 2 * LAB_PAGE_SIZE,
	};
	int fd = lab_open();

	(void)state;
	assert_int_equal(lab_ioctl(fd, PFNLAB_PAGES_CREATE, &pc), -EOVERFLOW);
	/* No wrap, but past the end of the user address space, whatever it is
	 * (47 bits, or 56 with 5-level paging: TCG's "max" CPU has LA57). */
	pc.uptr = 1ULL << 62;
	pc.length = LAB_PAGE_SIZE;
	assert_int_equal(lab_ioctl(fd, PFNLAB_PAGES_CREATE, &pc), -EOVERFLOW);
	/* Starting inside it and running out. */
	pc.uptr = 0x7ffff0000000ULL;
	pc.length = 1ULL << 60;
	assert_int_equal(lab_ioctl(fd, PFNLAB_PAGES_CREATE, &pc), -EOVERFLOW);
	close(fd);
}

static void test_pages_create_hole_efault(void **state)
{
	char *p = mmap(NULL, 3 * LAB_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	int fd = lab_open();

	(void)state;
	assert_true(p != MAP_FAILED);
	assert_int_equal(munmap(p + LAB_PAGE_SIZE, LAB_PAGE_SIZE), 0);
	assert_int_equal(create_pages(fd, p, 3 * LAB_PAGE_SIZE, 0, PFNLAB_ACCOUNT_USER), -EFAULT);
	munmap(p, 3 * LAB_PAGE_SIZE);
	close(fd);
}

static void test_pages_create_writable_readonly_vma_eperm(void **state)
{
	char *p = mmap(NULL, BYTES, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fd = lab_open();

	(void)state;
	assert_true(p != MAP_FAILED);
	assert_int_equal(create_pages(fd, p, BYTES, PFNLAB_PAGES_WRITABLE, PFNLAB_ACCOUNT_USER),
			 -EPERM);
	/* Read-only pins of it are fine. */
	assert_int_equal(create_pages(fd, p, BYTES, 0, PFNLAB_ACCOUNT_USER), 0);
	munmap(p, BYTES);
	close(fd);
}

static void test_pages_create_unknown_account_einval(void **state)
{
	struct fx fx;

	(void)state;
	fx_open(&fx);
	assert_int_equal(create_pages(fx.fd, fx.buf, BYTES, 0, 99), -EINVAL);
	assert_int_equal(create_pages(fx.fd, fx.buf, BYTES, 0, PFNLAB_ACCOUNT_NONE + 1), -EINVAL);
	fx_close(&fx);
}

static int account_none_child(void *arg)
{
	char *p = mmap(NULL, BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fd = open(PFNLAB_DEVICE_PATH, O_RDWR);

	(void)arg;
	CHILD_CHECK(p != MAP_FAILED && fd >= 0);
	CHILD_CHECK(create_pages(fd, p, BYTES, 0, PFNLAB_ACCOUNT_NONE) == -EPERM);
	CHILD_CHECK(create_pages(fd, p, BYTES, 0, PFNLAB_ACCOUNT_USER) == 0);
	close(fd);
	return 0;
}

static void test_pages_create_account_none_unprivileged_eperm(void **state)
{
	(void)state;
	lab_open_device_to_all();
	assert_int_equal(lab_run_child(account_none_child, NULL, -1, 1, 0, NULL), 0);
}

/* ---- DOMAIN_CREATE ------------------------------------------------------ */

static int domain_create(int fd, struct pfnlab_domain_create *dc)
{
	dc->size = sizeof(*dc);
	return lab_ioctl(fd, PFNLAB_DOMAIN_CREATE, dc);
}

static void test_domain_create_unknown_kind_einval(void **state)
{
	struct pfnlab_domain_create dc = { .kind = 7 };
	int fd = lab_open();

	(void)state;
	assert_int_equal(domain_create(fd, &dc), -EINVAL);
	close(fd);
}

static void test_domain_create_bad_pgsize_bitmap_einval(void **state)
{
	struct pfnlab_domain_create dc = { .kind = PFNLAB_DOMAIN_MOCK };
	int fd = lab_open();

	(void)state;
	dc.pgsize_bitmap = LAB_HUGE_2M; /* no 4 KiB */
	assert_int_equal(domain_create(fd, &dc), -EINVAL);
	dc.pgsize_bitmap = LAB_PAGE_SIZE | 8192; /* a size it cannot do */
	assert_int_equal(domain_create(fd, &dc), -EINVAL);
	close(fd);
}

static void test_domain_create_iotlb_geometry_einval(void **state)
{
	struct pfnlab_domain_create dc = { .kind = PFNLAB_DOMAIN_MOCK };
	int fd = lab_open();

	(void)state;
	dc.iotlb.entries[PFNLAB_PGSIZE_4K] = 10;
	dc.iotlb.ways[PFNLAB_PGSIZE_4K] = 4;
	assert_int_equal(domain_create(fd, &dc), -EINVAL);
	close(fd);
}

static void test_domain_create_iotlb_too_large_e2big(void **state)
{
	struct pfnlab_domain_create dc = { .kind = PFNLAB_DOMAIN_MOCK };
	int fd = lab_open();

	(void)state;
	dc.iotlb.entries[PFNLAB_PGSIZE_2M] = PFNLAB_IOTLB_MAX_ENTRIES + 1;
	assert_int_equal(domain_create(fd, &dc), -E2BIG);
	dc.iotlb.entries[PFNLAB_PGSIZE_2M] = PFNLAB_IOTLB_MAX_ENTRIES;
	assert_int_equal(domain_create(fd, &dc), 0);
	close(fd);
}

static int real_domain_on(int fd, const struct lab_pci *pci)
{
	struct pfnlab_domain_create dc = {
		.kind = PFNLAB_DOMAIN_REAL,
		.pci_segment = pci->segment,
		.pci_bdf = pci->bdf,
	};

	return domain_create(fd, &dc);
}

static void test_domain_create_real_no_device_enoent(void **state)
{
	/* 00:1e.7: q35 puts nothing there. */
	struct lab_pci none = { .segment = 0, .bdf = 0x1e << 3 | 7 };
	int fd = lab_open();

	(void)state;
	assert_int_equal(access("/sys/bus/pci/devices/0000:00:1e.7", F_OK), -1);
	assert_int_equal(real_domain_on(fd, &none), -ENOENT);
	none.segment = 0x77;
	none.bdf = 0;
	assert_int_equal(real_domain_on(fd, &none), -ENOENT);
	close(fd);
}

static int no_iommu_group(const char *dir, void *arg)
{
	(void)arg;
	return lab_pci_group_size(dir) == 0;
}

static void test_domain_create_real_no_iommu_enodev(void **state)
{
	struct lab_pci pci;
	int fd;

	(void)state;
	/* The lab VM puts every device behind the IOMMU: the second boot,
	 * without one, tests this row (test_noiommu.c). */
	if (lab_find_pci(no_iommu_group, NULL, &pci))
		skip();
	fd = lab_open();
	assert_int_equal(real_domain_on(fd, &pci), -ENODEV);
	close(fd);
}

static int bound_alone(const char *dir, void *arg)
{
	(void)arg;
	return lab_pci_has_driver(dir) && lab_pci_group_size(dir) == 1;
}

static void test_domain_create_real_driver_bound_ebusy(void **state)
{
	struct lab_pci pci;
	int fd = lab_open();

	(void)state;
	/* The virtio device of the results share is bound to virtio-pci. */
	assert_int_equal(lab_find_pci(bound_alone, NULL, &pci), 0);
	assert_int_equal(real_domain_on(fd, &pci), -EBUSY);
	close(fd);
}

static int unbound_shared_group(const char *dir, void *arg)
{
	(void)arg;
	return !lab_pci_has_driver(dir) && lab_pci_group_size(dir) > 1;
}

static void test_domain_create_real_shared_group_exdev(void **state)
{
	struct lab_pci pci;
	int fd = lab_open();

	(void)state;
	/* q35's 00:1f.x functions share one group. */
	assert_int_equal(lab_find_pci(unbound_shared_group, NULL, &pci), 0);
	assert_int_equal(real_domain_on(fd, &pci), -EXDEV);
	close(fd);
}

/* ---- MAP ---------------------------------------------------------------- */

static void test_map_length_zero_einval(void **state)
{
	struct fx fx;

	(void)state;
	fx_open(&fx);
	assert_int_equal(fx_map(&fx, 0, 0, IOVA), -EINVAL);
	fx_close(&fx);
}

static void test_map_unaligned_einval(void **state)
{
	struct fx fx;

	(void)state;
	fx_open(&fx);
	assert_int_equal(fx_map(&fx, 0, BYTES, IOVA + 512), -EINVAL);
	assert_int_equal(fx_map(&fx, 512, LAB_PAGE_SIZE, IOVA), -EINVAL);
	assert_int_equal(fx_map(&fx, 0, LAB_PAGE_SIZE + 512, IOVA), -EINVAL);
	fx_close(&fx);
}

static void test_map_iova_wraps_eoverflow(void **state)
{
	struct fx fx;

	(void)state;
	fx_open(&fx);
	assert_int_equal(fx_map(&fx, 0, 2 * LAB_PAGE_SIZE, UINT64_MAX - LAB_PAGE_SIZE + 1),
			 -EOVERFLOW);
	fx_close(&fx);
}

static void test_map_outside_aperture_erange(void **state)
{
	struct pfnlab_domain_create dc = { .kind = PFNLAB_DOMAIN_MOCK };
	struct fx fx;

	(void)state;
	fx_open(&fx);
	assert_int_equal(domain_create(fx.fd, &dc), 0);
	assert_true(dc.out_aperture_end < UINT64_MAX - BYTES);
	assert_int_equal(lab_map(fx.fd, dc.out_domain_id, fx.pages_id, 0, BYTES,
				 (dc.out_aperture_end + 1) & ~(LAB_PAGE_SIZE - 1),
				 lab_default_opts(), NULL),
			 -ERANGE);
	/* Straddling the end. */
	assert_int_equal(lab_map(fx.fd, dc.out_domain_id, fx.pages_id, 0, BYTES,
				 ((dc.out_aperture_end + 1) & ~(LAB_PAGE_SIZE - 1)) - LAB_PAGE_SIZE,
				 lab_default_opts(), NULL),
			 -ERANGE);
	assert_int_equal(lab_destroy(fx.fd, dc.out_domain_id), 0);
	fx_close(&fx);
}

static void test_map_beyond_pages_erange(void **state)
{
	struct fx fx;

	(void)state;
	fx_open(&fx);
	assert_int_equal(fx_map(&fx, LAB_PAGE_SIZE, BYTES, IOVA), -ERANGE);
	assert_int_equal(fx_map(&fx, BYTES, LAB_PAGE_SIZE, IOVA), -ERANGE);
	fx_close(&fx);
}

static void test_map_iova_overlap_eexist(void **state)
{
	struct fx fx;

	(void)state;
	fx_open(&fx);
	assert_int_equal(fx_map(&fx, 0, 4 * LAB_PAGE_SIZE, IOVA), 0);
	assert_int_equal(fx_map(&fx, 8 * LAB_PAGE_SIZE, 4 * LAB_PAGE_SIZE, IOVA + 3 * LAB_PAGE_SIZE),
			 -EEXIST);
	assert_int_equal(fx_map(&fx, 8 * LAB_PAGE_SIZE, 8 * LAB_PAGE_SIZE, IOVA - 4 * LAB_PAGE_SIZE),
			 -EEXIST);
	/* The failed calls pinned nothing more; the first map is intact. */
	assert_int_equal(lab_pages_info(fx.fd, fx.pages_id).out_npinned, 4);
	assert_int_equal(lab_unmap(fx.fd, fx.domain_id, IOVA, 4 * LAB_PAGE_SIZE, NULL), 0);
	fx_close(&fx);
}

static void test_map_range_unmapped_in_process_efault(void **state)
{
	struct fx fx;

	(void)state;
	fx_open(&fx);
	/* The VMA goes away after PAGES_CREATE: pinning finds nothing. */
	assert_int_equal(munmap(fx.buf + 8 * LAB_PAGE_SIZE, 8 * LAB_PAGE_SIZE), 0);
	assert_int_equal(fx_map(&fx, 0, BYTES, IOVA), -EFAULT);
	assert_int_equal(lab_pages_info(fx.fd, fx.pages_id).out_npinned, 0);
	/* The part still mapped still maps. */
	assert_int_equal(fx_map(&fx, 0, 8 * LAB_PAGE_SIZE, IOVA), 0);
	assert_int_equal(lab_unmap(fx.fd, fx.domain_id, IOVA, 8 * LAB_PAGE_SIZE, NULL), 0);
	fx_close(&fx);
}

struct rlimit_case {
	int use_access;
};

static int rlimit_child(void *arg)
{
	const struct rlimit_case *rc = arg;
	struct pfnlab_domain_create dc = { .size = sizeof(dc), .kind = PFNLAB_DOMAIN_MOCK };
	struct pfnlab_pages_info pi = { .size = sizeof(pi) };
	char *p = mmap(NULL, BYTES, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	int fd = open(PFNLAB_DEVICE_PATH, O_RDWR), ret;
	struct pfnlab_pages_create pc = {
		.size = sizeof(pc),
		.flags = PFNLAB_PAGES_WRITABLE,
		.account_mode = PFNLAB_ACCOUNT_USER,
		.uptr = (uintptr_t)p,
		.length = BYTES,
	};

	CHILD_CHECK(p != MAP_FAILED && fd >= 0);
	CHILD_CHECK(lab_ioctl(fd, PFNLAB_PAGES_CREATE, &pc) == 0);
	CHILD_CHECK(lab_ioctl(fd, PFNLAB_DOMAIN_CREATE, &dc) == 0);
	if (rc->use_access)
		ret = lab_access_pin(fd, pc.out_pages_id, 0, BYTES, NULL);
	else
		ret = lab_map(fd, dc.out_domain_id, pc.out_pages_id, 0, BYTES, IOVA,
			      lab_default_opts(), NULL);
	CHILD_CHECK(ret == -ENOMEM);
	pi.pages_id = pc.out_pages_id;
	CHILD_CHECK(lab_ioctl(fd, PFNLAB_PAGES_INFO, &pi) == 0);
	CHILD_CHECK(pi.out_npinned == 0 && pi.out_last_npinned == 0);
	CHILD_CHECK(lab_status_kib("VmPin") == 0);
	lab_checkpoint();
	close(fd);
	return 0;
}

static void run_rlimit_case(int use_access)
{
	struct rlimit_case rc = { use_access };
	uint64_t acquired = 0, released = 0;
	int64_t held_at_checkpoint = -1;

	lab_open_device_to_all();
	lab_pin_counters(&acquired, &released);
	assert_int_equal(lab_run_child(rlimit_child, &rc, NPAGES / 2, 1, 0, &held_at_checkpoint), 0);
	assert_int_equal(held_at_checkpoint, (int64_t)(acquired - released));
}

static void test_map_rlimit_memlock_enomem(void **state)
{
	(void)state;
	run_rlimit_case(0);
}

/* ---- MAP / READ / ACCESS_PIN reader options ----------------------------- */

/* Each of the three ioctls that run the reader, with @opts. */
static void expect_opts_errno(struct fx *fx, struct pfnlab_reader_opts opts, int err)
{
	struct pfnlab_map m = { .size = sizeof(m),
				.domain_id = fx->domain_id,
				.pages_id = fx->pages_id,
				.length = BYTES,
				.iova = IOVA,
				.opts = opts };
	struct pfnlab_read r = {
		.size = sizeof(r), .pages_id = fx->pages_id, .length = BYTES, .opts = opts
	};
	struct pfnlab_access_pin ap = {
		.size = sizeof(ap), .pages_id = fx->pages_id, .length = BYTES, .opts = opts
	};

	assert_int_equal(lab_ioctl(fx->fd, PFNLAB_MAP, &m), err);
	assert_int_equal(lab_ioctl(fx->fd, PFNLAB_READ, &r), err);
	assert_int_equal(lab_ioctl(fx->fd, PFNLAB_ACCESS_PIN, &ap), err);
	assert_int_equal(lab_pages_info(fx->fd, fx->pages_id).out_npinned, 0);
}

static void test_reader_pages_per_call_einval(void **state)
{
	struct fx fx;

	(void)state;
	fx_open(&fx);
	expect_opts_errno(&fx, lab_opts(0, 64, PFNLAB_FILL_RUN_AWARE), -EINVAL);
	expect_opts_errno(&fx, lab_opts(PFNLAB_MAX_PAGES_PER_CALL + 1, 64, PFNLAB_FILL_RUN_AWARE),
			  -EINVAL);
	fx_close(&fx);
}

static void test_reader_batch_runs_zero_einval(void **state)
{
	struct fx fx;

	(void)state;
	fx_open(&fx);
	expect_opts_errno(&fx, lab_opts(16, 0, PFNLAB_FILL_PER_PAGE), -EINVAL);
	fx_close(&fx);
}

static void test_reader_batch_runs_too_large_e2big(void **state)
{
	struct fx fx;

	(void)state;
	fx_open(&fx);
	expect_opts_errno(&fx, lab_opts(16, PFNLAB_MAX_BATCH_RUNS + 1, PFNLAB_FILL_PER_PAGE),
			  -E2BIG);
	expect_opts_errno(&fx, lab_opts(16, UINT32_MAX, PFNLAB_FILL_PER_PAGE), -E2BIG);
	fx_close(&fx);
}

static void test_reader_unknown_fill_einval(void **state)
{
	struct fx fx;

	(void)state;
	fx_open(&fx);
	expect_opts_errno(&fx, lab_opts(16, 64, PFNLAB_FILL_RUN_AWARE + 1), -EINVAL);
	fx_close(&fx);
}

/* ---- UNMAP -------------------------------------------------------------- */

static void test_unmap_length_zero_or_unaligned_einval(void **state)
{
	struct fx fx;

	(void)state;
	fx_open(&fx);
	assert_int_equal(fx_map(&fx, 0, BYTES, IOVA), 0);
	assert_int_equal(lab_unmap(fx.fd, fx.domain_id, IOVA, 0, NULL), -EINVAL);
	assert_int_equal(lab_unmap(fx.fd, fx.domain_id, IOVA + 512, BYTES, NULL), -EINVAL);
	assert_int_equal(lab_unmap(fx.fd, fx.domain_id, IOVA, BYTES + 512, NULL), -EINVAL);
	assert_int_equal(lab_pages_info(fx.fd, fx.pages_id).out_npinned, NPAGES);
	assert_int_equal(lab_unmap(fx.fd, fx.domain_id, IOVA, BYTES, NULL), 0);
	fx_close(&fx);
}

static void test_unmap_wraps_eoverflow(void **state)
{
	struct fx fx;

	(void)state;
	fx_open(&fx);
	assert_int_equal(fx_map(&fx, 0, BYTES, IOVA), 0);
	assert_int_equal(lab_unmap(fx.fd, fx.domain_id, UINT64_MAX - LAB_PAGE_SIZE + 1,
				   2 * LAB_PAGE_SIZE, NULL),
			 -EOVERFLOW);
	assert_int_equal(lab_pages_info(fx.fd, fx.pages_id).out_npinned, NPAGES);
	assert_int_equal(lab_unmap(fx.fd, fx.domain_id, IOVA, BYTES, NULL), 0);
	fx_close(&fx);
}

static void test_unmap_nothing_mapped_enoent(void **state)
{
	struct fx fx;

	(void)state;
	fx_open(&fx);
	assert_int_equal(lab_unmap(fx.fd, fx.domain_id, IOVA, BYTES, NULL), -ENOENT);
	assert_int_equal(fx_map(&fx, 0, BYTES, IOVA), 0);
	assert_int_equal(lab_unmap(fx.fd, fx.domain_id, IOVA + BYTES, BYTES, NULL), -ENOENT);
	assert_int_equal(lab_unmap(fx.fd, fx.domain_id, IOVA, BYTES, NULL), 0);
	/* A second unmap of the same range finds nothing. */
	assert_int_equal(lab_unmap(fx.fd, fx.domain_id, IOVA, BYTES, NULL), -ENOENT);
	fx_close(&fx);
}

static void test_unmap_cuts_through_map_einval(void **state)
{
	struct fx fx;

	(void)state;
	fx_open(&fx);
	assert_int_equal(fx_map(&fx, 0, BYTES, IOVA), 0);
	assert_int_equal(lab_unmap(fx.fd, fx.domain_id, IOVA, BYTES / 2, NULL), -EINVAL);
	/* Nothing was unmapped or unpinned by the failed call. */
	assert_int_equal(lab_pages_info(fx.fd, fx.pages_id).out_npinned, NPAGES);
	assert_int_equal(lab_pages_info(fx.fd, fx.pages_id).out_nmaps, 1);
	assert_int_equal(lab_unmap(fx.fd, fx.domain_id, IOVA, BYTES, NULL), 0);
	fx_close(&fx);
}

/* ---- ACCESS_PIN / ACCESS_UNPIN ------------------------------------------ */

static void test_access_pin_length_zero_or_unaligned_einval(void **state)
{
	struct fx fx;

	(void)state;
	fx_open(&fx);
	assert_int_equal(lab_access_pin(fx.fd, fx.pages_id, 0, 0, NULL), -EINVAL);
	assert_int_equal(lab_access_pin(fx.fd, fx.pages_id, 512, LAB_PAGE_SIZE, NULL), -EINVAL);
	assert_int_equal(lab_access_pin(fx.fd, fx.pages_id, 0, LAB_PAGE_SIZE + 512, NULL), -EINVAL);
	fx_close(&fx);
}

static void test_access_pin_beyond_pages_erange(void **state)
{
	struct fx fx;

	(void)state;
	fx_open(&fx);
	assert_int_equal(lab_access_pin(fx.fd, fx.pages_id, LAB_PAGE_SIZE, BYTES, NULL), -ERANGE);
	fx_close(&fx);
}

static void test_access_pin_rlimit_memlock_enomem(void **state)
{
	(void)state;
	run_rlimit_case(1);
}

static void test_access_unpin_twice_enoent(void **state)
{
	struct fx fx;
	uint32_t access_id;

	(void)state;
	fx_open(&fx);
	assert_int_equal(lab_access_pin(fx.fd, fx.pages_id, 0, BYTES, &access_id), 0);
	assert_int_equal(lab_access_unpin(fx.fd, access_id), 0);
	assert_int_equal(lab_access_unpin(fx.fd, access_id), -ENOENT);
	fx_close(&fx);
}

/* ---- READ --------------------------------------------------------------- */

static void test_read_length_zero_or_unaligned_einval(void **state)
{
	struct fx fx;

	(void)state;
	fx_open(&fx);
	assert_int_equal(lab_read(fx.fd, fx.pages_id, 0, 0, NULL, NULL, lab_default_opts(), NULL),
			 -EINVAL);
	assert_int_equal(lab_read(fx.fd, fx.pages_id, 512, LAB_PAGE_SIZE, NULL, NULL,
				  lab_default_opts(), NULL),
			 -EINVAL);
	assert_int_equal(lab_read(fx.fd, fx.pages_id, 0, LAB_PAGE_SIZE + 512, NULL, NULL,
				  lab_default_opts(), NULL),
			 -EINVAL);
	fx_close(&fx);
}

static void test_read_beyond_pages_erange(void **state)
{
	struct fx fx;

	(void)state;
	fx_open(&fx);
	assert_int_equal(lab_read(fx.fd, fx.pages_id, LAB_PAGE_SIZE, BYTES, NULL, NULL,
				  lab_default_opts(), NULL),
			 -ERANGE);
	fx_close(&fx);
}

static void test_read_unwritable_buffer_efault(void **state)
{
	uint64_t *ro = mmap(NULL, LAB_PAGE_SIZE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct fx fx;

	(void)state;
	assert_true(ro != MAP_FAILED);
	fx_open(&fx);
	assert_int_equal(lab_read(fx.fd, fx.pages_id, 0, BYTES, ro, NULL, lab_default_opts(), NULL),
			 -EFAULT);
	assert_int_equal(lab_read(fx.fd, fx.pages_id, 0, BYTES, NULL, (uint8_t *)ro,
				  lab_default_opts(), NULL),
			 -EFAULT);
	/* The pages the read pinned for itself were let go. */
	assert_int_equal(lab_pages_info(fx.fd, fx.pages_id).out_npinned, 0);
	fx_close(&fx);
	munmap(ro, LAB_PAGE_SIZE);
}

static void test_read_null_buffer_efault(void **state)
{
	struct pfnlab_read rd = { .size = sizeof(rd), .length = BYTES };
	struct fx fx;

	(void)state;
	fx_open(&fx);
	rd.pages_id = fx.pages_id;
	rd.opts = lab_default_opts();
	/* Asked to copy, given nowhere to copy to: an error, not a quiet 0. */
	rd.flags = PFNLAB_READ_COPY_PFNS;
	assert_int_equal(lab_ioctl(fx.fd, PFNLAB_READ, &rd), -EFAULT);
	rd.flags = PFNLAB_READ_COPY_TIERS;
	assert_int_equal(lab_ioctl(fx.fd, PFNLAB_READ, &rd), -EFAULT);
	assert_int_equal(lab_pages_info(fx.fd, fx.pages_id).out_npinned, 0);
	fx_close(&fx);
}

/* ---- IOTLB_SWEEP -------------------------------------------------------- */

static int sweep_at(int fd, uint32_t domain_id, uint32_t pattern, uint64_t iova, uint64_t window,
		    uint64_t stride, uint64_t passes)
{
	struct pfnlab_iotlb_sweep sw = {
		.size = sizeof(sw),
		.domain_id = domain_id,
		.pattern = pattern,
		.iova = iova,
		.window = window,
		.stride = stride,
		.passes = passes,
	};

	return lab_ioctl(fd, PFNLAB_IOTLB_SWEEP, &sw);
}

static int sweep(int fd, uint32_t domain_id, uint64_t window, uint64_t stride, uint64_t passes)
{
	return sweep_at(fd, domain_id, PFNLAB_IOTLB_SEQUENTIAL, IOVA, window, stride, passes);
}

static void test_iotlb_sweep_unaligned_iova_einval(void **state)
{
	struct fx fx;

	(void)state;
	fx_open(&fx);
	assert_int_equal(sweep_at(fx.fd, fx.domain_id, PFNLAB_IOTLB_SEQUENTIAL, IOVA + 512, BYTES,
				  LAB_PAGE_SIZE, 1),
			 -EINVAL);
	fx_close(&fx);
}

static void test_iotlb_sweep_window_not_multiple_of_stride_einval(void **state)
{
	struct fx fx;

	(void)state;
	fx_open(&fx);
	assert_int_equal(sweep(fx.fd, fx.domain_id, 5 * LAB_PAGE_SIZE, 2 * LAB_PAGE_SIZE, 1),
			 -EINVAL);
	fx_close(&fx);
}

static void test_iotlb_sweep_unknown_pattern_einval(void **state)
{
	struct fx fx;

	(void)state;
	fx_open(&fx);
	assert_int_equal(sweep_at(fx.fd, fx.domain_id, PFNLAB_IOTLB_RANDOM + 1, IOVA, BYTES,
				  LAB_PAGE_SIZE, 1),
			 -EINVAL);
	fx_close(&fx);
}

static void test_iotlb_sweep_beyond_48bit_eoverflow(void **state)
{
	struct fx fx;

	(void)state;
	fx_open(&fx);
	assert_int_equal(sweep_at(fx.fd, fx.domain_id, PFNLAB_IOTLB_SEQUENTIAL,
				  (1ULL << 48) - LAB_PAGE_SIZE, 2 * LAB_PAGE_SIZE, LAB_PAGE_SIZE, 1),
			 -EOVERFLOW);
	fx_close(&fx);
}

static void test_iotlb_sweep_too_many_accesses_e2big(void **state)
{
	struct fx fx;

	(void)state;
	fx_open(&fx);
	/* Just past PFNLAB_IOTLB_MAX_SWEEP_ACCESSES: two passes of half + 1. */
	assert_int_equal(sweep_at(fx.fd, fx.domain_id, PFNLAB_IOTLB_SEQUENTIAL, 0,
				  (PFNLAB_IOTLB_MAX_SWEEP_ACCESSES / 2 + 1) * LAB_PAGE_SIZE,
				  LAB_PAGE_SIZE, 2),
			 -E2BIG);
	/* 2^33 in all, far beyond. */
	assert_int_equal(sweep_at(fx.fd, fx.domain_id, PFNLAB_IOTLB_SEQUENTIAL, 0, 1ULL << 40,
				  LAB_PAGE_SIZE, 32),
			 -E2BIG);
	fx_close(&fx);
}

static void test_iotlb_sweep_real_domain_eopnotsupp(void **state)
{
	struct pfnlab_domain_create dc = { .kind = PFNLAB_DOMAIN_REAL };
	struct lab_pci edu;
	int fd = lab_open();

	(void)state;
	assert_int_equal(lab_find_pci(lab_pci_is_edu, NULL, &edu), 0);
	dc.pci_segment = edu.segment;
	dc.pci_bdf = edu.bdf;
	assert_int_equal(domain_create(fd, &dc), 0);
	assert_int_equal(sweep(fd, dc.out_domain_id, BYTES, LAB_PAGE_SIZE, 1), -EOPNOTSUPP);
	assert_int_equal(lab_destroy(fd, dc.out_domain_id), 0);
	close(fd);
}

static void test_iotlb_sweep_bad_window_or_stride_einval(void **state)
{
	struct fx fx;

	(void)state;
	fx_open(&fx);
	assert_int_equal(sweep(fx.fd, fx.domain_id, 0, LAB_PAGE_SIZE, 1), -EINVAL);
	assert_int_equal(sweep(fx.fd, fx.domain_id, BYTES, 0, 1), -EINVAL);
	assert_int_equal(sweep(fx.fd, fx.domain_id, BYTES + 512, LAB_PAGE_SIZE, 1), -EINVAL);
	assert_int_equal(sweep(fx.fd, fx.domain_id, BYTES, LAB_PAGE_SIZE + 512, 1), -EINVAL);
	assert_int_equal(sweep(fx.fd, fx.domain_id, BYTES, LAB_PAGE_SIZE, 1), 0);
	fx_close(&fx);
}

static void test_iotlb_sweep_bad_passes_einval(void **state)
{
	struct fx fx;

	(void)state;
	fx_open(&fx);
	assert_int_equal(sweep(fx.fd, fx.domain_id, BYTES, LAB_PAGE_SIZE, 0), -EINVAL);
	assert_int_equal(sweep(fx.fd, fx.domain_id, BYTES, LAB_PAGE_SIZE,
			       (uint64_t)PFNLAB_IOTLB_MAX_PASSES + 1),
			 -EINVAL);
	fx_close(&fx);
}

/* ---- DESTROY ------------------------------------------------------------ */

static void test_destroy_pages_in_use_ebusy(void **state)
{
	struct fx fx;
	uint32_t access_id;

	(void)state;
	fx_open(&fx);
	assert_int_equal(fx_map(&fx, 0, BYTES, IOVA), 0);
	assert_int_equal(lab_destroy(fx.fd, fx.pages_id), -EBUSY);
	assert_int_equal(lab_unmap(fx.fd, fx.domain_id, IOVA, BYTES, NULL), 0);
	assert_int_equal(lab_access_pin(fx.fd, fx.pages_id, 0, BYTES, &access_id), 0);
	assert_int_equal(lab_destroy(fx.fd, fx.pages_id), -EBUSY);
	assert_int_equal(lab_pages_info(fx.fd, fx.pages_id).out_npinned, NPAGES);
	assert_int_equal(lab_access_unpin(fx.fd, access_id), 0);
	fx_close(&fx);
}

static void test_destroy_domain_in_use_ebusy(void **state)
{
	struct fx fx;

	(void)state;
	fx_open(&fx);
	assert_int_equal(fx_map(&fx, 0, BYTES, IOVA), 0);
	assert_int_equal(lab_destroy(fx.fd, fx.domain_id), -EBUSY);
	assert_int_equal(lab_pages_info(fx.fd, fx.pages_id).out_nmaps, 1);
	assert_int_equal(lab_unmap(fx.fd, fx.domain_id, IOVA, BYTES, NULL), 0);
	fx_close(&fx);
}

static void test_destroy_access_einval(void **state)
{
	struct fx fx;
	uint32_t access_id;

	(void)state;
	fx_open(&fx);
	assert_int_equal(lab_access_pin(fx.fd, fx.pages_id, 0, BYTES, &access_id), 0);
	assert_int_equal(lab_destroy(fx.fd, access_id), -EINVAL);
	assert_int_equal(lab_pages_info(fx.fd, fx.pages_id).out_naccesses, 1);
	assert_int_equal(lab_access_unpin(fx.fd, access_id), 0);
	fx_close(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		LAB_TEST(test_any_unknown_ioctl_enotty),
		LAB_TEST(test_any_size_too_small_einval),
		LAB_TEST(test_any_size_larger_nonzero_tail_e2big),
		LAB_TEST(test_any_bad_struct_pointer_efault),
		LAB_TEST(test_any_unknown_flag_eopnotsupp),
		LAB_TEST(test_any_reserved_nonzero_eopnotsupp),
		LAB_TEST(test_any_unknown_id_enoent),
		LAB_TEST(test_any_wrong_type_id_enoent),
		LAB_TEST(test_any_other_fds_id_enoent),
		LAB_TEST(test_pages_create_length_zero_einval),
		LAB_TEST(test_pages_create_unaligned_einval),
		LAB_TEST(test_pages_create_wrap_eoverflow),
		LAB_TEST(test_pages_create_hole_efault),
		LAB_TEST(test_pages_create_writable_readonly_vma_eperm),
		LAB_TEST(test_pages_create_unknown_account_einval),
		LAB_TEST(test_pages_create_account_none_unprivileged_eperm),
		LAB_TEST(test_domain_create_unknown_kind_einval),
		LAB_TEST(test_domain_create_bad_pgsize_bitmap_einval),
		LAB_TEST(test_domain_create_iotlb_geometry_einval),
		LAB_TEST(test_domain_create_iotlb_too_large_e2big),
		LAB_TEST(test_domain_create_real_no_device_enoent),
		LAB_TEST(test_domain_create_real_no_iommu_enodev),
		LAB_TEST(test_domain_create_real_driver_bound_ebusy),
		LAB_TEST(test_domain_create_real_shared_group_exdev),
		LAB_TEST(test_map_length_zero_einval),
		LAB_TEST(test_map_unaligned_einval),
		LAB_TEST(test_map_iova_wraps_eoverflow),
		LAB_TEST(test_map_outside_aperture_erange),
		LAB_TEST(test_map_beyond_pages_erange),
		LAB_TEST(test_map_iova_overlap_eexist),
		LAB_TEST(test_map_range_unmapped_in_process_efault),
		LAB_TEST(test_map_rlimit_memlock_enomem),
		LAB_TEST(test_reader_pages_per_call_einval),
		LAB_TEST(test_reader_batch_runs_zero_einval),
		LAB_TEST(test_reader_batch_runs_too_large_e2big),
		LAB_TEST(test_reader_unknown_fill_einval),
		LAB_TEST(test_unmap_length_zero_or_unaligned_einval),
		LAB_TEST(test_unmap_wraps_eoverflow),
		LAB_TEST(test_unmap_nothing_mapped_enoent),
		LAB_TEST(test_unmap_cuts_through_map_einval),
		LAB_TEST(test_access_pin_length_zero_or_unaligned_einval),
		LAB_TEST(test_access_pin_beyond_pages_erange),
		LAB_TEST(test_access_pin_rlimit_memlock_enomem),
		LAB_TEST(test_access_unpin_twice_enoent),
		LAB_TEST(test_read_length_zero_or_unaligned_einval),
		LAB_TEST(test_read_beyond_pages_erange),
		LAB_TEST(test_read_unwritable_buffer_efault),
		LAB_TEST(test_read_null_buffer_efault),
		LAB_TEST(test_iotlb_sweep_real_domain_eopnotsupp),
		LAB_TEST(test_iotlb_sweep_bad_window_or_stride_einval),
		LAB_TEST(test_iotlb_sweep_unaligned_iova_einval),
		LAB_TEST(test_iotlb_sweep_window_not_multiple_of_stride_einval),
		LAB_TEST(test_iotlb_sweep_unknown_pattern_einval),
		LAB_TEST(test_iotlb_sweep_beyond_48bit_eoverflow),
		LAB_TEST(test_iotlb_sweep_too_many_accesses_e2big),
		LAB_TEST(test_iotlb_sweep_bad_passes_einval),
		LAB_TEST(test_destroy_pages_in_use_ebusy),
		LAB_TEST(test_destroy_domain_in_use_ebusy),
		LAB_TEST(test_destroy_access_einval),
	};

	return LAB_RUN("badinput", tests);
}
