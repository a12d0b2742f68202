// SPDX-License-Identifier: GPL-2.0
/*
 * uring backend: io_uring fixed-buffer registration is the kernel's own
 * long-term pin path (FOLL_LONGTERM), present on any modern kernel, so it
 * anchors the driver's pin numbers.  Register and unregister are timed per
 * thread; each thread owns a ring and a disjoint slice of the buffer.
 */
#include <errno.h>
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/uio.h>
#include <unistd.h>

#include "backend.h"

#define SZ_1G (1ULL << 30)
/* The kernel's limit on registered buffers per ring (IORING_MAX_REG_BUFFERS). */
#define URING_MAX_IOVECS 16384

struct uring_thread {
	struct io_uring ring;
	int ring_ok;
	struct iovec *iov;
	unsigned int niov;
	size_t bytes;
	uint64_t pin_start, pin_end, unpin_start, unpin_end;
	int err; /* -errno of a failed register/unregister */
	int registered;
};

struct uring_state {
	struct uring_thread *t;
	int n;
};

static int uring_probe(char *why, size_t len)
{
	struct io_uring ring;
	int r = io_uring_queue_init(2, &ring, 0);

	if (r < 0) {
		snprintf(why, len, "io_uring unavailable: %s", strerror(-r));
		return -1;
	}
	io_uring_queue_exit(&ring);
	return 0;
}

/* CAP_IPC_LOCK in the effective set: io_uring then charges no memlock. */
static int has_cap_ipc_lock(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	unsigned long long caps = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &caps) == 1)
			break;
	fclose(f);
	return (caps >> 14) & 1; /* CAP_IPC_LOCK is capability 14 */
}

/*
 * Raise RLIMIT_MEMLOCK to the buffer size when it is lower (lifting the hard
 * limit needs CAP_SYS_RESOURCE) and record what it was, what it is and
 * whether pins are charged against it at all.
 */
static int memlock_check(struct bench_run *r, size_t bytes, char *why, size_t len)
{
	struct rlimit before, after;
	int ipc_lock = has_cap_ipc_lock(), raise_errno = 0;

	getrlimit(RLIMIT_MEMLOCK, &before);
	after = before;
	if (before.rlim_cur != RLIM_INFINITY && before.rlim_cur < bytes) {
		struct rlimit want = { RLIM_INFINITY, RLIM_INFINITY };

		if (setrlimit(RLIMIT_MEMLOCK, &want))
			raise_errno = errno;
		getrlimit(RLIMIT_MEMLOCK, &after);
	}
	r->extra = json_pack("{s:{s:o, s:o, s:o, s:b}}", "rlimit_memlock", "before",
			     before.rlim_cur == RLIM_INFINITY ?
				     json_string("unlimited") :
				     json_integer((json_int_t)before.rlim_cur),
			     "after",
			     after.rlim_cur == RLIM_INFINITY ?
				     json_string("unlimited") :
				     json_integer((json_int_t)after.rlim_cur),
			     "raise_error",
			     raise_errno ? json_string(strerror(raise_errno)) : json_null(),
			     "cap_ipc_lock", ipc_lock);
	if (after.rlim_cur != RLIM_INFINITY && after.rlim_cur < bytes && !ipc_lock) {
		snprintf(why, len,
			 "RLIMIT_MEMLOCK %llu bytes < %zu needed and cannot be raised (%s)",
			 (unsigned long long)after.rlim_cur, bytes,
			 raise_errno ? strerror(raise_errno) : "no CAP_IPC_LOCK");
		return -1;
	}
	return 0;
}

static int uring_setup(struct bench_run *r, char *why, size_t len)
{
	const struct bench_case *bc = r->bc;
	struct uring_state *s = calloc(1, sizeof(*s));
	size_t iov_max;

	if (!s) {
		snprintf(why, len, "out of memory");
		return BUF_FAIL;
	}
	r->priv = s;
	s->n = bc->threads;
	s->t = calloc((size_t)s->n, sizeof(*s->t));
	if (!s->t) {
		snprintf(why, len, "out of memory");
		return BUF_FAIL;
	}
	if (memlock_check(r, r->buf.size, why, len))
		return BUF_SKIP;
	if (!run_thread_slice(r, s->n)) {
		snprintf(why, len, "size %zu too small for %d threads of %zu-byte pages",
			 r->buf.size, s->n, r->buf.huge_bytes ? r->buf.huge_bytes : 4096);
		return BUF_SKIP;
	}
	iov_max = bc->pages_per_call ? bc->pages_per_call * 4096 : SZ_1G;
	/* An iovec may end inside a huge page: that is what small calls measure. */
	if (iov_max > SZ_1G)
		iov_max = SZ_1G;
	for (int i = 0; i < s->n; i++) {
		struct uring_thread *t = &s->t[i];
		uint64_t offset;
		size_t left = run_thread_part(r, s->n, i, &offset);
		char *base = (char *)r->buf.addr + offset;
		int rc;

		t->bytes = left;
		t->niov = (unsigned int)((left + iov_max - 1) / iov_max);
		if (t->niov > URING_MAX_IOVECS) {
			snprintf(why, len, "%u iovecs per thread exceed io_uring's %d", t->niov,
				 URING_MAX_IOVECS);
			return BUF_SKIP;
		}
		t->iov = calloc(t->niov, sizeof(*t->iov));
		if (!t->iov) {
			snprintf(why, len, "out of memory");
			return BUF_FAIL;
		}
		for (unsigned int k = 0; k < t->niov; k++) {
			size_t n = left < iov_max ? left : iov_max;

			t->iov[k].iov_base = base;
			t->iov[k].iov_len = n;
			base += n;
			left -= n;
		}
		rc = io_uring_queue_init(4, &t->ring, 0);
		if (rc < 0) {
			snprintf(why, len, "io_uring_queue_init: %s", strerror(-rc));
			return BUF_FAIL;
		}
		t->ring_ok = 1;
	}
	return BUF_OK;
}

static void uring_thread_fn(void *arg, int thread)
{
	struct uring_state *s = arg;
	struct uring_thread *t = &s->t[thread];
	int rc;

	t->err = 0;
	t->pin_start = now_ns();
	rc = io_uring_register_buffers(&t->ring, t->iov, t->niov);
	t->pin_end = now_ns();
	if (rc < 0) {
		t->err = rc;
		return;
	}
	t->registered = 1;
	t->unpin_start = now_ns();
	rc = io_uring_unregister_buffers(&t->ring);
	t->unpin_end = now_ns();
	if (rc < 0) {
		t->err = rc;
		return;
	}
	t->registered = 0;
}

static int uring_sample(struct bench_run *r, int record, char *why, size_t len)
{
	struct uring_state *s = r->priv;
	uint64_t pin_lo = UINT64_MAX, pin_hi = 0, un_lo = UINT64_MAX, un_hi = 0;
	double pages = 0, bytes = 0;

	team_run(r->team, uring_thread_fn, s);
	for (int i = 0; i < s->n; i++) {
		struct uring_thread *t = &s->t[i];

		if (t->err) {
			snprintf(why, len, "thread %d: io_uring %sregister_buffers: %s", i,
				 t->registered ? "un" : "", strerror(-t->err));
			return -1;
		}
		pin_lo = t->pin_start < pin_lo ? t->pin_start : pin_lo;
		pin_hi = t->pin_end > pin_hi ? t->pin_end : pin_hi;
		un_lo = t->unpin_start < un_lo ? t->unpin_start : un_lo;
		un_hi = t->unpin_end > un_hi ? t->unpin_end : un_hi;
		pages += (double)t->bytes / 4096;
		bytes += (double)t->bytes;
	}
	if (!record)
		return 0;
	/* Aggregate: wall time from the first thread's start to the last's end. */
	run_metric(r, "pin_ns_per_page", (double)(pin_hi - pin_lo) / pages);
	run_metric(r, "unpin_ns_per_page", (double)(un_hi - un_lo) / pages);
	run_metric(r, "pin_gib_per_s",
		   bytes / (double)(1ULL << 30) / ((double)(pin_hi - pin_lo) / 1e9));
	run_metric(r, "pin_pages_per_s", pages / ((double)(pin_hi - pin_lo) / 1e9));
	run_metric(r, "pin_ns", (double)(pin_hi - pin_lo));
	for (int i = 0; i < s->n; i++) {
		struct uring_thread *t = &s->t[i];
		double tp = (double)t->bytes / 4096;

		run_thread_metric(r, i, "pin_ns_per_page", (double)(t->pin_end - t->pin_start) / tp);
		run_thread_metric(r, i, "unpin_ns_per_page",
				  (double)(t->unpin_end - t->unpin_start) / tp);
		run_thread_metric(r, i, "pin_pages_per_s",
				  tp / ((double)(t->pin_end - t->pin_start) / 1e9));
	}
	return 0;
}

static void uring_teardown(struct bench_run *r)
{
	struct uring_state *s = r->priv;

	if (!s)
		return;
	for (int i = 0; s->t && i < s->n; i++) {
		struct uring_thread *t = &s->t[i];

		/* Closing the ring would unpin too; be explicit. */
		if (t->registered)
			io_uring_unregister_buffers(&t->ring);
		if (t->ring_ok)
			io_uring_queue_exit(&t->ring);
		free(t->iov);
	}
	free(s->t);
	free(s);
	r->priv = NULL;
}

const struct backend backend_uring = {
	.name = "uring",
	.ops = "pin",
	.help = "io_uring fixed-buffer registration, the kernel's long-term pin path",
	.probe = uring_probe,
	.setup = uring_setup,
	.sample = uring_sample,
	.teardown = uring_teardown,
};
