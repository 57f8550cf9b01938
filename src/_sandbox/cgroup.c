/*
 * cgroup.c: the run's own cgroup, parent side.
 *
 * Python decides whether a cgroup applies and what it holds
 * (_cgroup.py: which hierarchies, which limit files with which values,
 * which counters to read); this file carries the plan out for one run:
 *
 *   sbx_start: mkdir parents[i]/run-<pid>-<n> -> the writes -> clone()
 *              -> init joins (sandbox.h: SBX_CGROUP_JOIN_*) -> init makes
 *              its cgroup namespace
 *   sbx_step:  the CPU check reads the cgroup's counter, which also counts
 *              processes nobody waited for (SIGCHLD ignored)
 *   reap:      read peak memory and OOM kills, rmdir
 *
 * init joins before it runs anything of its own, so every process of the
 * sandbox is born inside.  Only sbx_cgroup_join_child runs in the child.
 */
#include "cgroup.h"

#include "clone.h"
#include "proctree.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* rmdir can see a cgroup busy for a moment after its last task was reaped */
#define RMDIR_TRIES 100
#define RMDIR_PAUSE_NS 1000000L

static int write_file(const char *dir, const char *name, const char *value)
{
    char path[PATH_MAX];
    size_t len = strlen(value);
    ssize_t n;
    int fd, saved;

    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    do {
        n = write(fd, value, len);
    } while (n < 0 && errno == EINTR);
    saved = errno;
    if (close(fd) < 0 && n == (ssize_t)len) /* a cgroup file may report its error at close */
        return -1;
    errno = saved;
    if (n != (ssize_t)len) {
        if (n >= 0)
            errno = EIO;
        return -1;
    }
    return 0;
}

static void remove_dir(char **dir)
{
    struct timespec pause = {0, RMDIR_PAUSE_NS};
    int i;

    if (*dir == NULL)
        return;
    for (i = 0; i < RMDIR_TRIES; i++) {
        if (rmdir(*dir) == 0 || errno == ENOENT)
            break;
        if (errno != EBUSY)
            break; /* left for the next sandbox's sweep of stale cgroups */
        (void)nanosleep(&pause, NULL);
    }
    free(*dir);
    *dir = NULL;
}

static void remove_all(struct sbx_run *run)
{
    int i;

    for (i = 0; i < SBX_MAX_CGROUPS; i++) {
        if (run->fds.fd[SBX_FD_CG_JOIN + i] >= 0) {
            (void)close(run->fds.fd[SBX_FD_CG_JOIN + i]);
            run->fds.fd[SBX_FD_CG_JOIN + i] = -1;
        }
    }
    if (run->cg_dir_fd >= 0) {
        (void)close(run->cg_dir_fd);
        run->cg_dir_fd = -1;
    }
    for (i = SBX_MAX_CGROUPS - 1; i >= 0; i--)
        remove_dir(&run->cg_dirs[i]);
}

static int open_stat(const struct sbx_run *run, const struct sbx_cgroup_stat *st)
{
    char path[PATH_MAX];

    if (st->hierarchy < 0 || st->hierarchy >= run->cfg->cgroup.n || run->cg_dirs[st->hierarchy] == NULL) {
        errno = ENOENT;
        return -1;
    }
    if (snprintf(path, sizeof path, "%s/%s", run->cg_dirs[st->hierarchy], st->file) >= (int)sizeof path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return open(path, O_RDONLY | O_CLOEXEC);
}

/* The counter in a cgroup file read from offset 0 of fd, or -1. */
static long long read_counter(int fd, const char *key)
{
    char buf[4096];
    const char *p;
    ssize_t n;

    do {
        n = pread(fd, buf, sizeof buf - 1, 0);
    } while (n < 0 && errno == EINTR);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    p = buf;
    if (key != NULL) {
        size_t klen = strlen(key);
        for (;;) {
            if (strncmp(p, key, klen) == 0 && p[klen] == ' ') {
                p += klen + 1;
                break;
            }
            p = strchr(p, '\n');
            if (p == NULL)
                return -1;
            p++;
        }
    }
    if (*p < '0' || *p > '9')
        return -1;
    return strtoll(p, NULL, 10);
}

static long long read_stat_once(const struct sbx_run *run, const struct sbx_cgroup_stat *st)
{
    long long v;
    int fd = open_stat(run, st);

    if (fd < 0)
        return -1;
    v = read_counter(fd, st->key);
    (void)close(fd);
    return v;
}

/* Names of run directories made by this process, by any thread (the GIL
 * is released around sbx_start): a fork server makes the next run's
 * before the current one is reaped. */
static unsigned long run_counter;

int sbx_cgroup_create(struct sbx_run *run, int *failed)
{
    const struct sbx_cgroup_plan *plan = &run->cfg->cgroup;
    char dir[PATH_MAX];
    unsigned long seq = __atomic_add_fetch(&run_counter, 1, __ATOMIC_RELAXED);
    int i, saved;

    for (i = 0; i < plan->n; i++) {
        *failed = i;
        if (snprintf(dir, sizeof dir, "%s/run-%d-%lu", plan->parents[i], (int)getpid(), seq) >= (int)sizeof dir) {
            errno = ENAMETOOLONG;
            goto fail;
        }
        /* A directory of this name is left from a process whose pid this
         * is again and whose cleanup did not happen: it holds no task. */
        if (mkdir(dir, 0755) < 0 && (errno != EEXIST || rmdir(dir) < 0 || mkdir(dir, 0755) < 0))
            goto fail;
        run->cg_dirs[i] = strdup(dir);
        if (run->cg_dirs[i] == NULL) {
            (void)rmdir(dir);
            errno = ENOMEM;
            goto fail;
        }
    }
    for (i = 0; i < plan->n_writes; i++) {
        const struct sbx_cgroup_write *w = &plan->writes[i];
        *failed = w->hierarchy;
        if (w->hierarchy < 0 || w->hierarchy >= plan->n) {
            errno = EINVAL;
            goto fail;
        }
        if (write_file(run->cg_dirs[w->hierarchy], w->file, w->value) < 0)
            goto fail;
    }
    errno = 0;
    if (plan->cpu.hierarchy >= 0 && read_stat_once(run, &plan->cpu) < 0) {
        *failed = plan->cpu.hierarchy;
        if (errno == 0)
            errno = EINVAL; /* not the counter the plan says */
        goto fail;
    }
    for (i = 0; i < plan->n; i++) {
        *failed = i;
        if (plan->join == SBX_CGROUP_JOIN_TASKS) {
            if (snprintf(dir, sizeof dir, "%s/tasks", run->cg_dirs[i]) >= (int)sizeof dir) {
                errno = ENAMETOOLONG;
                goto fail;
            }
            /* opened here, with our credentials and cgroup namespace,
             * which the kernel checks the write against */
            run->fds.fd[SBX_FD_CG_JOIN + i] = open(dir, O_WRONLY | O_CLOEXEC);
            if (run->fds.fd[SBX_FD_CG_JOIN + i] < 0 || sbx_move_high(&run->fds.fd[SBX_FD_CG_JOIN + i]) < 0)
                goto fail;
        } else if (plan->join == SBX_CGROUP_JOIN_CLONE_INTO && i == 0) {
            run->cg_dir_fd = open(run->cg_dirs[0], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            if (run->cg_dir_fd < 0)
                goto fail;
        }
    }
    return 0;
fail:
    saved = errno;
    remove_all(run);
    errno = saved;
    return -1;
}

int sbx_cgroup_attach(struct sbx_run *run, pid_t pid, int *failed)
{
    char pid_text[24];
    int i;

    if (run->cfg->cgroup.join != SBX_CGROUP_JOIN_PROCS)
        return 0;
    (void)snprintf(pid_text, sizeof pid_text, "%d", (int)pid);
    for (i = 0; i < run->cfg->cgroup.n; i++) {
        *failed = i;
        if (write_file(run->cg_dirs[i], "cgroup.procs", pid_text) < 0)
            return -1;
    }
    return 0;
}

/* Child side (init, async-signal-safe): move this single-threaded process
 * into each hierarchy's run cgroup as one thread. */
int sbx_cgroup_join_child(const struct sbx_child_fds *f, int *failed)
{
    int i;
    ssize_t n;

    for (i = 0; i < SBX_MAX_CGROUPS; i++) {
        if (f->fd[SBX_FD_CG_JOIN + i] < 0)
            continue;
        *failed = i;
        do {
            n = write(f->fd[SBX_FD_CG_JOIN + i], "0", 1);
        } while (n < 0 && errno == EINTR);
        if (n != 1) {
            if (n >= 0)
                errno = EIO;
            return -1;
        }
        if (close(f->fd[SBX_FD_CG_JOIN + i]) < 0)
            return -1;
    }
    return 0;
}

/* Opened per read: a fork server holds no fd of a run's cgroup that a
 * later sandbox could inherit, and the checks are rare (wait.c). */
double sbx_cgroup_cpu(struct sbx_run *run)
{
    long long v;

    if (run->cfg->cgroup.cpu.hierarchy < 0)
        return -1.0;
    v = read_stat_once(run, &run->cfg->cgroup.cpu);
    return v < 0 ? -1.0 : (double)v * run->cfg->cgroup.cpu_unit_s;
}

void sbx_cgroup_read(struct sbx_run *run)
{
    const struct sbx_cgroup_plan *plan = &run->cfg->cgroup;
    double cpu;

    if (plan->n == 0 || run->cg_dirs[0] == NULL)
        return;
    cpu = sbx_cgroup_cpu(run);
    if (cpu > run->cpu_s)
        run->cpu_s = cpu;
    run->cg_memory_peak = read_stat_once(run, &plan->memory_peak);
    run->cg_oom_kills = read_stat_once(run, &plan->oom_kills);
}

struct kill_ctx {
    pid_t spare; /* not killed (init while the run goes on), 0: none */
    int killed;
};

static void kill_listed(pid_t pid, void *ctx)
{
    struct kill_ctx *k = ctx;

    if (pid > 1 && pid != k->spare && kill(pid, SIGKILL) == 0)
        k->killed++;
}

/* Rounds of SIGKILL to every process of the run's cgroups but spare, until
 * a round finds none (one forked meanwhile is listed in the next round). */
#define KILL_ROUNDS 100

int sbx_cgroup_kill(struct sbx_run *run, pid_t spare)
{
    struct timespec pause = {0, RMDIR_PAUSE_NS};
    int round, i, total = 0;

    for (round = 0; round < KILL_ROUNDS; round++) {
        struct kill_ctx k = {spare, 0};
        for (i = 0; i < SBX_MAX_CGROUPS; i++) {
            char path[PATH_MAX];
            int fd;
            if (run->cg_dirs[i] == NULL ||
                snprintf(path, sizeof path, "%s/cgroup.procs", run->cg_dirs[i]) >= (int)sizeof path)
                continue;
            fd = open(path, O_RDONLY | O_CLOEXEC);
            if (fd < 0)
                continue;
            (void)sbx_for_each_pid(fd, kill_listed, &k);
            (void)close(fd);
        }
        if (k.killed == 0)
            break;
        total += k.killed;
        (void)nanosleep(&pause, NULL);
    }
    return total;
}

void sbx_cgroup_finish(struct sbx_run *run)
{
    /* an outcome taken early (sbx_answerable) stays what was answered */
    if (!run->answered)
        sbx_cgroup_read(run);
    /* init is reaped: without a pid namespace (whose end kills all of
     * it), anything still in the cgroup escaped its cleanup */
    if (!(run->cfg->clone_flags & CLONE_NEWPID))
        (void)sbx_cgroup_kill(run, 0);
    remove_all(run);
}
