/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim for <linux/types.h>: the kernel's own type names (u32 ...)
 * on top of the UAPI header of the same name, which libc headers and
 * driver/uapi/pfnlab.h (__u32 ...) rely on.
 *
 * The shim directory must come first in the include path; each shim header
 * that shadows a UAPI header pulls that one in with #include_next.
 */
#ifndef PFNLAB_SHIM_LINUX_TYPES_H
#define PFNLAB_SHIM_LINUX_TYPES_H

#include_next <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The same underlying types as the kernel's (u64 is unsigned long long). */
typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s8 s8;
typedef __s16 s16;
typedef __s32 s32;
typedef __s64 s64;

#include <linux/compiler.h>

#endif
