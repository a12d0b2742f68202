// SPDX-License-Identifier: GPL-2.0
/*
 * The real domain, on QEMU's edu device behind the emulated Intel IOMMU.
 *
 * Truths: pagemap for iova -> phys (READ's domain tier is
 * iommu_iova_to_phys), and the device itself: edu's DMA engine copies a page
 * from RAM into its buffer and back out to another page, both addressed by
 * IOVA, so the bytes arrive only if the IOMMU mapping is what MAP claims.
 * After UNMAP the same DMA must not reach memory any more.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "lab.h"

/* edu's DMA engine only drives 28 address bits: keep IOVAs below 256 MiB. */
#define IOVA (16UL << 20)
#define BUF_BYTES (4UL << 20)

/* edu registers (QEMU docs/specs/edu.rst) and its 4 KiB on-device buffer. */
#define EDU_ID 0x00
#define EDU_DMA_SRC 0x80
#define EDU_DMA_DST 0x88
#define EDU_DMA_COUNT 0x90
#define EDU_DMA_CMD 0x98
#define EDU_CMD_RUN 0x1
#define EDU_CMD_TO_RAM 0x2
#define EDU_BUF_ADDR 0x40000
/* The buffer holds 4 KiB, but QEMU 7.2's range check aborts QEMU on a
 * transfer that ends exactly at its end: move half a page at a time. */
#define EDU_XFER_BYTES 2048
#define EDU_BAR_BYTES (1UL << 20)

struct edu {
	struct lab_pci pci;
	volatile uint8_t *bar;
};

static void edu_open(struct edu *edu)
{
	char path[320];
	uint16_t command;
	int fd;

	assert_int_equal(lab_find_pci(lab_pci_is_edu, NULL, &edu->pci), 0);
	/* No driver enables the device: turn on memory decode and bus mastering
	 * (PCI_COMMAND bits 1 and 2) through sysfs config space. */
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config", edu->pci.name);
	fd = open(path, O_RDWR | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &command, 2, 4), 2);
	command |= 0x6;
	assert_int_equal(pwrite(fd, &command, 2, 4), 2);
	close(fd);

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource0", edu->pci.name);
	fd = open(path, O_RDWR | O_SYNC | O_CLOEXEC);
	assert_true(fd >= 0);
	edu->bar = mmap(NULL, EDU_BAR_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	assert_true(edu->bar != MAP_FAILED);
	assert_int_equal(*(volatile uint32_t *)(edu->bar + EDU_ID) & 0xff, 0xed);
}

static void edu_close(struct edu *edu)
{
	munmap((void *)edu->bar, EDU_BAR_BYTES);
}

static void edu_write64(struct edu *edu, unsigned int reg, uint64_t val)
{
	*(volatile uint64_t *)(edu->bar + reg) = val;
}

static uint64_t edu_read64(struct edu *edu, unsigned int reg)
{
	return *(volatile uint64_t *)(edu->bar + reg);
}

/* One DMA transfer of EDU_XFER_BYTES; waits for the engine to finish. */
static void edu_dma_half(struct edu *edu, uint64_t iova, int to_ram)
{
	struct timespec start, now;

	edu_write64(edu, EDU_DMA_SRC, to_ram ? EDU_BUF_ADDR : iova);
	edu_write64(edu, EDU_DMA_DST, to_ram ? iova : EDU_BUF_ADDR);
	edu_write64(edu, EDU_DMA_COUNT, EDU_XFER_BYTES);
	edu_write64(edu, EDU_DMA_CMD, EDU_CMD_RUN | (to_ram ? EDU_CMD_TO_RAM : 0));
	/* The engine completes on a 100 ms device timer; the bound only keeps
	 * a dead device from hanging the run. */
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (edu_read64(edu, EDU_DMA_CMD) & EDU_CMD_RUN) {
		usleep(1000);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec > 30)
			fail_msg("edu DMA did not complete");
	}
}

/* Page @from (IOVA) -> edu -> page @to (IOVA), half a page at a time. */
static void edu_copy_page(struct edu *edu, uint64_t from, uint64_t to)
{
	uint64_t off;

	for (off = 0; off < LAB_PAGE_SIZE; off += EDU_XFER_BYTES) {
		edu_dma_half(edu, from + off, 0);
		edu_dma_half(edu, to + off, 1);
	}
}

static uint32_t real_domain(int fd, const struct lab_pci *pci, struct pfnlab_domain_create *out)
{
	struct pfnlab_domain_create dc = {
		.size = sizeof(dc),
		.kind = PFNLAB_DOMAIN_REAL,
		.pci_segment = pci->segment,
		.pci_bdf = pci->bdf,
	};
	int ret = lab_ioctl(fd, PFNLAB_DOMAIN_CREATE, &dc);

	if (ret)
		fail_msg("real domain on %s: %s", pci->name, strerror(-ret));
	if (out)
		*out = dc;
	return dc.out_domain_id;
}

static void test_info_reports_iommu(void **state)
{
	struct pfnlab_info info = { .size = sizeof(info) };
	int fd = lab_open();

	(void)state;
	assert_int_equal(lab_ioctl(fd, PFNLAB_INFO, &info), 0);
	assert_int_equal(info.out_iommu_usable, 1);
	assert_true(info.out_domain_kinds & (1U << PFNLAB_DOMAIN_REAL));
	assert_true(info.out_domain_kinds & (1U << PFNLAB_DOMAIN_MOCK));
	close(fd);
}

/* iova -> phys of the real domain equals pagemap, page by page. */
static void check_real_translation(enum lab_kind kind)
{
	struct pfnlab_domain_create dc;
	struct pfnlab_map map;
	struct pfnlab_read rd;
	struct lab_buf buf;
	struct lab_pci edu;
	uint64_t *truth, *pfns;
	uint8_t *tiers;
	size_t npages;
	uint32_t pages_id;
	int fd = lab_open(), anchor;

	assert_int_equal(lab_find_pci(lab_pci_is_edu, NULL, &edu), 0);
	lab_buf_alloc(&buf, kind, BUF_BYTES);
	npages = lab_buf_npages(&buf);
	truth = calloc(npages, sizeof(*truth));
	pfns = calloc(npages, sizeof(*pfns));
	tiers = calloc(npages, 1);
	assert_true(truth && pfns && tiers);
	/* Held, so that pagemap's PFNs stay the truth (lab.h). */
	anchor = lab_anchor(&buf);
	lab_pagemap(buf.ptr, npages, truth);

	pages_id = lab_pages_create(fd, buf.ptr, buf.length, PFNLAB_PAGES_WRITABLE,
				    PFNLAB_ACCOUNT_USER);
	real_domain(fd, &edu, &dc);
	assert_true(dc.out_aperture_start <= IOVA && IOVA + BUF_BYTES - 1 <= dc.out_aperture_end);
	assert_int_equal(lab_map(fd, dc.out_domain_id, pages_id, 0, buf.length, IOVA,
				 lab_default_opts(), &map),
			 0);
	assert_int_equal(map.out.npinned, npages);
	/* Every page is covered by exactly one IOPTE of some size. */
	assert_int_equal(map.out.ioptes[PFNLAB_PGSIZE_4K] + map.out.ioptes[PFNLAB_PGSIZE_2M] * 512,
			 npages);
	assert_int_equal(lab_read(fd, pages_id, 0, buf.length, pfns, tiers, lab_default_opts(), &rd),
			 0);
	lab_expect_tier(pfns, tiers, truth, 0, npages, PFNLAB_TIER_DOMAIN);
	assert_int_equal(lab_unmap(fd, dc.out_domain_id, IOVA, buf.length, NULL), 0);
	assert_int_equal(lab_destroy(fd, dc.out_domain_id), 0);
	assert_int_equal(lab_destroy(fd, pages_id), 0);
	close(fd);
	close(anchor);
	free(truth);
	free(pfns);
	free(tiers);
	lab_buf_free(&buf);
}

static void test_real_translation_4k(void **state)
{
	(void)state;
	check_real_translation(LAB_4K);
}

static void test_real_translation_thp(void **state)
{
	(void)state;
	check_real_translation(LAB_THP);
}

static void test_real_translation_hugetlb_2m(void **state)
{
	(void)state;
	check_real_translation(LAB_HUGETLB_2M);
}

/* A pattern no two pages share, so a DMA to the wrong page shows. */
static void fill_pattern(uint8_t *page, uint32_t seed)
{
	size_t i;

	for (i = 0; i < LAB_PAGE_SIZE; i++) {
		seed = seed * 1103515245u + 12345u;
		page[i] = (uint8_t)(seed >> 16);
	}
}

/*
 * edu reads page @from through the IOMMU into its buffer, then writes it
 * to page @to: @to must then hold @from's pattern.  After UNMAP, a DMA to
 * the old IOVA must leave memory untouched.
 */
static void check_dma_pattern(enum lab_kind kind)
{
	static const size_t pairs[][2] = { { 3, 9 }, { 0, 511 }, { 700, 17 }, { 1023, 512 } };
	struct lab_buf buf;
	struct edu edu;
	uint8_t *base;
	size_t p;
	uint32_t pages_id, domain_id;
	int fd = lab_open();

	edu_open(&edu);
	lab_buf_alloc(&buf, kind, BUF_BYTES);
	base = buf.ptr;
	for (p = 0; p < lab_buf_npages(&buf); p++)
		fill_pattern(base + p * LAB_PAGE_SIZE, (uint32_t)p + 1);

	pages_id = lab_pages_create(fd, buf.ptr, buf.length, PFNLAB_PAGES_WRITABLE,
				    PFNLAB_ACCOUNT_USER);
	domain_id = real_domain(fd, &edu.pci, NULL);
	assert_int_equal(lab_map(fd, domain_id, pages_id, 0, buf.length, IOVA, lab_default_opts(),
				 NULL),
			 0);
	for (p = 0; p < sizeof(pairs) / sizeof(pairs[0]); p++) {
		uint8_t *from = base + pairs[p][0] * LAB_PAGE_SIZE;
		uint8_t *to = base + pairs[p][1] * LAB_PAGE_SIZE;

		assert_memory_not_equal(from, to, LAB_PAGE_SIZE);
		edu_copy_page(&edu, IOVA + pairs[p][0] * LAB_PAGE_SIZE,
			      IOVA + pairs[p][1] * LAB_PAGE_SIZE);
		assert_memory_equal(from, to, LAB_PAGE_SIZE);
	}

	/* Unmapped: the device's write must not land. */
	assert_int_equal(lab_unmap(fd, domain_id, IOVA, buf.length, NULL), 0);
	fill_pattern(base + 5 * LAB_PAGE_SIZE, 0xdead);
	{
		uint8_t *before = malloc(LAB_PAGE_SIZE);

		assert_non_null(before);
		memcpy(before, base + 5 * LAB_PAGE_SIZE, LAB_PAGE_SIZE);
		edu_dma_half(&edu, IOVA + 5 * LAB_PAGE_SIZE, 1);
		assert_memory_equal(before, base + 5 * LAB_PAGE_SIZE, LAB_PAGE_SIZE);
		free(before);
	}
	assert_int_equal(lab_destroy(fd, domain_id), 0);
	assert_int_equal(lab_destroy(fd, pages_id), 0);
	close(fd);
	lab_buf_free(&buf);
	edu_close(&edu);
}

static void test_real_dma_pattern_4k(void **state)
{
	(void)state;
	check_dma_pattern(LAB_4K);
}

static void test_real_dma_pattern_hugetlb_2m(void **state)
{
	(void)state;
	check_dma_pattern(LAB_HUGETLB_2M);
}

/* Two real domains cannot own one device at a time. */
static void test_real_second_domain_busy(void **state)
{
	struct pfnlab_domain_create dc = { .size = sizeof(dc), .kind = PFNLAB_DOMAIN_REAL };
	struct lab_pci edu;
	uint32_t domain_id;
	int fd = lab_open(), ret;

	(void)state;
	assert_int_equal(lab_find_pci(lab_pci_is_edu, NULL, &edu), 0);
	domain_id = real_domain(fd, &edu, NULL);
	dc.pci_segment = edu.segment;
	dc.pci_bdf = edu.bdf;
	ret = lab_ioctl(fd, PFNLAB_DOMAIN_CREATE, &dc);
	assert_true(ret < 0);
	assert_int_equal(lab_destroy(fd, domain_id), 0);
	/* Once the first is gone the device is free again. */
	domain_id = real_domain(fd, &edu, NULL);
	assert_int_equal(lab_destroy(fd, domain_id), 0);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		LAB_TEST(test_info_reports_iommu),	LAB_TEST(test_real_translation_4k),
		LAB_TEST(test_real_translation_thp),	LAB_TEST(test_real_translation_hugetlb_2m),
		LAB_TEST(test_real_dma_pattern_4k),	LAB_TEST(test_real_dma_pattern_hugetlb_2m),
		LAB_TEST(test_real_second_domain_busy),
	};

	return LAB_RUN("real", tests);
}
