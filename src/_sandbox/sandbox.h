/*
 * sandbox.h: the types of one sandbox run, shared by the C files of the
 * autopoietic._sandbox extension: the setup stages, the fd slots, the
 * configuration (struct sbx_config, converted to C before clone()), the
 * messages between parent and child, and the parent's state of a run
 * (struct sbx_run).  Each concern declares its functions in a header of
 * its own: clone.h (start a run), proctree.h (the process tree), wait.h
 * (wait for the end, the warm collector, the reply), child.h, mounts.h,
 * limits.h, seccomp.h, cgroup.h.  The validator (validator.h) shares
 * nothing with these.
 *
 * Only module.c includes Python.h; everything here is plain C, so the C
 * core can be built and sanitized without Python (sanitize/).
 *
 * Every non-static symbol starts with sbx_.  Functions that run in the
 * cloned child end in _child; they are async-signal-safe (no malloc, no
 * stdio, no locks), see child.c.
 */
#ifndef SBX_SANDBOX_H
#define SBX_SANDBOX_H

#include "missing_defs.h"
#include "landlock.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>

/* Where setup failed.  Parent-side stages come first, then the child's.
 * Keep in sync with sbx_stage_names in clone.c. */
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
    SBX_STAGE_LANDLOCK,    /* detail: the rule (sbx_landlock_apply_child) */
    SBX_STAGE_SECCOMP,
    SBX_STAGE_EXEC,
    SBX_STAGE_COUNT
};

/* The names of enum sbx_stage (clone.c), exported to Python as STAGES. */
extern const char *const sbx_stage_names[SBX_STAGE_COUNT];

/* Every fd of one run, by slot (struct sbx_child_fds).  The child's ends
 * come first, and the first SBX_FD_FIRST_FREE of them are numbered like
 * the fd each becomes in the executed program: slot i is dup2'd onto fd i,
 * so fds 0-5 need no table of their own.  The executed program finds those
 * six open, and nothing else.  Adding a pipe is an edit here (and in the
 * list of pipes sbx_start makes, clone.c); every loop over the set is over
 * these slots. */
#define SBX_MAX_CGROUPS 4 /* hierarchies of the run's cgroup (cgroup v1: memory, pids, cpuacct) */

enum sbx_fd_slot {
    /* child ends: init holds them, the main process keeps 0-5 */
    SBX_FD_STDIN = 0,   /* the stdin fd given, or /dev/null */
    SBX_FD_STDOUT = 1,  /* stdout pipe, write end */
    SBX_FD_STDERR = 2,  /* stderr pipe, write end */
    SBX_FD_NONCE = 3,   /* read end: the per-run nonce, then EOF */
    SBX_FD_VERDICT = 4, /* write end: the runner's verdict */
    SBX_FD_SOURCE = 5,  /* the program's input (a sealed memfd), if any */
    SBX_FD_FIRST_FREE = 6,
    SBX_FD_ERRPIPE_W = SBX_FD_FIRST_FREE, /* (stage, errno) reports */
    SBX_FD_STATUS_W,                      /* init -> parent */
    SBX_FD_SYNC_R,                        /* parent -> init: maps written */
    SBX_FD_GO_R,                          /* warm: parent -> main, the run's fds */
    SBX_FD_CG_JOIN,                       /* init joins its cgroup through these: */
    SBX_FD_CHILD_END = SBX_FD_CG_JOIN + SBX_MAX_CGROUPS, /* one per hierarchy */
    /* parent ends, closed by the child; stdout, stderr and verdict in the
     * order of enum sbx_stream */
    SBX_FD_OUT_R = SBX_FD_CHILD_END,
    SBX_FD_ERR_R,
    SBX_FD_VERDICT_R,
    SBX_FD_ERRPIPE_R,
    SBX_FD_STATUS_R,
    SBX_FD_NONCE_W,
    SBX_FD_SYNC_W,
    SBX_FD_GO_W,
    SBX_FD_COUNT
};

/* The three streams read from a run, in buffers indexed alike (struct
 * sbx_run, struct sbx_collect). */
enum sbx_stream { SBX_STREAM_STDOUT, SBX_STREAM_STDERR, SBX_STREAM_VERDICT, SBX_STREAM_COUNT };

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
    const char *hostname;      /* set in a new UTS namespace (module.c requires one) */
    int clone_flags;           /* CLONE_NEW* flags; 0 = direct execution */
    const char *uid_map;       /* written to /proc/PID/uid_map with CLONE_NEWUSER (required) */
    const char *gid_map;
    int deny_setgroups;        /* write "deny" to /proc/PID/setgroups first */
    int change_ids;            /* main process: setresgid/setresuid to these */
    int clear_groups;          /* ... after setgroups(0, NULL) */
    uid_t uid;
    gid_t gid;
    const struct sbx_mount_op *mounts;
    int n_mounts;
    const void *seccomp;       /* struct sock_fprog * or NULL (seccomp.c) */
    struct sbx_landlock_plan landlock; /* the Landlock ruleset of the main process (landlock.c) */
    int source_fd;             /* becomes SBX_FD_SOURCE; -1: none */
    int stdin_fd;              /* becomes SBX_FD_STDIN; -1: /dev/null */
    struct sbx_rlimit rlimits[SBX_MAX_RLIMITS];
    int n_rlimits;
    double timeout_s;          /* wall clock, from clone() */
    double cpu_limit_s;        /* CPU of the whole tree; <= 0: no check */
    size_t output_limit;       /* bytes kept per stream (stdout, stderr) */
    size_t verdict_limit;      /* bytes kept of the verdict pipe */
    const unsigned char *nonce;
    size_t nonce_len;          /* <= SBX_NONCE_MAX */
    /* Warm mode (fork server): sbx_start() prepares the sandbox up to the
     * point where the main process waits for its run (sbx_go() hands it
     * its fds); the main process then does not exec but returns from
     * sbx_start() into the already-loaded interpreter. */
    int warm;
    int cancel_fd;             /* readable or hung up: kill the tree now; -1: none */
    struct sbx_cgroup_plan cgroup;
};

/* The nonce is written into the empty pipe of fd 3 in one write: at most
 * PIPE_BUF bytes (module.c exports it as NONCE_MAX). */
#define SBX_NONCE_MAX 4096

/* Warm mode: what sbx_go() sends the waiting main process. */
enum { SBX_GO_FDS = 6 };
struct sbx_go_msg {
    int fds[SBX_GO_FDS]; /* stdin, stdout, stderr, nonce, verdict, source: fds 0-5 */
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
/* TREE_DONE: every descendant of init is reaped (init exits next);
 * cpu_us is their CPU time, user and system, in microseconds. */
enum { SBX_STATUS_MAIN_PID = 1, SBX_STATUS_MAIN_EXIT = 2, SBX_STATUS_TREE_DONE = 3 };
struct sbx_status_msg {
    int32_t kind;
    int32_t value;
    int64_t cpu_us;
};

/* The fds of one run by slot, -1 where none: all O_CLOEXEC and numbered
 * >= SBX_FD_FIRST_FREE (sbx_move_high), so the child's dup2 onto 0-5
 * never clobbers one it still needs. */
struct sbx_child_fds {
    int fd[SBX_FD_COUNT];
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

/* One running sandbox, parent side.  A read end is open while its fd
 * is >= 0 (fds.fd[SBX_FD_OUT_R] ...). */
struct sbx_run {
    const struct sbx_config *cfg;
    struct sbx_child_fds fds;
    pid_t init_pid;   /* host pid of the child we cloned */
    pid_t main_pid;   /* pid of the executed program as init sees it */
    int main_exited;  /* init reported the program's exit */
    int tree_done;    /* init reported every descendant reaped (SBX_STATUS_TREE_DONE) */
    int answer_early; /* warm: sbx_step returns at tree_done (sbx_answerable), before init is reaped */
    int answered;     /* the outcome was taken at tree_done: the reap keeps it */
    int stream_return; /* sbx_step returns (0) once stdout or stderr got bytes: the caller streams them */
    double start, deadline, next_cpu_check, kill_time;
    int ncpu;
    double drain_deadline; /* after init exits, bound on draining output */
    struct sbx_buffer buf[SBX_STREAM_COUNT];
    /* outcome */
    int setup_stage, setup_errno, setup_detail;
    int have_status, wait_status; /* of the executed program */
    int killed, timed_out, cpu_exceeded, cancelled;
    int reaped;
    double wall_s, cpu_s;
    long max_rss_kib;
    struct sbx_go_msg go; /* warm: in the main process, what it received */
    unsigned long go_inodes[2]; /* warm: the go socketpair's inodes (/proc/net/unix) */
    /* the run's cgroup: directories made (NULL: none), and what was read
     * at the reap (-1: not read) */
    char *cg_dirs[SBX_MAX_CGROUPS];
    int cg_dir_fd; /* CLONE_INTO: the run's cgroup directory, until clone() */
    long long cg_memory_peak, cg_oom_kills;
};

#endif /* SBX_SANDBOX_H */
