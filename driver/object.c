// SPDX-License-Identifier: GPL-2.0
/*
 * pfnlab: the per-fd context, its object table (ids to pages, domains and
 * accesses) and the per-operation state every ioctl reports into.  It
 * calls no other file of the module but the statistics: everything else
 * calls it.
 */
#include <linux/slab.h>
#include <linux/kref.h>

#include "pfnlab_private.h"

/**
 * pfnlab_ctx_new() - a context for a newly opened fd
 *
 * Return: the context (one reference, the fd's), or NULL without memory.
 */
struct pfnlab_ctx *pfnlab_ctx_new(void)
{
	struct pfnlab_ctx *ctx = kvzalloc(sizeof(*ctx), GFP_KERNEL_ACCOUNT);

	if (!ctx)
		return NULL;
	kref_init(&ctx->ref);
	mutex_init(&ctx->lock);
	xa_init_flags(&ctx->objects, XA_FLAGS_ALLOC1);
	pfnlab_op_begin(ctx, NULL);
	return ctx;
}

/**
 * pfnlab_obj_get() - look an id up in the fd's table
 * @ctx: the fd
 * @id: the id
 * @type: the type the caller needs
 *
 * Return: the object, or NULL if @id names nothing or an object of another
 * type (the caller answers -ENOENT either way).
 */
struct pfnlab_obj *pfnlab_obj_get(struct pfnlab_ctx *ctx, u32 id,
				  enum pfnlab_obj_type type)
{
	struct pfnlab_obj *obj;

	if (!id)
		return NULL;
	obj = xa_load(&ctx->objects, id);
	if (!obj || obj->type != type)
		return NULL;
	return obj;
}

/**
 * pfnlab_obj_insert() - give an object an id in the fd's table
 * @ctx: the fd
 * @obj: the object; @obj->id is set
 * @type: its type
 *
 * Ids count up from the last one given, so that an id is not used twice in
 * the life of the fd (until 2^32 - 1 of them wrap, skipping live ones): a
 * stale id names nothing rather than someone else's object.
 *
 * Return: 0, -ENOSPC at PFNLAB_MAX_OBJECTS, -ENOMEM.
 */
int pfnlab_obj_insert(struct pfnlab_ctx *ctx, struct pfnlab_obj *obj,
		      enum pfnlab_obj_type type)
{
	int ret;

	if (ctx->nobjects >= PFNLAB_MAX_OBJECTS)
		return -ENOSPC;
	obj->type = type;
	ret = xa_alloc_cyclic(&ctx->objects, &obj->id, obj, xa_limit_32b,
			      &ctx->next_id, GFP_KERNEL_ACCOUNT);
	if (ret < 0)
		return ret;
	ctx->nobjects++;
	pfnlab_stats_objects(1);
	return 0;
}

/**
 * pfnlab_obj_remove() - take an object's id out of the fd's table
 * @ctx: the fd
 * @obj: the object (not freed here)
 */
void pfnlab_obj_remove(struct pfnlab_ctx *ctx, struct pfnlab_obj *obj)
{
	xa_erase(&ctx->objects, obj->id);
	ctx->nobjects--;
	pfnlab_stats_objects(-1);
}

/**
 * pfnlab_phase_add() - account time to a phase of the current operation
 * @op: the operation
 * @phase: enum pfnlab_phase
 * @ns: nanoseconds
 */
void pfnlab_phase_add(struct pfnlab_op *op, enum pfnlab_phase phase, u64 ns)
{
	op->rep->phase_ns[phase] += ns;
	op->phases_run |= BIT(phase);
}

/**
 * pfnlab_op_begin() - reset the fd's per-operation state for a new operation
 * @ctx: the fd
 * @rep: the operation's report, or NULL for an operation without one (the
 *	scratch report is used)
 */
void pfnlab_op_begin(struct pfnlab_ctx *ctx, struct pfnlab_op_report *rep)
{
	struct pfnlab_op *op = &ctx->op;

	/* Everything but the unpin runs, only read below unpin_nruns. */
	memset(op, 0, offsetof(struct pfnlab_op, unpin_run_npfns));
	op->ctx = ctx;
	op->rep = rep ? rep : &op->scratch_rep;
	/* The report is output only: whatever userspace left there goes. */
	memset(op->rep, 0, sizeof(*op->rep));
}

static void pfnlab_ctx_free(struct kref *ref)
{
	struct pfnlab_ctx *ctx = container_of(ref, struct pfnlab_ctx, ref);

	xa_destroy(&ctx->objects);
	mutex_destroy(&ctx->lock);
	kvfree(ctx);
}

/**
 * pfnlab_ctx_put() - drop a reference to an fd's context
 * @ctx: the context (the fd holds one; a device removal in progress may
 *	hold another)
 */
void pfnlab_ctx_put(struct pfnlab_ctx *ctx)
{
	kref_put(&ctx->ref, pfnlab_ctx_free);
}
