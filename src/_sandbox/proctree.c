/*
 * proctree.c: a run's process tree, read from /proc: its CPU time and
 * resident sets (the parent's CPU check), and killing it.
 *
 * CPU time: RLIMIT_CPU counts whole seconds per process, so the parent also
 * sums the CPU of the live tree from /proc (or reads the run's cgroup,
 * which counts every process of it at once).  The check's schedule is
 * wait.c's.
 */
#include "proctree.h"

#include "cgroup.h"
#include "clone.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_TREE_PIDS 65536

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
void sbx_read_arg_env_area(struct sbx_child_fds *f)
{
    long long v[4];

    if (read_stat_fields("/proc/self/stat", 48, 51, v) < 0)
        return;
    f->arg_start = (unsigned long)v[0];
    f->arg_end = (unsigned long)v[1];
    f->env_start = (unsigned long)v[2];
    f->env_end = (unsigned long)v[3];
}

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
double sbx_sample_tree(struct sbx_run *run)
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
            if (pid != run->init_pid && run->fds.fd[SBX_FD_ERRPIPE_R] < 0 && rss * page_kib > run->max_rss_kib)
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

/* ---- killing ------------------------------------------------------------ */

void sbx_kill_tree(struct sbx_run *run)
{
    if (run->killed)
        return;
    run->killed = 1;
    run->kill_time = sbx_monotonic();
    if (!(run->cfg->clone_flags & CLONE_NEWPID) && run->main_pid > 0 && !run->main_exited) {
        /* No pid namespace: kill the program, and every process of the
         * run's cgroup where there is one; init (a subreaper, which must
         * outlive them all: its death would hand them to the host) then
         * kills and reaps what is left. */
        (void)kill(run->main_pid, SIGKILL);
        (void)sbx_cgroup_kill(run, run->init_pid);
    } else if ((run->cfg->clone_flags & CLONE_NEWPID) || !run->main_exited) {
        /* init is pid 1: its death kills the whole namespace (or, in direct
         * execution, the program is not known yet). */
        (void)kill(run->init_pid, SIGKILL);
    }
}


/* ---- /proc/.../children listings (async-signal-safe: init uses it too) --- */

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
