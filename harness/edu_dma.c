// SPDX-License-Identifier: GPL-2.0
/*
 * edu's DMA engine (QEMU docs/specs/edu.rst): registers in BAR0, a 4 KiB
 * buffer inside the device at 0x40000; a transfer is its source, its
 * destination and its length written, then the command register's start
 * bit, which the device clears when the copy is done (after a 100 ms
 * timer of the guest's clock).
 */
#include "edu_dma.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/pci_regs.h>
#include <linux/vfio.h>

#define EDU_IDENT 0x00
#define EDU_DMA_SRC 0x80
#define EDU_DMA_DST 0x88
#define EDU_DMA_COUNT 0x90
#define EDU_DMA_CMD 0x98
#define EDU_CMD_START 0x1
#define EDU_CMD_TO_RAM 0x2 /* from the device's buffer to RAM */
#define EDU_BUFFER 0x40000ULL
#define EDU_PAGE 4096
/*
 * Bytes a transfer copies: one less than the device's buffer, since the
 * range check of QEMU 7.2's edu refuses a transfer that ends exactly at the
 * buffer's end, and refuses it by stopping the whole machine (hw_error).
 * One byte of a page proves its translation; 4095 prove it well.
 */
#define EDU_XFER (EDU_PAGE - 1)
/* A copy takes 100 ms of the guest's clock; TCG may stretch it. */
#define EDU_TIMEOUT_NS (10ULL * 1000000000ULL)

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint32_t reg32(const struct edu_dma *e, size_t off)
{
	return *(volatile const uint32_t *)(e->bar0 + off);
}

static void set64(struct edu_dma *e, size_t off, uint64_t v)
{
	*(volatile uint64_t *)(e->bar0 + off) = v;
}

int edu_dma_open(struct edu_dma *e, int device_fd, char *why, size_t len)
{
	struct vfio_region_info bar = { .argsz = sizeof(bar), .index = VFIO_PCI_BAR0_REGION_INDEX };
	struct vfio_region_info cfg = { .argsz = sizeof(cfg),
					.index = VFIO_PCI_CONFIG_REGION_INDEX };
	uint16_t cmd;
	void *m;

	memset(e, 0, sizeof(*e));
	e->device_fd = device_fd;
	if (ioctl(device_fd, VFIO_DEVICE_GET_REGION_INFO, &bar) ||
	    ioctl(device_fd, VFIO_DEVICE_GET_REGION_INFO, &cfg)) {
		snprintf(why, len, "VFIO_DEVICE_GET_REGION_INFO: %s", strerror(errno));
		return -1;
	}
	if (!(bar.flags & VFIO_REGION_INFO_FLAG_MMAP) || bar.size < EDU_BUFFER + EDU_PAGE) {
		snprintf(why, len, "the device's BAR0 cannot be mapped or is too small for edu");
		return -1;
	}
	m = mmap(NULL, bar.size, PROT_READ | PROT_WRITE, MAP_SHARED, device_fd, (off_t)bar.offset);
	if (m == MAP_FAILED) {
		snprintf(why, len, "mmap of BAR0: %s", strerror(errno));
		return -1;
	}
	e->bar0 = m;
	e->bar0_len = bar.size;
	/* edu's identification: 0xRRrr00ed (major, minor release) */
	if ((reg32(e, EDU_IDENT) & 0xffff) != 0x00ed) {
		snprintf(why, len, "not an edu device (ident %#x)", reg32(e, EDU_IDENT));
		edu_dma_close(e);
		return -1;
	}
	/* A device masters the bus only when its config space lets it. */
	if (pread(device_fd, &cmd, sizeof(cmd), (off_t)cfg.offset + PCI_COMMAND) != sizeof(cmd)) {
		snprintf(why, len, "reading the PCI command register: %s", strerror(errno));
		edu_dma_close(e);
		return -1;
	}
	cmd |= PCI_COMMAND_MASTER;
	if (pwrite(device_fd, &cmd, sizeof(cmd), (off_t)cfg.offset + PCI_COMMAND) != sizeof(cmd)) {
		snprintf(why, len, "enabling bus mastering: %s", strerror(errno));
		edu_dma_close(e);
		return -1;
	}
	return 0;
}

void edu_dma_close(struct edu_dma *e)
{
	if (e->bar0)
		munmap((void *)e->bar0, e->bar0_len);
	memset(e, 0, sizeof(*e));
}

/* One transfer of a page; 0, or -1 when the device does not finish it. */
static int edu_copy(struct edu_dma *e, uint64_t src, uint64_t dst, uint32_t flags)
{
	uint64_t deadline = mono_ns() + EDU_TIMEOUT_NS;

	set64(e, EDU_DMA_SRC, src);
	set64(e, EDU_DMA_DST, dst);
	set64(e, EDU_DMA_COUNT, EDU_XFER);
	set64(e, EDU_DMA_CMD, EDU_CMD_START | flags);
	while (reg32(e, EDU_DMA_CMD) & EDU_CMD_START) {
		if (mono_ns() > deadline)
			return -1;
		usleep(1000);
	}
	return 0;
}

int edu_dma_check(struct edu_dma *e, void *buf, size_t size, uint64_t iova, char *why, size_t len)
{
	size_t pairs[2] = { 0, size - 2 * EDU_PAGE };

	if (size < 2 * EDU_PAGE || iova + size > EDU_DMA_LIMIT) {
		snprintf(why, len, "edu cannot check %zu bytes at IOVA %#llx (below %#llx only)",
			 size, (unsigned long long)iova, (unsigned long long)EDU_DMA_LIMIT);
		return -1;
	}
	for (int p = 0; p < 2; p++) {
		uint8_t *from = (uint8_t *)buf + pairs[p], *to = from + EDU_PAGE;
		uint64_t at = iova + pairs[p];

		for (size_t i = 0; i < EDU_PAGE; i++) {
			from[i] = (uint8_t)(i * 7 + p * 13 + (at >> 12));
			to[i] = (uint8_t)~from[i];
		}
		if (edu_copy(e, at, EDU_BUFFER, 0) ||
		    edu_copy(e, EDU_BUFFER, at + EDU_PAGE, EDU_CMD_TO_RAM)) {
			snprintf(why, len, "edu's DMA did not finish in %llu s",
				 (unsigned long long)(EDU_TIMEOUT_NS / 1000000000ULL));
			return -1;
		}
		if (memcmp(from, to, EDU_XFER)) {
			snprintf(why, len,
				 "edu's DMA through the IOMMU did not copy IOVA %#llx to %#llx: "
				 "the domain does not map the buffer's pages",
				 (unsigned long long)at, (unsigned long long)(at + EDU_PAGE));
			return -1;
		}
	}
	return 0;
}

const char *edu_dma_verdict(struct edu_dma *e, int device_fd, size_t size, uint64_t iova)
{
	static char verdict[256];
	char why[200];

	if (size < 2 * EDU_PAGE || iova + size > EDU_DMA_LIMIT)
		return "none: the buffer is beyond edu's DMA reach (256 MiB of IOVA)";
	if (edu_dma_open(e, device_fd, why, sizeof(why))) {
		snprintf(verdict, sizeof(verdict), "none: %s", why);
		return verdict;
	}
	return "edu DMA through the IOMMU, once a round";
}
