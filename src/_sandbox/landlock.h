/*
 * landlock.h: a Landlock ruleset (Linux 5.13+), built from a plan Python
 * computes (_landlock.py) and applied by the sandbox's main process as one
 * of its last steps, after no_new_privs and before the seccomp filter.
 * The rung of the fallback ladder where namespaces are refused (Ubuntu
 * 24.04's AppArmor restriction, Docker's default seccomp profile) but
 * Landlock needs no privilege.  Kernel ABI: Documentation/userspace-api/
 * landlock.rst; the constants are defined here, so headers older than the
 * running kernel do not matter.
 */
#ifndef SBX_LANDLOCK_H
#define SBX_LANDLOCK_H

#include <stdint.h>

#define SBX_LANDLOCK_MAX_RULES 4096

struct sbx_landlock_rule {
    const char *path;   /* opened O_PATH in the child: the rule covers what lies beneath */
    uint64_t access;    /* LANDLOCK_ACCESS_FS_* allowed there */
};

struct sbx_landlock_plan {
    int on;                     /* 0: no ruleset */
    uint64_t handled_fs;        /* LANDLOCK_ACCESS_FS_* the ruleset restricts (denied unless a rule allows) */
    uint64_t handled_net;       /* LANDLOCK_ACCESS_NET_* (ABI 4), no rule: all denied */
    uint64_t scoped;            /* LANDLOCK_SCOPE_* (ABI 6) */
    const struct sbx_landlock_rule *rules;
    int n_rules;
};

/* The kernel's Landlock ABI version (>= 1), or -1 with errno (ENOSYS: no
 * Landlock in this kernel; EOPNOTSUPP: built in but not enabled). */
int sbx_landlock_abi(void);

/* Build and apply the plan to the calling thread (the child: async-signal-
 * safe, no allocation).  A rule's path is opened by the thread applying
 * it: "/proc/self/status" names that process's own.  0, or -1 with errno
 * set and *detail: the index of the rule that failed, -1 creating the
 * ruleset, -2 restricting. */
int sbx_landlock_apply_child(const struct sbx_landlock_plan *plan, int *detail);

#endif /* SBX_LANDLOCK_H */
