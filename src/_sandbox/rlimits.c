/*
 * limits.c: resource limits and privileges, applied in the child right
 * before exec (after the mounts, before no_new_privs and seccomp).
 *
 * Child side: async-signal-safe (thin wrappers of raw syscalls).  The parent
 * chose every value (_limits.py: soft == hard everywhere but RLIMIT_CPU,
 * whose hard limit sits one second above the soft one so the program gets
 * SIGXCPU before SIGKILL).  Without CAP_SYS_RESOURCE in the initial user
 * namespace, a process can never raise a hard limit again.
 */
#include "rlimits.h"

#include <errno.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int sbx_apply_rlimits_child(const struct sbx_config *cfg)
{
    int i;

    for (i = 0; i < cfg->n_rlimits; i++) {
        if (setrlimit((__rlimit_resource_t)cfg->rlimits[i].resource, &cfg->rlimits[i].value) < 0)
            return -1;
    }
    return 0;
}

/* Empty the bounding set while we may (CAP_SETPCAP), so no exec can ever
 * regain a capability.  EPERM: we hold no CAP_SETPCAP, which happens only
 * where we hold no capabilities at all (direct execution as a normal user). */
static int drop_bounding_set_child(void)
{
    int cap;

    for (cap = 0; cap < 64; cap++) {
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
            if (errno == EINVAL)
                return 0; /* past the kernel's last capability */
            if (errno != EPERM)
                return -1;
        }
    }
    return 0;
}

int sbx_drop_privileges_child(const struct sbx_config *cfg, int *stage)
{
    struct __user_cap_header_struct header;
    struct __user_cap_data_struct data[2];

    *stage = SBX_STAGE_CAPS;
    if (drop_bounding_set_child() < 0)
        return -1;
    if (cfg->change_ids) {
        /* Raw syscalls: glibc's setgroups/setresgid/setresuid broadcast the
         * change to every thread it believes exists (setxid), under locks
         * that were copied from the threaded caller at clone() time and may
         * never be released here.  The raw call changes this thread only,
         * and this thread is the whole process. */
        *stage = SBX_STAGE_SET_IDS;
        if (cfg->clear_groups && syscall(SYS_setgroups, 0, NULL) < 0)
            return -1;
        if (syscall(SYS_setresgid, cfg->gid, cfg->gid, cfg->gid) < 0 ||
            syscall(SYS_setresuid, cfg->uid, cfg->uid, cfg->uid) < 0)
            return -1;
    }
    *stage = SBX_STAGE_CAPS;
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
        return -1;
    header.version = _LINUX_CAPABILITY_VERSION_3;
    header.pid = 0;
    data[0].effective = data[0].permitted = data[0].inheritable = 0;
    data[1].effective = data[1].permitted = data[1].inheritable = 0;
    return (int)syscall(SYS_capset, &header, data);
}
