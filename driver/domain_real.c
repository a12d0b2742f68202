// SPDX-License-Identifier: GPL-2.0
/*
 * pfnlab: the real domain kind, an unmanaged iommu_domain attached to an
 * unbound PCI device that is alone in its IOMMU group.  pfnlab claims DMA
 * ownership of the group (which fails while a DMA-API driver is bound),
 * attaches the domain, maps with iommu_map() (which syncs the IOTLB for new
 * mappings itself), unmaps with iommu_unmap_fast() followed by an explicit
 * IOTLB sync, and reads PFNs back with iommu_iova_to_phys().
 */
#include <linux/pci.h>
#include <linux/iommu.h>
#include <linux/slab.h>
#include <linux/device.h>
#include <linux/sizes.h>
#include <linux/bits.h>
#include <linux/bitops.h>

#include "pfnlab_private.h"
#include "compat.h"

/**
 * struct pfnlab_real_domain - a real domain
 * @dom: the common part
 * @iommu: the unmanaged iommu_domain
 * @group: the device's IOMMU group (referenced, DMA ownership claimed)
 * @pdev: the device (referenced)
 * @gather: IOTLB flushes gathered by unmap, issued by sync_unmap
 */
struct pfnlab_real_domain {
	struct pfnlab_domain dom;
	struct iommu_domain *iommu;
	struct iommu_group *group;
	struct pci_dev *pdev;
	struct iommu_iotlb_gather gather;
};

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
static void pfnlab_real_sync_map(struct pfnlab_domain *dom, u64 iova,
				 u64 length)
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

static void pfnlab_real_destroy(struct pfnlab_domain *dom)
{
	struct pfnlab_real_domain *rd = to_real(dom);

	iommu_detach_group(rd->iommu, rd->group);
	iommu_domain_free(rd->iommu);
	iommu_group_release_dma_owner(rd->group);
	iommu_group_put(rd->group);
	pci_dev_put(rd->pdev);
	kfree(rd);
}

static const struct pfnlab_domain_ops pfnlab_real_ops = {
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
 * pfnlab_real_domain_create() - make a real domain on an unbound PCI device
 * @a: the request (kind and iotlb already checked)
 *
 * Return: the domain or an ERR_PTR: -ENOENT (no such device), -ENODEV (not
 * behind an IOMMU), -EBUSY (a driver is bound), -EXDEV (the group has other
 * devices), or what allocating or attaching the domain returned.
 */
struct pfnlab_domain *pfnlab_real_domain_create(struct pfnlab_domain_create *a)
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
	group = iommu_group_get(&pdev->dev);
	if (!group) {
		ret = -ENODEV;
		goto err_pdev;
	}
	device_lock(&pdev->dev);
	bound = pdev->dev.driver;
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
	rd = kzalloc(sizeof(*rd), GFP_KERNEL);
	if (!rd) {
		ret = -ENOMEM;
		goto err_group;
	}
	/*
	 * Another owner (another real domain, VFIO, iommufd) or a driver that
	 * bound in the meantime makes the claim fail; the IOMMU core says
	 * -EPERM or -EBUSY depending on the version: pfnlab says -EBUSY.
	 */
	ret = iommu_group_dma_owner_claimed(group) ? -EBUSY :
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
	rd->dom.ops = &pfnlab_real_ops;
	rd->dom.pgsize_bitmap = iommu->pgsize_bitmap;
	if (iommu->geometry.force_aperture) {
		rd->dom.aperture_start = iommu->geometry.aperture_start;
		rd->dom.aperture_end = iommu->geometry.aperture_end;
	} else {
		rd->dom.aperture_start = 0;
		rd->dom.aperture_end = U64_MAX;
	}
	return &rd->dom;

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
 * pfnlab_iommu_usable() - whether any PCI device sits behind an IOMMU
 *
 * Return: true if a real domain can be made for some device.
 */
bool pfnlab_iommu_usable(void)
{
	struct pci_dev *pdev = NULL;

	for_each_pci_dev(pdev) {
		if (device_iommu_mapped(&pdev->dev)) {
			pci_dev_put(pdev);
			return true;
		}
	}
	return false;
}
