/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iommufd's selftest mock domain (drivers/iommu/iommufd/selftest.c), as
 * pfnlab's iommufd backend maps into it and `pfnlab plan` plans for it:
 * its aperture, where each buffer is mapped from the start, and the IOVA
 * one entry of its IO page table (an xarray) covers, MOCK_IO_PAGE_SIZE.
 */
#ifndef PFNLAB_IOMMUFD_MOCK_H
#define PFNLAB_IOMMUFD_MOCK_H

/* The mock domain's aperture: IOVAs from 16 MiB to 2 GiB. */
#define MOCK_APERTURE_START (1ULL << 24)
#define MOCK_APERTURE_LAST ((1ULL << 31) - 1)
/* Bytes a buffer there may take: 2032 MiB. */
#define MOCK_APERTURE_BYTES (MOCK_APERTURE_LAST + 1 - MOCK_APERTURE_START)
/* IOVA per xarray entry: half a 4 KiB page. */
#define MOCK_IO_PAGE_BYTES 2048ULL

#endif
