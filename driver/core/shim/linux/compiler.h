/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace shim for the compiler attributes the shared core uses. */
#ifndef PFNLAB_SHIM_LINUX_COMPILER_H
#define PFNLAB_SHIM_LINUX_COMPILER_H

#define __maybe_unused __attribute__((__unused__))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#endif
