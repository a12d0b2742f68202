/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A device's DMA as the truth of a real-domain map: QEMU's `edu` device
 * (PCI 1234:11e8, the lab VM has one) copies a page from an IOVA into its
 * own 4 KiB buffer and from there to another IOVA, through the IOMMU.  If
 * the map is right, the second page of the user's buffer then holds the
 * first one's bytes.  The vfio and iommufd backends check their real
 * domains with it, through the device's VFIO fd.
 */
#ifndef PFNLAB_EDU_DMA_H
#define PFNLAB_EDU_DMA_H

#include <stddef.h>
#include <stdint.h>

/* edu reaches IOVAs below its DMA mask only (QEMU's default: 28 bits). */
#define EDU_DMA_LIMIT (1ULL << 28)

struct edu_dma {
	int device_fd;		/* a VFIO device fd (group's or cdev), not owned */
	volatile uint8_t *bar0; /* its registers, mmap()ed */
	size_t bar0_len;
};

/*
 * Map @device_fd's BAR0 and let the device master the bus.  0, or -1 with
 * @why (not an edu, no BAR0 to map, the config space refused).
 */
int edu_dma_open(struct edu_dma *e, int device_fd, char *why, size_t len);
void edu_dma_close(struct edu_dma *e);

/*
 * For a backend's notes: open @e on @device_fd when a buffer of @size at
 * @iova is in edu's reach, and say what the rounds' maps will be checked
 * by: "edu DMA" or why not (no edu, out of reach).  The text is static.
 */
const char *edu_dma_verdict(struct edu_dma *e, int device_fd, size_t size, uint64_t iova);

/*
 * The check: for the first and the last pair of 4 KiB pages of
 * [@buf, @buf + @size), mapped at @iova, fill the first with a pattern,
 * have the device copy it to the second through the IOMMU, and compare.
 * 0 when every byte arrived, -1 with @why otherwise (the map is wrong, or
 * the device timed out).  @size at least 8 KiB, @iova + @size below
 * EDU_DMA_LIMIT; the pages' old contents are lost.
 */
int edu_dma_check(struct edu_dma *e, void *buf, size_t size, uint64_t iova, char *why, size_t len);

#endif
