/*
 * seccomp.c: the syscall filter.
 *
 * Built in the parent from the table below (it allocates), installed in the
 * child as the very last step before exec, after PR_SET_NO_NEW_PRIVS, so the
 * filter never has to allow anything the setup needs.
 *
 * Shape: the architecture is checked first: a syscall of another ABI (int
 * 0x80 on x86_64, whose numbers mean other syscalls) fails with ENOSYS, as do
 * x32 numbers; then each denied syscall fails with EPERM,
 * clone3 with ENOSYS (libc then falls back to clone, whose flags we can
 * inspect), and four syscalls are checked by argument: clone with namespace
 * flags, ioctl TIOCSTI/TIOCLINUX, socket and socketpair of any family but
 * AF_UNIX (socket of any family where the host's paths and abstract names
 * are reachable: SBX_SECCOMP_DENY_SOCKET), and
 * personality other than a query or PER_LINUX.  No rule kills: a denied call
 * fails and the program can report it, so a result never ends in a bare
 * SIGSYS that names no syscall.  Everything else is allowed:
 * this is a deny list of the kernel's escape and attack surface, in the
 * spirit of Docker's and nsjail's defaults, not an allow list.
 */
#include "seccomp.h"

#include "missing_defs.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#if defined(__x86_64__)
#define SBX_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define SBX_AUDIT_ARCH AUDIT_ARCH_AARCH64
#else
#error "seccomp filter: only x86_64 and aarch64 are supported"
#endif

#ifndef TIOCLINUX
#define TIOCLINUX 0x541C
#endif

#define NS_FLAGS                                                                                               \
    (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP |  \
     CLONE_NEWTIME)

/* Fail with EPERM.  Some numbers exist on one architecture only. */
static const int denied[] = {
    __NR_ptrace, __NR_process_vm_readv, __NR_process_vm_writev, __NR_mount, __NR_umount2, __NR_pivot_root,
    __NR_chroot, __NR_unshare, __NR_setns, __NR_kexec_load, __NR_init_module, __NR_finit_module,
    __NR_delete_module, __NR_bpf, __NR_perf_event_open, __NR_userfaultfd, __NR_keyctl, __NR_add_key,
    __NR_request_key, __NR_io_uring_setup, __NR_io_uring_enter, __NR_io_uring_register, __NR_open_by_handle_at,
    __NR_name_to_handle_at, __NR_reboot, __NR_swapon, __NR_swapoff, __NR_syslog, __NR_acct, __NR_settimeofday,
    __NR_clock_settime, __NR_adjtimex, __NR_clock_adjtime, __NR_quotactl, __NR_vhangup, __NR_lookup_dcookie,
    __NR_fsopen, __NR_fsconfig, __NR_fsmount, __NR_fspick, __NR_move_mount, __NR_open_tree,
    __NR_mount_setattr, __NR_pidfd_getfd, __NR_process_madvise, __NR_kcmp, __NR_setdomainname,
    __NR_sethostname, __NR_nfsservctl,
    /* memory outside RLIMIT_AS, and per-user kernel quotas of the caller:
     * SysV shared memory, message queues and semaphores, POSIX message
     * queues, memfds (also a way to exec written bytes), inotify and
     * fanotify groups (fs.fanotify.max_user_groups is per user) */
    __NR_shmget, __NR_msgget, __NR_semget, __NR_mq_open, __NR_memfd_create, __NR_inotify_init1,
    __NR_fanotify_init,
    /* Linux AIO: fs.aio-max-nr is one count for the whole host, whose
     * every process gets EAGAIN from io_setup once a sandbox holds it */
    __NR_io_setup, __NR_io_destroy, __NR_io_submit, __NR_io_cancel, __NR_io_getevents,
#ifdef __NR_io_pgetevents
    __NR_io_pgetevents,
#endif
#ifdef __NR_inotify_init
    __NR_inotify_init,
#endif
#ifdef __NR_memfd_secret
    __NR_memfd_secret,
#endif
#ifdef __NR_kexec_file_load
    __NR_kexec_file_load,
#endif
#ifdef __NR_quotactl_fd
    __NR_quotactl_fd,
#endif
#ifdef __NR_iopl
    __NR_iopl,
#endif
#ifdef __NR_ioperm
    __NR_ioperm,
#endif
#ifdef __NR_uselib
    __NR_uselib,
#endif
#ifdef __NR_ustat
    __NR_ustat,
#endif
#ifdef __NR_sysfs
    __NR_sysfs,
#endif
#ifdef __NR__sysctl
    __NR__sysctl,
#endif
#ifdef __NR_create_module
    __NR_create_module,
#endif
#ifdef __NR_get_kernel_syms
    __NR_get_kernel_syms,
#endif
#ifdef __NR_query_module
    __NR_query_module,
#endif
#ifdef __NR_modify_ldt
    __NR_modify_ldt,
#endif
};

/* Newer than some headers; one number on every architecture. */
#ifndef __NR_fchmodat2
#define __NR_fchmodat2 452 /* Linux 6.6 */
#endif
#ifndef __NR_setxattrat
#define __NR_setxattrat 463 /* Linux 6.13 */
#endif
#ifndef __NR_removexattrat
#define __NR_removexattrat 466
#endif

/* Changes of a file's mode, owner, times and extended attributes
 * (SBX_SECCOMP_DENY_FILE_METADATA). */
static const int metadata[] = {
    __NR_fchmod, __NR_fchmodat, __NR_fchown, __NR_fchownat, __NR_utimensat, __NR_setxattr, __NR_lsetxattr,
    __NR_fsetxattr, __NR_removexattr, __NR_lremovexattr, __NR_fremovexattr, __NR_fchmodat2, __NR_setxattrat,
    __NR_removexattrat,
#ifdef __NR_chmod
    __NR_chmod, __NR_chown, __NR_lchown, __NR_utime, __NR_utimes, __NR_futimesat,
#endif
};

#define MAX_INSNS 320
#define RET(action) BPF_STMT(BPF_RET | BPF_K, (action))
#define ERRNO(e) (SECCOMP_RET_ERRNO | ((e) & SECCOMP_RET_DATA))
#define LOAD(field) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (field))
#define ARG_LO(i) ((unsigned)(offsetof(struct seccomp_data, args) + (size_t)8 * (size_t)(i)))

struct builder {
    struct sock_filter *insns;
    unsigned short n;
};

static void emit(struct builder *b, struct sock_filter insn)
{
    if (b->n < MAX_INSNS)
        b->insns[b->n++] = insn;
}

/* if (A == k) return action; (A is the syscall number) */
static void deny_nr(struct builder *b, unsigned int nr, unsigned int action)
{
    emit(b, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 1));
    emit(b, (struct sock_filter)RET(action));
}

/* if (nr == syscall) return arg0 == value ? ALLOW : EPERM; */
static void allow_only_arg0(struct builder *b, unsigned int nr, unsigned int value)
{
    emit(b, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 4));
    emit(b, (struct sock_filter)LOAD(ARG_LO(0)));
    emit(b, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, value, 0, 1));
    emit(b, (struct sock_filter)RET(SECCOMP_RET_ALLOW));
    emit(b, (struct sock_filter)RET(ERRNO(EPERM)));
}

/* if (nr == syscall) return arg0 == a0 && arg1 == a1 ? ALLOW : EPERM; */
static void allow_only_args01(struct builder *b, unsigned int nr, unsigned int a0, unsigned int a1)
{
    emit(b, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 6));
    emit(b, (struct sock_filter)LOAD(ARG_LO(0)));
    emit(b, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, a0, 0, 3));
    emit(b, (struct sock_filter)LOAD(ARG_LO(1)));
    emit(b, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, a1, 0, 1));
    emit(b, (struct sock_filter)RET(SECCOMP_RET_ALLOW));
    emit(b, (struct sock_filter)RET(ERRNO(EPERM)));
}

void *sbx_seccomp_build(int flags)
{
    struct sock_fprog *prog;
    struct builder b;
    size_t i;

    prog = malloc(sizeof *prog);
    b.insns = calloc(MAX_INSNS, sizeof *b.insns);
    b.n = 0;
    if (prog == NULL || b.insns == NULL) {
        free(prog);
        free(b.insns);
        errno = ENOMEM;
        return NULL;
    }

    emit(&b, (struct sock_filter)LOAD(offsetof(struct seccomp_data, arch)));
    emit(&b, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SBX_AUDIT_ARCH, 1, 0));
    emit(&b, (struct sock_filter)RET(ERRNO(ENOSYS)));
    emit(&b, (struct sock_filter)LOAD(offsetof(struct seccomp_data, nr)));
#if defined(__x86_64__)
    /* x32 ABI: same arch value, numbers with bit 30 set */
    emit(&b, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x40000000u, 0, 1));
    emit(&b, (struct sock_filter)RET(ERRNO(ENOSYS)));
#endif
    for (i = 0; i < sizeof denied / sizeof denied[0]; i++)
        deny_nr(&b, (unsigned int)denied[i], ERRNO(EPERM));
    deny_nr(&b, __NR_clone3, ERRNO(ENOSYS));

    /* clone: no new namespaces */
    emit(&b, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone, 0, 4));
    emit(&b, (struct sock_filter)LOAD(ARG_LO(0)));
    emit(&b, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, NS_FLAGS, 0, 1));
    emit(&b, (struct sock_filter)RET(ERRNO(EPERM)));
    emit(&b, (struct sock_filter)RET(SECCOMP_RET_ALLOW));

    /* ioctl: no faking terminal input */
    emit(&b, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_ioctl, 0, 5));
    emit(&b, (struct sock_filter)LOAD(ARG_LO(1)));
    emit(&b, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, TIOCSTI, 1, 0));
    emit(&b, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, TIOCLINUX, 0, 1));
    emit(&b, (struct sock_filter)RET(ERRNO(EPERM)));
    emit(&b, (struct sock_filter)RET(SECCOMP_RET_ALLOW));

    /* socket and socketpair: AF_UNIX only (no netlink, packet or inet).
     * Without a mount and a network namespace of its own, a socket() of
     * any family fails (EACCES): connect() to a path (the caller's D-Bus
     * session, an agent's or a container runtime's socket) or an abstract
     * name of the host would reach services outside the sandbox, and
     * seccomp cannot read the address.  socketpair() stays. */
    if (flags & SBX_SECCOMP_DENY_SOCKET)
        deny_nr(&b, __NR_socket, ERRNO(EACCES));
    else
        allow_only_arg0(&b, __NR_socket, AF_UNIX);
    allow_only_arg0(&b, __NR_socketpair, AF_UNIX);

    /* prlimit64 and ioprio_set on another process: a component that
     * shares a uid with its init or with host processes (no user
     * namespace: the landlock and direct-execution rungs) could lower
     * init's RLIMIT_NOFILE so it can no longer find and kill what the run
     * left behind, or set a host process's RLIMIT_CPU; setrlimit() and
     * getrlimit() of its own (pid 0, what the C library passes) stay. */
    allow_only_arg0(&b, __NR_prlimit64, 0);
    /* the same for scheduling: a nice value, a policy, an affinity or an
     * I/O priority of its own only (pid 0; PRIO_PROCESS and
     * IOPRIO_WHO_PROCESS of who 0: PRIO_USER 0 would be every process of
     * its uid) */
    allow_only_arg0(&b, __NR_sched_setaffinity, 0);
    allow_only_arg0(&b, __NR_sched_setscheduler, 0);
    allow_only_arg0(&b, __NR_sched_setparam, 0);
    allow_only_arg0(&b, __NR_sched_setattr, 0);
    allow_only_args01(&b, __NR_setpriority, 0 /* PRIO_PROCESS */, 0);
    allow_only_args01(&b, __NR_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, 0);

    /* File metadata where the host's files are in reach (the landlock
     * rung): Landlock has no right for mode, owner, times or extended
     * attributes, and a component with the caller's uid (or uid 0, owner
     * of root's files) could make a host file setuid or world-readable.
     * Every variant fails, by path or by fd. */
    if (flags & SBX_SECCOMP_DENY_FILE_METADATA) {
        for (i = 0; i < sizeof metadata / sizeof metadata[0]; i++)
            deny_nr(&b, (unsigned int)metadata[i], ERRNO(EPERM));
    }

    /* personality: query (0xffffffff) or PER_LINUX (0) only */
    emit(&b, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_personality, 0, 5));
    emit(&b, (struct sock_filter)LOAD(ARG_LO(0)));
    emit(&b, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0xffffffffu, 2, 0));
    emit(&b, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0));
    emit(&b, (struct sock_filter)RET(ERRNO(EPERM)));
    emit(&b, (struct sock_filter)RET(SECCOMP_RET_ALLOW));

    /* rt_sigaction(SIGCHLD, act): a child whose parent ignores SIGCHLD
     * (or sets SA_NOCLDWAIT) is reaped by nobody's wait, and its CPU time
     * reaches no live process's /proc counters.  Where no cgroup counts
     * the tree, changing SIGCHLD's action fails; a query (act NULL) works. */
    if (flags & SBX_SECCOMP_DENY_SIGCHLD_IGNORE) {
        emit(&b, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_rt_sigaction, 0, 7));
        emit(&b, (struct sock_filter)LOAD(ARG_LO(0)));
        emit(&b, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SIGCHLD, 0, 5));
        emit(&b, (struct sock_filter)LOAD(ARG_LO(1)));
        emit(&b, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 2)); /* act's low half */
        emit(&b, (struct sock_filter)LOAD(ARG_LO(1) + 4));
        emit(&b, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0)); /* and high half: NULL */
        emit(&b, (struct sock_filter)RET(ERRNO(EPERM)));
        emit(&b, (struct sock_filter)LOAD(offsetof(struct seccomp_data, nr)));
    }

    emit(&b, (struct sock_filter)RET(SECCOMP_RET_ALLOW));
    if (b.n >= MAX_INSNS) { /* the table outgrew the buffer: refuse to half-filter */
        free(b.insns);
        free(prog);
        errno = E2BIG;
        return NULL;
    }
    prog->len = b.n;
    prog->filter = b.insns;
    return prog;
}

void sbx_seccomp_free(void *p)
{
    struct sock_fprog *prog = p;

    if (prog != NULL) {
        free(prog->filter);
        free(prog);
    }
}

int sbx_seccomp_install_child(const void *prog)
{
    return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, prog, 0, 0);
}
