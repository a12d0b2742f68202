/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's deferred frees, finished between samples: an unpin frees
 * the xarray nodes it emptied only after an RCU grace period, from
 * callbacks that otherwise run inside whatever the next sample times
 * (docs/plan.md, "Deferred frees").  pfnlab.ko's QUIESCE waits for them;
 * where the module is not loaded (the host) there is nothing to call and
 * samples run as before.  Results say which (environment.quiesce).
 */
#ifndef PFNLAB_QUIESCE_H
#define PFNLAB_QUIESCE_H

#include <jansson.h>

/*
 * Wait until every RCU callback queued so far has run, if the module can.
 * Never fails a sample: a module that cannot is recorded, not fatal.
 */
void quiesce_kernel(void);

/* {"method": "rcu_barrier" | "none", "why": ...} for the environment. */
json_t *quiesce_record(void);

/* Close the module's fd (end of run). */
void quiesce_close(void);

#endif
