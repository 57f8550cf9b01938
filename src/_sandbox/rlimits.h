/* rlimits.h: rlimits and privileges (rlimits.c, child side). */
#ifndef SBX_RLIMITS_H
#define SBX_RLIMITS_H

#include "sandbox.h"

/* cfg->rlimits, in order.  0, or -1 with errno set. */
int sbx_apply_rlimits_child(const struct sbx_config *cfg);
/* Drop every capability (bounding, ambient, effective, permitted,
 * inheritable), after switching ids if asked.  0 or -1 with errno and
 * *stage set. */
int sbx_drop_privileges_child(const struct sbx_config *cfg, int *stage);

#endif /* SBX_RLIMITS_H */
