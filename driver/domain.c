// SPDX-License-Identifier: GPL-2.0
/*
 * pfnlab: domain objects.  DOMAIN_CREATE picks the kind (domain_mock.c,
 * domain_real.c), then gives every kind what maps need of it: an empty
 * interval tree of maps, a teardown piece size, an id.
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/ktime.h>
#include <linux/sched.h>
#include <linux/overflow.h>
#include <linux/log2.h>
#include <linux/sizes.h>
#include <linux/string.h>

#include "pfnlab_private.h"

/**
 * pfnlab_domain_create() - PFNLAB_DOMAIN_CREATE
 * @ctx: the fd
 * @a: the request
 *
 * Return: 0 or a negative errno from the UAPI's tables.
 */
int pfnlab_domain_create(struct pfnlab_ctx *ctx, struct pfnlab_domain_create *a)
{
	struct pfnlab_domain *dom;
	u64 piece;
	int ret;

	if (a->flags)
		return -EOPNOTSUPP;
	if (ctx->ndomains >= PFNLAB_MAX_DOMAINS)
		return -ENOSPC;
	switch (a->kind) {
	case PFNLAB_DOMAIN_MOCK: dom = pfnlab_mock_domain_create(a); break;
	case PFNLAB_DOMAIN_REAL:
		if (memchr_inv(&a->iotlb, 0, sizeof(a->iotlb)))
			return -EINVAL;
		dom = pfnlab_real_domain_create(ctx, a);
		break;
	default: return -EINVAL;
	}
	if (IS_ERR(dom))
		return PTR_ERR(dom);
	dom->kind = a->kind;
	dom->maps_itree = RB_ROOT_CACHED;
	/* Teardown pieces: the largest leaf, at most 1 GiB, at least a page. */
	piece = dom->pgsize_bitmap & (SZ_1G | (SZ_1G - 1));
	dom->teardown_piece = piece > PAGE_SIZE ? 1ULL << __fls(piece) :
						  PAGE_SIZE;
	dom->teardown_pfns = kvmalloc_array(dom->teardown_piece >> PAGE_SHIFT,
					    sizeof(u64), GFP_KERNEL_ACCOUNT);
	ret = dom->teardown_pfns ? 0 : -ENOMEM;
	if (!ret)
		ret = pfnlab_obj_insert(ctx, &dom->obj, PFNLAB_OBJ_DOMAIN);
	if (ret) {
		kvfree(dom->teardown_pfns);
		dom->ops->destroy(dom);
		return ret;
	}
	ctx->ndomains++;
	pfnlab_pt_update(ctx, dom, 0);
	a->out_domain_id = dom->obj.id;
	a->out_pgsize_bitmap = dom->pgsize_bitmap;
	a->out_aperture_start = dom->aperture_start;
	a->out_aperture_end = dom->aperture_end;
	ctx->op.new_id = dom->obj.id;
	return 0;
}

/**
 * pfnlab_domain_destroy() - free a domain without maps
 * @ctx: the fd
 * @dom: the domain
 */
void pfnlab_domain_destroy(struct pfnlab_ctx *ctx, struct pfnlab_domain *dom)
{
	WARN_ON_ONCE(dom->nmaps);
	ctx->pt_bytes -= dom->pt_bytes;
	ctx->ndomains--;
	pfnlab_obj_remove(ctx, &dom->obj);
	kvfree(dom->teardown_pfns);
	dom->ops->destroy(dom);
}
