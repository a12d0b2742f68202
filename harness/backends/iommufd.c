// SPDX-License-Identifier: GPL-2.0
/*
 * iommufd backend: the path pfnlab's module models, through /dev/iommu
 * and iommufd's test interface (CONFIG_IOMMUFD_TEST).  Single-threaded:
 * one IOAS and the whole buffer, as the model's benchmarks do.
 *
 * op = map: an IOAS with a mock domain attached (IOMMU_TEST_OP_MOCK_DOMAIN:
 * a domain with no device behind it, kept in an xarray); each sample one
 * IOAS_MAP of the whole buffer (iopt_pages pins it, pfn_reader fills
 * batches, the domain maps them) and one IOAS_UNMAP (unmap, unpin), each
 * timed around its ioctl.  Once a round, after the first map, the mock's
 * own check (IOMMU_TEST_OP_MD_CHECK_MAP: every mock IO page against the
 * PFN get_user_pages finds at its address) must agree.
 *
 * op = pin: the access path, the tier the model's ACCESS_PIN stands for.
 * The buffer is mapped into an IOAS with no domain (so nothing is pinned
 * yet) and an access is attached (IOMMU_TEST_OP_CREATE_ACCESS); each
 * sample ACCESS_PAGES over the whole range (iopt_pages pins the pages into
 * its xarray), in calls of at most 16 MiB (the selftest's limit on one),
 * then a DESTROY_ACCESS_PAGES of each (unpin).  Once a round,
 * before the timed samples, an ACCESS_PAGES that gives the kernel the
 * buffer's address makes it check every page it returned against the
 * page at that address.
 *
 * Debian's linux-libc-dev (6.1) ships no <linux/iommufd.h>, and the test
 * interface is not UAPI at all (drivers/iommu/iommufd/iommufd_test.h), so
 * the few structs used are written out here from Linux 6.12; each starts
 * with its size, which the kernel checks.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/types.h>

#include "backend.h"
#include "edu_dma.h"
#include "iommufd_mock.h"

#define IOMMUFD_PATH "/dev/iommu"

/* include/uapi/linux/iommufd.h (Linux 6.12) */
#define IOMMUFD_TYPE (';')
#define IOMMU_DESTROY _IO(IOMMUFD_TYPE, 0x80)
#define IOMMU_IOAS_ALLOC _IO(IOMMUFD_TYPE, 0x81)
#define IOMMU_IOAS_MAP _IO(IOMMUFD_TYPE, 0x85)
#define IOMMU_IOAS_UNMAP _IO(IOMMUFD_TYPE, 0x86)
/* include/uapi/linux/vfio.h (Linux 6.12): the device cdev's iommufd calls */
#define VFIO_DEVICE_BIND_IOMMUFD _IO(';', 100 + 18)
#define VFIO_DEVICE_ATTACH_IOMMUFD_PT _IO(';', 100 + 19)
/* drivers/iommu/iommufd/iommufd_test.h */
#define IOMMU_TEST_CMD _IO(IOMMUFD_TYPE, 0x80 + 32)

#define IOAS_MAP_FIXED_IOVA (1u << 0)
#define IOAS_MAP_WRITEABLE (1u << 1)
#define IOAS_MAP_READABLE (1u << 2)

enum {
	TEST_OP_MOCK_DOMAIN = 2,
	TEST_OP_MD_CHECK_MAP = 3,
	TEST_OP_CREATE_ACCESS = 5,
	TEST_OP_DESTROY_ACCESS_PAGES = 6,
	TEST_OP_ACCESS_PAGES = 7,
};
#define MOCK_FLAGS_ACCESS_WRITE (1u << 0)
#define MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES (1u << 0)
/* The most one ACCESS_PAGES takes (the selftest refuses more: -ENOMEM). */
#define ACCESS_PAGES_MAX_BYTES (16ULL << 20)
/* Pieces of ACCESS_PAGES_MAX_BYTES the whole aperture holds, at most. */
#define ACCESS_MAX_PIECES (MOCK_APERTURE_BYTES / ACCESS_PAGES_MAX_BYTES)

struct ioas_alloc {
	__u32 size;
	__u32 flags;
	__u32 out_ioas_id;
};

struct ioas_map {
	__u32 size;
	__u32 flags;
	__u32 ioas_id;
	__u32 reserved;
	__aligned_u64 user_va;
	__aligned_u64 length;
	__aligned_u64 iova;
};

struct vfio_bind_iommufd {
	__u32 argsz;
	__u32 flags;
	__s32 iommufd;
	__u32 out_devid;
};

struct vfio_attach_pt {
	__u32 argsz;
	__u32 flags;
	__u32 pt_id;
};

struct ioas_unmap {
	__u32 size;
	__u32 ioas_id;
	__aligned_u64 iova;
	__aligned_u64 length;
};

/* struct iommu_test_cmd: the members of its union this backend uses. */
struct test_cmd {
	__u32 size;
	__u32 op;
	__u32 id;
	__u32 reserved;
	union {
		struct {
			__u32 out_stdev_id;
			__u32 out_hwpt_id;
			__u32 out_idev_id;
		} mock_domain;
		struct {
			__aligned_u64 iova;
			__aligned_u64 length;
			__aligned_u64 uptr;
		} check_map;
		struct {
			__u32 out_access_fd;
			__u32 flags;
		} create_access;
		struct {
			__u32 access_pages_id;
		} destroy_access_pages;
		struct {
			__u32 flags;
			__u32 out_access_pages_id;
			__aligned_u64 iova;
			__aligned_u64 length;
			__aligned_u64 uptr;
		} access_pages;
		/* The kernel's union is as large as its largest member (dirty). */
		__u8 union_bytes[48];
	};
	__u32 last;
};
/* The kernel wants at least up to @last (its offsetofend). */
_Static_assert(offsetof(struct test_cmd, last) == 64, "struct iommu_test_cmd layout");
_Static_assert(sizeof(struct ioas_map) == 40, "struct iommu_ioas_map layout");
_Static_assert(sizeof(struct ioas_unmap) == 24, "struct iommu_ioas_unmap layout");

struct iommufd_state {
	int fd;
	int cdev;      /* domain = real: the device's VFIO cdev, bound to fd */
	int access_fd; /* op = pin */
	__u32 ioas_id, hwpt_id;
	__u32 access_pages_id[ACCESS_MAX_PIECES];
	size_t npinned; /* pieces of access_pages_id[] holding pages */
	int mapped;
	int checked;	    /* MD_CHECK_MAP, or the DMA check, done this round */
	struct edu_dma edu; /* domain = real: the device's DMA, when it is an edu */
};

/* Why iommufd cannot run here, naming the kernel option when it is one. */
static void iommufd_why(int err, const char *what, char *why, size_t len)
{
	if (err == ENOENT && !strcmp(what, IOMMUFD_PATH))
		snprintf(why, len, "%s missing: CONFIG_IOMMUFD is not set", IOMMUFD_PATH);
	else if (err == ENOTTY && !strncmp(what, "TEST_OP_", 8))
		snprintf(why, len, "no iommufd test interface: CONFIG_IOMMUFD_TEST is not set");
	else
		snprintf(why, len, "%s: %s", what, strerror(err));
}

static int iommufd_probe(char *why, size_t len)
{
	int fd = open(IOMMUFD_PATH, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		iommufd_why(errno, IOMMUFD_PATH, why, len);
		return -1;
	}
	close(fd);
	return 0;
}

/* A test command on the iommufd; the errno, or 0. */
static int test_cmd(struct iommufd_state *s, struct test_cmd *cmd)
{
	cmd->size = sizeof(*cmd);
	return ioctl(s->fd, IOMMU_TEST_CMD, cmd) ? errno : 0;
}

static int access_unpin(struct iommufd_state *s)
{
	int err = 0;

	while (s->npinned) {
		struct test_cmd cmd = { .op = TEST_OP_DESTROY_ACCESS_PAGES };

		cmd.id = (__u32)s->access_fd;
		cmd.destroy_access_pages.access_pages_id = s->access_pages_id[s->npinned - 1];
		err = test_cmd(s, &cmd);
		if (err)
			break;
		s->npinned--;
	}
	return err;
}

/*
 * Pin the whole range through the access, in pieces of at most
 * ACCESS_PAGES_MAX_BYTES (the selftest's limit on one call); with @uptr the
 * kernel checks every page it returns.  On failure nothing stays pinned.
 */
static int access_pin(struct bench_run *r, struct iommufd_state *s, uintptr_t uptr)
{
	int err = 0;

	for (size_t off = 0; off < r->buf.size && !err; off += ACCESS_PAGES_MAX_BYTES) {
		struct test_cmd cmd = { .op = TEST_OP_ACCESS_PAGES };
		size_t piece = r->buf.size - off;

		if (piece > ACCESS_PAGES_MAX_BYTES)
			piece = ACCESS_PAGES_MAX_BYTES;
		cmd.id = (__u32)s->access_fd;
		cmd.access_pages.flags = MOCK_FLAGS_ACCESS_WRITE;
		cmd.access_pages.iova = MOCK_APERTURE_START + off;
		cmd.access_pages.length = piece;
		cmd.access_pages.uptr = uptr ? uptr + off : 0;
		err = test_cmd(s, &cmd);
		if (!err)
			s->access_pages_id[s->npinned++] = cmd.access_pages.out_access_pages_id;
	}
	if (err)
		access_unpin(s);
	return err;
}

/*
 * op = pin: the buffer mapped into the IOAS with no domain (nothing is
 * pinned), an access attached, and the kernel's check of one pin.
 */
static int setup_access(struct bench_run *r, struct iommufd_state *s, char *why, size_t len)
{
	struct ioas_map map = { .size = sizeof(map) };
	struct test_cmd create = { .op = TEST_OP_CREATE_ACCESS };
	int err;

	map.flags = IOAS_MAP_FIXED_IOVA | IOAS_MAP_WRITEABLE | IOAS_MAP_READABLE;
	map.ioas_id = s->ioas_id;
	map.user_va = (uintptr_t)r->buf.addr;
	map.length = r->buf.size;
	map.iova = MOCK_APERTURE_START;
	if (ioctl(s->fd, IOMMU_IOAS_MAP, &map)) {
		iommufd_why(errno, "IOAS_MAP", why, len);
		return BUF_FAIL;
	}
	create.id = s->ioas_id;
	create.create_access.flags = MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES;
	err = test_cmd(s, &create);
	if (err) {
		iommufd_why(err, "TEST_OP_CREATE_ACCESS", why, len);
		return err == ENOTTY ? BUF_SKIP : BUF_FAIL;
	}
	s->access_fd = (int)create.create_access.out_access_fd;
	err = access_pin(r, s, (uintptr_t)r->buf.addr);
	if (err) {
		snprintf(why, len, "ACCESS_PAGES with the kernel's check of each page: %s",
			 strerror(err));
		return BUF_FAIL;
	}
	err = access_unpin(s);
	if (err) {
		iommufd_why(err, "TEST_OP_DESTROY_ACCESS_PAGES", why, len);
		return BUF_FAIL;
	}
	r->extra = json_pack("{s:s}", "tier", "iommufd access (xarray)");
	return BUF_OK;
}

/* op = map: a mock domain attached to the IOAS. */
static int setup_mock_domain(struct bench_run *r, struct iommufd_state *s, char *why, size_t len)
{
	struct test_cmd mock = { .op = TEST_OP_MOCK_DOMAIN };
	int err;

	mock.id = s->ioas_id;
	err = test_cmd(s, &mock);
	if (err) {
		iommufd_why(err, "TEST_OP_MOCK_DOMAIN", why, len);
		return err == ENOTTY ? BUF_SKIP : BUF_FAIL;
	}
	s->hwpt_id = mock.mock_domain.out_hwpt_id;
	r->extra = json_pack("{s:s}", "domain", "iommufd selftest mock");
	return BUF_OK;
}

/* The device's VFIO cdev (/dev/vfio/devices/vfioN), opened; -1 with @why. */
static int open_vfio_cdev(const char *device, char *why, size_t len)
{
	char dir[PATH_MAX], path[PATH_MAX + 32] = "";
	struct dirent *e;
	DIR *d;
	int fd;

	snprintf(dir, sizeof(dir), "/sys/bus/pci/devices/%s/vfio-dev", device);
	d = opendir(dir);
	while (d && (e = readdir(d)))
		if (!strncmp(e->d_name, "vfio", 4))
			snprintf(path, sizeof(path), "/dev/vfio/devices/%s", e->d_name);
	if (d)
		closedir(d);
	if (!path[0]) {
		snprintf(why, len, "%s has no VFIO device cdev: CONFIG_VFIO_DEVICE_CDEV is not set",
			 device);
		return -1;
	}
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		snprintf(why, len, "%s (the cdev of %s): %s", path, device, strerror(errno));
	return fd;
}

/*
 * op = map, domain = real: the device's real IOMMU domain.  Its VFIO cdev
 * is bound to this iommufd and attached to the IOAS, and iommufd allocates
 * a paging domain from the device's IOMMU driver for it: IOAS_MAP then
 * writes the real IO page table, as it does for an assigned device.
 */
static int setup_real_domain(struct bench_run *r, struct iommufd_state *s, char *why, size_t len)
{
	struct vfio_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct vfio_attach_pt attach = { .argsz = sizeof(attach) };
	int ret = pci_vfio_device(r->bc->device, NULL, 0, why, len);

	if (ret != BUF_OK)
		return ret;
	s->cdev = open_vfio_cdev(r->bc->device, why, len);
	if (s->cdev < 0)
		return errno == ENOENT || errno == 0 ? BUF_SKIP : BUF_FAIL;
	bind.iommufd = s->fd;
	if (ioctl(s->cdev, VFIO_DEVICE_BIND_IOMMUFD, &bind)) {
		snprintf(why, len, "VFIO_DEVICE_BIND_IOMMUFD (%s): %s", r->bc->device,
			 strerror(errno));
		return BUF_FAIL;
	}
	attach.pt_id = s->ioas_id;
	if (ioctl(s->cdev, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach)) {
		snprintf(why, len, "VFIO_DEVICE_ATTACH_IOMMUFD_PT (%s): %s", r->bc->device,
			 strerror(errno));
		return BUF_FAIL;
	}
	s->hwpt_id = attach.pt_id;
	r->extra = json_pack("{s:s, s:s, s:s}", "domain", "real (VFIO device cdev)", "device",
			     r->bc->device, "dma_check",
			     edu_dma_verdict(&s->edu, s->cdev, r->buf.size, MOCK_APERTURE_START));
	return BUF_OK;
}

static int iommufd_setup(struct bench_run *r, char *why, size_t len)
{
	struct iommufd_state *s = calloc(1, sizeof(*s));
	struct ioas_alloc alloc = { .size = sizeof(alloc) };

	if (!s) {
		snprintf(why, len, "out of memory");
		return BUF_FAIL;
	}
	r->priv = s;
	s->access_fd = -1;
	s->cdev = -1;
	s->fd = open(IOMMUFD_PATH, O_RDWR | O_CLOEXEC);
	if (s->fd < 0) {
		iommufd_why(errno, IOMMUFD_PATH, why, len);
		return BUF_SKIP;
	}
	if (r->bc->threads != 1) {
		snprintf(why, len, "iommufd maps the whole buffer in one IOAS: threads = 1 only");
		return BUF_SKIP;
	}
	if (r->buf.size > MOCK_APERTURE_BYTES) {
		snprintf(why, len, "size %zu beyond the mock domain's aperture (%llu bytes)",
			 r->buf.size, MOCK_APERTURE_BYTES);
		return BUF_SKIP;
	}
	if (ioctl(s->fd, IOMMU_IOAS_ALLOC, &alloc)) {
		iommufd_why(errno, "IOAS_ALLOC", why, len);
		return BUF_FAIL;
	}
	s->ioas_id = alloc.out_ioas_id;
	if (!strcmp(r->bc->op, "pin"))
		return setup_access(r, s, why, len);
	if (!strcmp(r->bc->domain, "real"))
		return setup_real_domain(r, s, why, len);
	return setup_mock_domain(r, s, why, len);
}

/* The mock domain holds the buffer's PFNs, by the kernel's own check. */
static int iommufd_check_map(struct bench_run *r, struct iommufd_state *s, char *why, size_t len)
{
	struct test_cmd check = { .op = TEST_OP_MD_CHECK_MAP };
	int err;

	check.id = s->hwpt_id;
	check.check_map.iova = MOCK_APERTURE_START;
	check.check_map.length = r->buf.size;
	check.check_map.uptr = (uintptr_t)r->buf.addr;
	err = test_cmd(s, &check);
	if (err) {
		snprintf(why, len, "MD_CHECK_MAP: the mock domain disagrees with the buffer: %s",
			 strerror(err));
		return -1;
	}
	return 0;
}

/* op = pin: ACCESS_PAGES over the whole range and its release, timed. */
static int sample_access(struct bench_run *r, struct iommufd_state *s, int record, char *why,
			 size_t len)
{
	double pages = (double)r->buf.size / 4096;
	uint64_t t0, t1, t2, t3;
	int err;

	t0 = now_ns();
	err = access_pin(r, s, 0);
	t1 = now_ns();
	if (err) {
		snprintf(why, len, "ACCESS_PAGES: %s", strerror(err));
		return -1;
	}
	t2 = now_ns();
	err = access_unpin(s);
	t3 = now_ns();
	if (err) {
		snprintf(why, len, "DESTROY_ACCESS_PAGES: %s", strerror(err));
		return -1;
	}
	if (!record)
		return 0;
	run_metric(r, "pin_ns_per_page", (double)(t1 - t0) / pages);
	run_metric(r, "unpin_ns_per_page", (double)(t3 - t2) / pages);
	run_metric(r, "pin_ns", (double)(t1 - t0));
	return 0;
}

static int iommufd_sample(struct bench_run *r, int record, char *why, size_t len)
{
	struct iommufd_state *s = r->priv;
	struct ioas_map map = { .size = sizeof(map) };
	struct ioas_unmap unmap = { .size = sizeof(unmap) };
	uint64_t map_ns, unmap_ns;

	if (s->access_fd >= 0)
		return sample_access(r, s, record, why, len);
	map.flags = IOAS_MAP_FIXED_IOVA | IOAS_MAP_WRITEABLE | IOAS_MAP_READABLE;
	map.ioas_id = s->ioas_id;
	map.user_va = (uintptr_t)r->buf.addr;
	map.length = r->buf.size;
	map.iova = MOCK_APERTURE_START;
	if (timed_ioctl(s->fd, IOMMU_IOAS_MAP, &map, "IOAS_MAP", &map_ns, why, len))
		return -1;
	s->mapped = 1;
	/* the mock domain checks itself; a real one is checked by the device's DMA */
	if (s->cdev < 0 && !s->checked) {
		if (iommufd_check_map(r, s, why, len))
			return -1;
		s->checked = 1;
	} else if (s->edu.bar0 && !s->checked) {
		if (edu_dma_check(&s->edu, r->buf.addr, r->buf.size, MOCK_APERTURE_START, why, len))
			return -1;
		s->checked = 1;
	}
	unmap.ioas_id = s->ioas_id;
	unmap.iova = MOCK_APERTURE_START;
	unmap.length = r->buf.size;
	if (timed_ioctl(s->fd, IOMMU_IOAS_UNMAP, &unmap, "IOAS_UNMAP", &unmap_ns, why, len))
		return -1;
	s->mapped = 0;
	if (record)
		run_map_metrics(r, map_ns, unmap_ns);
	return 0;
}

static void iommufd_teardown(struct bench_run *r)
{
	struct iommufd_state *s = r->priv;

	if (!s)
		return;
	access_unpin(s);
	if (s->access_fd >= 0)
		close(s->access_fd);
	if (s->fd >= 0) {
		if (s->mapped) {
			struct ioas_unmap unmap = { .size = sizeof(unmap),
						    .ioas_id = s->ioas_id,
						    .iova = MOCK_APERTURE_START,
						    .length = r->buf.size };

			ioctl(s->fd, IOMMU_IOAS_UNMAP, &unmap);
		}
		/* the device leaves the IOAS and this iommufd first */
		edu_dma_close(&s->edu);
		if (s->cdev >= 0)
			close(s->cdev);
		/* Closing /dev/iommu destroys the IOAS, the mock device and domain. */
		close(s->fd);
	}
	free(s);
	r->priv = NULL;
}

const struct backend backend_iommufd = {
	.name = "iommufd",
	.ops = "pin|map",
	.help = "iommufd through its test interface (CONFIG_IOMMUFD_TEST): pin, the access "
		"path's xarray tier; map, IOAS_MAP/IOAS_UNMAP into the selftest mock domain, or "
		"with domain = real into a device's real domain (its VFIO cdev)",
	.probe = iommufd_probe,
	.setup = iommufd_setup,
	.sample = iommufd_sample,
	.teardown = iommufd_teardown,
};
