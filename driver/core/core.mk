# SPDX-License-Identifier: GPL-2.0
#
# Make fragment: build the pfnlab shared core (driver/core/) in userspace.
# Include it, then compile $(PFNLAB_CORE_SRCS) with $(PFNLAB_CORE_CPPFLAGS)
# (C11 with GNU extensions: -std=c11 -D_GNU_SOURCE, gcc or clang).  The shim
# directory comes first so that <linux/...> resolves to the userspace shim,
# which pulls in the UAPI headers it shadows.  Code that calls the core
# includes "pfn_batch.h", "mock_pt.h" or "iotlb.h" with the same flags.

PFNLAB_CORE_DIR := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
PFNLAB_CORE_SHIM_DIR := $(PFNLAB_CORE_DIR)/shim
PFNLAB_CORE_SRCS := $(PFNLAB_CORE_DIR)/pfn_batch.c \
		    $(PFNLAB_CORE_DIR)/mock_pt.c \
		    $(PFNLAB_CORE_DIR)/iotlb.c
PFNLAB_CORE_HDRS := $(PFNLAB_CORE_DIR)/pfn_batch.h \
		    $(PFNLAB_CORE_DIR)/mock_pt.h \
		    $(PFNLAB_CORE_DIR)/iotlb.h \
		    $(wildcard $(PFNLAB_CORE_SHIM_DIR)/linux/*.h) \
		    $(wildcard $(PFNLAB_CORE_SHIM_DIR)/linux/*/*.h)
PFNLAB_CORE_CPPFLAGS := -I$(PFNLAB_CORE_SHIM_DIR) -I$(PFNLAB_CORE_DIR)
