/*
 * limits.c: resource limits, applied in the child right before exec.
 *
 * Child side: async-signal-safe (setrlimit is a thin wrapper of prlimit64).
 * The parent chose every value (see sandbox.py: soft == hard everywhere but
 * RLIMIT_CPU, whose hard limit sits one second above the soft one so the
 * program gets SIGXCPU before SIGKILL).  Hard limits are lowered here, and an
 * unprivileged process can never raise a hard limit again.
 */
#include "sandbox.h"

#include <errno.h>

int sbx_apply_rlimits_child(const struct sbx_config *cfg)
{
    int i;

    for (i = 0; i < cfg->n_rlimits; i++) {
        if (setrlimit((__rlimit_resource_t)cfg->rlimits[i].resource, &cfg->rlimits[i].value) < 0)
            return -1;
    }
    return 0;
}
