// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers of the lab VM integration tests (see lab.h).
 */
#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/capability.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab.h"

#ifndef MAP_HUGE_SHIFT
#define MAP_HUGE_SHIFT 26
#endif
#define LAB_MAP_HUGE_2MB (21 << MAP_HUGE_SHIFT)

const char *const lab_kind_name[LAB_KIND_NR] = {
	[LAB_4K] = "4k",
	[LAB_THP] = "thp",
	[LAB_HUGETLB_2M] = "hugetlb-2m",
};

int lab_open(void)
{
	int fd = open(PFNLAB_DEVICE_PATH, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		fail_msg("open %s: %s", PFNLAB_DEVICE_PATH, strerror(errno));
	return fd;
}

/* The errno as a negative number, like the UAPI tables write it. */
int lab_ioctl(int fd, unsigned long request, void *arg)
{
	return ioctl(fd, request, arg) ? -errno : 0;
}

struct pfnlab_reader_opts lab_opts(uint32_t pages_per_call, uint32_t batch_runs, uint32_t fill)
{
	struct pfnlab_reader_opts opts = {
		.pages_per_call = pages_per_call,
		.batch_runs = batch_runs,
		.fill = fill,
	};
	return opts;
}

struct pfnlab_reader_opts lab_default_opts(void)
{
	return lab_opts(512, 4096, PFNLAB_FILL_RUN_AWARE);
}

uint32_t lab_pages_create(int fd, const void *uptr, size_t length, uint32_t flags,
			  uint32_t account_mode)
{
	struct pfnlab_pages_create pc = {
		.size = sizeof(pc),
		.flags = flags,
		.account_mode = account_mode,
		.uptr = (uintptr_t)uptr,
		.length = length,
	};

	assert_int_equal(lab_ioctl(fd, PFNLAB_PAGES_CREATE, &pc), 0);
	assert_int_not_equal(pc.out_pages_id, 0);
	return pc.out_pages_id;
}

uint32_t lab_mock_domain(int fd, uint64_t pgsize_bitmap)
{
	struct pfnlab_domain_create dc = {
		.size = sizeof(dc),
		.kind = PFNLAB_DOMAIN_MOCK,
		.pgsize_bitmap = pgsize_bitmap,
	};

	assert_int_equal(lab_ioctl(fd, PFNLAB_DOMAIN_CREATE, &dc), 0);
	assert_int_not_equal(dc.out_domain_id, 0);
	return dc.out_domain_id;
}

int lab_map(int fd, uint32_t domain_id, uint32_t pages_id, uint64_t offset, uint64_t length,
	    uint64_t iova, struct pfnlab_reader_opts opts, struct pfnlab_map *out)
{
	struct pfnlab_map m = {
		.size = sizeof(m),
		.domain_id = domain_id,
		.pages_id = pages_id,
		.offset = offset,
		.length = length,
		.iova = iova,
		.opts = opts,
	};
	int ret = lab_ioctl(fd, PFNLAB_MAP, &m);

	if (out)
		*out = m;
	return ret;
}

int lab_unmap(int fd, uint32_t domain_id, uint64_t iova, uint64_t length, struct pfnlab_unmap *out)
{
	struct pfnlab_unmap u = {
		.size = sizeof(u),
		.domain_id = domain_id,
		.iova = iova,
		.length = length,
	};
	int ret = lab_ioctl(fd, PFNLAB_UNMAP, &u);

	if (out)
		*out = u;
	return ret;
}

int lab_access_pin(int fd, uint32_t pages_id, uint64_t offset, uint64_t length, uint32_t *access_id)
{
	struct pfnlab_access_pin ap = {
		.size = sizeof(ap),
		.pages_id = pages_id,
		.offset = offset,
		.length = length,
		.opts = lab_default_opts(),
	};
	int ret = lab_ioctl(fd, PFNLAB_ACCESS_PIN, &ap);

	if (access_id)
		*access_id = ap.out_access_id;
	return ret;
}

int lab_anchor(const struct lab_buf *buf)
{
	int fd = lab_open();
	uint32_t pages_id = lab_pages_create(fd, buf->ptr, buf->length, 0, PFNLAB_ACCOUNT_NONE);

	assert_int_equal(lab_access_pin(fd, pages_id, 0, buf->length, NULL), 0);
	return fd;
}

int lab_access_unpin(int fd, uint32_t access_id)
{
	struct pfnlab_access_unpin au = {
		.size = sizeof(au),
		.access_id = access_id,
	};

	return lab_ioctl(fd, PFNLAB_ACCESS_UNPIN, &au);
}

int lab_read(int fd, uint32_t pages_id, uint64_t offset, uint64_t length, uint64_t *pfns,
	     uint8_t *tiers, struct pfnlab_reader_opts opts, struct pfnlab_read *out)
{
	struct pfnlab_read r = {
		.size = sizeof(r),
		.flags = (pfns ? PFNLAB_READ_COPY_PFNS : 0) | (tiers ? PFNLAB_READ_COPY_TIERS : 0),
		.pages_id = pages_id,
		.offset = offset,
		.length = length,
		.pfns_uptr = (uintptr_t)pfns,
		.tiers_uptr = (uintptr_t)tiers,
		.opts = opts,
	};
	int ret = lab_ioctl(fd, PFNLAB_READ, &r);

	if (out)
		*out = r;
	return ret;
}

int lab_destroy(int fd, uint32_t id)
{
	struct pfnlab_destroy d = { .size = sizeof(d), .id = id };

	return lab_ioctl(fd, PFNLAB_DESTROY, &d);
}

struct pfnlab_pages_info lab_pages_info(int fd, uint32_t pages_id)
{
	struct pfnlab_pages_info pi = { .size = sizeof(pi), .pages_id = pages_id };

	assert_int_equal(lab_ioctl(fd, PFNLAB_PAGES_INFO, &pi), 0);
	return pi;
}

size_t lab_buf_npages(const struct lab_buf *buf)
{
	return buf->length / LAB_PAGE_SIZE;
}

/*
 * Allocate and fault in a buffer of @kind.  THP and hugetlb buffers are
 * 2 MiB aligned so that their huge pages line up with the IOVAs the tests
 * choose; a THP buffer that did not get huge pages fails here rather than
 * passing as 4 KiB memory.
 */
void lab_buf_alloc(struct lab_buf *buf, enum lab_kind kind, size_t length)
{
	size_t npages = length / LAB_PAGE_SIZE, i;

	memset(buf, 0, sizeof(*buf));
	if (!npages || length % LAB_HUGE_2M) {
		fail_msg("test buffers are whole 2 MiB multiples, not %zu bytes", length);
		return;
	}
	buf->kind = kind;
	buf->length = length;
	switch (kind) {
	case LAB_4K:
		buf->map_length = length;
		buf->map_base = mmap(NULL, length, PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (buf->map_base == MAP_FAILED)
			break;
		assert_int_equal(madvise(buf->map_base, length, MADV_NOHUGEPAGE), 0);
		buf->ptr = buf->map_base;
		break;
	case LAB_THP:
		buf->map_length = length + LAB_HUGE_2M;
		buf->map_base = mmap(NULL, buf->map_length, PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (buf->map_base == MAP_FAILED)
			break;
		buf->ptr = (void *)(((uintptr_t)buf->map_base + LAB_HUGE_2M - 1) &
				    ~(LAB_HUGE_2M - 1));
		assert_int_equal(madvise(buf->ptr, length, MADV_HUGEPAGE), 0);
		break;
	case LAB_HUGETLB_2M:
		buf->map_length = length;
		buf->map_base = mmap(NULL, length, PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | LAB_MAP_HUGE_2MB,
				     -1, 0);
		if (buf->map_base != MAP_FAILED)
			buf->ptr = buf->map_base;
		break;
	default: fail(); return;
	}
	if (buf->map_base == MAP_FAILED || !buf->ptr) {
		/* hugetlb: the boot-time pool (VM_HUGEPAGES_2M) ran out? */
		buf->map_base = NULL;
		fail_msg("%s mmap of %zu bytes: %s", lab_kind_name[kind], length, strerror(errno));
		return;
	}
	for (i = 0; i < length; i += LAB_PAGE_SIZE)
		((volatile char *)buf->ptr)[i] = (char)(i / LAB_PAGE_SIZE + 1);

	if (kind != LAB_4K) {
		uint64_t *pfns = calloc(npages, sizeof(*pfns));

		assert_non_null(pfns);
		lab_pagemap(buf->ptr, npages, pfns);
		for (i = 0; i < npages; i++) {
			uint64_t first = pfns[i - i % 512];

			if (first % 512 || pfns[i] != first + i % 512)
				fail_msg("%s buffer: page %zu is not part of a 2 MiB page",
					 lab_kind_name[kind], i);
		}
		free(pfns);
	}
}

void lab_buf_free(struct lab_buf *buf)
{
	if (buf->map_base)
		munmap(buf->map_base, buf->map_length);
	memset(buf, 0, sizeof(*buf));
}

/* PFN of each page from /proc/self/pagemap; every page must be present. */
void lab_pagemap(const void *ptr, size_t npages, uint64_t *pfns)
{
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	off_t pos = (off_t)((uintptr_t)ptr / LAB_PAGE_SIZE * sizeof(uint64_t));
	size_t i;

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, pfns, npages * sizeof(*pfns), pos),
			 (ssize_t)(npages * sizeof(*pfns)));
	close(fd);
	for (i = 0; i < npages; i++) {
		if (!(pfns[i] >> 63))
			fail_msg("pagemap: page %zu of %p not present", i, ptr);
		pfns[i] &= (1ULL << 55) - 1;
		if (!pfns[i])
			fail_msg("pagemap: PFN 0 for page %zu (not root?)", i);
	}
}

/* Every page of [first, first + n) came from @tier with pagemap's PFN. */
void lab_expect_tier(const uint64_t *pfns, const uint8_t *tiers, const uint64_t *truth,
		     size_t first, size_t n, uint8_t tier)
{
	size_t i;

	for (i = first; i < first + n; i++) {
		if (tiers[i] != tier)
			fail_msg("page %zu: tier %u, expected %u", i, tiers[i], tier);
		if (pfns[i] != truth[i])
			fail_msg("page %zu: READ gave PFN %#" PRIx64 ", pagemap %#" PRIx64, i,
				 pfns[i], truth[i]);
	}
}

/* Physically contiguous stretches: the fewest runs a batch can hold. */
size_t lab_count_runs(const uint64_t *pfns, size_t npages)
{
	size_t runs = npages ? 1 : 0, i;

	for (i = 1; i < npages; i++)
		if (pfns[i] != pfns[i - 1] + 1)
			runs++;
	return runs;
}

/*
 * nr_foll_pin_acquired / nr_foll_pin_released from /proc/vmstat, after
 * folding every CPU's pending deltas in (vm.stat_refresh), since the raw
 * counters lag by up to the per-CPU threshold.  Needs root.
 */
void lab_pin_counters(uint64_t *acquired, uint64_t *released)
{
	char line[256];
	FILE *f;
	int fd = open("/proc/sys/vm/stat_refresh", O_WRONLY | O_CLOEXEC);
	int found = 0;

	assert_true(fd >= 0);
	/* Refresh may report -EINVAL for a transiently negative counter. */
	if (write(fd, "1", 1) < 0 && errno != EINVAL)
		fail_msg("vm.stat_refresh: %s", strerror(errno));
	close(fd);
	f = fopen("/proc/vmstat", "re");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		unsigned long long v;

		if (sscanf(line, "nr_foll_pin_acquired %llu", &v) == 1) {
			*acquired = v;
			found |= 1;
		} else if (sscanf(line, "nr_foll_pin_released %llu", &v) == 1) {
			*released = v;
			found |= 2;
		}
	}
	fclose(f);
	assert_int_equal(found, 3);
}

/*
 * A "Field:  N kB" line of /proc/self/status, in KiB; -1 if absent or
 * unreadable.  No cmocka assert: forked children call it too.
 */
long lab_status_kib(const char *field)
{
	char line[256];
	size_t flen = strlen(field);
	long kib = -1;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, flen) && line[flen] == ':')
			kib = strtol(line + flen + 1, NULL, 10);
	fclose(f);
	return kib;
}

/* After every test: every pin the kernel took has been released. */
int lab_teardown_no_pins(void **state)
{
	uint64_t acquired = 0, released = 0;

	(void)state;
	lab_pin_counters(&acquired, &released);
	if (acquired != released) {
		print_error("pins left behind: nr_foll_pin_acquired %" PRIu64
			    " != nr_foll_pin_released %" PRIu64 "\n",
			    acquired, released);
		return -1;
	}
	return 0;
}

/* Let the unprivileged children of the accounting tests open the device. */
void lab_open_device_to_all(void)
{
	assert_int_equal(chmod(PFNLAB_DEVICE_PATH, 0666), 0);
}

static int checkpoint_to_parent = -1, checkpoint_go = -1;

/* In a child: tell the parent we are at the checkpoint, wait for its go. */
void lab_checkpoint(void)
{
	char c = 'c';

	CHILD_CHECK(write(checkpoint_to_parent, &c, 1) == 1);
	CHILD_CHECK(read(checkpoint_go, &c, 1) == 1);
}

/* Drop to nobody; with @keep_ipc_lock keep CAP_IPC_LOCK and nothing else. */
static void become_nobody(int keep_ipc_lock)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2] = { { 0 } };

	if (keep_ipc_lock)
		CHILD_CHECK(prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) == 0);
	CHILD_CHECK(setgroups(0, NULL) == 0);
	CHILD_CHECK(setgid(65534) == 0);
	CHILD_CHECK(setuid(65534) == 0);
	/* setuid() made us undumpable, which hides /proc/self from us. */
	CHILD_CHECK(prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) == 0);
	if (keep_ipc_lock) {
		data[0].effective = 1U << CAP_IPC_LOCK;
		data[0].permitted = 1U << CAP_IPC_LOCK;
		CHILD_CHECK(syscall(SYS_capset, &hdr, data) == 0);
	}
}

/*
 * Run @fn in a child with RLIMIT_MEMLOCK of @memlock_pages (-1: unchanged),
 * optionally as nobody.  If the child calls lab_checkpoint(), the pins held
 * system-wide at that moment (acquired - released, from /proc/vmstat) go to
 * @pins_held_at_checkpoint.  Returns the child's exit status (0 = its
 * checks passed), 128 + signal if it was killed.
 */
int lab_run_child(lab_child_fn fn, void *arg, int64_t memlock_pages, int as_nobody,
		  int keep_ipc_lock, int64_t *pins_held_at_checkpoint)
{
	int up[2], down[2], status = 0;
	uint64_t acquired = 0, released = 0;
	pid_t pid;
	char c;

	assert_int_equal(pipe2(up, O_CLOEXEC), 0);
	assert_int_equal(pipe2(down, O_CLOEXEC), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		checkpoint_to_parent = up[1];
		checkpoint_go = down[0];
		if (memlock_pages >= 0) {
			struct rlimit rl = {
				.rlim_cur = (rlim_t)memlock_pages * LAB_PAGE_SIZE,
				.rlim_max = (rlim_t)memlock_pages * LAB_PAGE_SIZE,
			};
			CHILD_CHECK(setrlimit(RLIMIT_MEMLOCK, &rl) == 0);
		}
		if (as_nobody)
			become_nobody(keep_ipc_lock);
		_exit(fn(arg));
	}
	close(up[1]);
	close(down[0]);
	if (read(up[0], &c, 1) == 1) {
		lab_pin_counters(&acquired, &released);
		if (pins_held_at_checkpoint)
			*pins_held_at_checkpoint = (int64_t)(acquired - released);
		assert_int_equal(write(down[1], &c, 1), 1);
	}
	close(up[0]);
	close(down[1]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

static unsigned long read_hex_file(const char *dir, const char *name)
{
	char path[512], text[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "re");
	if (!f)
		return ~0UL;
	if (!fgets(text, sizeof(text), f))
		text[0] = 0;
	fclose(f);
	return strtoul(text, NULL, 16);
}

/* QEMU's educational device: vendor 0x1234, device 0x11e8. */
int lab_pci_is_edu(const char *sysfs_dir, void *arg)
{
	(void)arg;
	return read_hex_file(sysfs_dir, "vendor") == 0x1234 &&
	       read_hex_file(sysfs_dir, "device") == 0x11e8;
}

/* Entries of directory @path, less the dot files; 0 when it cannot be read. */
/*
 * Write @text to the sysfs, cgroup or tracefs file @path, truncating it as
 * a shell's ">" does; 0 or a negative errno.
 */
int lab_write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -EIO;
}

int lab_dir_entries(const char *path)
{
	struct dirent *de;
	DIR *d = opendir(path);
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* Devices in the IOMMU group of a device; 0 when it has no group. */
int lab_pci_group_size(const char *sysfs_dir)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/iommu_group/devices", sysfs_dir);
	return lab_dir_entries(path);
}

int lab_pci_has_driver(const char *sysfs_dir)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/driver", sysfs_dir);
	return access(path, F_OK) == 0;
}

/* The first PCI device @filter accepts; 0 if found, -1 if none. */
int lab_find_pci(lab_pci_filter filter, void *arg, struct lab_pci *pci)
{
	const char *root = "/sys/bus/pci/devices";
	char dir[320];
	struct dirent *de;
	DIR *d = opendir(root);
	int found = -1;

	if (!d)
		return -1;
	while (found && (de = readdir(d))) {
		unsigned int seg, bus, dev, fn;

		if (sscanf(de->d_name, "%x:%x:%x.%x", &seg, &bus, &dev, &fn) != 4)
			continue;
		if (strlen(de->d_name) > 32)
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", root, de->d_name);
		if (!filter(dir, arg))
			continue;
		snprintf(pci->name, sizeof(pci->name), "%s", de->d_name);
		pci->segment = seg;
		pci->bdf = bus << 8 | dev << 3 | fn;
		found = 0;
	}
	closedir(d);
	return found;
}

int lab_run_group(const char *name, const struct CMUnitTest *tests, size_t count)
{
	uint64_t acquired = 0, released = 0;

	cmocka_set_message_output(CM_OUTPUT_TAP);
	setvbuf(stdout, NULL, _IOLBF, 0);
	lab_pin_counters(&acquired, &released);
	if (acquired != released) {
		printf("Bail out! %s: pins already unbalanced before the first test "
		       "(%" PRIu64 " acquired, %" PRIu64 " released)\n",
		       name, acquired, released);
		return 1;
	}
	return _cmocka_run_group_tests(name, tests, count, NULL, NULL);
}
