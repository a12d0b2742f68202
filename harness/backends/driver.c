// SPDX-License-Identifier: GPL-2.0
/*
 * driver backend: the instrumented model, /dev/pfnlab (driver/uapi/pfnlab.h).
 * One pages object covers the buffer; each thread works on its own slice.
 * Wall times are taken here, phase times and counts come from the module's
 * op reports.  Closing the fd releases anything a failed sample left.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "backend.h"
#include "driver/uapi/pfnlab.h"

struct drv_thread {
	uint64_t offset, length; /* slice of the pages object, bytes */
	uint64_t t0, t1, t2, t3; /* op start/end, undo start/end */
	struct pfnlab_op_report op, undo;
	uint32_t access_id; /* live access (op=pin), 0 if none */
	int mapped;	    /* live map (op=map) */
	int err;	    /* errno of a failed ioctl */
	const char *what;   /* which ioctl failed */
};

struct drv_state {
	int fd;
	uint32_t pages_id, domain_id;
	int iotlb_mapped;
	uint64_t min_runs; /* op=fill: layout minimum, from pagemap */
	struct pfnlab_reader_opts opts;
	struct drv_thread *t;
	int n;
	const struct bench_case *bc;
	struct pfnlab_iotlb_sweep sweep;
};

static int drv_probe(char *why, size_t len)
{
	int fd;

	if (access(PFNLAB_DEVICE_PATH, F_OK)) {
		snprintf(why, len, "module not loaded (%s missing)", PFNLAB_DEVICE_PATH);
		return -1;
	}
	fd = open(PFNLAB_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, len, "%s: %s", PFNLAB_DEVICE_PATH, strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

/* "0000:00:03.0" or "00:03.0" -> segment, bdf */
static int parse_bdf(const char *s, uint32_t *seg, uint32_t *bdf)
{
	unsigned int d = 0, b, dev, fn;

	if (sscanf(s, "%x:%x:%x.%x", &d, &b, &dev, &fn) != 4) {
		d = 0;
		if (sscanf(s, "%x:%x.%x", &b, &dev, &fn) != 3)
			return -1;
	}
	if (b > 255 || dev > 31 || fn > 7)
		return -1;
	*seg = d;
	*bdf = b << 8 | dev << 3 | fn;
	return 0;
}

static int drv_domain(struct drv_state *s, char *why, size_t len)
{
	struct pfnlab_domain_create dc;

	memset(&dc, 0, sizeof(dc));
	dc.size = sizeof(dc);
	if (!strcmp(s->bc->domain, "real")) {
		dc.kind = PFNLAB_DOMAIN_REAL;
		if (!s->bc->device[0] || parse_bdf(s->bc->device, &dc.pci_segment, &dc.pci_bdf)) {
			snprintf(why, len, "domain=real needs device = PCI address (got '%s')",
				 s->bc->device);
			return BUF_FAIL;
		}
	} else {
		dc.kind = PFNLAB_DOMAIN_MOCK;
	}
	if (ioctl(s->fd, PFNLAB_DOMAIN_CREATE, &dc)) {
		int e = errno;

		snprintf(why, len, "DOMAIN_CREATE (%s): %s", s->bc->domain, strerror(e));
		/* No usable device or IOMMU here is a property of the machine. */
		return dc.kind == PFNLAB_DOMAIN_REAL &&
				       (e == ENOENT || e == ENODEV || e == EBUSY || e == EXDEV) ?
			       BUF_SKIP :
			       BUF_FAIL;
	}
	s->domain_id = dc.out_domain_id;
	return BUF_OK;
}

/*
 * drv_options() - the module's facts into the run's extra record, and the
 * case's fill options checked against the module's limits.
 */
static int drv_options(struct bench_run *r, struct drv_state *s, char *why, size_t len)
{
	const struct bench_case *bc = r->bc;
	struct pfnlab_info info;

	memset(&info, 0, sizeof(info));
	info.size = sizeof(info);
	if (ioctl(s->fd, PFNLAB_INFO, &info)) {
		snprintf(why, len, "PFNLAB_INFO: %s", strerror(errno));
		return BUF_FAIL;
	}
	r->extra = json_pack("{s:i, s:i, s:I, s:I}", "abi_version", (int)info.out_abi_version,
			     "iommu_usable", (int)info.out_iommu_usable, "pin_delay_ns",
			     (json_int_t)info.out_pin_delay_ns, "kernel_version",
			     (json_int_t)info.out_kernel_version);
	s->opts.pages_per_call = bc->pages_per_call ? (uint32_t)bc->pages_per_call :
						      info.out_max_pages_per_call;
	s->opts.batch_runs = (uint32_t)bc->batch_runs;
	s->opts.fill = !strcmp(bc->fill, "run-aware") ? PFNLAB_FILL_RUN_AWARE : PFNLAB_FILL_PER_PAGE;
	if (s->opts.pages_per_call > info.out_max_pages_per_call ||
	    s->opts.batch_runs > info.out_max_batch_runs) {
		snprintf(why, len, "pages_per_call %u / batch_runs %u above the module's %u / %u",
			 s->opts.pages_per_call, s->opts.batch_runs, info.out_max_pages_per_call,
			 info.out_max_batch_runs);
		return BUF_FAIL;
	}
	return BUF_OK;
}

/*
 * drv_pages() - the buffer as a pages object, and each thread's slice of
 * it (on huge-page boundaries: no folio is shared by two threads).
 */
static int drv_pages(struct bench_run *r, struct drv_state *s, char *why, size_t len)
{
	struct pfnlab_pages_create pc;

	memset(&pc, 0, sizeof(pc));
	pc.size = sizeof(pc);
	pc.flags = PFNLAB_PAGES_WRITABLE;
	/* Root has CAP_IPC_LOCK: measure pinning, not the limit's bookkeeping. */
	pc.account_mode = geteuid() == 0 ? PFNLAB_ACCOUNT_NONE : PFNLAB_ACCOUNT_USER;
	pc.uptr = (uintptr_t)r->buf.addr;
	pc.length = r->buf.size;
	if (ioctl(s->fd, PFNLAB_PAGES_CREATE, &pc)) {
		snprintf(why, len, "PAGES_CREATE: %s", strerror(errno));
		return BUF_FAIL;
	}
	s->pages_id = pc.out_pages_id;
	s->t = calloc((size_t)s->n, sizeof(*s->t));
	if (!s->t) {
		snprintf(why, len, "out of memory");
		return BUF_FAIL;
	}
	if (!run_thread_slice(r, s->n)) {
		snprintf(why, len, "size %zu too small for %d threads", r->buf.size, s->n);
		return BUF_SKIP;
	}
	for (int i = 0; i < s->n; i++)
		s->t[i].length = run_thread_part(r, s->n, i, &s->t[i].offset);
	return BUF_OK;
}

/*
 * drv_layout() - for fill: the fewest runs the buffer's layout allows, the
 * runs of consecutive PFNs the round's placement counted from pagemap.
 */
static void drv_layout(struct bench_run *r, struct drv_state *s)
{
	s->min_runs = r->placement ? r->placement->pfn_runs : 0;
	json_object_set_new(r->extra, "layout_min_runs",
			    s->min_runs ? json_integer((json_int_t)s->min_runs) : json_null());
}

/*
 * drv_iotlb_map() - for iotlb: the whole buffer mapped once (its IOPTEs
 * recorded), and the sweep each sample runs over it.
 */
static int drv_iotlb_map(struct bench_run *r, struct drv_state *s, char *why, size_t len)
{
	const struct bench_case *bc = r->bc;
	struct pfnlab_map m;
	uint64_t window = bc->window_bytes ? bc->window_bytes : r->buf.size;

	memset(&m, 0, sizeof(m));
	m.size = sizeof(m);
	m.domain_id = s->domain_id;
	m.pages_id = s->pages_id;
	m.length = r->buf.size;
	m.opts = s->opts;
	if (ioctl(s->fd, PFNLAB_MAP, &m)) {
		snprintf(why, len, "MAP: %s", strerror(errno));
		return BUF_FAIL;
	}
	s->iotlb_mapped = 1;
	json_object_set_new(r->extra, "ioptes",
			    json_pack("{s:I, s:I, s:I}", "4k",
				      (json_int_t)m.out.ioptes[PFNLAB_PGSIZE_4K], "2m",
				      (json_int_t)m.out.ioptes[PFNLAB_PGSIZE_2M], "1g",
				      (json_int_t)m.out.ioptes[PFNLAB_PGSIZE_1G]));
	s->sweep.size = sizeof(s->sweep);
	s->sweep.flags = PFNLAB_SWEEP_FLUSH_FIRST;
	s->sweep.domain_id = s->domain_id;
	s->sweep.pattern = !strcmp(bc->pattern, "random")  ? PFNLAB_IOTLB_RANDOM :
			   !strcmp(bc->pattern, "strided") ? PFNLAB_IOTLB_STRIDED :
							     PFNLAB_IOTLB_SEQUENTIAL;
	s->sweep.iova = 0;
	s->sweep.window = window;
	s->sweep.stride = bc->stride_bytes;
	s->sweep.seed = bc->seed;
	s->sweep.passes = (uint64_t)bc->passes;
	return BUF_OK;
}

static int drv_setup(struct bench_run *r, char *why, size_t len)
{
	const struct bench_case *bc = r->bc;
	struct drv_state *s = calloc(1, sizeof(*s));
	int rc;

	if (!s) {
		snprintf(why, len, "out of memory");
		return BUF_FAIL;
	}
	r->priv = s;
	s->bc = bc;
	s->n = bc->threads;
	s->fd = open(PFNLAB_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (s->fd < 0) {
		snprintf(why, len, "%s: %s", PFNLAB_DEVICE_PATH, strerror(errno));
		return BUF_SKIP;
	}
	rc = drv_options(r, s, why, len);
	if (rc == BUF_OK)
		rc = drv_pages(r, s, why, len);
	if (rc == BUF_OK && (!strcmp(bc->op, "map") || !strcmp(bc->op, "iotlb")))
		rc = drv_domain(s, why, len);
	if (rc == BUF_OK && !strcmp(bc->op, "fill"))
		drv_layout(r, s);
	if (rc == BUF_OK && !strcmp(bc->op, "iotlb"))
		rc = drv_iotlb_map(r, s, why, len);
	return rc;
}

static void fail(struct drv_thread *t, const char *what)
{
	t->err = errno;
	t->what = what;
}

static void drv_thread_fn(void *arg, int thread)
{
	struct drv_state *s = arg;
	struct drv_thread *t = &s->t[thread];
	const char *op = s->bc->op;

	t->err = 0;
	memset(&t->op, 0, sizeof(t->op));
	memset(&t->undo, 0, sizeof(t->undo));
	if (!strcmp(op, "pin")) {
		struct pfnlab_access_pin p = { .size = sizeof(p),
					       .pages_id = s->pages_id,
					       .offset = t->offset,
					       .length = t->length,
					       .opts = s->opts };
		struct pfnlab_access_unpin u = { .size = sizeof(u) };

		t->t0 = now_ns();
		if (ioctl(s->fd, PFNLAB_ACCESS_PIN, &p)) {
			fail(t, "ACCESS_PIN");
			return;
		}
		t->t1 = now_ns();
		t->access_id = p.out_access_id;
		t->op = p.out;
		u.access_id = p.out_access_id;
		t->t2 = now_ns();
		if (ioctl(s->fd, PFNLAB_ACCESS_UNPIN, &u)) {
			fail(t, "ACCESS_UNPIN");
			return;
		}
		t->t3 = now_ns();
		t->access_id = 0;
		t->undo = u.out;
	} else if (!strcmp(op, "map")) {
		struct pfnlab_map m = { .size = sizeof(m),
					.domain_id = s->domain_id,
					.pages_id = s->pages_id,
					.offset = t->offset,
					.length = t->length,
					.iova = t->offset,
					.opts = s->opts };
		struct pfnlab_unmap u = { .size = sizeof(u),
					  .domain_id = s->domain_id,
					  .iova = t->offset,
					  .length = t->length };

		t->t0 = now_ns();
		if (ioctl(s->fd, PFNLAB_MAP, &m)) {
			fail(t, "MAP");
			return;
		}
		t->t1 = now_ns();
		t->mapped = 1;
		t->op = m.out;
		t->t2 = now_ns();
		if (ioctl(s->fd, PFNLAB_UNMAP, &u)) {
			fail(t, "UNMAP");
			return;
		}
		t->t3 = now_ns();
		t->mapped = 0;
		t->undo = u.out;
	} else { /* read, fill */
		struct pfnlab_read rd = { .size = sizeof(rd),
					  .pages_id = s->pages_id,
					  .offset = t->offset,
					  .length = t->length,
					  .opts = s->opts };

		t->t0 = now_ns();
		if (ioctl(s->fd, PFNLAB_READ, &rd)) {
			fail(t, "READ");
			return;
		}
		t->t1 = now_ns();
		t->t2 = t->t3 = t->t1;
		t->op = rd.out;
	}
}

static int drv_sample_iotlb(struct bench_run *r, struct drv_state *s, int record, char *why,
			    size_t len)
{
	struct pfnlab_iotlb_sweep sw = s->sweep;
	double mib;

	if (ioctl(s->fd, PFNLAB_IOTLB_SWEEP, &sw)) {
		snprintf(why, len, "IOTLB_SWEEP: %s", strerror(errno));
		return -1;
	}
	if (!record)
		return 0;
	mib = (double)sw.window * (double)sw.passes / (1024.0 * 1024.0);
	run_metric(r, "iotlb_hit_rate",
		   sw.out_accesses ? (double)sw.out_hits / (double)sw.out_accesses : 0);
	run_metric(r, "iotlb_misses_per_mib", (double)sw.out_misses / mib);
	run_metric(r, "walk_reads_per_mib", (double)sw.out_walk_reads / mib);
	run_metric(r, "sweep_ns_per_access",
		   sw.out_accesses ? (double)sw.out_sweep_ns / (double)sw.out_accesses : 0);
	return 0;
}

static int drv_sample(struct bench_run *r, int record, char *why, size_t len)
{
	struct drv_state *s = r->priv;
	const char *op = r->bc->op;
	uint64_t lo = UINT64_MAX, hi = 0, ulo = UINT64_MAX, uhi = 0;
	double pages = (double)r->buf.size / 4096, ph[PFNLAB_PHASE_NR] = { 0 };
	double runs = 0, refills = 0, gup = 0, iopte[PFNLAB_PGSIZE_NR] = { 0 }, op_ns = 0;

	if (!strcmp(op, "iotlb"))
		return drv_sample_iotlb(r, s, record, why, len);
	team_run(r->team, drv_thread_fn, s);
	for (int i = 0; i < s->n; i++) {
		struct drv_thread *t = &s->t[i];

		if (t->err) {
			snprintf(why, len, "thread %d: %s: %s", i, t->what, strerror(t->err));
			return -1;
		}
		lo = t->t0 < lo ? t->t0 : lo;
		hi = t->t1 > hi ? t->t1 : hi;
		ulo = t->t2 < ulo ? t->t2 : ulo;
		uhi = t->t3 > uhi ? t->t3 : uhi;
		op_ns += (double)(t->t1 - t->t0);
		for (int p = 0; p < PFNLAB_PHASE_NR; p++)
			ph[p] += (double)(t->op.phase_ns[p] + t->undo.phase_ns[p]);
		runs += (double)t->op.runs;
		refills += (double)t->op.batch_refills;
		gup += (double)t->op.gup_calls;
		for (int k = 0; k < PFNLAB_PGSIZE_NR; k++)
			iopte[k] += (double)t->op.ioptes[k];
	}
	if (!record)
		return 0;
	if (!strcmp(op, "pin")) {
		run_metric(r, "pin_ns_per_page", (double)(hi - lo) / pages);
		run_metric(r, "unpin_ns_per_page", (double)(uhi - ulo) / pages);
		run_metric(r, "pin_gib_per_s",
			   (double)r->buf.size / (double)(1ULL << 30) / ((double)(hi - lo) / 1e9));
		run_metric(r, "pin_pages_per_s", pages / ((double)(hi - lo) / 1e9));
		run_metric(r, "pin_ns", (double)(hi - lo));
		run_metric(r, "gup_calls", gup);
		/* where ACCESS_PIN's time goes, for the model-vs-iommufd gap */
		run_metric(r, "pin_gup_ns_per_page", ph[PFNLAB_PHASE_PIN] / pages);
		run_metric(r, "pin_fill_ns_per_page", ph[PFNLAB_PHASE_FILL] / pages);
		run_metric(r, "pin_store_ns_per_page", ph[PFNLAB_PHASE_STORE] / pages);
		double rest_ns = op_ns - ph[PFNLAB_PHASE_PIN] - ph[PFNLAB_PHASE_FILL] -
				 ph[PFNLAB_PHASE_STORE];
		run_metric(r, "pin_rest_ns_per_page", rest_ns / pages);
	} else if (!strcmp(op, "map")) {
		run_metric(r, "map_ns_per_page", (double)(hi - lo) / pages);
		run_metric(r, "unmap_ns_per_page", (double)(uhi - ulo) / pages);
		run_metric(r, "pin_ns", ph[PFNLAB_PHASE_PIN]);
		run_metric(r, "fill_ns", ph[PFNLAB_PHASE_FILL]);
		run_metric(r, "map_ns", ph[PFNLAB_PHASE_MAP]);
		run_metric(r, "unmap_ns", ph[PFNLAB_PHASE_UNMAP]);
		run_metric(r, "invalidate_ns", ph[PFNLAB_PHASE_INVALIDATE]);
		run_metric(r, "unpin_ns", ph[PFNLAB_PHASE_UNPIN]);
		run_metric(r, "gup_calls", gup);
		run_metric(r, "runs", runs);
		run_metric(r, "batch_refills", refills);
		run_metric(r, "iopte_4k", iopte[PFNLAB_PGSIZE_4K]);
		run_metric(r, "iopte_2m", iopte[PFNLAB_PGSIZE_2M]);
		run_metric(r, "iopte_1g", iopte[PFNLAB_PGSIZE_1G]);
	} else if (!strcmp(op, "read")) {
		run_metric(r, "read_ns_per_page", (double)(hi - lo) / pages);
		run_metric(r, "pin_ns", ph[PFNLAB_PHASE_PIN]);
		run_metric(r, "fill_ns", ph[PFNLAB_PHASE_FILL]);
		run_metric(r, "unpin_ns", ph[PFNLAB_PHASE_UNPIN]);
	} else { /* fill */
		run_metric(r, "fill_ns_per_page", ph[PFNLAB_PHASE_FILL] / pages);
		run_metric(r, "pfns_per_run", runs ? pages / runs : 0);
		run_metric(r, "runs_per_batch", refills ? runs / refills : 0);
		run_metric(r, "refills_per_gib",
			   refills / ((double)r->buf.size / (double)(1ULL << 30)));
		if (s->min_runs)
			run_metric(r, "density_ratio", runs / (double)s->min_runs);
	}
	for (int i = 0; i < s->n && s->n > 1; i++) {
		struct drv_thread *t = &s->t[i];
		double tp = (double)t->length / 4096;
		const char *name = !strcmp(op, "pin") ? "pin_ns_per_page" :
				   !strcmp(op, "map") ? "map_ns_per_page" :
							"read_ns_per_page";

		run_thread_metric(r, i, name, (double)(t->t1 - t->t0) / tp);
	}
	return 0;
}

static void drv_teardown(struct bench_run *r)
{
	struct drv_state *s = r->priv;

	if (!s)
		return;
	for (int i = 0; s->t && i < s->n && s->fd >= 0; i++) {
		struct drv_thread *t = &s->t[i];

		if (t->access_id) {
			struct pfnlab_access_unpin u = { .size = sizeof(u),
							 .access_id = t->access_id };

			ioctl(s->fd, PFNLAB_ACCESS_UNPIN, &u);
		}
		if (t->mapped) {
			struct pfnlab_unmap u = { .size = sizeof(u),
						  .domain_id = s->domain_id,
						  .iova = t->offset,
						  .length = t->length };

			ioctl(s->fd, PFNLAB_UNMAP, &u);
		}
	}
	if (s->iotlb_mapped) {
		struct pfnlab_unmap u = { .size = sizeof(u),
					  .domain_id = s->domain_id,
					  .iova = 0,
					  .length = r->buf.size };

		ioctl(s->fd, PFNLAB_UNMAP, &u);
	}
	/* Closing the fd destroys whatever is left, in dependency order. */
	if (s->fd >= 0)
		close(s->fd);
	free(s->t);
	free(s);
	r->priv = NULL;
}

const struct backend backend_driver = {
	.name = "driver",
	.ops = "pin|map|read|fill|iotlb",
	.help = "ioctls on /dev/pfnlab (pfnlab.ko), every phase timed by the module",
	.probe = drv_probe,
	.setup = drv_setup,
	.sample = drv_sample,
	.teardown = drv_teardown,
};
