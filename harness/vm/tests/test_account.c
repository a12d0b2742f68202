// SPDX-License-Identifier: GPL-2.0
/*
 * Accounting and "no pin left behind".
 *
 * Truths: PAGES_INFO's npinned / last_npinned against the pages the test
 * asked for; VmPin (mm->pinned_vm) and VmLck (mm->locked_vm) from
 * /proc/self/status; the pins held system-wide (nr_foll_pin_acquired -
 * nr_foll_pin_released in /proc/vmstat).  Unprivileged cases run in a forked
 * child that became nobody with a small RLIMIT_MEMLOCK.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab.h"

#define NPAGES 256
#define LIMIT_PAGES 64
#define IOVA (1UL << 30)
#define KIB_PER_PAGE ((long)(LAB_PAGE_SIZE / 1024))

static void *map_4k(size_t npages)
{
	void *p = mmap(NULL, npages * LAB_PAGE_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	madvise(p, npages * LAB_PAGE_SIZE, MADV_NOHUGEPAGE);
	memset(p, 0x5a, npages * LAB_PAGE_SIZE);
	return p;
}

static int64_t pins_held(void)
{
	uint64_t acquired = 0, released = 0;

	lab_pin_counters(&acquired, &released);
	return (int64_t)(acquired - released);
}

/*
 * As root (CAP_IPC_LOCK, so no limit): npinned counts each index once
 * whoever holds it, VmPin and the system's pin count move by exactly the
 * pages pinned, and everything returns to where it was.
 */
static void test_npinned_and_pinned_vm(void **state)
{
	struct pfnlab_map map;
	struct pfnlab_pages_info pi;
	long vmpin0;
	int64_t held0;
	uint32_t pages_id, domain_id, access_id;
	void *buf = map_4k(NPAGES);
	int fd = lab_open();

	(void)state;
	assert_non_null(buf);
	vmpin0 = lab_status_kib("VmPin");
	held0 = pins_held();
	pages_id = lab_pages_create(fd, buf, NPAGES * LAB_PAGE_SIZE, PFNLAB_PAGES_WRITABLE,
				    PFNLAB_ACCOUNT_USER);
	pi = lab_pages_info(fd, pages_id);
	assert_int_equal(pi.out_npages, NPAGES);
	assert_int_equal(pi.out_npinned, 0);
	assert_int_equal(lab_status_kib("VmPin"), vmpin0);

	/* Map indexes [0, 192). */
	domain_id = lab_mock_domain(fd, 0);
	assert_int_equal(lab_map(fd, domain_id, pages_id, 0, 192 * LAB_PAGE_SIZE, IOVA,
				 lab_default_opts(), &map),
			 0);
	assert_int_equal(map.out.npinned_delta, 192);
	pi = lab_pages_info(fd, pages_id);
	assert_int_equal(pi.out_npinned, 192);
	assert_int_equal(pi.out_last_npinned, 192);
	assert_int_equal(lab_status_kib("VmPin"), vmpin0 + 192 * KIB_PER_PAGE);
	assert_int_equal(pins_held(), held0 + 192);

	/* An access over [128, 256): only the 64 new indexes are pinned. */
	assert_int_equal(lab_access_pin(fd, pages_id, 128 * LAB_PAGE_SIZE, 128 * LAB_PAGE_SIZE,
					&access_id),
			 0);
	pi = lab_pages_info(fd, pages_id);
	assert_int_equal(pi.out_npinned, NPAGES);
	assert_int_equal(pi.out_last_npinned, NPAGES);
	assert_int_equal(pi.out_nmaps, 1);
	assert_int_equal(pi.out_naccesses, 1);
	assert_int_equal(lab_status_kib("VmPin"), vmpin0 + NPAGES * KIB_PER_PAGE);
	assert_int_equal(pins_held(), held0 + NPAGES);

	/* Unmap: [0, 128) goes, [128, 256) stays for the access. */
	assert_int_equal(lab_unmap(fd, domain_id, IOVA, 192 * LAB_PAGE_SIZE, NULL), 0);
	pi = lab_pages_info(fd, pages_id);
	assert_int_equal(pi.out_npinned, 128);
	assert_int_equal(pi.out_last_npinned, 128);
	assert_int_equal(lab_status_kib("VmPin"), vmpin0 + 128 * KIB_PER_PAGE);
	assert_int_equal(pins_held(), held0 + 128);

	assert_int_equal(lab_access_unpin(fd, access_id), 0);
	pi = lab_pages_info(fd, pages_id);
	assert_int_equal(pi.out_npinned, 0);
	assert_int_equal(pi.out_last_npinned, 0);
	assert_int_equal(lab_status_kib("VmPin"), vmpin0);
	assert_int_equal(pins_held(), held0);
	assert_int_equal(lab_destroy(fd, domain_id), 0);
	assert_int_equal(lab_destroy(fd, pages_id), 0);
	close(fd);
	munmap(buf, NPAGES * LAB_PAGE_SIZE);
}

struct limit_case {
	uint32_t account_mode;
	int use_access; /* pin through ACCESS_PIN instead of MAP */
	int has_ipc_lock;
};

static int pin_range(int fd, uint32_t domain_id, uint32_t pages_id, size_t first, size_t n,
		     int use_access, uint32_t *access_id)
{
	if (use_access)
		return lab_access_pin(fd, pages_id, first * LAB_PAGE_SIZE, n * LAB_PAGE_SIZE,
				      access_id);
	return lab_map(fd, domain_id, pages_id, first * LAB_PAGE_SIZE, n * LAB_PAGE_SIZE,
		       IOVA + first * LAB_PAGE_SIZE, lab_default_opts(), NULL);
}

/*
 * In a child that is nobody with RLIMIT_MEMLOCK = LIMIT_PAGES: pinning up to
 * the limit works and is charged exactly; one page more fails with -ENOMEM
 * and leaves npinned, VmPin, VmLck and the system's pins where they were
 * (the parent reads the latter at the checkpoint).  With CAP_IPC_LOCK the
 * same request beyond the limit succeeds.
 */
static int limit_child(void *arg)
{
	const struct limit_case *lc = arg;
	struct pfnlab_domain_create dc = { .size = sizeof(dc), .kind = PFNLAB_DOMAIN_MOCK };
	struct pfnlab_pages_create pc = { .size = sizeof(pc) };
	struct pfnlab_pages_info pi = { .size = sizeof(pi) };
	long vmpin0 = lab_status_kib("VmPin"), vmlck0 = lab_status_kib("VmLck");
	long lck_per_page = lc->account_mode == PFNLAB_ACCOUNT_MM ? KIB_PER_PAGE : 0;
	uint32_t access_id = 0;
	void *buf = map_4k(NPAGES);
	int fd = open(PFNLAB_DEVICE_PATH, O_RDWR), ret;

	CHILD_CHECK(buf && fd >= 0);
	pc.flags = PFNLAB_PAGES_WRITABLE;
	pc.account_mode = lc->account_mode;
	pc.uptr = (uintptr_t)buf;
	pc.length = NPAGES * LAB_PAGE_SIZE;
	CHILD_CHECK(lab_ioctl(fd, PFNLAB_PAGES_CREATE, &pc) == 0);
	CHILD_CHECK(lab_ioctl(fd, PFNLAB_DOMAIN_CREATE, &dc) == 0);
	pi.pages_id = pc.out_pages_id;

	if (lc->has_ipc_lock) {
		/* Twice the limit at once: no limit applies. */
		ret = pin_range(fd, dc.out_domain_id, pc.out_pages_id, 0, 2 * LIMIT_PAGES,
				lc->use_access, &access_id);
		if (ret)
			fprintf(stderr, "# child: pin beyond the limit with CAP_IPC_LOCK: %s\n",
				strerror(-ret));
		CHILD_CHECK(ret == 0);
		CHILD_CHECK(lab_ioctl(fd, PFNLAB_PAGES_INFO, &pi) == 0);
		CHILD_CHECK(pi.out_npinned == 2 * LIMIT_PAGES);
		CHILD_CHECK(lab_status_kib("VmPin") == vmpin0 + 2 * LIMIT_PAGES * KIB_PER_PAGE);
		close(fd);
		return 0;
	}

	/* Up to the limit: works, charged exactly. */
	CHILD_CHECK(pin_range(fd, dc.out_domain_id, pc.out_pages_id, 0, LIMIT_PAGES, lc->use_access,
			      &access_id) == 0);
	CHILD_CHECK(lab_ioctl(fd, PFNLAB_PAGES_INFO, &pi) == 0);
	CHILD_CHECK(pi.out_npinned == LIMIT_PAGES);
	CHILD_CHECK(pi.out_last_npinned == LIMIT_PAGES);
	CHILD_CHECK(lab_status_kib("VmPin") == vmpin0 + LIMIT_PAGES * KIB_PER_PAGE);
	CHILD_CHECK(lab_status_kib("VmLck") == vmlck0 + LIMIT_PAGES * lck_per_page);

	/* Beyond it: the documented errno, and nothing more pinned. */
	ret = pin_range(fd, dc.out_domain_id, pc.out_pages_id, LIMIT_PAGES, 16, lc->use_access,
			NULL);
	if (ret != -ENOMEM)
		fprintf(stderr, "# child: pin beyond RLIMIT_MEMLOCK gave %d, want -ENOMEM\n", ret);
	CHILD_CHECK(ret == -ENOMEM);
	CHILD_CHECK(lab_ioctl(fd, PFNLAB_PAGES_INFO, &pi) == 0);
	CHILD_CHECK(pi.out_npinned == LIMIT_PAGES);
	CHILD_CHECK(pi.out_last_npinned == LIMIT_PAGES);
	CHILD_CHECK(lab_status_kib("VmPin") == vmpin0 + LIMIT_PAGES * KIB_PER_PAGE);
	CHILD_CHECK(lab_status_kib("VmLck") == vmlck0 + LIMIT_PAGES * lck_per_page);

	/* Release, then one call far over the limit: it pins nothing. */
	if (lc->use_access)
		CHILD_CHECK(lab_access_unpin(fd, access_id) == 0);
	else
		CHILD_CHECK(lab_unmap(fd, dc.out_domain_id, IOVA, LIMIT_PAGES * LAB_PAGE_SIZE,
				      NULL) == 0);
	ret = pin_range(fd, dc.out_domain_id, pc.out_pages_id, 0, NPAGES, lc->use_access, NULL);
	CHILD_CHECK(ret == -ENOMEM);
	CHILD_CHECK(lab_ioctl(fd, PFNLAB_PAGES_INFO, &pi) == 0);
	CHILD_CHECK(pi.out_npinned == 0);
	CHILD_CHECK(pi.out_last_npinned == 0);
	CHILD_CHECK(lab_status_kib("VmPin") == vmpin0);
	CHILD_CHECK(lab_status_kib("VmLck") == vmlck0);
	lab_checkpoint();
	close(fd);
	return 0;
}

static void run_limit_case(uint32_t account_mode, int use_access, int has_ipc_lock)
{
	struct limit_case lc = { account_mode, use_access, has_ipc_lock };
	int64_t held0 = pins_held(), held_at_checkpoint = -1;

	lab_open_device_to_all();
	assert_int_equal(lab_run_child(limit_child, &lc, LIMIT_PAGES, 1, has_ipc_lock,
				       &held_at_checkpoint),
			 0);
	if (!has_ipc_lock)
		assert_int_equal(held_at_checkpoint, held0);
}

static void test_rlimit_user_map(void **state)
{
	(void)state;
	run_limit_case(PFNLAB_ACCOUNT_USER, 0, 0);
}

static void test_rlimit_user_access_pin(void **state)
{
	(void)state;
	run_limit_case(PFNLAB_ACCOUNT_USER, 1, 0);
}

static void test_rlimit_mm_map(void **state)
{
	(void)state;
	run_limit_case(PFNLAB_ACCOUNT_MM, 0, 0);
}

static void test_rlimit_mm_access_pin(void **state)
{
	(void)state;
	run_limit_case(PFNLAB_ACCOUNT_MM, 1, 0);
}

static void test_cap_ipc_lock_bypass_user(void **state)
{
	(void)state;
	run_limit_case(PFNLAB_ACCOUNT_USER, 0, 1);
}

static void test_cap_ipc_lock_bypass_mm(void **state)
{
	(void)state;
	run_limit_case(PFNLAB_ACCOUNT_MM, 1, 1);
}

/* Fill one fd with every kind of live object that holds pins. */
static void make_live_objects(int fd, void *buf, size_t npages)
{
	uint32_t pages_id, domain_id, access_id;

	pages_id = lab_pages_create(fd, buf, npages * LAB_PAGE_SIZE, PFNLAB_PAGES_WRITABLE,
				    PFNLAB_ACCOUNT_USER);
	domain_id = lab_mock_domain(fd, 0);
	assert_int_equal(lab_map(fd, domain_id, pages_id, 0, npages / 2 * LAB_PAGE_SIZE, IOVA,
				 lab_default_opts(), NULL),
			 0);
	assert_int_equal(lab_access_pin(fd, pages_id, npages / 4 * LAB_PAGE_SIZE,
					npages / 2 * LAB_PAGE_SIZE, &access_id),
			 0);
	/* A second map of the same pages in a second domain. */
	domain_id = lab_mock_domain(fd, LAB_PAGE_SIZE);
	assert_int_equal(lab_map(fd, domain_id, pages_id, 0, npages * LAB_PAGE_SIZE, IOVA,
				 lab_default_opts(), NULL),
			 0);
	assert_int_equal(lab_pages_info(fd, pages_id).out_npinned, npages);
}

/* close() with maps, accesses and domains live releases every pin. */
static void test_close_with_live_objects(void **state)
{
	void *buf = map_4k(NPAGES);
	int64_t held0 = pins_held();
	int fd = lab_open();

	(void)state;
	assert_non_null(buf);
	make_live_objects(fd, buf, NPAGES);
	assert_int_equal(pins_held(), held0 + NPAGES);
	assert_int_equal(close(fd), 0);
	assert_int_equal(pins_held(), held0);
	munmap(buf, NPAGES * LAB_PAGE_SIZE);
}

/* Unmapping the memory under live pins, then close: still nothing left. */
static void test_munmap_then_close(void **state)
{
	void *buf = map_4k(NPAGES);
	int64_t held0 = pins_held();
	int fd = lab_open();

	(void)state;
	assert_non_null(buf);
	make_live_objects(fd, buf, NPAGES);
	assert_int_equal(munmap(buf, NPAGES * LAB_PAGE_SIZE), 0);
	/* The pins keep the pages: still held after the VMA is gone. */
	assert_int_equal(pins_held(), held0 + NPAGES);
	assert_int_equal(close(fd), 0);
	assert_int_equal(pins_held(), held0);
}

static int holder_ready_fd = -1;

/* Pin NPAGES through a map (and one page again through an access), say so. */
static void holder_child(void)
{
	char c = 'r';
	void *buf = map_4k(NPAGES);
	int fd = open(PFNLAB_DEVICE_PATH, O_RDWR);
	struct pfnlab_pages_create pc = { .size = sizeof(pc) };
	struct pfnlab_domain_create dc = { .size = sizeof(dc), .kind = PFNLAB_DOMAIN_MOCK };

	CHILD_CHECK(buf && fd >= 0);
	pc.flags = PFNLAB_PAGES_WRITABLE;
	pc.uptr = (uintptr_t)buf;
	pc.length = NPAGES * LAB_PAGE_SIZE;
	CHILD_CHECK(lab_ioctl(fd, PFNLAB_PAGES_CREATE, &pc) == 0);
	CHILD_CHECK(lab_ioctl(fd, PFNLAB_DOMAIN_CREATE, &dc) == 0);
	CHILD_CHECK(lab_map(fd, dc.out_domain_id, pc.out_pages_id, 0, NPAGES * LAB_PAGE_SIZE, IOVA,
			    lab_default_opts(), NULL) == 0);
	CHILD_CHECK(lab_access_pin(fd, pc.out_pages_id, 0, LAB_PAGE_SIZE, NULL) == 0);
	CHILD_CHECK(write(holder_ready_fd, &c, 1) == 1);
	for (;;)
		pause();
}

/* kill -9 of a process holding pins: its exit releases every one. */
static void test_kill9_pin_holder(void **state)
{
	int64_t held0 = pins_held(), held_by_child = -1;
	int up[2], status;
	pid_t pid;
	char c;

	(void)state;
	/* Not lab_run_child: the parent kills instead of letting it go on. */
	assert_int_equal(pipe(up), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(up[0]);
		holder_ready_fd = up[1];
		holder_child();
	}
	close(up[1]);
	assert_int_equal(read(up[0], &c, 1), 1);
	held_by_child = pins_held() - held0;
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	close(up[0]);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	assert_int_equal(held_by_child, NPAGES);
	assert_int_equal(pins_held(), held0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		LAB_TEST(test_npinned_and_pinned_vm),  LAB_TEST(test_rlimit_user_map),
		LAB_TEST(test_rlimit_user_access_pin), LAB_TEST(test_rlimit_mm_map),
		LAB_TEST(test_rlimit_mm_access_pin),   LAB_TEST(test_cap_ipc_lock_bypass_user),
		LAB_TEST(test_cap_ipc_lock_bypass_mm), LAB_TEST(test_close_with_live_objects),
		LAB_TEST(test_munmap_then_close),      LAB_TEST(test_kill9_pin_holder),
	};

	return LAB_RUN("account", tests);
}
