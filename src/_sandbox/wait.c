/*
 * wait.c: wait for the end of a run.
 *
 * Spawn side (sbx_step): poll the output pipes, the error pipe and init's
 * status pipe against two computed deadlines, the wall-clock timeout and
 * the next CPU check; then reap.  CPU cannot advance faster than (online
 * CPUs) x (wall time), so the next check is due no earlier than
 * remaining_cpu / ncpu from now: a sleeping component costs no checks, a
 * burner is caught within one 10 ms tick of its limit.
 *
 * Warm mode, caller side (sbx_collect_step): read the sandbox's output
 * pipes until the fork server's answer arrives.  Both loops wait in one
 * helper, wait_readable().  Nothing here touches Python: module.c
 * releases the GIL around these calls.
 */
#include "wait.h"

#include "cgroup.h"
#include "clone.h"
#include "proctree.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define READ_CHUNK 65536
/* After init exits, how long to keep reading output a process outside our
 * pid namespace may still hold open (only possible in direct execution). */
#define DRAIN_GRACE_NS_S 2.0
#define DRAIN_GRACE_DIRECT_S 0.2
/* Without a pid namespace: after killing the main process, how long init
 * gets to kill and reap the rest before it is killed itself.  Its death
 * would hand what is left to the host's init, so this is long: a chain of
 * processes pinned to one busy CPU takes seconds to peel (one generation
 * per reap); with a cgroup the parent kills all of them at once too. */
#define KILL_GRACE_S 30.0
#define MIN_CPU_CHECK_S 0.01
/* the most fds one loop waits on */
#define WAIT_MAX_FDS 8

const char *const sbx_reply_fields[SBX_REPLY_NFIELDS] = {
    "kind",         "exit_code", "signal",      "setup_stage", "setup_errno",        "setup_detail",
    "timed_out",    "cpu_exceeded", "cancelled", "unused",     "max_rss_kib",        "wall_s",
    "cpu_s",        "cgroup_memory_peak", "cgroup_oom_kills",
};

/* The one wait of both loops: poll fds[0..n) (those < 0 are skipped) for
 * input or hang-up until wake (sbx_monotonic seconds).  Sets ready[i] for
 * each fd that can be read (or is at EOF or in error: the read finds out)
 * and returns how many, 0 at wake, or -1 with errno (EINTR: a signal
 * arrived; the caller checks for Python's). */
static int wait_readable(const int *fds, int n, double wake, int *ready)
{
    struct pollfd pfd[WAIT_MAX_FDS];
    int which[WAIT_MAX_FDS];
    int nfd = 0, i, r;
    double left = wake - sbx_monotonic();

    for (i = 0; i < n && i < WAIT_MAX_FDS; i++) {
        ready[i] = 0;
        if (fds[i] < 0)
            continue;
        pfd[nfd].fd = fds[i];
        pfd[nfd].events = POLLIN;
        pfd[nfd].revents = 0;
        which[nfd++] = i;
    }
    r = poll(pfd, (nfds_t)nfd, left > 0 ? (int)ceil(left * 1000.0) : 0);
    if (r <= 0)
        return r;
    for (i = 0; i < nfd; i++) {
        if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL))
            ready[which[i]] = 1;
    }
    return r;
}

void sbx_start_clock(struct sbx_run *run, double now)
{
    const struct sbx_config *cfg = run->cfg;

    run->start = now;
    run->deadline = now + cfg->timeout_s;
    run->next_cpu_check = cfg->cpu_limit_s > 0 ? now + fmax(MIN_CPU_CHECK_S, cfg->cpu_limit_s / run->ncpu) : INFINITY;
}

/* ---- reaping ------------------------------------------------------------- */

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
    if (!run->answered)
        run->wall_s = sbx_monotonic() - run->start;
    sbx_cgroup_finish(run);
    sbx_close_fds(&run->fds, 0, SBX_FD_COUNT);
}

/* ---- reading ------------------------------------------------------------- */

/* Read what fd has into b (capped); how many bytes were kept. */
static size_t read_into(struct sbx_buffer *b, int *fd)
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
                return (size_t)n;
            }
            goto check;
        }
    }
    /* Over the cap (or out of memory): drain and drop, so the writer never
     * blocks on a full pipe. */
    n = read(*fd, drop, sizeof drop);
    if (n > 0) {
        b->truncated = 1;
        return 0;
    }
check:
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return 0;
    sbx_close_fd(fd);
    return 0;
}

/* Read the ready streams; whether stdout or stderr kept new bytes. */
static int read_streams(struct sbx_buffer *buf, int *fds, const int *ready)
{
    int s, output = 0;

    for (s = 0; s < SBX_STREAM_COUNT; s++) {
        if (ready[s] && read_into(&buf[s], &fds[s]) > 0 && s != SBX_STREAM_VERDICT)
            output = 1;
    }
    return output;
}

static void read_errpipe(struct sbx_run *run)
{
    struct sbx_error_msg msg;
    ssize_t n;

    n = read(run->fds.fd[SBX_FD_ERRPIPE_R], &msg, sizeof msg);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (n == (ssize_t)sizeof msg) {
        if (run->setup_stage == SBX_STAGE_NONE && msg.stage > SBX_STAGE_NONE && msg.stage < SBX_STAGE_COUNT) {
            run->setup_stage = msg.stage;
            run->setup_errno = msg.err;
            run->setup_detail = msg.detail;
        }
        sbx_kill_tree(run);
        return;
    }
    /* EOF: the program was exec'd (the pipe is close-on-exec) or died. */
    sbx_close_fd(&run->fds.fd[SBX_FD_ERRPIPE_R]);
}

static void read_status(struct sbx_run *run)
{
    struct sbx_status_msg msg[8];
    ssize_t n, i;

    n = read(run->fds.fd[SBX_FD_STATUS_R], msg, sizeof msg);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (n <= 0) {
        /* Only init holds the write end: init has exited. */
        sbx_close_fd(&run->fds.fd[SBX_FD_STATUS_R]);
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
        } else if (msg[i].kind == SBX_STATUS_TREE_DONE && run->main_exited) {
            double cpu = (double)msg[i].cpu_us / 1e6;
            run->tree_done = 1;
            if (cpu > run->cpu_s)
                run->cpu_s = cpu;
        }
    }
    explicit_bzero(msg, sizeof msg); /* see read_stat_fields */
}

/* ---- the loop ------------------------------------------------------------ */

static void check_deadlines(struct sbx_run *run, double now)
{
    const struct sbx_config *cfg = run->cfg;

    if (run->fds.fd[SBX_FD_STATUS_R] < 0)
        return;
    if (run->killed) {
        /* Direct execution: init had its grace period to clean up. */
        if (now - run->kill_time > KILL_GRACE_S)
            (void)kill(run->init_pid, SIGKILL);
        return;
    }
    if (now >= run->deadline) {
        if (run->main_exited) {
            /* The program ended in time but init's cleanup did not: in a
             * pid namespace, init's death ends it; without one, init keeps
             * killing (its grace starts now) and the cgroup's processes go. */
            run->killed = 1;
            run->kill_time = now;
            if (cfg->clone_flags & CLONE_NEWPID)
                (void)kill(run->init_pid, SIGKILL);
            else
                (void)sbx_cgroup_kill(run, run->init_pid);
            return;
        }
        run->timed_out = 1;
        (void)sbx_sample_tree(run);
        sbx_kill_tree(run);
        return;
    }
    if (!run->main_exited && now >= run->next_cpu_check) {
        double used = sbx_sample_tree(run);
        if (used >= cfg->cpu_limit_s) {
            run->cpu_exceeded = 1;
            sbx_kill_tree(run);
        } else {
            run->next_cpu_check = now + fmax(MIN_CPU_CHECK_S, (cfg->cpu_limit_s - used) / run->ncpu);
        }
    }
}

/* No read end but the status pipe's is open any more. */
static int drained(const struct sbx_run *run)
{
    int s;

    for (s = 0; s < SBX_STREAM_COUNT; s++) {
        if (run->fds.fd[SBX_FD_OUT_R + s] >= 0)
            return 0;
    }
    return run->fds.fd[SBX_FD_ERRPIPE_R] < 0;
}

int sbx_answerable(const struct sbx_run *run)
{
    return run->reaped || (run->tree_done && !run->killed && drained(run));
}

/* The outcome, as of init's report that the tree is gone: wall time to
 * here and the cgroup's counters (its cgroup is removed at the reap). */
static void answer(struct sbx_run *run)
{
    if (run->answered)
        return;
    run->answered = 1;
    run->wall_s = sbx_monotonic() - run->start;
    sbx_cgroup_read(run);
}

/* What sbx_step waits on: the three streams (enum sbx_stream) first. */
enum { STEP_ERRPIPE = SBX_STREAM_COUNT, STEP_STATUS, STEP_CANCEL, STEP_COUNT };

int sbx_step(struct sbx_run *run, int max_wait_ms)
{
    double until = sbx_monotonic() + max_wait_ms / 1000.0;
    int *fd = run->fds.fd;

    for (;;) {
        int watch[STEP_COUNT], ready[STEP_COUNT], s, output;
        double now = sbx_monotonic(), wake;

        if (run->reaped)
            return 1;
        check_deadlines(run, now);
        if (fd[SBX_FD_STATUS_R] < 0 && (drained(run) || now >= run->drain_deadline)) {
            reap(run);
            return 1;
        }
        if (now >= until)
            return 0;

        wake = until;
        if (fd[SBX_FD_STATUS_R] >= 0) {
            if (run->killed)
                wake = fmin(wake, run->kill_time + KILL_GRACE_S);
            else if (run->main_exited)
                wake = fmin(wake, run->deadline);
            else
                wake = fmin(fmin(wake, run->deadline), run->next_cpu_check);
        } else {
            wake = fmin(wake, run->drain_deadline);
        }
        for (s = 0; s < SBX_STREAM_COUNT; s++)
            watch[s] = fd[SBX_FD_OUT_R + s];
        watch[STEP_ERRPIPE] = fd[SBX_FD_ERRPIPE_R];
        watch[STEP_STATUS] = fd[SBX_FD_STATUS_R];
        watch[STEP_CANCEL] = !run->cancelled && fd[SBX_FD_STATUS_R] >= 0 ? run->cfg->cancel_fd : -1;

        if (wait_readable(watch, STEP_COUNT, wake, ready) < 0) {
            if (errno == EINTR)
                return 0; /* let the caller check for Python signals */
            /* poll cannot fail otherwise with these arguments; do not spin */
            sbx_kill_tree(run);
            continue;
        }
        output = read_streams(run->buf, &fd[SBX_FD_OUT_R], ready);
        if (ready[STEP_ERRPIPE])
            read_errpipe(run);
        if (ready[STEP_STATUS])
            read_status(run);
        if (ready[STEP_CANCEL]) {
            run->cancelled = 1;
            sbx_kill_tree(run);
        }
        if (run->answer_early && sbx_answerable(run)) {
            answer(run);
            return 0;
        }
        if (output && run->stream_return)
            return 0;
    }
}

void sbx_abort(struct sbx_run *run)
{
    if (run->reaped)
        return;
    sbx_kill_tree(run);
    while (!sbx_step(run, 100))
        ;
}

void sbx_run_free(struct sbx_run *run)
{
    int s;

    sbx_close_fds(&run->fds, 0, SBX_FD_COUNT);
    for (s = 0; s < SBX_STREAM_COUNT; s++) {
        free(run->buf[s].data);
        run->buf[s].data = NULL;
    }
}

/* ---- the outcome --------------------------------------------------------- */

static void reply_init(struct sbx_reply *reply)
{
    memset(reply, 0, sizeof *reply);
    reply->kind = SBX_REPLY_RESULT;
    reply->exit_code = reply->signal = -1;
    reply->cgroup_memory_peak = reply->cgroup_oom_kills = -1;
}

void sbx_reply_from_run(const struct sbx_run *run, struct sbx_reply *reply)
{
    reply_init(reply);
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

void sbx_reply_cancelled(struct sbx_reply *reply, double wall_s)
{
    reply_init(reply);
    reply->signal = SIGKILL;
    reply->cancelled = 1;
    reply->wall_s = wall_s;
}

/* ---- warm mode, caller side ---------------------------------------------- */

void sbx_collect_init(struct sbx_collect *c, const int fds[SBX_STREAM_COUNT], int sock, size_t output_limit,
                      size_t verdict_limit, double wait_s, int cancel_fd)
{
    int s;

    memset(c, 0, sizeof *c);
    for (s = 0; s < SBX_STREAM_COUNT; s++) {
        c->fds[s] = fds[s];
        c->buf[s].limit = s == SBX_STREAM_VERDICT ? verdict_limit : output_limit;
    }
    c->sock = sock;
    c->cancel_fd = cancel_fd;
    c->deadline = sbx_monotonic() + wait_s;
    c->drain_deadline = INFINITY;
}

/* What sbx_collect_step waits on: the three streams first. */
enum { COLLECT_SOCK = SBX_STREAM_COUNT, COLLECT_CANCEL, COLLECT_COUNT };

int sbx_collect_step(struct sbx_collect *c, int max_wait_ms)
{
    double until = sbx_monotonic() + max_wait_ms / 1000.0;

    for (;;) {
        int watch[COLLECT_COUNT], ready[COLLECT_COUNT], s, open = 0, output;
        double now = sbx_monotonic();

        for (s = 0; s < SBX_STREAM_COUNT; s++)
            open |= c->fds[s] >= 0;
        if (c->replied && (!open || now >= c->drain_deadline))
            return 1;
        if ((!c->replied && now >= c->deadline) || c->cancelled)
            return 1;
        if (now >= until)
            return 0;
        for (s = 0; s < SBX_STREAM_COUNT; s++)
            watch[s] = c->fds[s];
        watch[COLLECT_SOCK] = c->replied ? -1 : c->sock;
        watch[COLLECT_CANCEL] = c->replied ? -1 : c->cancel_fd;
        if (wait_readable(watch, COLLECT_COUNT, fmin(until, c->replied ? c->drain_deadline : c->deadline), ready) < 0)
            return errno == EINTR ? 0 : 1; /* cannot fail otherwise with these arguments; do not spin */
        output = read_streams(c->buf, c->fds, ready);
        if (ready[COLLECT_SOCK]) {
            /* The answer (or EOF: the server died) is there; the read is
             * the caller's.  The sandbox is reaped, so every writer of
             * the pipes is gone: what is left in them is all there is. */
            c->replied = 1;
            c->drain_deadline = sbx_monotonic() + DRAIN_GRACE_NS_S;
        }
        if (ready[COLLECT_CANCEL])
            c->cancelled = 1;
        if (output && c->stream_return)
            return 0;
    }
}

void sbx_collect_free(struct sbx_collect *c)
{
    int s;

    for (s = 0; s < SBX_STREAM_COUNT; s++) {
        sbx_close_fd(&c->fds[s]);
        free(c->buf[s].data);
        c->buf[s].data = NULL;
    }
}
