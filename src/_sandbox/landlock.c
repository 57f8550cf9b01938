/*
 * landlock.c: create a Landlock ruleset, add its path rules, restrict the
 * calling thread (landlock.h).  Raw syscalls: the C library may have no
 * wrappers.  The ruleset's attribute is passed at the smallest size that
 * holds what the plan sets, so a kernel of an older ABI accepts it
 * (Python masks the plan by the running ABI first).
 */
#include "landlock.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#endif
#ifndef __NR_landlock_add_rule
#define __NR_landlock_add_rule 445
#endif
#ifndef __NR_landlock_restrict_self
#define __NR_landlock_restrict_self 446
#endif
#define SBX_LANDLOCK_CREATE_RULESET_VERSION (1U << 0)
#define SBX_LANDLOCK_RULE_PATH_BENEATH 1

/* struct landlock_ruleset_attr, as of ABI 6 */
struct sbx_ruleset_attr {
    uint64_t handled_access_fs;
    uint64_t handled_access_net;
    uint64_t scoped;
};

/* struct landlock_path_beneath_attr (packed in the kernel's header) */
struct __attribute__((packed)) sbx_path_beneath_attr {
    uint64_t allowed_access;
    int32_t parent_fd;
};

int sbx_landlock_abi(void)
{
    long abi = syscall(__NR_landlock_create_ruleset, NULL, 0, SBX_LANDLOCK_CREATE_RULESET_VERSION);

    return abi < 0 ? -1 : (int)abi;
}

/* One path rule: 0, or -1 with errno.  A path gone since the plan was
 * made (ENOENT) grants nothing and is skipped: what it named is denied. */
static int add_path_child(int ruleset, const char *path, uint64_t access)
{
    struct sbx_path_beneath_attr beneath;
    int fd, r, saved;

    fd = open(path, O_PATH | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? 0 : -1;
    beneath.allowed_access = access;
    beneath.parent_fd = fd;
    r = (int)syscall(__NR_landlock_add_rule, ruleset, SBX_LANDLOCK_RULE_PATH_BENEATH, &beneath, 0);
    saved = errno;
    (void)close(fd);
    errno = saved;
    return r < 0 ? -1 : 0;
}

int sbx_landlock_apply_child(const struct sbx_landlock_plan *plan, int *detail)
{
    struct sbx_ruleset_attr attr;
    size_t size;
    int ruleset, i, saved;

    memset(&attr, 0, sizeof attr);
    attr.handled_access_fs = plan->handled_fs;
    attr.handled_access_net = plan->handled_net;
    attr.scoped = plan->scoped;
    size = plan->scoped ? sizeof attr
                        : (plan->handled_net ? offsetof(struct sbx_ruleset_attr, scoped)
                                             : offsetof(struct sbx_ruleset_attr, handled_access_net));
    *detail = -1;
    ruleset = (int)syscall(__NR_landlock_create_ruleset, &attr, size, 0);
    if (ruleset < 0)
        return -1;
    for (i = 0; i < plan->n_rules; i++) {
        if (add_path_child(ruleset, plan->rules[i].path, plan->rules[i].access) < 0) {
            *detail = i;
            goto fail;
        }
    }
    if (syscall(__NR_landlock_restrict_self, ruleset, 0) < 0) {
        *detail = -2;
        goto fail;
    }
    (void)close(ruleset);
    return 0;
fail:
    saved = errno;
    (void)close(ruleset);
    errno = saved;
    return -1;
}
