/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim for <linux/limits.h>: the kernel's U*_MAX constants on top
 * of the UAPI header (PATH_MAX ...), which libc's <limits.h> includes.
 */
#ifndef PFNLAB_SHIM_LINUX_LIMITS_H
#define PFNLAB_SHIM_LINUX_LIMITS_H

#include_next <linux/limits.h>
#include <stdint.h>

#define U8_MAX UINT8_MAX
#define U16_MAX UINT16_MAX
#define U32_MAX UINT32_MAX
#define U64_MAX UINT64_MAX

#endif
