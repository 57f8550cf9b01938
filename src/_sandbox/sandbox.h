/*
 * sandbox.h: shared declarations of the autopoietic._sandbox extension.
 *
 * Only module.c includes Python.h.  Everything declared here is plain C so
 * the parent-side runner (spawn.c), the child side (child.c, limits.c) and
 * the validator (validator.c) can be read, built and fuzzed without Python.
 *
 * Every non-static symbol starts with sbx_.  Functions that run in the
 * cloned child end in _child; they are async-signal-safe (no malloc, no
 * stdio, no locks), see child.c.
 */
#ifndef SBX_SANDBOX_H
#define SBX_SANDBOX_H

#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>

/* Where setup failed.  Parent-side stages come first, then the child's.
 * Keep in sync with sbx_stage_names in spawn.c. */
enum sbx_stage {
    SBX_STAGE_NONE = 0,
    /* parent side */
    SBX_STAGE_PIPE,
    SBX_STAGE_CLONE,
    SBX_STAGE_SETGROUPS,
    SBX_STAGE_UID_MAP,
    SBX_STAGE_GID_MAP,
    SBX_STAGE_CGROUP,      /* detail: index of the failing hierarchy */
    SBX_STAGE_SYNC,
    /* child side (init process) */
    SBX_STAGE_SIGNALS,
    SBX_STAGE_PDEATHSIG,
    SBX_STAGE_SYNC_WAIT,
    SBX_STAGE_DUMPABLE,
    SBX_STAGE_CGROUP_NS,   /* unshare(CLONE_NEWCGROUP) once inside the run's cgroup */
    SBX_STAGE_SETHOSTNAME,
    SBX_STAGE_MOUNT_PRIVATE,
    SBX_STAGE_MOUNT_PROC,
    SBX_STAGE_MOUNT,       /* detail: index of the failing mount op */
    SBX_STAGE_SUBREAPER,
    SBX_STAGE_FORK,
    /* child side (the process that execs the interpreter) */
    SBX_STAGE_SETSID,
    SBX_STAGE_GO_WAIT,     /* warm mode: receiving the run's fds */
    SBX_STAGE_DUP2,
    SBX_STAGE_CLOSE_FDS,
    SBX_STAGE_RLIMIT,
    SBX_STAGE_CHDIR,
    SBX_STAGE_SET_IDS,
    SBX_STAGE_CAPS,
    SBX_STAGE_NO_NEW_PRIVS,
    SBX_STAGE_SECCOMP,
    SBX_STAGE_EXEC,
    SBX_STAGE_COUNT
};

extern const char *const sbx_stage_names[SBX_STAGE_COUNT];

/* The fds the executed program finds open, and nothing else. */
enum {
    SBX_FD_STDIN = 0,
    SBX_FD_STDOUT = 1,
    SBX_FD_STDERR = 2,
    SBX_FD_NONCE = 3,   /* read end: the per-run nonce, then EOF */
    SBX_FD_VERDICT = 4, /* write end: the runner's verdict */
    SBX_FD_SOURCE = 5,  /* the program's input (a sealed memfd), if any */
    SBX_FD_FIRST_FREE = 6
};

/* One step of building the sandbox's root file system, run in order by
 * init (mounts.c).  The parent computes the whole list. */
enum sbx_mount_kind {
    SBX_MOUNT_MKDIR,   /* mkdir dst (an existing one is fine) */
    SBX_MOUNT_TOUCH,   /* create an empty file dst, a bind target */
    SBX_MOUNT_SYMLINK, /* symlink src -> dst */
    SBX_MOUNT_BIND,    /* bind src on dst; then remount with flags if != 0 */
    SBX_MOUNT_TMPFS,   /* tmpfs on dst with mount flags and data (options) */
    SBX_MOUNT_PROC,    /* a proc of our pid namespace on dst */
    SBX_MOUNT_PIVOT,   /* pivot_root into dst, detach the old root */
    SBX_MOUNT_REMOUNT, /* remount the bind mount dst with flags */
    SBX_MOUNT_KIND_COUNT
};

struct sbx_mount_op {
    int kind;
    const char *src;
    const char *dst;
    unsigned long flags;
    const char *data;
};

#define SBX_MAX_RLIMITS 16

/* The run's cgroup (cgroup.c): in each hierarchy (one for cgroup v2;
 * memory, pids and cpuacct for v1) a directory run-<pid>-<n> under
 * parents[i] (pid: the process that makes it), made before clone() with
 * the writes applied, joined by init before it runs anything of its own
 * (how: join), and removed when the run is reaped.  Python computes the
 * plan (_cgroup.py). */
#define SBX_MAX_CGROUPS 4
#define SBX_MAX_CGROUP_WRITES 8

struct sbx_cgroup_write {
    int hierarchy;     /* index into parents */
    const char *file;  /* e.g. "memory.limit_in_bytes" */
    const char *value;
};

/* A counter read from the run's cgroup: the file's first number (key
 * NULL), or the number after "key " on one of its lines.  hierarchy < 0:
 * not read. */
struct sbx_cgroup_stat {
    int hierarchy;
    const char *file;
    const char *key;
};

/* How init gets into the run's cgroup.  Moving a whole process
 * (cgroup.procs) takes the kernel's cgroup_threadgroup_rwsem for writing,
 * which waits for an RCU grace period (6-14 ms here); a process moving
 * only itself as one thread (v1 "tasks", pid 0) does not on Linux >= 6.x,
 * and a child cloned into the cgroup (clone3 CLONE_INTO_CGROUP, v2) is
 * never moved at all. */
enum {
    SBX_CGROUP_JOIN_PROCS = 0,      /* the parent writes init's pid to cgroup.procs */
    SBX_CGROUP_JOIN_TASKS = 1,      /* init writes 0 to each hierarchy's tasks (v1) */
    SBX_CGROUP_JOIN_CLONE_INTO = 2  /* clone3 CLONE_INTO_CGROUP (v2, Linux >= 5.7) */
};

struct sbx_cgroup_plan {
    int n;                                   /* 0: no cgroup */
    int join;                                /* SBX_CGROUP_JOIN_* */
    const char *parents[SBX_MAX_CGROUPS];
    int n_writes;
    struct sbx_cgroup_write writes[SBX_MAX_CGROUP_WRITES];
    struct sbx_cgroup_stat cpu;              /* CPU time of the tree, in cpu_unit_s */
    double cpu_unit_s;
    struct sbx_cgroup_stat memory_peak;      /* bytes */
    struct sbx_cgroup_stat oom_kills;        /* processes the OOM killer killed */
};

struct sbx_rlimit {
    int resource;
    struct rlimit value;
};

/* Everything the child needs, converted to C in the parent before clone()
 * so the child allocates nothing. */
struct sbx_config {
    const char *exe;           /* path given to execve */
    char *const *argv;
    char *const *envp;
    const char *cwd;           /* working directory of the executed program */
    const char *hostname;      /* set in a new UTS namespace; NULL keeps it */
    int clone_flags;           /* CLONE_NEW* flags; 0 = direct execution */
    const char *uid_map;       /* written to /proc/PID/uid_map with CLONE_NEWUSER */
    const char *gid_map;
    int deny_setgroups;        /* write "deny" to /proc/PID/setgroups first */
    int change_ids;            /* main process: setresgid/setresuid to these */
    int clear_groups;          /* ... after setgroups(0, NULL) */
    uid_t uid;
    gid_t gid;
    const struct sbx_mount_op *mounts;
    int n_mounts;
    const void *seccomp;       /* struct sock_fprog * or NULL (seccomp.c) */
    int source_fd;             /* becomes SBX_FD_SOURCE; -1: none */
    struct sbx_rlimit rlimits[SBX_MAX_RLIMITS];
    int n_rlimits;
    double timeout_s;          /* wall clock, from clone() */
    double cpu_limit_s;        /* CPU of the whole tree; <= 0: no check */
    size_t output_limit;       /* bytes kept per stream (stdout, stderr) */
    size_t verdict_limit;      /* bytes kept of the verdict pipe */
    const unsigned char *nonce;
    size_t nonce_len;
    /* Warm mode (fork server): sbx_start() prepares the sandbox up to the
     * point where the main process waits for its run (sbx_go() hands it
     * its fds); the main process then does not exec but returns from
     * sbx_start() into the already-loaded interpreter. */
    int warm;
    int cancel_fd;             /* readable or hung up: kill the tree now; -1: none */
    struct sbx_cgroup_plan cgroup;
};

/* Warm mode: what sbx_go() sends the waiting main process. */
enum { SBX_GO_FDS = 5 };
struct sbx_go_msg {
    int fds[SBX_GO_FDS]; /* stdout, stderr, nonce, verdict, source: fds 1-5 */
};

/* The go message on the wire: one byte (a SOCK_SEQPACKET message needs
 * one: a read of 0 is EOF) and SBX_GO_FDS fds as SCM_RIGHTS.  Self-
 * referential: initialise in place with sbx_go_wire_init (async-signal-
 * safe), do not copy. */
struct sbx_go_wire {
    struct msghdr msg;
    struct iovec iov;
    char byte;
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int) * SBX_GO_FDS)];
    } control;
};
void sbx_go_wire_init(struct sbx_go_wire *w);

/* Child -> parent message on the error pipe: one atomic write. */
struct sbx_error_msg {
    int32_t stage;
    int32_t err;
    int32_t detail; /* stage-specific, e.g. the mount op index */
};

/* Init -> parent messages on the status pipe. */
enum { SBX_STATUS_MAIN_PID = 1, SBX_STATUS_MAIN_EXIT = 2 };
struct sbx_status_msg {
    int32_t kind;
    int32_t value;
};

/* The fds the child side works with (all O_CLOEXEC, all >= SBX_FD_FIRST_FREE:
 * sbx_move_high). */
struct sbx_child_fds {
    int devnull;
    int out_w, err_w, nonce_r, verdict_w; /* become 1, 2, 3, 4 */
    int source;                           /* becomes 5, or -1 */
    int errpipe_w;                        /* (stage, errno) reports */
    int status_w;                         /* init -> parent */
    int sync_r;                           /* parent -> init: maps written */
    int cg_join[SBX_MAX_CGROUPS];         /* init joins its cgroup through these (-1: none) */
    int go_r;                             /* warm: parent -> main, the run's fds */
    /* parent-side ends, closed by the child */
    int out_r, err_r, nonce_w, verdict_r, errpipe_r, status_r, sync_w, go_w;
    /* where the caller's argv and environ strings lie (/proc/self/stat):
     * init, a copy of the caller, zeroes them so /proc/1/cmdline shows
     * nothing of the caller */
    unsigned long arg_start, arg_end, env_start, env_end;
};

struct sbx_buffer {
    char *data;
    size_t len, cap, limit;
    int truncated;
};

/* One running sandbox, parent side. */
struct sbx_run {
    const struct sbx_config *cfg;
    struct sbx_child_fds fds;
    pid_t init_pid;   /* host pid of the child we cloned */
    pid_t main_pid;   /* pid of the executed program as init sees it */
    int main_exited;  /* init reported the program's exit */
    double start, deadline, next_cpu_check, kill_time;
    int ncpu;
    /* open read ends: out, err, verdict, errpipe, status */
    int open_out, open_err, open_verdict, open_errpipe, open_status;
    double drain_deadline; /* after init exits, bound on draining output */
    struct sbx_buffer out, err, verdict;
    /* outcome */
    int setup_stage, setup_errno, setup_detail;
    int have_status, wait_status; /* of the executed program */
    int killed, timed_out, cpu_exceeded, cancelled;
    int reaped;
    double wall_s, cpu_s;
    long max_rss_kib;
    struct sbx_go_msg go; /* warm: in the main process, what it received */
    /* the run's cgroup: directories made (NULL: none), and what was read
     * at the reap (-1: not read) */
    char *cg_dirs[SBX_MAX_CGROUPS];
    int cg_dir_fd; /* CLONE_INTO: the run's cgroup directory, until clone() */
    long long cg_memory_peak, cg_oom_kills;
};

/* spawn.c: parent side.  None of these touch Python; callers release the
 * GIL around them.  sbx_start returns 0, or -1 with run->setup_stage and
 * run->setup_errno set (and nothing left running).  With cfg->warm the
 * sandbox waits for sbx_go(); sbx_start also returns SBX_START_CHILD, in
 * the sandbox's main process, which then calls sbx_enter_child(). */
enum { SBX_START_CHILD = 1 };
int sbx_start(const struct sbx_config *cfg, struct sbx_run *run);
/* Move *fd to a number >= SBX_FD_FIRST_FREE (closing the old one): 0 or -1. */
int sbx_move_high(int *fd);
/* Warm mode: a run's outcome as the fork server sends it (module.c), in
 * the struct module's notation SBX_REPLY_FORMAT. */
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
_Static_assert(sizeof(struct sbx_reply) == 80, "struct sbx_reply must match SBX_REPLY_FORMAT");
void sbx_reply_from_run(const struct sbx_run *run, struct sbx_reply *reply);

/* Warm mode: start the run of a sandbox sbx_start() prepared.  The wall
 * clock starts here.  Returns 0, or -1 with errno when the main process
 * cannot be reached (it died; sbx_step() then finds out why). */
int sbx_go(struct sbx_run *run, const int fds[SBX_GO_FDS]);
/* Wait up to max_wait_ms for progress.  Returns 1 when the run is over
 * (the child is reaped and all output collected), 0 to be called again. */
int sbx_step(struct sbx_run *run, int max_wait_ms);
/* Kill the whole tree now and reap it (used on KeyboardInterrupt). */
void sbx_abort(struct sbx_run *run);
/* Threads of this process (/proc/self/stat), or -1. */
int sbx_thread_count(void);
void sbx_run_free(struct sbx_run *run);
double sbx_monotonic(void);

/* Warm mode, caller side: read the sandbox's stdout, stderr and verdict
 * pipes (capped like sbx_step does) until the fork server answers on sock
 * and the pipes reach EOF.  The collector owns and closes the three fds. */
struct sbx_collect {
    int fds[3];  /* stdout, stderr, verdict read ends */
    int open[3];
    struct sbx_buffer buf[3];
    int sock, replied;
    int cancel_fd, cancelled; /* as in sbx_config: stop waiting at once */
    double deadline, drain_deadline;
};
void sbx_collect_init(struct sbx_collect *c, const int fds[3], int sock, size_t output_limit, size_t verdict_limit,
                      double wait_s, int cancel_fd);
/* 1 when done (c->replied says whether the server answered in time). */
int sbx_collect_step(struct sbx_collect *c, int max_wait_ms);
void sbx_collect_free(struct sbx_collect *c);

/* child.c: runs after clone() in the child.  Returns only in the main
 * process of a warm run, which (having reset its copy of the interpreter
 * after the fork) calls sbx_enter_child. */
void sbx_init_child(const struct sbx_config *cfg, const struct sbx_child_fds *fds, struct sbx_go_msg *go);
/* The main process's setup: (warm mode: wait for the go into *go,) fds
 * 0-5, every other fd closed, rlimits, cwd, ids, capabilities,
 * no_new_privs, seccomp; then exec, or in warm mode return.  A failure is
 * reported on the error pipe and ends the process; so does the server's
 * EOF on the go socket (silently). */
void sbx_enter_child(const struct sbx_config *cfg, const struct sbx_child_fds *fds, struct sbx_go_msg *go);
void sbx_report_child(int fd, int stage, int err, int detail);
/* Call each(pid) for every number in a /proc/.../children listing read from
 * fd; returns how many.  Async-signal-safe: init (child side) and the
 * parent's CPU sampling both use it. */
int sbx_for_each_pid(int fd, void (*each)(pid_t pid, void *ctx), void *ctx);

/* limits.c: child side. Returns 0 or -1 with errno set. */
int sbx_apply_rlimits_child(const struct sbx_config *cfg);
/* Drop every capability (bounding, ambient, effective, permitted,
 * inheritable), after switching ids if asked.  0 or -1 with errno and
 * *stage set. */
int sbx_drop_privileges_child(const struct sbx_config *cfg, int *stage);

/* mounts.c: child side.  Runs cfg->mounts in order; 0, or -1 with errno
 * set and *failed the index of the failing op. */
int sbx_mount_root_child(const struct sbx_config *cfg, int *failed);

/* cgroup.c: parent side.  sbx_cgroup_create makes the run's directories
 * before clone() and opens what init joins them with (run->fds.cg_join;
 * for CLONE_INTO, the directory's fd in run->cg_dir_fd): 0, or -1 with
 * errno and *failed the index of the failing hierarchy (whatever was made
 * is removed).  sbx_cgroup_attach moves pid in after clone() when the plan
 * says SBX_CGROUP_JOIN_PROCS.  sbx_cgroup_cpu reads the CPU counter
 * (seconds, or -1).  sbx_cgroup_finish reads the counters into run and
 * removes the directories.  sbx_cgroup_join_child: init, after the sync. */
int sbx_cgroup_create(struct sbx_run *run, int *failed);
int sbx_cgroup_attach(struct sbx_run *run, pid_t pid, int *failed);
int sbx_cgroup_join_child(const struct sbx_child_fds *fds, int *failed);
double sbx_cgroup_cpu(struct sbx_run *run);
void sbx_cgroup_finish(struct sbx_run *run);

/* seccomp.c: the filter is built in the parent (allocates) and installed
 * in the child right before exec (after PR_SET_NO_NEW_PRIVS). */
enum { SBX_SECCOMP_DENY_SIGCHLD_IGNORE = 1 }; /* rt_sigaction(SIGCHLD, act != NULL): EPERM */
void *sbx_seccomp_build(int flags);  /* struct sock_fprog *, or NULL with errno */
void sbx_seccomp_free(void *prog);
int sbx_seccomp_install_child(const void *prog);

/* validator.c: pure C, no Python. */
struct sbx_finding {
    const char *rule;
    int line;          /* 1-based */
    int col;           /* 0-based, in bytes like Python's ast */
    char message[192];
};
/* Called per finding; a non-zero return stops the scan. */
typedef int (*sbx_finding_cb)(void *ctx, const struct sbx_finding *f);

/* A list of names of the validator's policy. */
struct sbx_names {
    const char *const *items;
    size_t n;
};

/* The validator's policy: data, set from Python (validator.py, which says
 * what each list holds and why). */
struct sbx_policy {
    struct sbx_names denied_modules;     /* a module and its submodules */
    struct sbx_names allowed_modules;    /* top-level names */
    int allow_unknown_modules;           /* neither denied nor allowed: allow */
    struct sbx_names denied_names;       /* builtins, as a NAME that is referenced */
    struct sbx_names denied_attributes;  /* as attribute, name or definition; in literals that feed a sink */
    struct sbx_names string_sinks;       /* their presence makes a module's string literals count */
    struct sbx_names reexports;          /* "logging.traceback": a module's attribute that is another module */
    struct sbx_names submodules;         /* "json.decoder": a package's own submodule */
    struct sbx_names denied_module_members; /* of what a module hands out (io streams) */
    struct sbx_names denied_members;     /* of anything (x.sys: the module by that name) */
    struct sbx_names called_only;        /* dotted names only ever called (string.Formatter) */
    int require_markers;                 /* the component protocol's two markers */
    size_t max_source_bytes;             /* 0: no bound */
    /* NFKC-normalise a UTF-8 identifier into out (at most outcap bytes);
     * returns its length or -1.  NULL: non-ASCII identifiers are findings. */
    int (*normalize)(void *ctx, const char *in, size_t len, char *out, size_t outcap);
    void *normalize_ctx;
};

/* Scan src (UTF-8 bytes) and report every finding.  Returns the number of
 * findings, -1 if the callback stopped the scan, -2 when out of memory. */
int sbx_validate(const char *src, size_t len, const struct sbx_policy *policy, sbx_finding_cb cb, void *ctx);

#endif /* SBX_SANDBOX_H */
