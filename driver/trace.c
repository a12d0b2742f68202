// SPDX-License-Identifier: GPL-2.0
/*
 * pfnlab: the one unit that instantiates the tracepoints of trace.h.
 */
#include <linux/types.h>

#define CREATE_TRACE_POINTS
#include "trace.h"
