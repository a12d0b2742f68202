// SPDX-License-Identifier: GPL-2.0
/*
 * pfnlab.ko under abuse (UAPI DOC "Concurrency, limits and write-back"):
 *
 * - ids are not reused within an fd;
 * - a struct that cannot be written back fails with -EFAULT before the
 *   ioctl does anything, for every ioctl;
 * - a caller waiting behind a MAP that userfaultfd holds is interrupted by
 *   a signal (-EINTR) or, with O_NONBLOCK, not kept waiting (-EAGAIN); the
 *   blocked MAP dies of SIGKILL within 2 s and leaves nothing pinned;
 * - the per-fd caps stop each class of kernel memory with -ENOSPC, and that
 *   memory is charged to the caller's memory cgroup: a small memory.max
 *   fails the call (-ENOMEM) without an OOM kill;
 * - READ's transient pins count against RLIMIT_MEMLOCK;
 * - a bridge cannot be taken, the MSI window cannot be mapped;
 * - hot-removing edu under a real domain with maps revokes the domain: no
 *   WARN (test_dmesg checks the log), nothing pinned, -ENODEV afterwards,
 *   DESTROY frees it; the device comes back with a rescan.
 *
 * Truths: errno, /proc/vmstat pin counters (after every test), PAGES_INFO,
 * STATS, the cgroup's memory.current and memory.events, waitpid times.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lab.h"

#define PAGE LAB_PAGE_SIZE

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *map_rw(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	assert_true(p != MAP_FAILED);
	return p;
}

static struct pfnlab_stats stats(int fd)
{
	struct pfnlab_stats st = { .size = sizeof(st) };

	assert_int_equal(lab_ioctl(fd, PFNLAB_STATS, &st), 0);
	return st;
}

/* ---- ids ---------------------------------------------------------------- */

static void test_ids_not_reused(void **state)
{
	char *buf = map_rw(PAGE);
	int fd = lab_open();
	uint32_t a, b, c;

	(void)state;
	a = lab_pages_create(fd, buf, PAGE, 0, PFNLAB_ACCOUNT_USER);
	assert_int_equal(lab_destroy(fd, a), 0);
	b = lab_pages_create(fd, buf, PAGE, 0, PFNLAB_ACCOUNT_USER);
	c = lab_mock_domain(fd, 0);
	/* The lowest free id would be a again: a stale a must name nothing. */
	assert_true(b > a && c > b);
	assert_int_equal(lab_destroy(fd, a), -ENOENT);
	assert_int_equal(lab_destroy(fd, c), 0);
	assert_int_equal(lab_destroy(fd, b), 0);
	close(fd);
	munmap(buf, PAGE);
}

/* ---- write-back: a read-only struct fails before anything happens ------- */

/* A page holding @bytes of @src, read-only: returns it. */
static void *ro_copy(const void *src, size_t bytes)
{
	void *p = map_rw(PAGE);

	memcpy(p, src, bytes);
	assert_int_equal(mprotect(p, PAGE, PROT_READ), 0);
	return p;
}

static void test_any_readonly_struct_efault_no_effect(void **state)
{
	enum {
		NPAGES = 8
	};
	char *buf = map_rw(NPAGES * PAGE);
	int fd = lab_open();
	struct pfnlab_pages_create pc = { .size = sizeof(pc),
					  .uptr = (uintptr_t)buf,
					  .length = NPAGES * PAGE,
					  .flags = PFNLAB_PAGES_WRITABLE };
	struct pfnlab_domain_create dc = { .size = sizeof(dc), .kind = PFNLAB_DOMAIN_MOCK };
	struct pfnlab_stats before, after;
	struct pfnlab_map map = { .size = sizeof(map) };
	struct pfnlab_unmap um = { .size = sizeof(um) };
	struct pfnlab_access_pin ap = { .size = sizeof(ap) };
	struct pfnlab_access_unpin au = { .size = sizeof(au) };
	struct pfnlab_destroy de = { .size = sizeof(de) };
	struct pfnlab_stats_reset sr = { .size = sizeof(sr) };
	struct pfnlab_quiesce qu = { .size = sizeof(qu) };
	struct pfnlab_read rd = { .size = sizeof(rd) };
	uint32_t pages_id, dom_id, acc_id;
	void *ro;

	(void)state;
	/* Creates: no object appears. */
	before = stats(fd);
	ro = ro_copy(&pc, sizeof(pc));
	assert_int_equal(lab_ioctl(fd, PFNLAB_PAGES_CREATE, ro), -EFAULT);
	munmap(ro, PAGE);
	ro = ro_copy(&dc, sizeof(dc));
	assert_int_equal(lab_ioctl(fd, PFNLAB_DOMAIN_CREATE, ro), -EFAULT);
	munmap(ro, PAGE);
	after = stats(fd);
	assert_int_equal(after.out_objects_live, before.out_objects_live);

	pages_id = lab_pages_create(fd, buf, NPAGES * PAGE, PFNLAB_PAGES_WRITABLE,
				    PFNLAB_ACCOUNT_USER);
	dom_id = lab_mock_domain(fd, 0);

	/* MAP: nothing mapped, nothing pinned; the same MAP then succeeds. */
	map.domain_id = dom_id;
	map.pages_id = pages_id;
	map.length = NPAGES * PAGE;
	map.iova = 1UL << 30;
	map.opts = lab_default_opts();
	ro = ro_copy(&map, sizeof(map));
	assert_int_equal(lab_ioctl(fd, PFNLAB_MAP, ro), -EFAULT);
	munmap(ro, PAGE);
	assert_int_equal(lab_pages_info(fd, pages_id).out_npinned, 0);
	assert_int_equal(lab_pages_info(fd, pages_id).out_nmaps, 0);
	assert_int_equal(lab_ioctl(fd, PFNLAB_MAP, &map), 0);

	/* UNMAP: the map stays; a writable UNMAP then removes it. */
	um.domain_id = dom_id;
	um.iova = 1UL << 30;
	um.length = NPAGES * PAGE;
	ro = ro_copy(&um, sizeof(um));
	assert_int_equal(lab_ioctl(fd, PFNLAB_UNMAP, ro), -EFAULT);
	munmap(ro, PAGE);
	assert_int_equal(lab_pages_info(fd, pages_id).out_nmaps, 1);
	assert_int_equal(lab_pages_info(fd, pages_id).out_npinned, NPAGES);
	assert_int_equal(lab_ioctl(fd, PFNLAB_UNMAP, &um), 0);

	/* ACCESS_PIN: no access, nothing pinned. */
	ap.pages_id = pages_id;
	ap.length = NPAGES * PAGE;
	ap.opts = lab_default_opts();
	ro = ro_copy(&ap, sizeof(ap));
	assert_int_equal(lab_ioctl(fd, PFNLAB_ACCESS_PIN, ro), -EFAULT);
	munmap(ro, PAGE);
	assert_int_equal(lab_pages_info(fd, pages_id).out_naccesses, 0);
	assert_int_equal(lab_pages_info(fd, pages_id).out_npinned, 0);

	/* ACCESS_UNPIN: the access stays. */
	assert_int_equal(lab_access_pin(fd, pages_id, 0, NPAGES * PAGE, &acc_id), 0);
	au.access_id = acc_id;
	ro = ro_copy(&au, sizeof(au));
	assert_int_equal(lab_ioctl(fd, PFNLAB_ACCESS_UNPIN, ro), -EFAULT);
	munmap(ro, PAGE);
	assert_int_equal(lab_pages_info(fd, pages_id).out_naccesses, 1);
	assert_int_equal(lab_access_unpin(fd, acc_id), 0);

	/* READ: nothing read, nothing pinned. */
	rd.pages_id = pages_id;
	rd.length = NPAGES * PAGE;
	rd.opts = lab_default_opts();
	before = stats(fd);
	ro = ro_copy(&rd, sizeof(rd));
	assert_int_equal(lab_ioctl(fd, PFNLAB_READ, ro), -EFAULT);
	munmap(ro, PAGE);
	after = stats(fd);
	assert_int_equal(after.out_pfns_by_tier[PFNLAB_TIER_ORIGIN],
			 before.out_pfns_by_tier[PFNLAB_TIER_ORIGIN]);
	assert_int_equal(after.out_pages_pinned, before.out_pages_pinned);

	/* STATS_RESET: the counters stay. */
	ro = ro_copy(&sr, sizeof(sr));
	assert_int_equal(lab_ioctl(fd, PFNLAB_STATS_RESET, ro), -EFAULT);
	munmap(ro, PAGE);
	assert_true(stats(fd).out_pages_pinned > 0);

	/* QUIESCE: no wait is reported. */
	ro = ro_copy(&qu, sizeof(qu));
	assert_int_equal(lab_ioctl(fd, PFNLAB_QUIESCE, ro), -EFAULT);
	munmap(ro, PAGE);

	/* DESTROY: the object stays. */
	de.id = dom_id;
	ro = ro_copy(&de, sizeof(de));
	assert_int_equal(lab_ioctl(fd, PFNLAB_DESTROY, ro), -EFAULT);
	munmap(ro, PAGE);
	assert_int_equal(lab_destroy(fd, dom_id), 0);
	assert_int_equal(lab_destroy(fd, pages_id), 0);
	close(fd);
	munmap(buf, NPAGES * PAGE);
}

/* ---- a MAP that userfaultfd holds: waiters, signals, SIGKILL ------------ */

/* Read /proc/PID/wchan: the kernel function PID sleeps in. */
static int wchan_is(pid_t pid, const char *fn)
{
	char path[64], text[128] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/wchan", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (!fgets(text, sizeof(text), f))
		text[0] = 0;
	fclose(f);
	return strstr(text, fn) != NULL;
}

/*
 * The child that blocks: its own mm registers a missing-pages userfaultfd
 * range, makes a pages object of it on the shared fd, and MAPs it.  Nobody
 * ever serves the fault.
 */
static void uffd_mapper(int fd)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	void *area = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
			  0);
	long uffd = syscall(SYS_userfaultfd, O_CLOEXEC);
	uint32_t pages_id, dom_id;

	CHILD_CHECK(area != MAP_FAILED && uffd >= 0);
	CHILD_CHECK(ioctl((int)uffd, UFFDIO_API, &api) == 0);
	reg.range.start = (uintptr_t)area;
	reg.range.len = 4 * PAGE;
	CHILD_CHECK(ioctl((int)uffd, UFFDIO_REGISTER, &reg) == 0);
	pages_id = lab_pages_create(fd, area, 4 * PAGE, PFNLAB_PAGES_WRITABLE, PFNLAB_ACCOUNT_USER);
	dom_id = lab_mock_domain(fd, 0);
	lab_map(fd, dom_id, pages_id, 0, 4 * PAGE, 0, lab_default_opts(), NULL);
	_exit(3); /* never: the fault is never served */
}

static void on_alarm(int sig)
{
	(void)sig;
}

static void test_map_blocked_on_userfaultfd(void **state)
{
	struct sigaction sa = { .sa_handler = on_alarm }; /* no SA_RESTART */
	struct pfnlab_info info = { .size = sizeof(info) };
	int fd = lab_open(), status, flags, i;
	double t0;
	pid_t pid;

	(void)state;
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		uffd_mapper(fd);
	for (i = 0; i < 500 && !wchan_is(pid, "userfault"); i++)
		usleep(10000);
	assert_true(wchan_is(pid, "userfault"));

	/* A waiter on the same fd: a signal ends its wait, in about a second. */
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGALRM, &sa, NULL), 0);
	t0 = now_s();
	alarm(1);
	assert_int_equal(lab_ioctl(fd, PFNLAB_INFO, &info), -EINTR);
	assert_true(now_s() - t0 < 2.0);
	/* O_NONBLOCK (shared by the open file): no wait at all. */
	flags = fcntl(fd, F_GETFL);
	assert_int_equal(fcntl(fd, F_SETFL, flags | O_NONBLOCK), 0);
	assert_int_equal(lab_ioctl(fd, PFNLAB_INFO, &info), -EAGAIN);
	assert_int_equal(fcntl(fd, F_SETFL, flags), 0);

	/* SIGKILL ends the blocked MAP: reaped within 2 s, and the fd is free. */
	t0 = now_s();
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(now_s() - t0 < 2.0);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	assert_int_equal(lab_ioctl(fd, PFNLAB_INFO, &info), 0);
	close(fd);
}

/* A sweep of the most accesses allowed ends within 2 s of SIGKILL. */
static void test_sweep_sigkill(void **state)
{
	int fd = lab_open(), status;
	uint32_t dom_id = lab_mock_domain(fd, 0);
	double t0;
	pid_t pid;

	(void)state;
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct pfnlab_iotlb_sweep sw = {
			.size = sizeof(sw),
			.domain_id = dom_id,
			.pattern = PFNLAB_IOTLB_SEQUENTIAL,
			.window = PFNLAB_IOTLB_MAX_SWEEP_ACCESSES / 16 * PAGE,
			.stride = PAGE,
			.passes = 16,
		};

		for (;;)
			CHILD_CHECK(lab_ioctl(fd, PFNLAB_IOTLB_SWEEP, &sw) == 0);
	}
	usleep(300000);
	t0 = now_s();
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(now_s() - t0 < 2.0);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(lab_destroy(fd, dom_id), 0);
	close(fd);
}

/* ---- per-fd caps ---------------------------------------------------------- */

static void test_any_create_objects_cap_enospc(void **state)
{
	char *buf = map_rw(PAGE);
	int fd = lab_open();
	uint32_t i;

	(void)state;
	for (i = 0; i < PFNLAB_MAX_OBJECTS; i++)
		if (lab_pages_create(fd, buf, PAGE, 0, PFNLAB_ACCOUNT_USER) == 0)
			break;
	assert_int_equal(i, PFNLAB_MAX_OBJECTS);
	assert_int_equal(stats(fd).out_objects_live, PFNLAB_MAX_OBJECTS);
	{
		struct pfnlab_pages_create pc = { .size = sizeof(pc),
						  .uptr = (uintptr_t)buf,
						  .length = PAGE };

		assert_int_equal(lab_ioctl(fd, PFNLAB_PAGES_CREATE, &pc), -ENOSPC);
	}
	close(fd);
	munmap(buf, PAGE);
}

static void test_domain_create_domains_cap_enospc(void **state)
{
	struct pfnlab_domain_create dc = { .size = sizeof(dc), .kind = PFNLAB_DOMAIN_MOCK };
	int fd = lab_open(), i;

	(void)state;
	for (i = 0; i < PFNLAB_MAX_DOMAINS; i++)
		assert_true(lab_mock_domain(fd, 0) > 0);
	assert_int_equal(lab_ioctl(fd, PFNLAB_DOMAIN_CREATE, &dc), -ENOSPC);
	close(fd);
}

static void test_map_maps_cap_enospc(void **state)
{
	char *buf = map_rw(PAGE);
	int fd = lab_open();
	uint32_t pages_id = lab_pages_create(fd, buf, PAGE, 0, PFNLAB_ACCOUNT_USER);
	uint32_t dom_id = lab_mock_domain(fd, 0);
	uint64_t i;

	(void)state;
	/* One pinned page at consecutive IOVAs: small tables, many maps. */
	for (i = 0; i < PFNLAB_MAX_MAPS; i++)
		if (lab_map(fd, dom_id, pages_id, 0, PAGE, i * PAGE, lab_default_opts(), NULL))
			break;
	assert_int_equal(i, PFNLAB_MAX_MAPS);
	assert_int_equal(lab_map(fd, dom_id, pages_id, 0, PAGE, i * PAGE, lab_default_opts(), NULL),
			 -ENOSPC);
	/* One page, pinned once however many maps hold it. */
	assert_int_equal(lab_pages_info(fd, pages_id).out_npinned, 1);
	close(fd);
	munmap(buf, PAGE);
}

static void test_map_page_tables_cap_enospc(void **state)
{
	char *buf = map_rw(PAGE);
	int fd = lab_open();
	uint32_t pages_id = lab_pages_create(fd, buf, PAGE, 0, PFNLAB_ACCOUNT_USER);
	uint32_t dom_id = lab_mock_domain(fd, 0);
	uint64_t i;
	int ret = 0;

	(void)state;
	/* One page every 1 GiB: two fresh 4 KiB tables per map. */
	for (i = 0; i < PFNLAB_MAX_PT_BYTES / (2 * PAGE) + 16 && !ret; i++)
		ret = lab_map(fd, dom_id, pages_id, 0, PAGE, i << 30, lab_default_opts(), NULL);
	assert_int_equal(ret, -ENOSPC);
	/* It stopped near the cap, not long before it. */
	assert_true(i > PFNLAB_MAX_PT_BYTES / (2 * PAGE) * 9 / 10);
	/* The refused map left nothing: its IOVA is free for a smaller table. */
	assert_int_equal(lab_pages_info(fd, pages_id).out_nmaps, i - 1);
	close(fd);
	munmap(buf, PAGE);
}

static void test_pages_create_index_cap_enospc(void **state)
{
	/* PROT_NONE reservations: VMAs, no memory. */
	size_t half = PFNLAB_MAX_INDEX_BYTES / 8 / 2 * PAGE;
	char *res = mmap(NULL, 2 * half + PAGE, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	int fd = lab_open();
	struct pfnlab_pages_create pc = { .size = sizeof(pc) };

	(void)state;
	assert_true(res != MAP_FAILED);
	assert_true(lab_pages_create(fd, res, half, 0, PFNLAB_ACCOUNT_USER) > 0);
	pc.uptr = (uintptr_t)res + half;
	pc.length = half + PAGE;
	assert_int_equal(lab_ioctl(fd, PFNLAB_PAGES_CREATE, &pc), -ENOSPC);
	pc.length = half;
	assert_int_equal(lab_ioctl(fd, PFNLAB_PAGES_CREATE, &pc), 0);
	close(fd);
	munmap(res, 2 * half + PAGE);
}

/* ---- memory cgroup: the bookkeeping is charged to the caller's cgroup ---- */

#define CG_ROOT "/sys/fs/cgroup"
#define CG CG_ROOT "/pfnlab-test"

static long long read_cg_value(const char *file, const char *key)
{
	char path[256], line[256];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), CG "/%s", file);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!key) {
			v = atoll(line);
			break;
		}
		if (!strncmp(line, key, strlen(key)) && line[strlen(key)] == ' ') {
			v = atoll(line + strlen(key) + 1);
			break;
		}
	}
	fclose(f);
	return v;
}

struct cg_arg {
	int fd;
	char *res;
};

/* In the cgroup: 64 MiB of bookkeeping is charged; 128 MiB fails. */
static int cg_child(void *p)
{
	struct cg_arg *a = p;
	struct pfnlab_pages_create pc = { .size = sizeof(pc) };
	char pid[32];
	long long before, during, after;
	uint32_t id;

	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	CHILD_CHECK(lab_write_file(CG "/cgroup.procs", pid) == 0);
	before = read_cg_value("memory.current", NULL);
	/* 32 GiB of range: 64 MiB of per-page bookkeeping. */
	pc.uptr = (uintptr_t)a->res;
	pc.length = 32ULL << 30;
	CHILD_CHECK(lab_ioctl(a->fd, PFNLAB_PAGES_CREATE, &pc) == 0);
	id = pc.out_pages_id;
	during = read_cg_value("memory.current", NULL);
	CHILD_CHECK(lab_destroy(a->fd, id) == 0);
	after = read_cg_value("memory.current", NULL);
	fprintf(stderr, "# memory.current: %lld before, %lld with 32 GiB of range, %lld after\n",
		before, during, after);
	/* 64 MiB in and out, give or take the child's own small allocations. */
	CHILD_CHECK(during - before >= (63LL << 20));
	CHILD_CHECK(during - after >= (63LL << 20));
	/* 64 GiB: 128 MiB, past memory.max: the call fails, nobody is killed. */
	pc.length = 64ULL << 30;
	CHILD_CHECK(lab_ioctl(a->fd, PFNLAB_PAGES_CREATE, &pc) == -ENOMEM);
	return 0;
}

static void test_pages_create_charged_to_memcg(void **state)
{
	struct cg_arg a;
	struct stat st;
	int rc;

	(void)state;
	if (stat(CG_ROOT "/cgroup.controllers", &st) != 0) {
		mkdir(CG_ROOT, 0755);
		assert_int_equal(mount("none", CG_ROOT, "cgroup2", 0, NULL), 0);
	}
	assert_int_equal(lab_write_file(CG_ROOT "/cgroup.subtree_control", "+memory"), 0);
	if (mkdir(CG, 0755) != 0)
		assert_int_equal(errno, EEXIST);
	assert_int_equal(lab_write_file(CG "/memory.max", "100M"), 0);
	a.fd = lab_open();
	a.res = mmap(NULL, 64ULL << 30, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1,
		     0);
	assert_true(a.res != MAP_FAILED);
	rc = lab_run_child(cg_child, &a, -1, 0, 0, NULL);
	assert_int_equal(rc, 0);
	/* Charged and refused inside the cgroup, never an OOM kill. */
	assert_int_equal(read_cg_value("memory.events", "oom_kill"), 0);
	assert_true(read_cg_value("memory.events", "max") > 0);
	close(a.fd);
	munmap(a.res, 64ULL << 30);
	assert_int_equal(rmdir(CG), 0);
}

/* ---- READ's transient pins are charged ---------------------------------- */

struct read_arg {
	char *buf;
};

static int read_child(void *p)
{
	struct read_arg *a = p;
	int fd = lab_open();
	uint32_t pages_id = lab_pages_create(fd, a->buf, 128 * PAGE, 0, PFNLAB_ACCOUNT_USER);

	/* 128 pages in one chunk: twice the limit of 64 while they are held. */
	CHILD_CHECK(lab_read(fd, pages_id, 0, 128 * PAGE, NULL, NULL,
			     lab_opts(128, 512, PFNLAB_FILL_RUN_AWARE), NULL) == -ENOMEM);
	/* 32 at a time stays under it. */
	CHILD_CHECK(lab_read(fd, pages_id, 0, 128 * PAGE, NULL, NULL,
			     lab_opts(32, 512, PFNLAB_FILL_RUN_AWARE), NULL) == 0);
	CHILD_CHECK(lab_pages_info(fd, pages_id).out_last_npinned == 0);
	close(fd);
	return 0;
}

static void test_read_transient_pins_over_memlock_enomem(void **state)
{
	struct read_arg a = { .buf = map_rw(128 * PAGE) };

	(void)state;
	lab_open_device_to_all();
	assert_int_equal(lab_run_child(read_child, &a, 64, 1, 0, NULL), 0);
	munmap(a.buf, 128 * PAGE);
}

/* ---- real domains: bridges, the MSI window, hot removal ----------------- */

static int is_bridge(const char *dir, void *arg)
{
	char path[512], text[32] = "";
	FILE *f;

	(void)arg;
	snprintf(path, sizeof(path), "%s/class", dir);
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (!fgets(text, sizeof(text), f))
		text[0] = 0;
	fclose(f);
	return (strtoul(text, NULL, 16) >> 16) == 0x06;
}

static void test_domain_create_real_bridge_eperm(void **state)
{
	struct pfnlab_domain_create dc = { .size = sizeof(dc), .kind = PFNLAB_DOMAIN_REAL };
	struct lab_pci br;
	int fd = lab_open();

	(void)state;
	/* q35's host bridge (and its ISA bridge) */
	assert_int_equal(lab_find_pci(is_bridge, NULL, &br), 0);
	dc.pci_segment = br.segment;
	dc.pci_bdf = br.bdf;
	assert_int_equal(lab_ioctl(fd, PFNLAB_DOMAIN_CREATE, &dc), -EPERM);
	assert_int_equal(stats(fd).out_objects_live, 0);
	close(fd);
}

static uint32_t edu_domain(int fd, struct lab_pci *edu)
{
	struct pfnlab_domain_create dc = { .size = sizeof(dc), .kind = PFNLAB_DOMAIN_REAL };

	assert_int_equal(lab_find_pci(lab_pci_is_edu, NULL, edu), 0);
	dc.pci_segment = edu->segment;
	dc.pci_bdf = edu->bdf;
	assert_int_equal(lab_ioctl(fd, PFNLAB_DOMAIN_CREATE, &dc), 0);
	return dc.out_domain_id;
}

static void test_map_real_msi_window_eaddrinuse(void **state)
{
	char *buf = map_rw(16 * PAGE);
	int fd = lab_open();
	uint32_t pages_id = lab_pages_create(fd, buf, 16 * PAGE, PFNLAB_PAGES_WRITABLE,
					     PFNLAB_ACCOUNT_USER);
	struct lab_pci edu;
	uint32_t dom_id = edu_domain(fd, &edu);

	(void)state;
	/* The x86 interrupt window, 0xfee00000-0xfeefffff, is reserved (MSI). */
	assert_int_equal(lab_map(fd, dom_id, pages_id, 0, 16 * PAGE, 0xfee00000UL,
				 lab_default_opts(), NULL),
			 -EADDRINUSE);
	assert_int_equal(lab_map(fd, dom_id, pages_id, 0, 16 * PAGE, 0xfedff000UL,
				 lab_default_opts(), NULL),
			 -EADDRINUSE);
	assert_int_equal(lab_pages_info(fd, pages_id).out_npinned, 0);
	/* Next to it is fine. */
	assert_int_equal(lab_map(fd, dom_id, pages_id, 0, 16 * PAGE, 0xfef00000UL,
				 lab_default_opts(), NULL),
			 0);
	close(fd);
	munmap(buf, 16 * PAGE);
}

static void test_real_domain_device_hot_removed(void **state)
{
	char *buf = map_rw(64 * PAGE), path[320];
	int fd = lab_open();
	uint32_t pages_id = lab_pages_create(fd, buf, 64 * PAGE, PFNLAB_PAGES_WRITABLE,
					     PFNLAB_ACCOUNT_USER);
	struct lab_pci edu, back;
	uint32_t dom_id = edu_domain(fd, &edu);
	struct pfnlab_unmap um = {
		.size = sizeof(um), .domain_id = dom_id, .iova = 16UL << 20, .length = 64 * PAGE
	};
	uint64_t acquired, released;

	(void)state;
	assert_int_equal(lab_map(fd, dom_id, pages_id, 0, 64 * PAGE, 16UL << 20, lab_default_opts(),
				 NULL),
			 0);
	assert_int_equal(lab_pages_info(fd, pages_id).out_npinned, 64);

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/remove", edu.name);
	assert_int_equal(lab_write_file(path, "1"), 0);
	/* Revoked: the map and its pins are gone at once. */
	assert_int_equal(lab_pages_info(fd, pages_id).out_npinned, 0);
	assert_int_equal(lab_pages_info(fd, pages_id).out_nmaps, 0);
	lab_pin_counters(&acquired, &released);
	assert_int_equal(acquired, released);
	assert_int_equal(lab_map(fd, dom_id, pages_id, 0, 64 * PAGE, 16UL << 20, lab_default_opts(),
				 NULL),
			 -ENODEV);
	assert_int_equal(lab_ioctl(fd, PFNLAB_UNMAP, &um), -ENODEV);
	assert_int_equal(lab_destroy(fd, dom_id), 0);
	close(fd);
	munmap(buf, 64 * PAGE);

	/* The device comes back, as it was, for whatever runs next. */
	assert_int_equal(lab_write_file("/sys/bus/pci/rescan", "1"), 0);
	assert_int_equal(lab_find_pci(lab_pci_is_edu, NULL, &back), 0);
	assert_string_equal(back.name, edu.name);
	fd = lab_open();
	dom_id = edu_domain(fd, &back);
	assert_int_equal(lab_destroy(fd, dom_id), 0);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		LAB_TEST(test_ids_not_reused),
		LAB_TEST(test_any_readonly_struct_efault_no_effect),
		LAB_TEST(test_map_blocked_on_userfaultfd),
		LAB_TEST(test_sweep_sigkill),
		LAB_TEST(test_any_create_objects_cap_enospc),
		LAB_TEST(test_domain_create_domains_cap_enospc),
		LAB_TEST(test_map_maps_cap_enospc),
		LAB_TEST(test_map_page_tables_cap_enospc),
		LAB_TEST(test_pages_create_index_cap_enospc),
		LAB_TEST(test_pages_create_charged_to_memcg),
		LAB_TEST(test_read_transient_pins_over_memlock_enomem),
		LAB_TEST(test_domain_create_real_bridge_eperm),
		LAB_TEST(test_map_real_msi_window_eaddrinuse),
		LAB_TEST(test_real_domain_device_hot_removed),
	};

	return LAB_RUN("harden", tests);
}
