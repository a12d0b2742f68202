// SPDX-License-Identifier: GPL-2.0
/*
 * vfio backend: VFIO's type1 container, the DMA-mapping path most users
 * of device assignment (QEMU, DPDK) still take.  The device named by the
 * job key device (a PCI address) must be bound to vfio-pci; its IOMMU
 * group joins a container set to VFIO_TYPE1v2_IOMMU, so the mappings land
 * in the device's real IOMMU domain.  Each sample is one VFIO_IOMMU_MAP_DMA
 * of the whole buffer (type1 pins it with FOLL_LONGTERM, in its own
 * batches, and maps contiguous runs) and one VFIO_IOMMU_UNMAP_DMA (unmap,
 * unpin), each timed around its ioctl.  Single-threaded: one container,
 * one mapping of the whole buffer, as the model's MAP benchmark does.
 * Once a round, between the first map and its unmap, the device's own DMA
 * checks the mapping when the device is QEMU's edu (edu_dma.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "backend.h"
#include "edu_dma.h"

#define VFIO_CONTAINER_PATH "/dev/vfio/vfio"
/*
 * 16 MiB: below the x86 MSI window (0xfee00000) for any buffer that fits
 * under it, and low enough for edu's DMA to reach (EDU_DMA_LIMIT).
 */
#define VFIO_IOVA (1ULL << 24)

struct vfio_state {
	int container, group, device;
	int mapped;
	struct edu_dma edu; /* the device's DMA, when it is an edu */
	int checked;	    /* the DMA check done this round */
};

static int vfio_probe(char *why, size_t len)
{
	int fd = open(VFIO_CONTAINER_PATH, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		snprintf(why, len,
			 errno == ENOENT ?
				 "%s missing: CONFIG_VFIO_CONTAINER is not set, or the vfio module is not loaded" :
				 "%s: %s",
			 VFIO_CONTAINER_PATH, strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

/* Open the device's group and put it in a type1 container. */
static int vfio_attach(struct vfio_state *s, const char *device, char *why, size_t len)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	char group[32], path[64];
	int ret = pci_vfio_device(device, group, sizeof(group), why, len);

	if (ret != BUF_OK)
		return ret;
	s->container = open(VFIO_CONTAINER_PATH, O_RDWR | O_CLOEXEC);
	if (s->container < 0) {
		vfio_probe(why, len);
		return BUF_SKIP;
	}
	if (ioctl(s->container, VFIO_GET_API_VERSION) != VFIO_API_VERSION ||
	    ioctl(s->container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) <= 0) {
		snprintf(why, len, "the container has no type1v2 IOMMU (CONFIG_VFIO_IOMMU_TYPE1)");
		return BUF_SKIP;
	}
	snprintf(path, sizeof(path), "/dev/vfio/%s", group);
	s->group = open(path, O_RDWR | O_CLOEXEC);
	if (s->group < 0) {
		snprintf(why, len, "%s (the group of %s): %s", path, device, strerror(errno));
		return BUF_FAIL;
	}
	if (ioctl(s->group, VFIO_GROUP_GET_STATUS, &status) ||
	    !(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		snprintf(why, len, "group %s is not viable: bind every device in it to vfio-pci",
			 group);
		return BUF_SKIP;
	}
	if (ioctl(s->group, VFIO_GROUP_SET_CONTAINER, &s->container) ||
	    ioctl(s->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU)) {
		snprintf(why, len, "group %s into a type1 container: %s", group, strerror(errno));
		return BUF_FAIL;
	}
	s->device = ioctl(s->group, VFIO_GROUP_GET_DEVICE_FD, device);
	if (s->device < 0) {
		snprintf(why, len, "VFIO_GROUP_GET_DEVICE_FD (%s): %s", device, strerror(errno));
		return BUF_FAIL;
	}
	return BUF_OK;
}

static int vfio_setup(struct bench_run *r, char *why, size_t len)
{
	struct vfio_state *s = calloc(1, sizeof(*s));
	int ret;

	if (!s) {
		snprintf(why, len, "out of memory");
		return BUF_FAIL;
	}
	s->container = -1;
	s->group = -1;
	s->device = -1;
	r->priv = s;
	if (!r->bc->device[0]) {
		snprintf(why, len,
			 "vfio needs device = the PCI address of a device bound to vfio-pci");
		return BUF_SKIP;
	}
	if (r->bc->threads != 1) {
		snprintf(why, len, "vfio maps the whole buffer in one container: threads = 1 only");
		return BUF_SKIP;
	}
	ret = vfio_attach(s, r->bc->device, why, len);
	if (ret != BUF_OK)
		return ret;
	r->extra = json_pack("{s:s, s:s, s:s}", "iommu", "type1v2", "device", r->bc->device,
			     "dma_check",
			     edu_dma_verdict(&s->edu, s->device, r->buf.size, VFIO_IOVA));
	return BUF_OK;
}

static int vfio_sample(struct bench_run *r, int record, char *why, size_t len)
{
	struct vfio_state *s = r->priv;
	struct vfio_iommu_type1_dma_map map = { .argsz = sizeof(map) };
	struct vfio_iommu_type1_dma_unmap unmap = { .argsz = sizeof(unmap) };
	uint64_t map_ns, unmap_ns;

	map.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	map.vaddr = (uintptr_t)r->buf.addr;
	map.iova = VFIO_IOVA;
	map.size = r->buf.size;
	if (timed_ioctl(s->container, VFIO_IOMMU_MAP_DMA, &map, "VFIO_IOMMU_MAP_DMA", &map_ns, why,
			len))
		return -1;
	s->mapped = 1;
	if (s->edu.bar0 && !s->checked) {
		if (edu_dma_check(&s->edu, r->buf.addr, r->buf.size, VFIO_IOVA, why, len))
			return -1;
		s->checked = 1;
	}
	unmap.iova = VFIO_IOVA;
	unmap.size = r->buf.size;
	if (timed_ioctl(s->container, VFIO_IOMMU_UNMAP_DMA, &unmap, "VFIO_IOMMU_UNMAP_DMA",
			&unmap_ns, why, len))
		return -1;
	s->mapped = 0;
	if (record)
		run_map_metrics(r, map_ns, unmap_ns);
	return 0;
}

static void vfio_teardown(struct bench_run *r)
{
	struct vfio_state *s = r->priv;

	if (!s)
		return;
	if (s->mapped) {
		struct vfio_iommu_type1_dma_unmap unmap = { .argsz = sizeof(unmap),
							    .iova = VFIO_IOVA,
							    .size = r->buf.size };

		ioctl(s->container, VFIO_IOMMU_UNMAP_DMA, &unmap);
	}
	edu_dma_close(&s->edu);
	if (s->device >= 0)
		close(s->device);
	/* The group leaves the container when closed; the container then ends. */
	if (s->group >= 0)
		close(s->group);
	if (s->container >= 0)
		close(s->container);
	free(s);
	r->priv = NULL;
}

const struct backend backend_vfio = {
	.name = "vfio",
	.ops = "map",
	.help = "VFIO type1 container: VFIO_IOMMU_MAP_DMA/UNMAP_DMA into the real IOMMU domain of "
		"a device bound to vfio-pci (job key device)",
	.probe = vfio_probe,
	.setup = vfio_setup,
	.sample = vfio_sample,
	.teardown = vfio_teardown,
};
