// SPDX-License-Identifier: GPL-2.0
/*
 * pfnlab: the misc device /dev/pfnlab and the ioctl dispatcher (the per-fd
 * object table is object.c).
 *
 * Each ioctl struct is copied in with the size rules of the UAPI (a smaller
 * struct down to version 1, a larger one only with a zero tail), the
 * operation runs under the fd's mutex, and the struct is copied back up to
 * the size userspace gave.
 */
#include <linux/module.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/ktime.h>
#include <linux/version.h>
#include <linux/kref.h>

#include "pfnlab_private.h"

/**
 * pfnlab_info() - PFNLAB_INFO
 * @ctx: the fd
 * @a: the request
 *
 * Return: 0 or -EOPNOTSUPP for flags or a reserved field.
 */
static int pfnlab_info(struct pfnlab_ctx *ctx, struct pfnlab_info *a)
{
	if (a->flags || a->__reserved)
		return -EOPNOTSUPP;
	a->out_abi_version = PFNLAB_ABI_VERSION;
	a->out_page_size = PAGE_SIZE;
	a->out_domain_kinds = BIT(PFNLAB_DOMAIN_MOCK);
	a->out_iommu_usable = pfnlab_iommu_usable();
	if (a->out_iommu_usable)
		a->out_domain_kinds |= BIT(PFNLAB_DOMAIN_REAL);
	a->out_max_pages_per_call = PFNLAB_MAX_PAGES_PER_CALL;
	a->out_max_batch_runs = PFNLAB_MAX_BATCH_RUNS;
	a->out_mock_pgsize_bitmap = MOCK_PT_PGSIZE_ALL;
	a->out_pin_delay_ns = READ_ONCE(pfnlab_pin_delay_ns);
	a->out_kernel_version = LINUX_VERSION_CODE;
	return 0;
}

/**
 * pfnlab_destroy_obj() - free any object, whatever still uses it
 * @ctx: the fd
 * @obj: the object; for pages and domains, the caller made sure no map or
 *	access is left
 */
static void pfnlab_destroy_obj(struct pfnlab_ctx *ctx, struct pfnlab_obj *obj)
{
	switch (obj->type) {
	case PFNLAB_OBJ_PAGES:
		pfnlab_pages_destroy(ctx, container_of(obj, struct pfnlab_pages,
						       obj));
		break;
	case PFNLAB_OBJ_DOMAIN:
		pfnlab_domain_destroy(ctx,
				      container_of(obj, struct pfnlab_domain,
						   obj));
		break;
	case PFNLAB_OBJ_ACCESS:
		pfnlab_access_destroy(ctx,
				      container_of(obj, struct pfnlab_access,
						   obj));
		break;
	}
}

/**
 * pfnlab_destroy() - PFNLAB_DESTROY
 * @ctx: the fd
 * @a: the request
 *
 * Return: 0, -ENOENT, -EBUSY while maps or accesses use the object,
 * -EINVAL for an access (ACCESS_UNPIN ends those).
 */
static int pfnlab_destroy(struct pfnlab_ctx *ctx, struct pfnlab_destroy *a)
{
	struct pfnlab_obj *obj = a->id ? xa_load(&ctx->objects, a->id) : NULL;

	if (!obj)
		return -ENOENT;
	switch (obj->type) {
	case PFNLAB_OBJ_PAGES: {
		struct pfnlab_pages *pages = container_of(obj,
							  struct pfnlab_pages,
							  obj);

		if (pages->nmaps || pages->naccesses)
			return -EBUSY;
		break;
	}
	case PFNLAB_OBJ_DOMAIN:
		if (container_of(obj, struct pfnlab_domain, obj)->nmaps)
			return -EBUSY;
		break;
	case PFNLAB_OBJ_ACCESS: return -EINVAL;
	}
	pfnlab_destroy_obj(ctx, obj);
	return 0;
}

/**
 * pfnlab_destroy_all() - free every object of the fd in dependency order
 * @ctx: the fd
 *
 * Maps first (each domain's), then accesses, domains and pages, so that
 * every pin is dropped and every charge returned.
 */
static void pfnlab_destroy_all(struct pfnlab_ctx *ctx)
{
	static const enum pfnlab_obj_type order[] = {
		PFNLAB_OBJ_ACCESS,
		PFNLAB_OBJ_DOMAIN,
		PFNLAB_OBJ_PAGES,
	};
	struct pfnlab_obj *obj;
	unsigned long id;
	unsigned int i;

	xa_for_each(&ctx->objects, id, obj) {
		struct pfnlab_domain *dom;
		struct interval_tree_node *node;

		if (obj->type != PFNLAB_OBJ_DOMAIN)
			continue;
		dom = container_of(obj, struct pfnlab_domain, obj);
		while ((node = interval_tree_iter_first(&dom->maps_itree, 0,
							ULONG_MAX)))
			pfnlab_area_destroy(&ctx->op,
					    container_of(node, struct pfnlab_area,
							 iova_node));
	}
	for (i = 0; i < ARRAY_SIZE(order); i++)
		xa_for_each(&ctx->objects, id, obj)
			if (obj->type == order[i])
				pfnlab_destroy_obj(ctx, obj);
}

/* Wrappers with one signature, so that the table needs no casts. */
#define PFNLAB_WRAP(_name, _fn, _member)            \
	static int _name(struct pfnlab_ctx *ctx)    \
	{                                           \
		return _fn(ctx, &ctx->buf._member); \
	}

PFNLAB_WRAP(do_info, pfnlab_info, info)
PFNLAB_WRAP(do_pages_create, pfnlab_pages_create, pages_create)
PFNLAB_WRAP(do_pages_info, pfnlab_pages_info, pages_info)
PFNLAB_WRAP(do_domain_create, pfnlab_domain_create, domain_create)
PFNLAB_WRAP(do_map, pfnlab_map, map)
PFNLAB_WRAP(do_unmap, pfnlab_unmap, unmap)
PFNLAB_WRAP(do_access_pin, pfnlab_access_pin, access_pin)
PFNLAB_WRAP(do_access_unpin, pfnlab_access_unpin, access_unpin)
PFNLAB_WRAP(do_read, pfnlab_read, read)
PFNLAB_WRAP(do_sweep, pfnlab_iotlb_sweep, sweep)
PFNLAB_WRAP(do_stats, pfnlab_stats_get, stats)
PFNLAB_WRAP(do_stats_reset, pfnlab_stats_reset, stats_reset)
PFNLAB_WRAP(do_destroy, pfnlab_destroy, destroy)
PFNLAB_WRAP(do_quiesce, pfnlab_quiesce, quiesce)

/**
 * struct pfnlab_ioctl_def - one entry of the ioctl table
 * @v1_size: size of version 1 of the struct (end of its last v1 field)
 * @size: size of the struct this module knows
 * @report: offset of its struct pfnlab_op_report, or 0 if it has none
 * @fn: the operation
 */
struct pfnlab_ioctl_def {
	size_t v1_size;
	size_t size;
	size_t report;
	int (*fn)(struct pfnlab_ctx *ctx);
};

#define PFNLAB_IOCTL(_cmd, _struct, _last, _fn, _report)       \
	[PFNLAB_CMD_##_cmd - PFNLAB_CMD_BASE] = {              \
		.v1_size = offsetofend(struct _struct, _last), \
		.size = sizeof(struct _struct),                \
		.report = _report,                             \
		.fn = _fn,                                     \
	}

static const struct pfnlab_ioctl_def pfnlab_ioctls[] = {
	PFNLAB_IOCTL(INFO, pfnlab_info, __reserved, do_info, 0),
	PFNLAB_IOCTL(PAGES_CREATE, pfnlab_pages_create, length, do_pages_create,
		     0),
	PFNLAB_IOCTL(PAGES_INFO, pfnlab_pages_info, __reserved, do_pages_info, 0),
	PFNLAB_IOCTL(DOMAIN_CREATE, pfnlab_domain_create, out_aperture_end,
		     do_domain_create, 0),
	PFNLAB_IOCTL(MAP, pfnlab_map, out, do_map,
		     offsetof(struct pfnlab_map, out)),
	PFNLAB_IOCTL(UNMAP, pfnlab_unmap, out, do_unmap,
		     offsetof(struct pfnlab_unmap, out)),
	PFNLAB_IOCTL(ACCESS_PIN, pfnlab_access_pin, out, do_access_pin,
		     offsetof(struct pfnlab_access_pin, out)),
	PFNLAB_IOCTL(ACCESS_UNPIN, pfnlab_access_unpin, out, do_access_unpin,
		     offsetof(struct pfnlab_access_unpin, out)),
	PFNLAB_IOCTL(READ, pfnlab_read, out, do_read,
		     offsetof(struct pfnlab_read, out)),
	PFNLAB_IOCTL(IOTLB_SWEEP, pfnlab_iotlb_sweep, out_sweep_ns, do_sweep, 0),
	PFNLAB_IOCTL(STATS, pfnlab_stats, phase, do_stats, 0),
	PFNLAB_IOCTL(STATS_RESET, pfnlab_stats_reset, flags, do_stats_reset, 0),
	PFNLAB_IOCTL(DESTROY, pfnlab_destroy, id, do_destroy, 0),
	PFNLAB_IOCTL(QUIESCE, pfnlab_quiesce, out_wait_ns, do_quiesce, 0),
};

/**
 * pfnlab_undo_create() - undo what an ioctl created when its result could
 *	not be copied back (UAPI DOC "Concurrency, limits and write-back")
 * @ctx: the fd
 *
 * The object it created (userspace would never learn its id), or the map
 * it made, goes again, with its pins.
 */
static void pfnlab_undo_create(struct pfnlab_ctx *ctx)
{
	struct pfnlab_obj *obj;

	if (ctx->op.new_area) {
		pfnlab_area_destroy(&ctx->op, ctx->op.new_area);
		ctx->op.new_area = NULL;
	}
	obj = ctx->op.new_id ? xa_load(&ctx->objects, ctx->op.new_id) : NULL;
	if (obj)
		pfnlab_destroy_obj(ctx, obj);
}

/**
 * pfnlab_lock() - take the fd for one ioctl
 * @ctx: the fd
 * @file: its file, for O_NONBLOCK
 *
 * The wait for another ioctl of the fd ends on any signal, so that nobody
 * waits in D state behind a long pin or a fault that userfaultfd holds.
 *
 * Return: 0, -EAGAIN (busy, O_NONBLOCK) or -EINTR (a signal).
 */
static int pfnlab_lock(struct pfnlab_ctx *ctx, struct file *file)
{
	if (file->f_flags & O_NONBLOCK)
		return mutex_trylock(&ctx->lock) ? 0 : -EAGAIN;
	return mutex_lock_interruptible(&ctx->lock) ? -EINTR : 0;
}

/**
 * pfnlab_ioctl() - copy in, run and copy back one ioctl
 * @file: the fd
 * @cmd: PFNLAB_*
 * @arg: user pointer to the ioctl's struct
 *
 * Size rules (UAPI DOC "Overview"): the struct's size field must reach the
 * end of version 1; a larger struct is accepted when its unknown tail is
 * zero; the result is written back up to the size userspace gave.  The
 * struct is written back once, unchanged, before the operation, so that
 * an unwritable one fails before anything happens (UAPI DOC "Concurrency,
 * limits and write-back").  The whole ioctl, copies included, runs under
 * the fd's mutex, and is counted in the statistics whatever its result.
 *
 * Return: 0 or a negative errno.
 */
static long pfnlab_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct pfnlab_ctx *ctx = file->private_data;
	void __user *uarg = (void __user *)arg;
	const struct pfnlab_ioctl_def *def;
	struct pfnlab_op *op = &ctx->op;
	unsigned int nr = _IOC_NR(cmd), idx;
	bool reached = false;
	u64 start_ns;
	u32 usize;
	int ret;

	if (_IOC_TYPE(cmd) != PFNLAB_TYPE || nr < PFNLAB_CMD_BASE ||
	    nr >= PFNLAB_CMD_BASE + ARRAY_SIZE(pfnlab_ioctls) ||
	    cmd != _IO(PFNLAB_TYPE, nr))
		return -ENOTTY;
	idx = nr - PFNLAB_CMD_BASE;
	def = &pfnlab_ioctls[idx];

	start_ns = ktime_get_ns();
	ret = pfnlab_lock(ctx, file);
	if (ret)
		return ret;
	if (get_user(usize, (u32 __user *)uarg)) {
		ret = -EFAULT;
		goto out;
	}
	if (usize < def->v1_size) {
		ret = -EINVAL;
		goto out;
	}
	/* Zero-fills a shorter struct; -E2BIG for a non-zero unknown tail. */
	ret = copy_struct_from_user(&ctx->buf, def->size, uarg, usize);
	if (ret)
		goto out;
	/* The write-back must work before anything irreversible happens. */
	if (copy_to_user(uarg, &ctx->buf, min_t(size_t, usize, def->size))) {
		ret = -EFAULT;
		goto out;
	}

	pfnlab_op_begin(ctx,
			def->report ? (void *)&ctx->buf + def->report : NULL);
	reached = true;
	ret = def->fn(ctx);
	op->rep->total_ns = ktime_get_ns() - start_ns;
	if (!ret &&
	    copy_to_user(uarg, &ctx->buf, min_t(size_t, usize, def->size))) {
		ret = -EFAULT;
		pfnlab_undo_create(ctx);
	}
out:
	pfnlab_stats_op_done(ctx, idx, ret, reached);
	mutex_unlock(&ctx->lock);
	return ret;
}

static int pfnlab_open(struct inode *inode, struct file *file)
{
	struct pfnlab_ctx *ctx = pfnlab_ctx_new();

	if (!ctx)
		return -ENOMEM;
	file->private_data = ctx;
	return 0;
}

/**
 * pfnlab_release() - last close of an fd: destroy everything it holds
 * @inode: the device inode
 * @file: the fd
 *
 * May run after the owning process lost its mm (exit, kill -9): nothing
 * here needs the address space, only the pinned pages and the saved mm
 * and user for returning charges.
 *
 * Return: 0.
 */
static int pfnlab_release(struct inode *inode, struct file *file)
{
	struct pfnlab_ctx *ctx = file->private_data;

	mutex_lock(&ctx->lock);
	pfnlab_op_begin(ctx, NULL);
	pfnlab_destroy_all(ctx);
	ctx->closed = true;
	mutex_unlock(&ctx->lock);
	pfnlab_ctx_put(ctx);
	return 0;
}

static const struct file_operations pfnlab_fops = {
	.owner = THIS_MODULE,
	.open = pfnlab_open,
	.release = pfnlab_release,
	.unlocked_ioctl = pfnlab_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice pfnlab_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "pfnlab",
	.fops = &pfnlab_fops,
	.mode = 0600,
};

static int __init pfnlab_init(void)
{
	int ret;

	BUILD_BUG_ON(PFNLAB_IOTLB_MAX_ENTRIES != IOTLB_MAX_ENTRIES);
	BUILD_BUG_ON(PFNLAB_IOTLB_MAX_SWEEP_ACCESSES != IOTLB_MAX_SWEEP_ACCESSES);
	BUILD_BUG_ON(PFNLAB_MAX_BATCH_RUNS != PFN_BATCH_MAX_RUNS);
	BUILD_BUG_ON((int)PFNLAB_PGSIZE_NR != (int)MOCK_PT_NR_SIZES);
	BUILD_BUG_ON(ARRAY_SIZE(pfnlab_ioctls) >
		     ARRAY_SIZE(((struct pfnlab_stats *)NULL)->out_ops));
	ret = pfnlab_real_init();
	if (ret)
		return ret;
	ret = misc_register(&pfnlab_misc);
	if (ret)
		pfnlab_real_exit();
	return ret;
}

static void __exit pfnlab_exit(void)
{
	misc_deregister(&pfnlab_misc);
	pfnlab_real_exit();
}

module_init(pfnlab_init);
module_exit(pfnlab_exit);

MODULE_DESCRIPTION(
	"pfnlab: instrumented model of iommufd's iopt_pages PFN storage");
MODULE_LICENSE("GPL");
