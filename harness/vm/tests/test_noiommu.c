// SPDX-License-Identifier: GPL-2.0
/*
 * The lab VM without an IOMMU (pfnlab-vm --no-iommu: no intel-iommu device
 * in the machine, so no DMAR table and no IOMMU groups): the bad-input row
 * "DOMAIN_CREATE real: device not behind a usable IOMMU -> -ENODEV" on the
 * edu device, INFO saying that no real domain can be made, and the mock
 * domain still doing its job.  Only this boot runs this binary; the main
 * boot, where everything sits behind the IOMMU, skips that row.
 *
 * Truths: sysfs (/sys/class/iommu, the device's iommu_group link) for "no
 * IOMMU here", /proc/self/pagemap for the PFNs, /proc/vmstat's pin counters
 * (the teardown of every test) for "nothing left pinned".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lab.h"

#define BUF_BYTES LAB_HUGE_2M /* 512 pages of 4 KiB */
#define IOVA_BASE (1UL << 30)

/* The edu device; every test here needs it, so its absence fails. */
static void find_edu(struct lab_pci *edu)
{
	assert_int_equal(lab_find_pci(lab_pci_is_edu, NULL, edu), 0);
}

/*
 * The premise of the other tests, from sysfs rather than from the module:
 * no IOMMU unit registered, and edu in no IOMMU group.
 */
static void test_machine_has_no_iommu(void **state)
{
	struct lab_pci edu;
	char path[512];
	struct stat st;

	(void)state;
	/* /sys/class/iommu: one entry per IOMMU unit the kernel registered. */
	assert_int_equal(lab_dir_entries("/sys/class/iommu"), 0);
	find_edu(&edu);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", edu.name);
	assert_int_equal(lstat(path, &st), -1);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", edu.name);
	assert_int_equal(lab_pci_group_size(path), 0);
	/* No driver either: -ENODEV below is about the IOMMU, not -EBUSY. */
	assert_false(lab_pci_has_driver(path));
}

static void test_info_no_real_domain(void **state)
{
	struct pfnlab_info info = { .size = sizeof(info) };
	int fd = lab_open();

	(void)state;
	assert_int_equal(lab_ioctl(fd, PFNLAB_INFO, &info), 0);
	assert_int_equal(info.out_iommu_usable, 0);
	assert_int_equal(info.out_domain_kinds, 1U << PFNLAB_DOMAIN_MOCK);
	close(fd);
}

/*
 * DOC "Bad input, per ioctl": DOMAIN_CREATE real, device not behind a
 * usable IOMMU -> -ENODEV.  The fd stays usable: a mock domain right after
 * gets made and destroyed.
 */
static void test_domain_create_real_no_iommu_enodev(void **state)
{
	struct lab_pci edu;
	struct pfnlab_domain_create dc = { .size = sizeof(dc), .kind = PFNLAB_DOMAIN_REAL };
	uint32_t mock_id;
	int fd = lab_open();

	(void)state;
	find_edu(&edu);
	dc.pci_segment = edu.segment;
	dc.pci_bdf = edu.bdf;
	assert_int_equal(lab_ioctl(fd, PFNLAB_DOMAIN_CREATE, &dc), -ENODEV);
	/* Twice: a failed attempt must not have claimed the device. */
	assert_int_equal(lab_ioctl(fd, PFNLAB_DOMAIN_CREATE, &dc), -ENODEV);
	mock_id = lab_mock_domain(fd, 0);
	assert_int_equal(lab_destroy(fd, mock_id), 0);
	close(fd);
}

/*
 * The mock domain needs no IOMMU: MAP a 4 KiB-page buffer, READ it back
 * through the domain tier with pagemap's PFNs, UNMAP, and nothing stays
 * pinned.
 */
static void test_mock_domain_map_read_unmap(void **state)
{
	struct lab_buf buf;
	struct pfnlab_map map;
	struct pfnlab_unmap unmap;
	struct pfnlab_read rd;
	uint64_t *truth, *pfns;
	uint8_t *tiers;
	uint32_t pages_id, domain_id;
	size_t npages;
	int fd = lab_open(), anchor;

	(void)state;
	lab_buf_alloc(&buf, LAB_4K, BUF_BYTES);
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
	domain_id = lab_mock_domain(fd, 0);
	assert_int_equal(lab_map(fd, domain_id, pages_id, 0, buf.length, IOVA_BASE,
				 lab_default_opts(), &map),
			 0);
	assert_int_equal(lab_pages_info(fd, pages_id).out_npinned, npages);

	memset(tiers, 0xff, npages);
	assert_int_equal(lab_read(fd, pages_id, 0, buf.length, pfns, tiers, lab_default_opts(), &rd),
			 0);
	lab_expect_tier(pfns, tiers, truth, 0, npages, PFNLAB_TIER_DOMAIN);
	assert_int_equal(rd.out.pfns_by_tier[PFNLAB_TIER_DOMAIN], npages);

	assert_int_equal(lab_unmap(fd, domain_id, IOVA_BASE, buf.length, &unmap), 0);
	assert_int_equal(unmap.out_unmapped, buf.length);
	assert_int_equal(lab_pages_info(fd, pages_id).out_npinned, 0);
	assert_int_equal(lab_destroy(fd, domain_id), 0);
	assert_int_equal(lab_destroy(fd, pages_id), 0);
	close(fd);
	close(anchor);
	free(truth);
	free(pfns);
	free(tiers);
	lab_buf_free(&buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		LAB_TEST(test_machine_has_no_iommu),
		LAB_TEST(test_info_no_real_domain),
		LAB_TEST(test_domain_create_real_no_iommu_enodev),
		LAB_TEST(test_mock_domain_map_read_unmap),
	};

	return LAB_RUN("noiommu", tests);
}
