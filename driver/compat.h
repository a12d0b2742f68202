/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pfnlab: differences between the kernel versions pfnlab.ko builds against
 * (Debian bookworm's 6.1 and 6.12).  Each helper keeps the same behaviour on
 * every version; nothing is dropped for an older kernel.
 */
#ifndef PFNLAB_COMPAT_H
#define PFNLAB_COMPAT_H

#include <linux/version.h>
#include <linux/mm.h>
#include <linux/iommu.h>
#include <linux/pci.h>
#include <linux/err.h>

/**
 * pfnlab_pin_remote() - pin_user_pages_remote() without the vmas argument
 * @mm: the address space, with its mmap lock held for reading
 * @start: first user address
 * @nr_pages: pages to pin
 * @gup_flags: FOLL_* flags
 * @pages: where the pinned pages go
 *
 * 6.5 removed the vmas argument, which pfnlab never needed.  The locked
 * argument is NULL: the caller keeps the mmap lock across the call, which
 * every version allows together with FOLL_LONGTERM.
 *
 * Return: pages pinned, or a negative errno.
 */
static inline long pfnlab_pin_remote(struct mm_struct *mm, unsigned long start,
				     unsigned long nr_pages,
				     unsigned int gup_flags, struct page **pages)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
	return pin_user_pages_remote(mm, start, nr_pages, gup_flags, pages,
				     NULL);
#else
	return pin_user_pages_remote(mm, start, nr_pages, gup_flags, pages,
				     NULL, NULL);
#endif
}

/**
 * pfnlab_iommu_map() - iommu_map() with the gfp argument 6.3 added
 * @domain: the domain
 * @iova: IO virtual address
 * @paddr: physical address
 * @size: bytes
 * @prot: IOMMU_READ / IOMMU_WRITE
 *
 * From 6.3 the IO page table the map needs is charged to the caller's
 * memory cgroup (GFP_KERNEL_ACCOUNT), as iommufd does; before, iommu_map()
 * always allocated with plain GFP_KERNEL.
 *
 * Return: 0 or a negative errno.
 */
static inline int pfnlab_iommu_map(struct iommu_domain *domain,
				   unsigned long iova, phys_addr_t paddr,
				   size_t size, int prot)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	return iommu_map(domain, iova, paddr, size, prot, GFP_KERNEL_ACCOUNT);
#else
	return iommu_map(domain, iova, paddr, size, prot);
#endif
}

/**
 * pfnlab_paging_domain_alloc() - allocate an unmanaged paging domain for @dev
 * @dev: the device the domain will be attached to
 *
 * 6.11 added iommu_paging_domain_alloc(), which picks the IOMMU instance of
 * the device; before it, iommu_domain_alloc() took the bus and returned NULL
 * on failure.
 *
 * Return: the domain or an ERR_PTR.
 */
static inline struct iommu_domain *pfnlab_paging_domain_alloc(struct device *dev)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
	return iommu_paging_domain_alloc(dev);
#else
	struct iommu_domain *domain = iommu_domain_alloc(dev->bus);

	return domain ? domain : ERR_PTR(-ENODEV);
#endif
}

#endif /* PFNLAB_COMPAT_H */
