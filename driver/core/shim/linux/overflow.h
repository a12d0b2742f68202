/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace shim for <linux/overflow.h>: the compiler builtins, as in the kernel. */
#ifndef PFNLAB_SHIM_LINUX_OVERFLOW_H
#define PFNLAB_SHIM_LINUX_OVERFLOW_H

#define check_add_overflow(a, b, d) __builtin_add_overflow(a, b, d)
#define check_mul_overflow(a, b, d) __builtin_mul_overflow(a, b, d)

#endif
