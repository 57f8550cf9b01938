/*
 * mounts.c: the sandbox's minimal root file system (child side).
 *
 * The parent (_launch.py / _rootfs.py) computes every step from the running
 * interpreter: a small tmpfs as the new root, the directories and symlinks
 * that lead to the interpreter, its loader and libraries, bound read-only
 * at their host paths, /dev/null|zero|urandom, a /proc of our pid
 * namespace, size-limited tmpfs for /tmp and /work, then pivot_root and a
 * read-only remount of the root.  Here we only run those steps in order, so
 * this file stays a flat list of syscalls: async-signal-safe, no allocation.
 */
#include "mounts.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int pivot_child(const char *new_root)
{
    /* pivot_root(".", ".") stacks the old root on top of the new one; a
     * lazy unmount of "." then drops it, with no put_old directory left in
     * the new root for anyone to find. */
    if (chdir(new_root) < 0)
        return -1;
    if (syscall(SYS_pivot_root, ".", ".") < 0)
        return -1;
    if (umount2(".", MNT_DETACH) < 0)
        return -1;
    return chdir("/");
}

static int run_op_child(const struct sbx_mount_op *op)
{
    int fd;

    switch (op->kind) {
    case SBX_MOUNT_MKDIR:
        if (mkdir(op->dst, 0755) < 0 && errno != EEXIST)
            return -1;
        return 0;
    case SBX_MOUNT_TOUCH:
        fd = open(op->dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0)
            return errno == EEXIST ? 0 : -1;
        return close(fd);
    case SBX_MOUNT_SYMLINK:
        return symlink(op->src, op->dst);
    case SBX_MOUNT_BIND:
        if (mount(op->src, op->dst, NULL, MS_BIND | MS_REC, NULL) < 0)
            return -1;
        if (op->flags != 0 && mount(NULL, op->dst, NULL, MS_REMOUNT | MS_BIND | op->flags, NULL) < 0)
            return -1;
        return 0;
    case SBX_MOUNT_TMPFS:
        return mount("tmpfs", op->dst, "tmpfs", op->flags, op->data);
    case SBX_MOUNT_PROC:
        return mount("proc", op->dst, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
    case SBX_MOUNT_PIVOT:
        return pivot_child(op->dst);
    case SBX_MOUNT_REMOUNT:
        return mount(NULL, op->dst, NULL, MS_REMOUNT | MS_BIND | op->flags, NULL);
    default:
        errno = EINVAL;
        return -1;
    }
}

int sbx_mount_root_child(const struct sbx_config *cfg, int *failed)
{
    int i;

    for (i = 0; i < cfg->n_mounts; i++) {
        if (run_op_child(&cfg->mounts[i]) < 0) {
            *failed = i;
            return -1;
        }
    }
    return 0;
}
