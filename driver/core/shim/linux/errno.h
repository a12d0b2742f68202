/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim for <linux/errno.h>: the UAPI header has the kernel's errno
 * values (libc's <errno.h> includes it too, so it must not be hidden).
 */
#ifndef PFNLAB_SHIM_LINUX_ERRNO_H
#define PFNLAB_SHIM_LINUX_ERRNO_H

#include_next <linux/errno.h>

#endif
