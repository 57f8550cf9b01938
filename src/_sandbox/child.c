/*
 * child.c: everything that runs in the cloned child, before exec.
 *
 * The child is a copy of one thread of a (possibly multi-threaded) Python
 * process, so like CPython's _posixsubprocess it only makes async-signal-safe
 * calls: raw syscalls and their thin libc wrappers.  No malloc, no stdio, no
 * locks, no Python API.  All strings and arrays were prepared by the parent.
 *
 * Shape of the sandbox:
 *
 *   parent --clone(CLONE_NEW*)--> init (pid 1 of the new pid namespace, or a
 *                                  child subreaper in direct execution)
 *                                    --fork--> main: rlimits, fds, execve()
 *
 * In warm mode (cfg->warm) the parent is the fork server, a single-threaded
 * interpreter, and main does not exec: after the same protections it
 * returns out of sbx_init_child() and sbx_start() into that interpreter,
 * which runs the component (module.c, _forkserver.py).  init still never
 * runs anything but this file.
 *
 * init waits for the parent's go (uid/gid maps written), sets the hostname
 * and mounts, forks the main process and then only reaps.  When the main
 * process ends, init reports its wait status on the status pipe, kills
 * everything that is left and reaps it, so nothing the component started
 * outlives the run.  Being pid 1, init cannot be signalled from inside the
 * namespace, and its death tears the namespace down (the parent's timeout).
 *
 * Failures travel to the parent as (stage, errno) on the error pipe.  Both
 * sbx_init_child and sbx_enter_child read as a list of steps, in nsjail's
 * containProc() way: STEP(stage, call) runs a call that returns < 0 with
 * errno set on failure, and jumps to the one error exit with its stage.
 */
#include "child.h"

#include "cgroup.h"
#include "landlock.h"
#include "rlimits.h"
#include "mounts.h"
#include "proctree.h"
#include "seccomp.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define SBX_EXIT_SETUP 127

#define STEP(stage_, call)                                                                                     \
    do {                                                                                                       \
        if ((call) < 0) {                                                                                      \
            stage = (stage_);                                                                                  \
            goto fail;                                                                                         \
        }                                                                                                      \
    } while (0)

void sbx_report_child(int fd, int stage, int err, int detail)
{
    struct sbx_error_msg msg;
    ssize_t n;

    msg.stage = stage;
    msg.err = err;
    msg.detail = detail;
    do {
        n = write(fd, &msg, sizeof msg);
    } while (n < 0 && errno == EINTR);
}

static void send_status_child(int fd, int kind, int value, int64_t cpu_us)
{
    struct sbx_status_msg msg;
    ssize_t n;

    msg.kind = kind;
    msg.value = value;
    msg.cpu_us = cpu_us;
    do {
        n = write(fd, &msg, sizeof msg);
    } while (n < 0 && errno == EINTR);
}

/* The parent blocked every signal around clone(); handlers installed by the
 * Python process (its C-level signal handler writes to Python's wakeup fd)
 * must not run here.  Reset them all to default, then unblock. */
static int reset_signals_child(void)
{
    struct sigaction sa;
    sigset_t empty;
    int sig;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    for (sig = 1; sig < NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP)
            continue;
        /* EINVAL for the signals glibc reserves for itself: nothing to do. */
        (void)sigaction(sig, &sa, NULL);
    }
    if (sigemptyset(&empty) < 0)
        return -1;
    return sigprocmask(SIG_SETMASK, &empty, NULL);
}

static int close_range_child(unsigned int first, unsigned int last)
{
    struct rlimit rl;
    unsigned int fd, end;

    if (first > last)
        return 0;
    if (syscall(SYS_close_range, first, last, 0) == 0)
        return 0;
    if (errno != ENOSYS && errno != EINVAL)
        return -1;
    /* Kernels before 5.9: close one by one up to the fd limit. */
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
        return -1;
    end = rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (1u << 20) ? (1u << 20) : (unsigned int)rl.rlim_cur;
    for (fd = first; fd <= last && fd < end; fd++)
        (void)close(fd);
    return 0;
}

/* init is a copy of the caller: it holds every fd the caller had open at
 * clone() time, other runs' pipe ends included (whose EOF would then wait
 * for us).  Keep only our own. */
static int close_foreign_fds_child(const struct sbx_child_fds *f)
{
    int keep[SBX_FD_CHILD_END] = {0};
    int n = 0, i, j;
    unsigned int next = 0;

    for (i = 0; i < SBX_FD_CHILD_END; i++) {
        int fd = f->fd[i];
        if (fd < 0)
            continue;
        for (j = n; j > 0 && keep[j - 1] > fd; j--) /* insertion sort */
            keep[j] = keep[j - 1];
        keep[j] = fd;
        n++;
    }
    for (i = 0; i < n; i++) {
        if ((unsigned int)keep[i] > next && close_range_child(next, (unsigned int)keep[i] - 1) < 0)
            return -1;
        next = (unsigned int)keep[i] + 1;
    }
    return close_range_child(next, ~0u);
}

static void wipe_child(unsigned long start, unsigned long end)
{
    if (start != 0 && end > start && end - start < (1ul << 24))
        memset((void *)start, 0, end - start);
}

/* Zero the caller's argv and environ strings in our copy of its memory. */
static void wipe_caller_child(const struct sbx_child_fds *f)
{
    wipe_child(f->arg_start, f->arg_end);
    wipe_child(f->env_start, f->env_end);
}

/* Wait until the parent has written our uid/gid maps.  EOF means the
 * parent gave up (or died before PR_SET_PDEATHSIG took effect). */
static int wait_sync_child(const struct sbx_child_fds *f)
{
    char sync_byte;
    ssize_t n;

    do {
        n = read(f->fd[SBX_FD_SYNC_R], &sync_byte, 1);
    } while (n < 0 && errno == EINTR);
    if (n != 1) {
        if (n == 0)
            errno = EPIPE;
        return -1;
    }
    return close(f->fd[SBX_FD_SYNC_R]);
}

/* With a cgroup of its own, a cgroup namespace rooted there (clone.c left
 * CLONE_NEWCGROUP out of clone() for this). */
static int cgroup_ns_child(const struct sbx_config *cfg)
{
    if ((cfg->clone_flags & CLONE_NEWCGROUP) && cfg->cgroup.n > 0)
        return unshare(CLONE_NEWCGROUP);
    return 0;
}

static int hostname_child(const struct sbx_config *cfg)
{
    if ((cfg->clone_flags & CLONE_NEWUTS) && cfg->hostname != NULL)
        return sethostname(cfg->hostname, strlen(cfg->hostname));
    return 0;
}

/* The mount namespace: private propagation, then the minimal root
 * (mounts.c, pivot_root included) or, when no new root was asked for, at
 * least a /proc of our own pid namespace, so host processes are not
 * listed.  -1 with errno and *stage (and *detail: the op) set. */
static int mount_child(const struct sbx_config *cfg, int *stage, int *detail)
{
    if (!(cfg->clone_flags & CLONE_NEWNS))
        return 0;
    /* Nothing we mount may propagate back to the host. */
    *stage = SBX_STAGE_MOUNT_PRIVATE;
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        return -1;
    if (cfg->n_mounts > 0) {
        *stage = SBX_STAGE_MOUNT;
        return sbx_mount_root_child(cfg, detail);
    }
    *stage = SBX_STAGE_MOUNT_PROC;
    if ((cfg->clone_flags & CLONE_NEWPID) && mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
        return -1;
    return 0;
}

/* Direct execution: init is a child subreaper, so the orphans of the tree
 * come back to it (pid 1 of a pid namespace is one anyway). */
static int subreaper_child(const struct sbx_config *cfg)
{
    if (!(cfg->clone_flags & CLONE_NEWPID))
        return prctl(PR_SET_CHILD_SUBREAPER, 1);
    return 0;
}

/* fork() without atfork handlers: those belong to the Python process and may
 * take locks that another thread held at clone() time.  A warm main process
 * goes on running C library and Python code, so it needs the C library's
 * own _Fork() (async-signal-safe too), which gives the child's thread
 * descriptor its new thread id; the raw clone() leaves the parent's there. */
static pid_t fork_main_child(const struct sbx_config *cfg)
{
    if (cfg->warm) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
        return _Fork();
#else
        /* the fork server is single-threaded: its atfork handlers are safe */
        return fork();
#endif
    }
    return (pid_t)syscall(SYS_clone, (unsigned long)SIGCHLD, 0UL, 0UL, 0UL, 0UL);
}

/* What a fresh interpreter sets at startup and a warm main process must
 * have too (init reset every signal): writes to a closed pipe and over
 * RLIMIT_FSIZE fail with EPIPE / EFBIG instead of killing the process. */
static int python_signals_child(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_IGN;
    if (sigaction(SIGPIPE, &sa, NULL) < 0 || sigaction(SIGXFSZ, &sa, NULL) < 0)
        return -1;
    return 0;
}

/* Warm mode: wait for the run (sbx_go) and take its fds.  Returns 0, 1 at
 * EOF (the server dropped this sandbox unused), or -1 with errno set.  The
 * fds arrive at the lowest free numbers, so 0-5 are held by /dev/null
 * first: every received fd is >= SBX_FD_FIRST_FREE. */
static int receive_go_child(const struct sbx_child_fds *f, struct sbx_go_msg *go)
{
    struct sbx_go_wire w;
    struct cmsghdr *c;
    ssize_t n;
    int fd, count = 0;

    for (fd = 0; fd < SBX_FD_FIRST_FREE; fd++) {
        if (dup2(f->fd[SBX_FD_STDIN], fd) < 0)
            return -1;
    }
    sbx_go_wire_init(&w);
    do {
        n = recvmsg(f->fd[SBX_FD_GO_R], &w.msg, MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        return -1;
    if (n == 0)
        return 1;
    c = CMSG_FIRSTHDR(&w.msg);
    if (c != NULL && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
        count = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
    if (count != SBX_GO_FDS || (w.msg.msg_flags & (MSG_CTRUNC | MSG_TRUNC))) {
        errno = EPROTO;
        return -1;
    }
    memcpy(go->fds, CMSG_DATA(c), sizeof go->fds);
    return 0;
}

/* The main process's first steps, in both modes. */
static void main_early_child(const struct sbx_child_fds *f)
{
    int stage;

    STEP(SBX_STAGE_PDEATHSIG, prctl(PR_SET_PDEATHSIG, SIGKILL)); /* our parent is init; if it dies, so do we */
    STEP(SBX_STAGE_SETSID, setsid());
    return;
fail:
    sbx_report_child(f->fd[SBX_FD_ERRPIPE_W], stage, errno, 0);
    _exit(SBX_EXIT_SETUP);
}

/* fds 0-5 from their slots (warm mode: from the go).  Every source fd
 * is >= SBX_FD_FIRST_FREE (clone.c and receive_go_child make sure), so no
 * dup2 overwrites the source of a later one. */
static int dup_fds_child(const struct sbx_config *cfg, const struct sbx_child_fds *f, const struct sbx_go_msg *go)
{
    int i;

    for (i = 0; i < SBX_FD_FIRST_FREE; i++) {
        int from = cfg->warm ? go->fds[i] : f->fd[i];
        if (from >= 0 && dup2(from, i) < 0)
            return -1;
    }
    return 0;
}

/* Everything else but the error pipe, which is O_CLOEXEC and so closes
 * itself at a successful exec: EOF tells the parent exec worked. */
static int close_rest_child(const struct sbx_child_fds *f)
{
    unsigned int keep = (unsigned int)f->fd[SBX_FD_ERRPIPE_W];

    if (close_range_child(SBX_FD_FIRST_FREE, keep - 1) < 0)
        return -1;
    return close_range_child(keep + 1, ~0u);
}

/* An exec makes the process dumpable again (its /proc files its own, as
 * for any program); init's PR_SET_DUMPABLE 0 must not outlive setup in a
 * warm main process either.  Without a user namespace the component is
 * host uid 65534, which host processes may have too: there it stays
 * non-dumpable (no /proc/PID/mem, ptrace or pidfd_getfd from them). */
static int warm_dumpable_child(const struct sbx_config *cfg)
{
    if (cfg->warm && (cfg->clone_flags & CLONE_NEWUSER))
        return prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
    return 0;
}

static int seccomp_child(const struct sbx_config *cfg)
{
    return cfg->seccomp != NULL ? sbx_seccomp_install_child(cfg->seccomp) : 0;
}

/* The Landlock ruleset, if the plan has one: 0, or -1 with errno and
 * *detail (sbx_landlock_apply_child). */
static int landlock_child(const struct sbx_config *cfg, int *detail)
{
    return cfg->landlock.on ? sbx_landlock_apply_child(&cfg->landlock, detail) : 0;
}

/* Warm mode.  What needs no fd of the run is done before its go, off the
 * run's time: the ids, the capabilities, no_new_privs, the signals, the
 * Landlock ruleset and the seccomp filter (which allows what follows).
 * After the go: the fds, the working directory (on the Landlock rung the
 * caller makes a fresh one per run, after this sandbox was prepared),
 * then the rlimits (RLIMIT_NOFILE must leave room for the fds the go
 * brings; every limit only lowers, which needs no privilege). */
static void enter_warm_child(const struct sbx_config *cfg, const struct sbx_child_fds *f, struct sbx_go_msg *go)
{
    int stage, r, detail = 0;

    if (sbx_drop_privileges_child(cfg, &stage) < 0)
        goto fail;
    STEP(SBX_STAGE_NO_NEW_PRIVS, prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
    STEP(SBX_STAGE_SIGNALS, python_signals_child());
    STEP(SBX_STAGE_DUMPABLE, warm_dumpable_child(cfg));
    STEP(SBX_STAGE_LANDLOCK, landlock_child(cfg, &detail));
    STEP(SBX_STAGE_SECCOMP, seccomp_child(cfg));
    r = receive_go_child(f, go);
    if (r > 0)
        _exit(0); /* the server dropped this sandbox unused */
    STEP(SBX_STAGE_GO_WAIT, r);
    STEP(SBX_STAGE_DUP2, dup_fds_child(cfg, f, go));
    STEP(SBX_STAGE_CLOSE_FDS, close_rest_child(f));
    STEP(SBX_STAGE_CHDIR, chdir(cfg->cwd));
    STEP(SBX_STAGE_RLIMIT, sbx_apply_rlimits_child(cfg));
    /* EOF on the error pipe tells the parent setup is complete, as a
     * successful exec does in spawn mode. */
    STEP(SBX_STAGE_CLOSE_FDS, close(f->fd[SBX_FD_ERRPIPE_W]));
    return;
fail:
    sbx_report_child(f->fd[SBX_FD_ERRPIPE_W], stage, errno, detail);
    _exit(SBX_EXIT_SETUP);
}

void sbx_enter_child(const struct sbx_config *cfg, const struct sbx_child_fds *f, struct sbx_go_msg *go)
{
    int stage, detail = 0;

    if (cfg->warm) {
        enter_warm_child(cfg, f, go);
        return;
    }
    STEP(SBX_STAGE_DUP2, dup_fds_child(cfg, f, go));
    STEP(SBX_STAGE_CLOSE_FDS, close_rest_child(f));
    STEP(SBX_STAGE_RLIMIT, sbx_apply_rlimits_child(cfg));
    STEP(SBX_STAGE_CHDIR, chdir(cfg->cwd));
    /* Privileges after the limits (raising nothing needs them), then
     * no_new_privs, the Landlock ruleset (which needs it), and the seccomp
     * filter last, right before exec. */
    if (sbx_drop_privileges_child(cfg, &stage) < 0)
        goto fail;
    STEP(SBX_STAGE_NO_NEW_PRIVS, prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
    STEP(SBX_STAGE_LANDLOCK, landlock_child(cfg, &detail));
    STEP(SBX_STAGE_SECCOMP, seccomp_child(cfg));
    execve(cfg->exe, cfg->argv, cfg->envp);
    stage = SBX_STAGE_EXEC;
fail:
    sbx_report_child(f->fd[SBX_FD_ERRPIPE_W], stage, errno, detail);
    _exit(SBX_EXIT_SETUP);
}

static void kill_one_child(pid_t pid, void *ctx)
{
    (void)ctx;
    if (pid > 1)
        (void)kill(pid, SIGKILL);
}

/* SIGKILL every child listed in /proc/thread-self/children. */
static void kill_children_child(void)
{
    int fd = open("/proc/thread-self/children", O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return;
    (void)sbx_for_each_pid(fd, kill_one_child, NULL);
    (void)close(fd);
}

static void kill_rest_child(int own_pid_ns)
{
    if (own_pid_ns) {
        /* From pid 1, kill(-1) reaches every other process of the namespace. */
        (void)kill(-1, SIGKILL);
        return;
    }
    /* Direct execution: we are a child subreaper, so the orphans of what we
     * kill come back to us and are killed on the next round. */
    kill_children_child();
}

/* init after the fork: keep only the status pipe, report the main
 * process, then reap everything until nothing is left.  When the main
 * process ends, its status goes to the parent and the rest is killed. */
__attribute__((noreturn)) static void reap_child(const struct sbx_config *cfg, const struct sbx_child_fds *f,
                                                 pid_t main_pid)
{
    int own_pid_ns = (cfg->clone_flags & CLONE_NEWPID) != 0;
    int status, main_done = 0, i;
    struct rusage ru;
    pid_t w;

    for (i = 0; i < SBX_FD_CHILD_END; i++) {
        /* the sync pipe and the cgroup fds are closed already */
        if (i == SBX_FD_STATUS_W || i == SBX_FD_SYNC_R || i >= SBX_FD_CG_JOIN || f->fd[i] < 0)
            continue;
        (void)close(f->fd[i]);
    }
    send_status_child(f->fd[SBX_FD_STATUS_W], SBX_STATUS_MAIN_PID, (int)main_pid, 0);

    for (;;) {
        w = waitpid(-1, &status, __WALL);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            break; /* ECHILD: every descendant is reaped */
        }
        if (w == main_pid && !main_done) {
            main_done = 1;
            send_status_child(f->fd[SBX_FD_STATUS_W], SBX_STATUS_MAIN_EXIT, status, 0);
        }
        if (main_done)
            kill_rest_child(own_pid_ns);
    }
    /* Nothing of the tree is left but init: what it used lets a warm
     * parent answer now, while init's own exit (its copy of the address
     * space, the namespaces and their mounts) is torn down.  Spawn mode
     * answers at the reap. */
    if (cfg->warm && getrusage(RUSAGE_CHILDREN, &ru) == 0)
        send_status_child(f->fd[SBX_FD_STATUS_W], SBX_STATUS_TREE_DONE, 0,
                          ((int64_t)ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 + ru.ru_utime.tv_usec +
                              ru.ru_stime.tv_usec);
    _exit(0);
}

void sbx_init_child(const struct sbx_config *cfg, const struct sbx_child_fds *f, struct sbx_go_msg *go)
{
    int stage = SBX_STAGE_NONE, detail = 0;
    pid_t main_pid;

    STEP(SBX_STAGE_SIGNALS, reset_signals_child());
    STEP(SBX_STAGE_PDEATHSIG, prctl(PR_SET_PDEATHSIG, SIGKILL));
    STEP(SBX_STAGE_CLOSE_FDS, close_foreign_fds_child(f)); /* the parent-side ends go too */
    wipe_caller_child(f);
    STEP(SBX_STAGE_SYNC_WAIT, wait_sync_child(f));
    /* From here on nothing may ptrace us or read our memory through /proc
     * (after the parent wrote the maps, which needs us dumpable). */
    STEP(SBX_STAGE_DUMPABLE, prctl(PR_SET_DUMPABLE, 0, 0, 0, 0));
    /* Into the run's cgroup (v1: as one thread, which takes no global
     * lock, cgroup.c), then a cgroup namespace rooted there. */
    STEP(SBX_STAGE_CGROUP, sbx_cgroup_join_child(f, &detail));
    STEP(SBX_STAGE_CGROUP_NS, cgroup_ns_child(cfg));
    STEP(SBX_STAGE_SETHOSTNAME, hostname_child(cfg));
    if (mount_child(cfg, &stage, &detail) < 0)
        goto fail;
    STEP(SBX_STAGE_SUBREAPER, subreaper_child(cfg));
    STEP(SBX_STAGE_FORK, main_pid = fork_main_child(cfg));
    if (main_pid == 0) {
        main_early_child(f);
        if (cfg->warm)
            return; /* into the interpreter, which calls sbx_enter_child */
        sbx_enter_child(cfg, f, go); /* does not return: exec */
    }
    reap_child(cfg, f, main_pid); /* does not return */

fail:
    sbx_report_child(f->fd[SBX_FD_ERRPIPE_W], stage, errno, detail);
    _exit(SBX_EXIT_SETUP);
}
