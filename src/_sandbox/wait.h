/*
 * wait.h: wait for a run's end (wait.c): the spawn side's loop over its
 * pipes and deadlines, reaping, the outcome as a fixed reply, and warm
 * mode's caller-side collector.  Both loops wait in one poll helper.
 * None of these touch Python; callers release the GIL around them.
 */
#ifndef SBX_WAIT_H
#define SBX_WAIT_H

#include "sandbox.h"

/* Wait up to max_wait_ms for progress.  Returns 1 when the run is over
 * (the child is reaped and all output collected), 0 to be called again. */
int sbx_step(struct sbx_run *run, int max_wait_ms);
/* With run->answer_early (warm mode): the outcome is complete before the
 * reap, once init reported every descendant reaped (the tree is gone: only
 * init's own exit is left); sbx_step then returns 0 and the reply can be
 * built.  True once reaped too. */
int sbx_answerable(const struct sbx_run *run);
/* Kill the whole tree now and reap it (used on KeyboardInterrupt). */
void sbx_abort(struct sbx_run *run);
void sbx_run_free(struct sbx_run *run);
/* The wall clock (and the CPU check's schedule) starts at now: at the
 * end of sbx_start, or at the go in warm mode. */
void sbx_start_clock(struct sbx_run *run, double now);

/* A run's outcome as the fork server sends it (module.c), in the struct
 * module's notation SBX_REPLY_FORMAT, its fields named by
 * sbx_reply_fields (both exported to Python: REPLY_FORMAT, REPLY_FIELDS).
 * Spawn mode builds its result from the same struct. */
enum { SBX_REPLY_RESULT = 1, SBX_REPLY_ERROR = 2 }; /* an error: this int, then text */
struct sbx_reply {
    int32_t kind;                  /* SBX_REPLY_RESULT */
    int32_t exit_code, signal;     /* -1: none */
    int32_t setup_stage, setup_errno, setup_detail;
    int32_t timed_out, cpu_exceeded, cancelled;
    int32_t unused;                /* keeps the rest aligned: no padding */
    int64_t max_rss_kib;
    double wall_s, cpu_s;
    int64_t cgroup_memory_peak;    /* bytes; -1: no cgroup counter */
    int64_t cgroup_oom_kills;      /* -1: no cgroup counter */
};
#define SBX_REPLY_FORMAT "=10iqddqq"
/* Every answer starts with its kind (an error answer: the kind, then the
 * reason in UTF-8). */
#define SBX_REPLY_KIND_FORMAT "=i"
enum { SBX_REPLY_NFIELDS = 15 };
_Static_assert(sizeof(struct sbx_reply) == 80, "struct sbx_reply must match SBX_REPLY_FORMAT");
extern const char *const sbx_reply_fields[SBX_REPLY_NFIELDS];
void sbx_reply_from_run(const struct sbx_run *run, struct sbx_reply *reply);
/* The outcome of a warm run whose caller killed it before any reply
 * (cancel_fd): SIGKILL, cancelled, wall_s as measured by the caller. */
void sbx_reply_cancelled(struct sbx_reply *reply, double wall_s);

/* Warm mode, caller side: read the sandbox's stdout, stderr and verdict
 * pipes (capped like sbx_step does) until the fork server answers on sock
 * and the pipes reach EOF.  The collector owns and closes the three fds
 * (-1 once closed). */
struct sbx_collect {
    int fds[SBX_STREAM_COUNT]; /* read ends, by enum sbx_stream */
    struct sbx_buffer buf[SBX_STREAM_COUNT];
    int sock, replied;
    int cancel_fd, cancelled; /* as in sbx_config: stop waiting at once */
    int stream_return;        /* as in sbx_run */
    double deadline, drain_deadline;
};
void sbx_collect_init(struct sbx_collect *c, const int fds[SBX_STREAM_COUNT], int sock, size_t output_limit,
                      size_t verdict_limit, double wait_s, int cancel_fd);
/* 1 when done (c->replied says whether the server answered in time). */
int sbx_collect_step(struct sbx_collect *c, int max_wait_ms);
void sbx_collect_free(struct sbx_collect *c);

#endif /* SBX_WAIT_H */
