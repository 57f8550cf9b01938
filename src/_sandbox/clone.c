/*
 * spawn.c: parent side of one sandbox run.
 *
 * sbx_start() makes the pipes, clones the child into its namespaces, writes
 * the uid/gid maps and lets it go.  sbx_step() waits with poll() on the
 * output pipes, the error pipe and init's status pipe, against two computed
 * deadlines: the wall-clock timeout and the next CPU check.  Nothing here
 * touches Python: module.c releases the GIL around these calls.
 *
 * CPU time: RLIMIT_CPU counts whole seconds per process, so the parent also
 * sums the CPU of the live tree from /proc.  CPU cannot advance faster than
 * (online CPUs) x (wall time), so the next check is due no earlier than
 * remaining_cpu / ncpu from now: a sleeping component costs no checks, a
 * burner is caught within one 10 ms tick of its limit.
 */
#include "sandbox.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
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
    [SBX_STAGE_SECCOMP] = "seccomp",
    [SBX_STAGE_EXEC] = "exec",
};

#define READ_CHUNK 65536
/* After init exits, how long to keep reading output a process outside our
 * pid namespace may still hold open (only possible in direct execution). */
#define DRAIN_GRACE_NS_S 2.0
#define DRAIN_GRACE_DIRECT_S 0.2
/* Direct execution: after killing the main process, how long init gets to
 * kill and reap the rest before it is killed itself. */
#define KILL_GRACE_S 1.0
#define MIN_CPU_CHECK_S 0.01
#define MAX_TREE_PIDS 65536

/* clone3's arguments (linux/sched.h, Linux >= 5.7 for the cgroup field) */
#define SBX_CLONE_INTO_CGROUP 0x200000000ULL
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

static void close_fd(int *fd)
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

static void close_all(struct sbx_child_fds *f)
{
    int *all[] = {&f->source, &f->devnull, &f->out_w, &f->err_w, &f->nonce_r, &f->verdict_w, &f->errpipe_w,
                  &f->status_w, &f->sync_r, &f->go_r, &f->out_r, &f->err_r, &f->nonce_w, &f->verdict_r,
                  &f->errpipe_r, &f->status_r, &f->sync_w, &f->go_w};
    size_t i;

    for (i = 0; i < sizeof all / sizeof all[0]; i++)
        close_fd(all[i]);
}

static void close_child_ends(struct sbx_child_fds *f)
{
    int i;

    for (i = 0; i < SBX_MAX_CGROUPS; i++)
        close_fd(&f->cg_join[i]);
    close_fd(&f->source);
    close_fd(&f->devnull);
    close_fd(&f->out_w);
    close_fd(&f->err_w);
    close_fd(&f->nonce_r);
    close_fd(&f->verdict_w);
    close_fd(&f->errpipe_w);
    close_fd(&f->status_w);
    close_fd(&f->sync_r);
    close_fd(&f->go_r);
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

static int write_proc_file(pid_t pid, const char *name, const char *text)
{
    char path[64];
    int fd, rc, saved;

    snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, name);
    fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    rc = write_all(fd, text, strlen(text));
    saved = errno;
    (void)close(fd);
    errno = saved;
    return rc;
}

static int write_id_maps(const struct sbx_config *cfg, pid_t pid, int *stage)
{
    /* setgroups must be denied before an unprivileged gid_map write. */
    if (cfg->deny_setgroups && write_proc_file(pid, "setgroups", "deny") < 0 && errno != ENOENT) {
        *stage = SBX_STAGE_SETGROUPS;
        return -1;
    }
    if (write_proc_file(pid, "uid_map", cfg->uid_map) < 0) {
        *stage = SBX_STAGE_UID_MAP;
        return -1;
    }
    if (write_proc_file(pid, "gid_map", cfg->gid_map) < 0) {
        *stage = SBX_STAGE_GID_MAP;
        return -1;
    }
    return 0;
}

static void fail_start(struct sbx_run *run, int stage, int err)
{
    run->setup_stage = stage;
    run->setup_errno = err;
    close_all(&run->fds);
}

/* Numeric fields first..last (1-based, as numbered in proc(5); first >= 4,
 * past the command name and the state letter) of a /proc/.../stat file. */
static int parse_stat_fields(char *buf, int first, int last, long long *out);

/* A warm fork server's memory is copied into every later sandbox: what it
 * reads of a run's processes (their names, thread ids) must not stay in
 * it.  Every buffer below that holds such data is zeroed after use. */
static int read_stat_fields(const char *path, int first, int last, long long *out)
{
    char buf[2048];
    int fd, rc;
    ssize_t n;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    n = read(fd, buf, sizeof buf - 1);
    (void)close(fd);
    rc = -1;
    if (n > 0) {
        buf[n] = '\0';
        rc = parse_stat_fields(buf, first, last, out);
    }
    explicit_bzero(buf, sizeof buf);
    return rc;
}

static int parse_stat_fields(char *buf, int first, int last, long long *out)
{
    char *p;
    int field;

    p = strrchr(buf, ')'); /* the command name may contain spaces and ')' */
    if (p == NULL || p[1] == '\0')
        return -1;
    p += 2; /* field 3, the state: one letter */
    while (*p && *p != ' ')
        p++;
    for (field = 4; field <= last; field++) {
        char *end;
        long long v;
        while (*p == ' ')
            p++;
        v = strtoll(p, &end, 10);
        if (end == p)
            return -1;
        if (field >= first)
            out[field - first] = v;
        p = end;
    }
    return 0;
}

int sbx_thread_count(void)
{
    long long n;

    if (read_stat_fields("/proc/self/stat", 20, 20, &n) < 0)
        return -1;
    return (int)n;
}

/* Where the caller's argv and environ strings lie: fields 48-51 of
 * /proc/self/stat (arg_start, arg_end, env_start, env_end). */
static void read_arg_env_area(struct sbx_child_fds *f)
{
    long long v[4];

    if (read_stat_fields("/proc/self/stat", 48, 51, v) < 0)
        return;
    f->arg_start = (unsigned long)v[0];
    f->arg_end = (unsigned long)v[1];
    f->env_start = (unsigned long)v[2];
    f->env_end = (unsigned long)v[3];
}

static void start_clock(struct sbx_run *run, double now)
{
    const struct sbx_config *cfg = run->cfg;

    run->start = now;
    run->deadline = now + cfg->timeout_s;
    run->next_cpu_check = cfg->cpu_limit_s > 0 ? now + fmax(MIN_CPU_CHECK_S, cfg->cpu_limit_s / run->ncpu) : INFINITY;
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
    start_clock(run, sbx_monotonic());
    do {
        n = sendmsg(run->fds.go_w, &w.msg, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    saved = errno;
    close_fd(&run->fds.go_w);
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
        args.flags = (uint64_t)(unsigned int)clone_flags | SBX_CLONE_INTO_CGROUP;
        args.exit_signal = SIGCHLD;
        args.cgroup = (uint64_t)run->cg_dir_fd;
        return (pid_t)syscall(SYS_clone3, &args, sizeof args);
    }
    return (pid_t)syscall(SYS_clone, (unsigned long)(SIGCHLD | clone_flags), 0UL, 0UL, 0UL, 0UL);
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
    f->source = f->devnull = f->out_w = f->err_w = f->nonce_r = f->verdict_w = f->errpipe_w = f->status_w = -1;
    f->sync_r = f->go_r = -1;
    f->out_r = f->err_r = f->nonce_w = f->verdict_r = f->errpipe_r = f->status_r = f->sync_w = f->go_w = -1;
    for (i = 0; i < SBX_MAX_CGROUPS; i++)
        f->cg_join[i] = -1;
    run->cg_dir_fd = -1;
    run->cg_memory_peak = run->cg_oom_kills = -1;
    run->out.limit = cfg->output_limit;
    run->err.limit = cfg->output_limit;
    run->verdict.limit = cfg->verdict_limit;
    ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    run->ncpu = ncpu > 0 ? (int)ncpu : 1;
    run->start = sbx_monotonic();
    read_arg_env_area(f);
    /* A fork server's environ is the sandbox's own, and its warm main
     * process keeps it for the C library (getenv). */
    if (cfg->warm)
        f->env_start = f->env_end = 0;

    /* Our own copy of the source fd, numbered above the child's targets. */
    if (cfg->source_fd >= 0) {
        f->source = fcntl(cfg->source_fd, F_DUPFD_CLOEXEC, SBX_FD_FIRST_FREE);
        if (f->source < 0) {
            fail_start(run, SBX_STAGE_PIPE, errno);
            return -1;
        }
    }
    f->devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (f->devnull < 0 || sbx_move_high(&f->devnull) < 0 || make_pipe(&f->errpipe_r, &f->errpipe_w) < 0 ||
        make_pipe(&f->status_r, &f->status_w) < 0 || make_pipe(&f->sync_r, &f->sync_w) < 0) {
        fail_start(run, SBX_STAGE_PIPE, errno);
        return -1;
    }
    if (cfg->warm) {
        /* The run's fds come later, through this socket (sbx_go). */
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
            fail_start(run, SBX_STAGE_PIPE, errno);
            return -1;
        }
        f->go_r = sv[0];
        f->go_w = sv[1];
        if (sbx_move_high(&f->go_r) < 0 || sbx_move_high(&f->go_w) < 0) {
            fail_start(run, SBX_STAGE_PIPE, errno);
            return -1;
        }
    } else if (make_pipe(&f->out_r, &f->out_w) < 0 || make_pipe(&f->err_r, &f->err_w) < 0 ||
               make_pipe(&f->nonce_r, &f->nonce_w) < 0 || make_pipe(&f->verdict_r, &f->verdict_w) < 0) {
        fail_start(run, SBX_STAGE_PIPE, errno);
        return -1;
    }
    /* The nonce (<= PIPE_BUF, checked by module.c) waits in the pipe for the
     * runner; closing our end gives it EOF after the nonce. */
    if (cfg->nonce_len > 0 && write_all(f->nonce_w, cfg->nonce, cfg->nonce_len) < 0) {
        fail_start(run, SBX_STAGE_PIPE, errno);
        return -1;
    }
    close_fd(&f->nonce_w);

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
    close_child_ends(f);

    /* init waits for the sync byte: it runs nothing before it is inside */
    if (sbx_cgroup_attach(run, pid, &run->setup_detail) < 0) {
        stage = SBX_STAGE_CGROUP;
        goto kill_child;
    }
    if ((cfg->clone_flags & CLONE_NEWUSER) && write_id_maps(cfg, pid, &stage) < 0)
        goto kill_child;
    if (write_all(f->sync_w, "G", 1) < 0) {
        stage = SBX_STAGE_SYNC;
        goto kill_child;
    }
    close_fd(&f->sync_w);

    /* warm mode: the caller reads output and verdict itself */
    run->open_out = run->open_err = run->open_verdict = !cfg->warm;
    run->open_errpipe = run->open_status = 1;
    start_clock(run, run->start);
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

/* ---- CPU and RSS of the live tree, from /proc ---------------------------- */

/* utime+stime+cutime+cstime (ticks) and rss (pages) of one process.  Every
 * dead descendant is in the cutime of exactly one live ancestor (the one
 * that reaped it), so summing over the live tree counts each tick once. */
static int read_stat(pid_t pid, long long *ticks, long *rss_pages)
{
    char path[64];
    long long v[11]; /* fields 14..24: utime, stime, cutime, cstime ... rss */

    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    if (read_stat_fields(path, 14, 24, v) < 0)
        return -1;
    *ticks = v[0] + v[1] + v[2] + v[3];
    *rss_pages = (long)v[10];
    return 0;
}

struct pid_stack {
    pid_t *items;
    size_t len, cap;
};

static void push_pid(struct pid_stack *s, pid_t pid)
{
    if (s->len == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        pid_t *items;
        if (cap > MAX_TREE_PIDS)
            return;
        items = realloc(s->items, cap * sizeof *items);
        if (items == NULL)
            return;
        s->items = items;
        s->cap = cap;
    }
    s->items[s->len++] = pid;
}

static void push_one(pid_t pid, void *ctx)
{
    push_pid(ctx, pid);
}

/* The threads of pid (getdents64 into a buffer on the stack, not
 * opendir's on the heap: see read_stat_fields). */
static void push_children(struct pid_stack *s, pid_t pid)
{
    char path[96];
    union {
        struct dirent64 align;
        char bytes[4096];
    } buf;
    long n, off;
    int dir;

    snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
    dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0)
        return;
    while ((n = syscall(SYS_getdents64, dir, buf.bytes, sizeof buf.bytes)) > 0) {
        for (off = 0; off < n;) {
            const struct dirent64 *de = (const struct dirent64 *)(buf.bytes + off);
            int fd;

            off += de->d_reclen;
            if (de->d_name[0] < '0' || de->d_name[0] > '9')
                continue;
            snprintf(path, sizeof path, "/proc/%d/task/%.16s/children", (int)pid, de->d_name);
            fd = open(path, O_RDONLY | O_CLOEXEC);
            if (fd < 0)
                continue;
            (void)sbx_for_each_pid(fd, push_one, s);
            (void)close(fd);
        }
    }
    (void)close(dir);
    explicit_bzero(&buf, sizeof buf);
    explicit_bzero(path, sizeof path);
}

/* CPU seconds used so far by init and all its descendants; also raises
 * run->max_rss_kib to the largest resident set seen (ru_maxrss cannot tell
 * the component's peak from the caller's copy it started as: it keeps the
 * peak across execve; the runner reports its own VmHWM instead). */
static double sample_tree(struct sbx_run *run)
{
    struct pid_stack s = {NULL, 0, 0};
    long long total = 0;
    long page_kib = sysconf(_SC_PAGESIZE) / 1024;
    long hz = sysconf(_SC_CLK_TCK);
    double cpu = sbx_cgroup_cpu(run);

    /* The run's cgroup counts every process of the tree, those reaped by
     * nobody's wait included, and costs one read: no walk of /proc (peak
     * memory comes from the cgroup too). */
    if (cpu >= 0) {
        if (cpu > run->cpu_s)
            run->cpu_s = cpu;
        return cpu;
    }
    push_pid(&s, run->init_pid);
    while (s.len > 0) {
        pid_t pid = s.items[--s.len];
        long long ticks;
        long rss;

        if (read_stat(pid, &ticks, &rss) == 0) {
            total += ticks;
            /* Resident sets of the component's processes only: init, and
             * the program before its exec (the error pipe still open), are
             * copies of the caller. */
            if (pid != run->init_pid && !run->open_errpipe && rss * page_kib > run->max_rss_kib)
                run->max_rss_kib = rss * page_kib;
        }
        push_children(&s, pid);
    }
    if (s.items != NULL)
        explicit_bzero(s.items, s.cap * sizeof *s.items);
    free(s.items);
    cpu = (double)total / (double)(hz > 0 ? hz : 100);
    if (cpu > run->cpu_s)
        run->cpu_s = cpu;
    return cpu;
}

/* ---- killing and reaping ------------------------------------------------- */

static void kill_tree(struct sbx_run *run)
{
    if (run->killed)
        return;
    run->killed = 1;
    run->kill_time = sbx_monotonic();
    if (!(run->cfg->clone_flags & CLONE_NEWPID) && run->main_pid > 0 && !run->main_exited) {
        /* Direct execution: kill the program; init (a subreaper) then kills
         * and reaps what the program left behind. */
        (void)kill(run->main_pid, SIGKILL);
    } else if ((run->cfg->clone_flags & CLONE_NEWPID) || !run->main_exited) {
        /* init is pid 1: its death kills the whole namespace (or, in direct
         * execution, the program is not known yet). */
        (void)kill(run->init_pid, SIGKILL);
    }
}

static void reap(struct sbx_run *run)
{
    struct rusage ru;
    int st = 0;
    pid_t w;

    do {
        w = wait4(run->init_pid, &st, __WALL, &ru);
    } while (w < 0 && errno == EINTR);
    if (w == run->init_pid) {
        /* init reaped every descendant, so its children's usage is the tree's
         * (unless init itself was killed: then the /proc samples count). */
        double cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
              ru.ru_stime.tv_usec / 1e6;
        if (cpu > run->cpu_s)
            run->cpu_s = cpu;
    }
    explicit_bzero(&ru, sizeof ru);
    run->reaped = 1;
    run->wall_s = sbx_monotonic() - run->start;
    sbx_cgroup_finish(run);
    close_all(&run->fds);
}

/* ---- reading ------------------------------------------------------------- */

static void read_into(struct sbx_buffer *b, int *fd, int *open_flag)
{
    char drop[4096];
    ssize_t n;

    if (b->len < b->limit) {
        size_t want;
        if (b->cap - b->len < READ_CHUNK && b->cap < b->limit) {
            size_t cap = b->cap ? b->cap * 2 : READ_CHUNK;
            char *data;
            if (cap > b->limit)
                cap = b->limit;
            data = realloc(b->data, cap);
            if (data != NULL) {
                b->data = data;
                b->cap = cap;
            }
        }
        want = b->cap - b->len;
        if (want > 0) {
            n = read(*fd, b->data + b->len, want);
            if (n > 0) {
                b->len += (size_t)n;
                return;
            }
            goto check;
        }
    }
    /* Over the cap (or out of memory): drain and drop, so the writer never
     * blocks on a full pipe. */
    n = read(*fd, drop, sizeof drop);
    if (n > 0) {
        b->truncated = 1;
        return;
    }
check:
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    close_fd(fd);
    *open_flag = 0;
}

static void read_errpipe(struct sbx_run *run)
{
    struct sbx_error_msg msg;
    ssize_t n;

    n = read(run->fds.errpipe_r, &msg, sizeof msg);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (n == (ssize_t)sizeof msg) {
        if (run->setup_stage == SBX_STAGE_NONE && msg.stage > SBX_STAGE_NONE && msg.stage < SBX_STAGE_COUNT) {
            run->setup_stage = msg.stage;
            run->setup_errno = msg.err;
            run->setup_detail = msg.detail;
        }
        kill_tree(run);
        return;
    }
    /* EOF: the program was exec'd (the pipe is close-on-exec) or died. */
    close_fd(&run->fds.errpipe_r);
    run->open_errpipe = 0;
}

static void read_status(struct sbx_run *run)
{
    struct sbx_status_msg msg[8];
    ssize_t n, i;

    n = read(run->fds.status_r, msg, sizeof msg);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (n <= 0) {
        /* Only init holds the write end: init has exited. */
        close_fd(&run->fds.status_r);
        run->open_status = 0;
        run->drain_deadline = sbx_monotonic() +
                              ((run->cfg->clone_flags & CLONE_NEWPID) ? DRAIN_GRACE_NS_S : DRAIN_GRACE_DIRECT_S);
        return;
    }
    for (i = 0; i < n / (ssize_t)sizeof msg[0]; i++) {
        if (msg[i].kind == SBX_STATUS_MAIN_PID) {
            run->main_pid = msg[i].value;
        } else if (msg[i].kind == SBX_STATUS_MAIN_EXIT) {
            run->main_exited = 1;
            run->have_status = 1;
            run->wait_status = msg[i].value;
        }
    }
    explicit_bzero(msg, sizeof msg); /* see read_stat_fields */
}

/* ---- the loop ------------------------------------------------------------ */

static void check_deadlines(struct sbx_run *run, double now)
{
    const struct sbx_config *cfg = run->cfg;

    if (!run->open_status)
        return;
    if (run->killed) {
        /* Direct execution: init had its grace period to clean up. */
        if (now - run->kill_time > KILL_GRACE_S)
            (void)kill(run->init_pid, SIGKILL);
        return;
    }
    if (now >= run->deadline) {
        if (run->main_exited) {
            /* The program ended in time but init's cleanup did not. */
            run->killed = 1;
            run->kill_time = now;
            (void)kill(run->init_pid, SIGKILL);
            return;
        }
        run->timed_out = 1;
        (void)sample_tree(run);
        kill_tree(run);
        return;
    }
    if (!run->main_exited && now >= run->next_cpu_check) {
        double used = sample_tree(run);
        if (used >= cfg->cpu_limit_s) {
            run->cpu_exceeded = 1;
            kill_tree(run);
        } else {
            run->next_cpu_check = now + fmax(MIN_CPU_CHECK_S, (cfg->cpu_limit_s - used) / run->ncpu);
        }
    }
}

static void watch(struct pollfd *pfd, int **flags, int *nfd, int *open_flag, int fd)
{
    if (!*open_flag)
        return;
    pfd[*nfd].fd = fd;
    pfd[*nfd].events = POLLIN;
    pfd[*nfd].revents = 0;
    flags[*nfd] = open_flag;
    (*nfd)++;
}

int sbx_step(struct sbx_run *run, int max_wait_ms)
{
    double until = sbx_monotonic() + max_wait_ms / 1000.0;

    for (;;) {
        struct pollfd pfd[6];
        int *flags[6];
        int nfd = 0, i, r, timeout_ms;
        double now = sbx_monotonic(), wake;

        if (run->reaped)
            return 1;
        check_deadlines(run, now);
        if (!run->open_status &&
            ((!run->open_out && !run->open_err && !run->open_verdict && !run->open_errpipe) ||
             now >= run->drain_deadline)) {
            reap(run);
            return 1;
        }
        if (now >= until)
            return 0;

        wake = until;
        if (run->open_status) {
            if (run->killed)
                wake = fmin(wake, run->kill_time + KILL_GRACE_S);
            else if (run->main_exited)
                wake = fmin(wake, run->deadline);
            else
                wake = fmin(fmin(wake, run->deadline), run->next_cpu_check);
        } else {
            wake = fmin(wake, run->drain_deadline);
        }
        timeout_ms = (int)ceil((wake - now) * 1000.0);
        if (timeout_ms < 0)
            timeout_ms = 0;

        watch(pfd, flags, &nfd, &run->open_out, run->fds.out_r);
        watch(pfd, flags, &nfd, &run->open_err, run->fds.err_r);
        watch(pfd, flags, &nfd, &run->open_verdict, run->fds.verdict_r);
        watch(pfd, flags, &nfd, &run->open_errpipe, run->fds.errpipe_r);
        watch(pfd, flags, &nfd, &run->open_status, run->fds.status_r);
        if (run->cfg->cancel_fd >= 0 && !run->cancelled && run->open_status) {
            pfd[nfd].fd = run->cfg->cancel_fd;
            pfd[nfd].events = POLLIN;
            pfd[nfd].revents = 0;
            flags[nfd++] = &run->cancelled;
        }

        r = poll(pfd, (nfds_t)nfd, timeout_ms);
        if (r < 0) {
            if (errno == EINTR)
                return 0; /* let the caller check for Python signals */
            /* poll cannot fail otherwise with these arguments; do not spin */
            kill_tree(run);
            continue;
        }
        for (i = 0; i < nfd; i++) {
            if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL)))
                continue;
            if (flags[i] == &run->open_out)
                read_into(&run->out, &run->fds.out_r, &run->open_out);
            else if (flags[i] == &run->open_err)
                read_into(&run->err, &run->fds.err_r, &run->open_err);
            else if (flags[i] == &run->open_verdict)
                read_into(&run->verdict, &run->fds.verdict_r, &run->open_verdict);
            else if (flags[i] == &run->open_errpipe)
                read_errpipe(run);
            else if (flags[i] == &run->cancelled) {
                run->cancelled = 1;
                kill_tree(run);
            } else
                read_status(run);
        }
    }
}

void sbx_abort(struct sbx_run *run)
{
    if (run->reaped)
        return;
    kill_tree(run);
    while (!sbx_step(run, 100))
        ;
}

void sbx_run_free(struct sbx_run *run)
{
    close_all(&run->fds);
    free(run->out.data);
    free(run->err.data);
    free(run->verdict.data);
    run->out.data = run->err.data = run->verdict.data = NULL;
}

void sbx_reply_from_run(const struct sbx_run *run, struct sbx_reply *reply)
{
    memset(reply, 0, sizeof *reply);
    reply->kind = SBX_REPLY_RESULT;
    reply->exit_code = reply->signal = -1;
    /* one of exit code, signal and setup failure says how it ended */
    if (run->setup_stage != SBX_STAGE_NONE) {
        reply->setup_stage = run->setup_stage;
        reply->setup_errno = run->setup_errno;
        reply->setup_detail = run->setup_detail;
    } else if (run->have_status && WIFEXITED(run->wait_status)) {
        reply->exit_code = WEXITSTATUS(run->wait_status);
    } else if (run->have_status && WIFSIGNALED(run->wait_status)) {
        reply->signal = WTERMSIG(run->wait_status);
    } else if (!run->have_status && run->killed) {
        reply->signal = SIGKILL; /* init was killed before the program's status was known */
    }
    reply->timed_out = run->timed_out;
    reply->cpu_exceeded = run->cpu_exceeded;
    reply->cancelled = run->cancelled;
    reply->max_rss_kib = run->max_rss_kib;
    reply->wall_s = run->wall_s;
    reply->cpu_s = run->cpu_s;
    reply->cgroup_memory_peak = run->cg_memory_peak;
    reply->cgroup_oom_kills = run->cg_oom_kills;
}

/* ---- warm mode, caller side ---------------------------------------------- */

void sbx_collect_init(struct sbx_collect *c, const int fds[3], int sock, size_t output_limit, size_t verdict_limit,
                      double wait_s, int cancel_fd)
{
    int i;

    memset(c, 0, sizeof *c);
    for (i = 0; i < 3; i++) {
        c->fds[i] = fds[i];
        c->open[i] = fds[i] >= 0;
        c->buf[i].limit = i < 2 ? output_limit : verdict_limit;
    }
    c->sock = sock;
    c->cancel_fd = cancel_fd;
    c->deadline = sbx_monotonic() + wait_s;
    c->drain_deadline = INFINITY;
}

int sbx_collect_step(struct sbx_collect *c, int max_wait_ms)
{
    double until = sbx_monotonic() + max_wait_ms / 1000.0;

    for (;;) {
        struct pollfd pfd[5];
        int which[5];
        int nfd = 0, i, r, timeout_ms;
        double now = sbx_monotonic(), wake;

        if (c->replied && ((!c->open[0] && !c->open[1] && !c->open[2]) || now >= c->drain_deadline))
            return 1;
        if ((!c->replied && now >= c->deadline) || c->cancelled)
            return 1;
        if (now >= until)
            return 0;
        wake = fmin(until, c->replied ? c->drain_deadline : c->deadline);
        timeout_ms = (int)ceil((wake - now) * 1000.0);
        if (timeout_ms < 0)
            timeout_ms = 0;
        for (i = 0; i < 3; i++) {
            if (!c->open[i])
                continue;
            pfd[nfd].fd = c->fds[i];
            pfd[nfd].events = POLLIN;
            pfd[nfd].revents = 0;
            which[nfd++] = i;
        }
        if (!c->replied) {
            pfd[nfd].fd = c->sock;
            pfd[nfd].events = POLLIN;
            pfd[nfd].revents = 0;
            which[nfd++] = 3;
            if (c->cancel_fd >= 0) {
                pfd[nfd].fd = c->cancel_fd;
                pfd[nfd].events = POLLIN;
                pfd[nfd].revents = 0;
                which[nfd++] = 4;
            }
        }
        r = poll(pfd, (nfds_t)nfd, timeout_ms);
        if (r < 0) {
            if (errno == EINTR)
                return 0;
            return 1; /* cannot happen with these arguments; do not spin */
        }
        for (i = 0; i < nfd; i++) {
            if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL)))
                continue;
            if (which[i] == 4) {
                c->cancelled = 1;
            } else if (which[i] == 3) {
                /* The answer (or EOF: the server died) is there; the read is
                 * the caller's.  The sandbox is reaped, so every writer of
                 * the pipes is gone: what is left in them is all there is. */
                c->replied = 1;
                c->drain_deadline = sbx_monotonic() + DRAIN_GRACE_NS_S;
            } else {
                read_into(&c->buf[which[i]], &c->fds[which[i]], &c->open[which[i]]);
            }
        }
    }
}

void sbx_collect_free(struct sbx_collect *c)
{
    int i;

    for (i = 0; i < 3; i++) {
        close_fd(&c->fds[i]);
        free(c->buf[i].data);
        c->buf[i].data = NULL;
    }
}
