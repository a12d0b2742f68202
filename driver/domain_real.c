// SPDX-License-Identifier: GPL-2.0
/*
 * pfnlab: the real domain kind, an unmanaged iommu_domain attached to a
 * PCI device that is alone in its IOMMU group, unbound or bound to a driver
 * that manages DMA itself (vfio-pci).  pfnlab claims DMA ownership of the
 * group (which fails while a DMA-API driver is bound, or VFIO or iommufd
 * has it), attaches the domain, maps with iommu_map() (which syncs the
 * IOTLB for new mappings itself), unmaps with iommu_unmap_fast() followed by
 * an explicit IOTLB sync, and reads PFNs back with iommu_iova_to_phys().
 *
 * The group's reserved IOVA regions (the MSI window, firmware's direct
 * mappings) are kept from creation: a map over one is refused.  A bus
 * notifier watches for the device going away: before the IOMMU core takes
 * it out of its group, the domain is revoked (its maps unmapped and
 * unpinned, the group detached and released), so that the group never
 * empties while pfnlab still owns it.
 */
#include <linux/pci.h>
#include <linux/iommu.h>
#include <linux/slab.h>
#include <linux/device.h>
#include <linux/sizes.h>
#include <linux/bits.h>
#include <linux/bitops.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/notifier.h>

#include "pfnlab_private.h"
#include "compat.h"

/**
 * struct pfnlab_resv - one reserved IOVA range of a real domain's group
 * @start: first IOVA
 * @last: last IOVA
 */
struct pfnlab_resv {
	u64 start;
	u64 last;
};

/**
 * struct pfnlab_real_domain - a real domain
 * @dom: the common part
 * @iommu: the unmanaged iommu_domain (NULL once revoked)
 * @group: the device's IOMMU group (referenced, DMA ownership claimed;
 *	NULL once revoked)
 * @pdev: the device (referenced)
 * @gather: IOTLB flushes gathered by unmap, issued by sync_unmap
 * @ctx: the fd it belongs to
 * @node: on pfnlab_real_domains
 * @resv: the group's reserved IOVA ranges, @nresv of them
 * @nresv: entries of @resv
 */
struct pfnlab_real_domain {
	struct pfnlab_domain dom;
	struct iommu_domain *iommu;
	struct iommu_group *group;
	struct pci_dev *pdev;
	struct iommu_iotlb_gather gather;
	struct pfnlab_ctx *ctx;
	struct list_head node;
	struct pfnlab_resv *resv;
	u32 nresv;
};

/* Every live real domain, for the removal notifier; under the mutex. */
static LIST_HEAD(pfnlab_real_domains);
static DEFINE_MUTEX(pfnlab_real_lock);

static struct pfnlab_real_domain *to_real(struct pfnlab_domain *dom)
{
	return container_of(dom, struct pfnlab_real_domain, dom);
}

/**
 * pfnlab_count_leaves() - count the leaves iommu_map() uses for a range
 * @pgsize_bitmap: the domain's page sizes
 * @iova: first IOVA
 * @paddr: first physical address
 * @length: bytes
 * @ioptes: per enum pfnlab_pgsize; a size between two counted ones goes to
 *	the smaller
 *
 * The IOMMU core picks, at each step, the largest page size that the
 * alignment of @iova and @paddr and the remaining length allow; the driver
 * gives no count back, so pfnlab repeats that choice.
 */
static void pfnlab_count_leaves(u64 pgsize_bitmap, u64 iova, u64 paddr,
				u64 length, u64 *ioptes)
{
	u64 sizes, pgsize;

	while (length) {
		sizes = pgsize_bitmap & GENMASK_ULL(__fls(length), 0);
		if (iova | paddr)
			sizes &= GENMASK_ULL(__ffs(iova | paddr), 0);
		if (!sizes)
			return;
		pgsize = 1ULL << __fls(sizes);
		if (pgsize >= SZ_1G)
			ioptes[PFNLAB_PGSIZE_1G]++;
		else if (pgsize >= SZ_2M)
			ioptes[PFNLAB_PGSIZE_2M]++;
		else
			ioptes[PFNLAB_PGSIZE_4K]++;
		iova += pgsize;
		paddr += pgsize;
		length -= pgsize;
	}
}

static int pfnlab_real_map(struct pfnlab_domain *dom, u64 iova,
			   phys_addr_t paddr, u64 length, int prot, u64 *ioptes)
{
	int ret = pfnlab_iommu_map(to_real(dom)->iommu, iova, paddr, length,
				   prot);

	if (!ret)
		pfnlab_count_leaves(dom->pgsize_bitmap, iova, paddr, length,
				    ioptes);
	return ret;
}

/* iommu_map() already made the new mappings visible. */
static void pfnlab_real_sync_map(struct pfnlab_domain *dom, u64 iova, u64 length)
{
}

static int pfnlab_real_unmap(struct pfnlab_domain *dom, u64 iova, u64 length,
			     u64 *ioptes)
{
	struct pfnlab_real_domain *rd = to_real(dom);
	size_t done = 0, n;

	iommu_iotlb_gather_init(&rd->gather);
	while (done < length) {
		n = iommu_unmap_fast(rd->iommu, iova + done, length - done,
				     &rd->gather);
		if (!n)
			return -EIO;
		done += n;
	}
	return 0;
}

static void pfnlab_real_sync_unmap(struct pfnlab_domain *dom, u64 iova,
				   u64 length)
{
	struct pfnlab_real_domain *rd = to_real(dom);

	iommu_iotlb_sync(rd->iommu, &rd->gather);
}

static bool pfnlab_real_iova_to_phys(struct pfnlab_domain *dom, u64 iova,
				     phys_addr_t *phys)
{
	/* 0 is "not mapped": physical page 0 is never handed to GUP users. */
	*phys = iommu_iova_to_phys(to_real(dom)->iommu, iova);
	return *phys != 0;
}

/* Detach and free the IOMMU side; the domain object stays. */
static void pfnlab_real_release_iommu(struct pfnlab_real_domain *rd)
{
	if (!rd->iommu)
		return;
	iommu_detach_group(rd->iommu, rd->group);
	iommu_domain_free(rd->iommu);
	iommu_group_release_dma_owner(rd->group);
	iommu_group_put(rd->group);
	rd->iommu = NULL;
	rd->group = NULL;
}

static void pfnlab_real_destroy(struct pfnlab_domain *dom)
{
	struct pfnlab_real_domain *rd = to_real(dom);

	mutex_lock(&pfnlab_real_lock);
	list_del(&rd->node);
	mutex_unlock(&pfnlab_real_lock);
	pfnlab_real_release_iommu(rd);
	pci_dev_put(rd->pdev);
	kfree(rd->resv);
	kfree(rd);
}

/**
 * pfnlab_real_check_map() - may a range of IOVA be mapped in this domain
 * @dom: the domain
 * @iova: first IOVA
 * @last: last IOVA
 *
 * Return: 0, -ENODEV once the device is gone, -EADDRINUSE over a reserved
 * region of the group (the MSI window, a firmware direct mapping).
 */
static int pfnlab_real_check_map(struct pfnlab_domain *dom, u64 iova, u64 last)
{
	struct pfnlab_real_domain *rd = to_real(dom);
	u32 i;

	if (dom->removed)
		return -ENODEV;
	for (i = 0; i < rd->nresv; i++)
		if (iova <= rd->resv[i].last && rd->resv[i].start <= last)
			return -EADDRINUSE;
	return 0;
}

static const struct pfnlab_domain_ops pfnlab_real_ops = {
	.check_map = pfnlab_real_check_map,
	.map = pfnlab_real_map,
	.sync_map = pfnlab_real_sync_map,
	.unmap = pfnlab_real_unmap,
	.sync_unmap = pfnlab_real_sync_unmap,
	.iova_to_phys = pfnlab_real_iova_to_phys,
	.destroy = pfnlab_real_destroy,
};

static int pfnlab_count_dev(struct device *dev, void *data)
{
	(*(unsigned int *)data)++;
	return 0;
}

/**
 * pfnlab_real_resv_regions() - keep the reserved IOVA ranges of a group
 * @rd: the domain; its group is set
 *
 * Return: 0 or -ENOMEM.
 */
static int pfnlab_real_resv_regions(struct pfnlab_real_domain *rd)
{
	struct iommu_resv_region *region, *next;
	LIST_HEAD(regions);
	u32 n = 0;
	int ret;

	ret = iommu_get_group_resv_regions(rd->group, &regions);
	if (!ret) {
		list_for_each_entry(region, &regions, list)
			n++;
		rd->resv = kcalloc(n, sizeof(*rd->resv), GFP_KERNEL_ACCOUNT);
		if (n && !rd->resv)
			ret = -ENOMEM;
	}
	list_for_each_entry_safe(region, next, &regions, list) {
		if (!ret && region->length) {
			rd->resv[rd->nresv].start = region->start;
			rd->resv[rd->nresv].last = region->start +
						   region->length - 1;
			rd->nresv++;
		}
		kfree(region);
	}
	return ret;
}

/**
 * pfnlab_real_domain_create() - make a real domain on a PCI device no
 *	driver does DMA through
 * @ctx: the fd it will belong to
 * @a: the request (kind and iotlb already checked)
 *
 * Return: the domain or an ERR_PTR: -ENOENT (no such device), -EPERM (a
 * bridge: it carries other devices' traffic), -ENODEV (not behind an
 * IOMMU), -EBUSY (a DMA-API driver is bound, or another owner has the
 * group), -EXDEV (the group has other devices),
 * or what allocating or attaching the domain returned.
 */
struct pfnlab_domain *pfnlab_real_domain_create(struct pfnlab_ctx *ctx,
						struct pfnlab_domain_create *a)
{
	struct pfnlab_real_domain *rd;
	struct iommu_group *group;
	struct iommu_domain *iommu;
	struct pci_dev *pdev;
	unsigned int ndevs = 0;
	bool bound;
	int ret;

	if (a->pci_segment > 0xffff || a->pci_bdf > 0xffff)
		return ERR_PTR(-ENOENT);
	pdev = pci_get_domain_bus_and_slot(a->pci_segment, a->pci_bdf >> 8,
					   a->pci_bdf & 0xff);
	if (!pdev)
		return ERR_PTR(-ENOENT);
	if ((pdev->class >> 16) == PCI_BASE_CLASS_BRIDGE) {
		ret = -EPERM;
		goto err_pdev;
	}
	group = iommu_group_get(&pdev->dev);
	if (!group) {
		ret = -ENODEV;
		goto err_pdev;
	}
	/*
	 * A driver that uses the DMA API owns the device's DMA.  One that
	 * manages DMA itself (vfio-pci) does not until it claims the group,
	 * which the claim below then excludes: VFIO, iommufd and pfnlab can
	 * take turns on one device bound to vfio-pci, in one boot.
	 */
	device_lock(&pdev->dev);
	bound = pdev->dev.driver &&
		!to_pci_driver(pdev->dev.driver)->driver_managed_dma;
	device_unlock(&pdev->dev);
	if (bound) {
		ret = -EBUSY;
		goto err_group;
	}
	iommu_group_for_each_dev(group, &ndevs, pfnlab_count_dev);
	if (ndevs != 1) {
		ret = -EXDEV;
		goto err_group;
	}
	rd = kzalloc(sizeof(*rd), GFP_KERNEL_ACCOUNT);
	if (!rd) {
		ret = -ENOMEM;
		goto err_group;
	}
	/*
	 * Another owner (another real domain, VFIO, iommufd) or a driver that
	 * bound in the meantime makes the claim fail; the IOMMU core says
	 * -EPERM or -EBUSY depending on the version: pfnlab says -EBUSY.
	 */
	ret = iommu_group_dma_owner_claimed(group) ?
		      -EBUSY :
		      iommu_group_claim_dma_owner(group, rd);
	if (ret) {
		ret = -EBUSY;
		goto err_free;
	}
	iommu = pfnlab_paging_domain_alloc(&pdev->dev);
	if (IS_ERR(iommu)) {
		ret = PTR_ERR(iommu);
		goto err_owner;
	}
	ret = iommu_attach_group(iommu, group);
	if (ret)
		goto err_domain;

	rd->iommu = iommu;
	rd->group = group;
	rd->pdev = pdev;
	rd->ctx = ctx;
	ret = pfnlab_real_resv_regions(rd);
	if (ret)
		goto err_detach;
	rd->dom.ops = &pfnlab_real_ops;
	rd->dom.pgsize_bitmap = iommu->pgsize_bitmap;
	if (iommu->geometry.force_aperture) {
		rd->dom.aperture_start = iommu->geometry.aperture_start;
		rd->dom.aperture_end = iommu->geometry.aperture_end;
	} else {
		rd->dom.aperture_start = 0;
		rd->dom.aperture_end = U64_MAX;
	}
	mutex_lock(&pfnlab_real_lock);
	list_add(&rd->node, &pfnlab_real_domains);
	mutex_unlock(&pfnlab_real_lock);
	return &rd->dom;

err_detach:
	iommu_detach_group(iommu, group);
	kfree(rd->resv);
err_domain:
	iommu_domain_free(iommu);
err_owner:
	iommu_group_release_dma_owner(group);
err_free:
	kfree(rd);
err_group:
	iommu_group_put(group);
err_pdev:
	pci_dev_put(pdev);
	return ERR_PTR(ret);
}

/**
 * pfnlab_real_revoke() - the device of @rd is going away: unmap and unpin
 *	everything the domain maps, give the group back, keep the object
 * @rd: the domain; its fd's mutex is held
 */
static void pfnlab_real_revoke(struct pfnlab_real_domain *rd)
{
	struct interval_tree_node *node;
	struct pfnlab_op *op = &rd->ctx->op;

	pfnlab_op_begin(rd->ctx, NULL);
	while ((node = interval_tree_iter_first(&rd->dom.maps_itree, 0,
						ULONG_MAX)))
		pfnlab_area_destroy(op, container_of(node, struct pfnlab_area,
						     iova_node));
	pfnlab_real_release_iommu(rd);
	rd->dom.removed = true;
	dev_info(&rd->pdev->dev,
		 "pfnlab: device removed: real domain %u revoked\n",
		 rd->dom.obj.id);
}

/*
 * BUS_NOTIFY_DEL_DEVICE comes before the IOMMU core takes the device out of
 * its group (BUS_NOTIFY_REMOVED_DEVICE): revoke every real domain on it, so
 * that the group is released and back on its default domain by then.
 */
static int pfnlab_pci_notify(struct notifier_block *nb, unsigned long action,
			     void *data)
{
	struct device *dev = data;
	struct pfnlab_real_domain *rd, *found;
	struct pfnlab_ctx *ctx;

	if (action != BUS_NOTIFY_DEL_DEVICE)
		return NOTIFY_DONE;
	for (;;) {
		found = NULL;
		mutex_lock(&pfnlab_real_lock);
		list_for_each_entry(rd, &pfnlab_real_domains, node) {
			if (&rd->pdev->dev == dev && !rd->dom.removed) {
				found = rd;
				break;
			}
		}
		ctx = found ? found->ctx : NULL;
		if (ctx)
			kref_get(&ctx->ref);
		mutex_unlock(&pfnlab_real_lock);
		if (!ctx)
			return NOTIFY_OK;
		/* Like an ioctl: the fd's objects change only under its mutex. */
		mutex_lock(&ctx->lock);
		mutex_lock(&pfnlab_real_lock);
		list_for_each_entry(rd, &pfnlab_real_domains, node)
			if (rd == found)
				break;
		mutex_unlock(&pfnlab_real_lock);
		/* Still there (not destroyed while we waited): revoke it. */
		if (&rd->node != &pfnlab_real_domains && !ctx->closed)
			pfnlab_real_revoke(found);
		mutex_unlock(&ctx->lock);
		pfnlab_ctx_put(ctx);
	}
}

static struct notifier_block pfnlab_pci_nb = {
	.notifier_call = pfnlab_pci_notify,
};

/**
 * pfnlab_real_init() - start watching PCI devices go away
 *
 * Return: 0 or what registering the notifier returned.
 */
int pfnlab_real_init(void)
{
	return bus_register_notifier(&pci_bus_type, &pfnlab_pci_nb);
}

/** pfnlab_real_exit() - stop watching (no real domain is left by then) */
void pfnlab_real_exit(void)
{
	bus_unregister_notifier(&pci_bus_type, &pfnlab_pci_nb);
}

/**
 * pfnlab_iommu_usable() - whether any PCI device sits behind an IOMMU
 *
 * Return: true if a real domain can be made for some device.
 */
bool pfnlab_iommu_usable(void)
{
	struct pci_dev *pdev = NULL;

	for_each_pci_dev(pdev)
	{
		if (device_iommu_mapped(&pdev->dev)) {
			pci_dev_put(pdev);
			return true;
		}
	}
	return false;
}
