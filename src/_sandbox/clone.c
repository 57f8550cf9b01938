/*
 * clone.c: start one sandbox run, parent side.
 *
 * sbx_start() makes the run's pipes, clones init into its namespaces (into
 * the run's cgroup with clone3 where the plan says so), writes the uid/gid
 * maps and sends the sync byte that lets init go on; in warm mode sbx_go()
 * later hands the waiting main process its fds.  Waiting for the end is
 * wait.c's, the process tree proctree.c's.  Nothing here touches Python.
 */
#include "clone.h"

#include "cgroup.h"
#include "child.h"
#include "proctree.h"
#include "wait.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

const char *const sbx_stage_names[SBX_STAGE_COUNT] = {
    [SBX_STAGE_NONE] = "none",
    [SBX_STAGE_PIPE] = "pipe",
    [SBX_STAGE_CLONE] = "clone",
    [SBX_STAGE_SETGROUPS] = "setgroups",
    [SBX_STAGE_UID_MAP] = "uid_map",
    [SBX_STAGE_GID_MAP] = "gid_map",
    [SBX_STAGE_CGROUP] = "cgroup",
    [SBX_STAGE_SYNC] = "sync",
    [SBX_STAGE_SIGNALS] = "signals",
    [SBX_STAGE_PDEATHSIG] = "pdeathsig",
    [SBX_STAGE_SYNC_WAIT] = "sync_wait",
    [SBX_STAGE_DUMPABLE] = "dumpable",
    [SBX_STAGE_CGROUP_NS] = "cgroup_ns",
    [SBX_STAGE_SETHOSTNAME] = "sethostname",
    [SBX_STAGE_MOUNT_PRIVATE] = "mount_private",
    [SBX_STAGE_MOUNT_PROC] = "mount_proc",
    [SBX_STAGE_MOUNT] = "mount",
    [SBX_STAGE_SUBREAPER] = "subreaper",
    [SBX_STAGE_FORK] = "fork",
    [SBX_STAGE_SETSID] = "setsid",
    [SBX_STAGE_GO_WAIT] = "go_wait",
    [SBX_STAGE_DUP2] = "dup2",
    [SBX_STAGE_CLOSE_FDS] = "close_fds",
    [SBX_STAGE_RLIMIT] = "rlimit",
    [SBX_STAGE_CHDIR] = "chdir",
    [SBX_STAGE_SET_IDS] = "set_ids",
    [SBX_STAGE_CAPS] = "caps",
    [SBX_STAGE_NO_NEW_PRIVS] = "no_new_privs",
    [SBX_STAGE_LANDLOCK] = "landlock",
    [SBX_STAGE_SECCOMP] = "seccomp",
    [SBX_STAGE_EXEC] = "exec",
};

/* The pipes of a run: (read slot, write slot).  Spawn mode makes them all;
 * in warm mode the caller makes stdout, stderr, nonce and verdict and the
 * fds come with the go (sbx_go). */
static const struct {
    int r, w;
    int spawn_only;
} run_pipes[] = {
    {SBX_FD_ERRPIPE_R, SBX_FD_ERRPIPE_W, 0}, {SBX_FD_STATUS_R, SBX_FD_STATUS_W, 0},
    {SBX_FD_SYNC_R, SBX_FD_SYNC_W, 0},       {SBX_FD_OUT_R, SBX_FD_STDOUT, 1},
    {SBX_FD_ERR_R, SBX_FD_STDERR, 1},        {SBX_FD_NONCE, SBX_FD_NONCE_W, 1},
    {SBX_FD_VERDICT_R, SBX_FD_VERDICT, 1},
};

/* clone3's arguments (linux/sched.h, Linux >= 5.7 for the cgroup field) */
struct sbx_clone_args {
    uint64_t flags;
    uint64_t pidfd, child_tid, parent_tid; /* cppcheck-suppress unusedStructMember */
    uint64_t exit_signal;
    uint64_t stack, stack_size, tls;       /* cppcheck-suppress unusedStructMember */
    uint64_t set_tid, set_tid_size;        /* cppcheck-suppress unusedStructMember */
    uint64_t cgroup;
};

double sbx_monotonic(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void sbx_close_fd(int *fd)
{
    if (*fd >= 0) {
        (void)close(*fd);
        *fd = -1;
    }
}

/* Move fd to a number >= SBX_FD_FIRST_FREE so the child's dup2 onto 0..5
 * never clobbers another source fd. */
int sbx_move_high(int *fd)
{
    int high;

    if (*fd >= SBX_FD_FIRST_FREE)
        return 0;
    high = fcntl(*fd, F_DUPFD_CLOEXEC, SBX_FD_FIRST_FREE);
    if (high < 0)
        return -1;
    (void)close(*fd);
    *fd = high;
    return 0;
}

static int make_pipe(int *r, int *w)
{
    int p[2];

    if (pipe2(p, O_CLOEXEC) < 0)
        return -1;
    *r = p[0];
    *w = p[1];
    if (sbx_move_high(r) < 0 || sbx_move_high(w) < 0)
        return -1;
    return 0;
}

void sbx_close_fds(struct sbx_child_fds *f, int first, int end)
{
    int i;

    for (i = first; i < end; i++)
        sbx_close_fd(&f->fd[i]);
}

static int write_all(int fd, const void *data, size_t len)
{
    const char *p = data;

    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* pid 0: this process (/proc/self) */
static int write_proc_file(pid_t pid, const char *name, const char *text)
{
    char path[64];
    int fd, rc, saved;

    if (pid > 0)
        snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, name);
    else
        snprintf(path, sizeof path, "/proc/self/%s", name);
    fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    rc = write_all(fd, text, strlen(text));
    saved = errno;
    (void)close(fd);
    errno = saved;
    return rc;
}

int sbx_write_id_maps(pid_t pid, int deny_setgroups, const char *uid_map, const char *gid_map, int *stage)
{
    /* setgroups must be denied before an unprivileged gid_map write. */
    if (deny_setgroups && write_proc_file(pid, "setgroups", "deny") < 0 && errno != ENOENT) {
        *stage = SBX_STAGE_SETGROUPS;
        return -1;
    }
    if (write_proc_file(pid, "uid_map", uid_map) < 0) {
        *stage = SBX_STAGE_UID_MAP;
        return -1;
    }
    if (write_proc_file(pid, "gid_map", gid_map) < 0) {
        *stage = SBX_STAGE_GID_MAP;
        return -1;
    }
    return 0;
}

static void fail_start(struct sbx_run *run, int stage, int err)
{
    run->setup_stage = stage;
    run->setup_errno = err;
    sbx_close_fds(&run->fds, 0, SBX_FD_COUNT);
}

void sbx_go_wire_init(struct sbx_go_wire *w)
{
    memset(w, 0, sizeof *w);
    w->byte = 'G';
    w->iov.iov_base = &w->byte;
    w->iov.iov_len = 1;
    w->msg.msg_iov = &w->iov;
    w->msg.msg_iovlen = 1;
    w->msg.msg_control = w->control.buf;
    w->msg.msg_controllen = sizeof w->control.buf;
}

int sbx_go(struct sbx_run *run, const int fds[SBX_GO_FDS])
{
    struct sbx_go_wire w;
    struct cmsghdr *c;
    ssize_t n;
    int saved;

    sbx_go_wire_init(&w);
    c = CMSG_FIRSTHDR(&w.msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * SBX_GO_FDS);
    memcpy(CMSG_DATA(c), fds, sizeof(int) * SBX_GO_FDS);
    sbx_start_clock(run, sbx_monotonic());
    do {
        n = sendmsg(run->fds.fd[SBX_FD_GO_W], &w.msg, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    saved = errno;
    sbx_close_fd(&run->fds.fd[SBX_FD_GO_W]);
    errno = saved;
    return n == 1 ? 0 : -1;
}

/* clone() init with fork semantics (the child returns 0 on a copy of our
 * stack); into the run's cgroup with clone3 where the plan says so. */
static pid_t clone_init(const struct sbx_run *run, int clone_flags)
{
    if (run->cg_dir_fd >= 0) {
        /* born inside the run's cgroup (v2): nothing is ever moved */
        struct sbx_clone_args args;
        memset(&args, 0, sizeof args);
        args.flags = (uint64_t)(unsigned int)clone_flags | CLONE_INTO_CGROUP;
        args.exit_signal = SIGCHLD;
        args.cgroup = (uint64_t)run->cg_dir_fd;
        return (pid_t)syscall(SYS_clone3, &args, sizeof args);
    }
    return (pid_t)syscall(SYS_clone, (unsigned long)(SIGCHLD | clone_flags), 0UL, 0UL, 0UL, 0UL);
}

/* Every pipe of run_pipes (the spawn-only ones unless warm), the socket
 * of the go in warm mode, stdin and our own copy of the source fd:
 * 0, or -1 with errno. */
static int open_fds(const struct sbx_config *cfg, struct sbx_child_fds *f, unsigned long go_inodes[2])
{
    size_t i;

    /* Our own copy of the source fd, numbered above the child's targets. */
    if (cfg->source_fd >= 0) {
        f->fd[SBX_FD_SOURCE] = fcntl(cfg->source_fd, F_DUPFD_CLOEXEC, SBX_FD_FIRST_FREE);
        if (f->fd[SBX_FD_SOURCE] < 0)
            return -1;
    }
    /* stdin: our own copy of the fd given (spawn mode), or /dev/null
     * (warm mode: the go brings the run's; until then, and in receive_go_child,
     * /dev/null holds fds 0-5) */
    if (cfg->stdin_fd >= 0 && !cfg->warm)
        f->fd[SBX_FD_STDIN] = fcntl(cfg->stdin_fd, F_DUPFD_CLOEXEC, SBX_FD_FIRST_FREE);
    else
        f->fd[SBX_FD_STDIN] = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (f->fd[SBX_FD_STDIN] < 0 || sbx_move_high(&f->fd[SBX_FD_STDIN]) < 0)
        return -1;
    for (i = 0; i < sizeof run_pipes / sizeof run_pipes[0]; i++) {
        if ((!run_pipes[i].spawn_only || !cfg->warm) && make_pipe(&f->fd[run_pipes[i].r], &f->fd[run_pipes[i].w]) < 0)
            return -1;
    }
    if (cfg->warm) {
        /* The run's fds come later, through this socket (sbx_go). */
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
            return -1;
        f->fd[SBX_FD_GO_R] = sv[0];
        f->fd[SBX_FD_GO_W] = sv[1];
        if (sbx_move_high(&f->fd[SBX_FD_GO_R]) < 0 || sbx_move_high(&f->fd[SBX_FD_GO_W]) < 0)
            return -1;
        for (i = 0; i < 2; i++) {
            struct stat st;
            if (fstat(f->fd[i == 0 ? SBX_FD_GO_R : SBX_FD_GO_W], &st) < 0)
                return -1;
            go_inodes[i] = (unsigned long)st.st_ino;
        }
    }
    return 0;
}

int sbx_start(const struct sbx_config *cfg, struct sbx_run *run)
{
    struct sbx_child_fds *f = &run->fds;
    sigset_t all, old;
    pid_t pid;
    int stage = SBX_STAGE_NONE, saved, clone_flags, i;
    long ncpu;

    memset(run, 0, sizeof *run);
    run->cfg = cfg;
    for (i = 0; i < SBX_FD_COUNT; i++)
        f->fd[i] = -1;
    run->cg_dir_fd = -1;
    run->cg_memory_peak = run->cg_oom_kills = -1;
    run->buf[SBX_STREAM_STDOUT].limit = cfg->output_limit;
    run->buf[SBX_STREAM_STDERR].limit = cfg->output_limit;
    run->buf[SBX_STREAM_VERDICT].limit = cfg->verdict_limit;
    ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    run->ncpu = ncpu > 0 ? (int)ncpu : 1;
    run->start = sbx_monotonic();
    sbx_read_arg_env_area(f);
    /* A fork server's environ is the sandbox's own, and its warm main
     * process keeps it for the C library (getenv). */
    if (cfg->warm)
        f->env_start = f->env_end = 0;

    if (open_fds(cfg, f, run->go_inodes) < 0) {
        fail_start(run, SBX_STAGE_PIPE, errno);
        return -1;
    }
    /* The nonce (<= SBX_NONCE_MAX, checked by module.c) waits in the pipe
     * for the runner; closing our end gives it EOF after the nonce. */
    if (cfg->nonce_len > 0 && write_all(f->fd[SBX_FD_NONCE_W], cfg->nonce, cfg->nonce_len) < 0) {
        fail_start(run, SBX_STAGE_PIPE, errno);
        return -1;
    }
    sbx_close_fd(&f->fd[SBX_FD_NONCE_W]);

    /* The run's cgroup, made before init exists (cgroup.c) */
    if (cfg->cgroup.n > 0 && sbx_cgroup_create(run, &run->setup_detail) < 0) {
        fail_start(run, SBX_STAGE_CGROUP, errno);
        return -1;
    }

    /* Block every signal across clone() so no Python-level handler runs in
     * the child before it resets them (child.c). */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    /* With a cgroup of its own, init makes its cgroup namespace once it
     * is inside (child.c): rooted there, it shows no path of the host's. */
    clone_flags = cfg->clone_flags;
    if (cfg->cgroup.n > 0)
        clone_flags &= ~CLONE_NEWCGROUP;
    pid = clone_init(run, clone_flags);
    if (pid == 0) {
        sbx_init_child(cfg, f, &run->go);
        return SBX_START_CHILD; /* warm mode: the sandboxed main process */
    }
    saved = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (pid < 0) {
        sbx_cgroup_finish(run);
        fail_start(run, SBX_STAGE_CLONE, saved);
        return -1;
    }
    run->init_pid = pid;
    sbx_close_fds(f, 0, SBX_FD_CHILD_END);

    /* init waits for the sync byte: it runs nothing before it is inside */
    if (sbx_cgroup_attach(run, pid, &run->setup_detail) < 0) {
        stage = SBX_STAGE_CGROUP;
        goto kill_child;
    }
    if ((cfg->clone_flags & CLONE_NEWUSER) &&
        sbx_write_id_maps(pid, cfg->deny_setgroups, cfg->uid_map, cfg->gid_map, &stage) < 0)
        goto kill_child;
    if (write_all(f->fd[SBX_FD_SYNC_W], "G", 1) < 0) {
        stage = SBX_STAGE_SYNC;
        goto kill_child;
    }
    sbx_close_fd(&f->fd[SBX_FD_SYNC_W]);
    sbx_start_clock(run, run->start);
    return 0;

kill_child:
    saved = errno;
    (void)kill(pid, SIGKILL);
    while (waitpid(pid, NULL, __WALL) < 0 && errno == EINTR)
        ;
    sbx_cgroup_finish(run);
    fail_start(run, stage, saved);
    return -1;
}
