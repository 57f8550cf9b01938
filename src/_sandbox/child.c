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
 * Failures travel to the parent as (stage, errno) on the error pipe.
 */
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define SBX_EXIT_SETUP 127

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

static void send_status_child(int fd, int kind, int value)
{
    struct sbx_status_msg msg;
    ssize_t n;

    msg.kind = kind;
    msg.value = value;
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
    int keep[16] = {0};
    int n = 0, i, j;
    unsigned int next = 0;
    const int mine[] = {f->source, f->devnull, f->out_w, f->err_w, f->nonce_r,
                        f->verdict_w, f->errpipe_w, f->status_w, f->sync_r, f->go_r,
                        f->cg_join[0], f->cg_join[1], f->cg_join[2], f->cg_join[3]};
    _Static_assert(SBX_MAX_CGROUPS == 4, "list every cg_join fd above");

    for (i = 0; i < (int)(sizeof mine / sizeof mine[0]); i++) {
        if (mine[i] < 0)
            continue;
        for (j = n; j > 0 && keep[j - 1] > mine[i]; j--) /* insertion sort */
            keep[j] = keep[j - 1];
        keep[j] = mine[i];
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
        if (dup2(f->devnull, fd) < 0)
            return -1;
    }
    sbx_go_wire_init(&w);
    do {
        n = recvmsg(f->go_r, &w.msg, MSG_CMSG_CLOEXEC);
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

    /* Our parent is init; if it dies, so do we. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) {
        stage = SBX_STAGE_PDEATHSIG;
        goto fail;
    }
    if (setsid() < 0) {
        stage = SBX_STAGE_SETSID;
        goto fail;
    }
    return;
fail:
    sbx_report_child(f->errpipe_w, stage, errno, 0);
    _exit(SBX_EXIT_SETUP);
}

void sbx_enter_child(const struct sbx_config *cfg, const struct sbx_child_fds *f, struct sbx_go_msg *go)
{
    int stage, i, r;
    unsigned int keep = (unsigned int)f->errpipe_w;
    int from[SBX_FD_FIRST_FREE] = {f->devnull, f->out_w, f->err_w, f->nonce_r, f->verdict_w, f->source};

    if (cfg->warm) {
        r = receive_go_child(f, go);
        if (r > 0)
            _exit(0);
        if (r < 0) {
            stage = SBX_STAGE_GO_WAIT;
            goto fail;
        }
        for (i = 0; i < SBX_GO_FDS; i++)
            from[i + 1] = go->fds[i];
    }
    /* Every source fd is >= SBX_FD_FIRST_FREE (spawn.c and
     * receive_go_child make sure), so no dup2 below overwrites the source
     * of a later one. */
    for (i = 0; i < SBX_FD_FIRST_FREE; i++) {
        if (from[i] >= 0 && dup2(from[i], i) < 0) {
            stage = SBX_STAGE_DUP2;
            goto fail;
        }
    }
    /* Close everything else but the error pipe, which is O_CLOEXEC and so
     * closes itself at a successful exec: EOF tells the parent exec worked. */
    if (close_range_child(SBX_FD_FIRST_FREE, keep - 1) < 0 || close_range_child(keep + 1, ~0u) < 0) {
        stage = SBX_STAGE_CLOSE_FDS;
        goto fail;
    }
    if (sbx_apply_rlimits_child(cfg) < 0) {
        stage = SBX_STAGE_RLIMIT;
        goto fail;
    }
    if (chdir(cfg->cwd) < 0) {
        stage = SBX_STAGE_CHDIR;
        goto fail;
    }
    /* Privileges after the limits (raising nothing needs them), then
     * no_new_privs, and the seccomp filter last, right before exec. */
    if (sbx_drop_privileges_child(cfg, &stage) < 0)
        goto fail;
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
        stage = SBX_STAGE_NO_NEW_PRIVS;
        goto fail;
    }
    if (cfg->warm && python_signals_child() < 0) {
        stage = SBX_STAGE_SIGNALS;
        goto fail;
    }
    /* An exec makes the process dumpable again (its /proc files its own,
     * as for any program); init's PR_SET_DUMPABLE 0 must not outlive
     * setup in a warm main process either.  Without a user namespace the
     * component is host uid 65534, which host processes may have too:
     * there it stays non-dumpable (no /proc/PID/mem, ptrace or
     * pidfd_getfd from them). */
    if (cfg->warm && (cfg->clone_flags & CLONE_NEWUSER) && prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0) {
        stage = SBX_STAGE_DUMPABLE;
        goto fail;
    }
    if (cfg->seccomp != NULL && sbx_seccomp_install_child(cfg->seccomp) < 0) {
        stage = SBX_STAGE_SECCOMP;
        goto fail;
    }
    if (cfg->warm) {
        /* EOF on the error pipe tells the parent setup is complete, as a
         * successful exec does in spawn mode. */
        if (close(f->errpipe_w) < 0) {
            stage = SBX_STAGE_CLOSE_FDS;
            goto fail;
        }
        return;
    }
    execve(cfg->exe, cfg->argv, cfg->envp);
    stage = SBX_STAGE_EXEC;
fail:
    sbx_report_child(f->errpipe_w, stage, errno, 0);
    _exit(SBX_EXIT_SETUP);
}

int sbx_for_each_pid(int fd, void (*each)(pid_t pid, void *ctx), void *ctx)
{
    char buf[4096];
    long pid = 0;
    int in_number = 0, count = 0;

    for (;;) {
        ssize_t i, n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        for (i = 0; i < n; i++) {
            if (buf[i] >= '0' && buf[i] <= '9') {
                pid = pid * 10 + (buf[i] - '0');
                in_number = 1;
            } else if (in_number) {
                each((pid_t)pid, ctx);
                count++;
                pid = 0;
                in_number = 0;
            }
        }
    }
    if (in_number) {
        each((pid_t)pid, ctx);
        count++;
    }
    explicit_bzero(buf, sizeof buf); /* a fork server's memory goes into later sandboxes */
    return count;
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

void sbx_init_child(const struct sbx_config *cfg, const struct sbx_child_fds *f, struct sbx_go_msg *go)
{
    int stage, detail = 0;
    int own_pid_ns = (cfg->clone_flags & CLONE_NEWPID) != 0;
    pid_t main_pid, w;
    int status, main_done = 0;
    char sync_byte;
    ssize_t n;

    if (reset_signals_child() < 0) {
        stage = SBX_STAGE_SIGNALS;
        goto fail;
    }
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) {
        stage = SBX_STAGE_PDEATHSIG;
        goto fail;
    }
    /* the parent-side ends go too */
    if (close_foreign_fds_child(f) < 0) {
        stage = SBX_STAGE_CLOSE_FDS;
        goto fail;
    }
    wipe_child(f->arg_start, f->arg_end);
    wipe_child(f->env_start, f->env_end);

    /* Wait until the parent has written our uid/gid maps.  EOF means the
     * parent gave up (or died before PR_SET_PDEATHSIG took effect). */
    do {
        n = read(f->sync_r, &sync_byte, 1);
    } while (n < 0 && errno == EINTR);
    if (n != 1) {
        if (n == 0)
            errno = EPIPE;
        stage = SBX_STAGE_SYNC_WAIT;
        goto fail;
    }
    (void)close(f->sync_r);

    /* From here on nothing may ptrace us or read our memory through /proc
     * (after the parent wrote the maps, which needs us dumpable). */
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
        stage = SBX_STAGE_DUMPABLE;
        goto fail;
    }
    /* Into the run's cgroup (v1: as one thread, which takes no global lock,
     * cgroup.c), then a cgroup namespace rooted there. */
    if (sbx_cgroup_join_child(f, &detail) < 0) {
        stage = SBX_STAGE_CGROUP;
        goto fail;
    }
    if ((cfg->clone_flags & CLONE_NEWCGROUP) && cfg->cgroup.n > 0 && unshare(CLONE_NEWCGROUP) < 0) {
        stage = SBX_STAGE_CGROUP_NS;
        goto fail;
    }
    if ((cfg->clone_flags & CLONE_NEWUTS) && cfg->hostname != NULL &&
        sethostname(cfg->hostname, strlen(cfg->hostname)) < 0) {
        stage = SBX_STAGE_SETHOSTNAME;
        goto fail;
    }
    if (cfg->clone_flags & CLONE_NEWNS) {
        /* Nothing we mount may propagate back to the host. */
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
            stage = SBX_STAGE_MOUNT_PRIVATE;
            goto fail;
        }
        if (cfg->n_mounts > 0) {
            /* The minimal root, pivot_root included (mounts.c). */
            if (sbx_mount_root_child(cfg, &detail) < 0) {
                stage = SBX_STAGE_MOUNT;
                goto fail;
            }
        } else if (own_pid_ns && mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) {
            /* No new root asked for: at least a /proc of our own pid
             * namespace, so host processes are not listed. */
            stage = SBX_STAGE_MOUNT_PROC;
            goto fail;
        }
    }
    if (!own_pid_ns && prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
        stage = SBX_STAGE_SUBREAPER;
        goto fail;
    }

    main_pid = fork_main_child(cfg);
    if (main_pid < 0) {
        stage = SBX_STAGE_FORK;
        goto fail;
    }
    if (main_pid == 0) {
        main_early_child(f);
        if (cfg->warm)
            return; /* into the interpreter, which calls sbx_enter_child */
        sbx_enter_child(cfg, f, go); /* does not return: exec */
    }

    /* init keeps only the status pipe. */
    (void)close(f->errpipe_w);
    (void)close(f->devnull);
    (void)close(f->out_w);
    (void)close(f->err_w);
    (void)close(f->nonce_r);
    (void)close(f->verdict_w);
    if (f->source >= 0)
        (void)close(f->source);
    if (f->go_r >= 0)
        (void)close(f->go_r);
    send_status_child(f->status_w, SBX_STATUS_MAIN_PID, (int)main_pid);

    for (;;) {
        w = waitpid(-1, &status, __WALL);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            break; /* ECHILD: every descendant is reaped */
        }
        if (w == main_pid && !main_done) {
            main_done = 1;
            send_status_child(f->status_w, SBX_STATUS_MAIN_EXIT, status);
        }
        if (main_done)
            kill_rest_child(own_pid_ns);
    }
    _exit(0);

fail:
    sbx_report_child(f->errpipe_w, stage, errno, detail);
    _exit(SBX_EXIT_SETUP);
}
