/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim for <linux/minmax.h>.  The kernel's versions also
 * type-check their arguments; the module build does that, so these stay
 * simple (each argument is evaluated once).
 */
#ifndef PFNLAB_SHIM_LINUX_MINMAX_H
#define PFNLAB_SHIM_LINUX_MINMAX_H

#define min(a, b)                       \
	({                              \
		__typeof__(a) _a = (a); \
		__typeof__(b) _b = (b); \
		_a < _b ? _a : _b;      \
	})
#define max(a, b)                       \
	({                              \
		__typeof__(a) _a = (a); \
		__typeof__(b) _b = (b); \
		_a > _b ? _a : _b;      \
	})
#define min_t(t, a, b)             \
	({                         \
		t _a = (a);        \
		t _b = (b);        \
		_a < _b ? _a : _b; \
	})
#define max_t(t, a, b)             \
	({                         \
		t _a = (a);        \
		t _b = (b);        \
		_a > _b ? _a : _b; \
	})

#endif
