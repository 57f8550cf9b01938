/*
 * module.c: the Python binding of autopoietic._sandbox.
 *
 * With convert.c (Python arguments to C, copied before clone() so the
 * child allocates nothing) and pyvalidator.c (validate()), the only files
 * that include Python.h: the run's job, the GIL release around the wait,
 * and building the result dict (one builder for both modes:
 * build_result).  The policy (which namespaces, which limits, the
 * ids and their maps, the hostname, the component protocol) lives in
 * Python: an option this file needs and is not given is an error, never a
 * default of its own.  What Python must know of the C side is exported
 * once: STAGES, NAMESPACES, REPLY_FORMAT, REPLY_KIND_FORMAT,
 * REPLY_RESULT/_ERROR, NONCE_MAX, MAX_TIMEOUT_S, MAX_OUTPUT_BYTES and the
 * CGROUP_JOIN_* values in sbx_exec,
 * RESULT_KEYS and REPLY_FIELDS in sbx_py_getattr.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "child.h"
#include "clone.h"
#include "convert.h"
#include "proctree.h"
#include "seccomp.h"
#include "pyvalidator.h"
#include "wait.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_OUTPUT_LIMIT ((Py_ssize_t)1 << 30)
#define MAX_TIMEOUT_S 1e7
#define VERDICT_LIMIT 65536
/* One step of waiting without the GIL; then signals are checked.  Signals
 * may be delivered to any thread, so poll() is not reliably interrupted. */
#define STEP_MS 100

/* The keys of the result dict, in its order: exported as RESULT_KEYS.
 * The streams' keys (stdout ... verdict_truncated) are collect()'s too. */
enum result_key {
    R_EXIT_CODE, R_SIGNAL, R_SETUP_ERROR, R_TIMED_OUT, R_CPU_EXCEEDED, R_WALL_S, R_CPU_S, R_MAX_RSS_KIB,
    R_STDOUT, /* + enum sbx_stream */
    R_TRUNCATED = R_STDOUT + SBX_STREAM_COUNT, /* + enum sbx_stream */
    R_CANCELLED = R_TRUNCATED + SBX_STREAM_COUNT,
    R_CGROUP_MEMORY_PEAK, R_CGROUP_OOM_KILLS, R_COUNT
};
static const char *const result_keys[R_COUNT] = {
    [R_EXIT_CODE] = "exit_code",
    [R_SIGNAL] = "signal",
    [R_SETUP_ERROR] = "setup_error",
    [R_TIMED_OUT] = "timed_out",
    [R_CPU_EXCEEDED] = "cpu_exceeded",
    [R_WALL_S] = "wall_s",
    [R_CPU_S] = "cpu_s",
    [R_MAX_RSS_KIB] = "max_rss_kib",
    [R_STDOUT + SBX_STREAM_STDOUT] = "stdout",
    [R_STDOUT + SBX_STREAM_STDERR] = "stderr",
    [R_STDOUT + SBX_STREAM_VERDICT] = "verdict",
    [R_TRUNCATED + SBX_STREAM_STDOUT] = "stdout_truncated",
    [R_TRUNCATED + SBX_STREAM_STDERR] = "stderr_truncated",
    [R_TRUNCATED + SBX_STREAM_VERDICT] = "verdict_truncated",
    [R_CANCELLED] = "cancelled",
    [R_CGROUP_MEMORY_PEAK] = "cgroup_memory_peak",
    [R_CGROUP_OOM_KILLS] = "cgroup_oom_kills",
};

/* values[first..end) (new references; NULL: an exception is set) into d
 * under result_keys: 0, or -1 with an exception set.  The values are
 * released and set to NULL either way. */
static int set_items(PyObject *d, int first, int end, PyObject **values)
{
    int i, rc = 0;

    for (i = first; i < end; i++) {
        if (rc == 0 && (values[i] == NULL || PyDict_SetItemString(d, result_keys[i], values[i]) < 0))
            rc = -1;
        Py_XDECREF(values[i]);
        values[i] = NULL;
    }
    return rc;
}

/* The streams' entries of a result (and of collect()'s dict). */
static void stream_values(const struct sbx_buffer bufs[SBX_STREAM_COUNT], PyObject **values)
{
    int s;

    for (s = 0; s < SBX_STREAM_COUNT; s++) {
        /* a stream that never delivered a byte has no buffer: b"" */
        values[R_STDOUT + s] = PyBytes_FromStringAndSize(bufs[s].data ? bufs[s].data : "", (Py_ssize_t)bufs[s].len);
        values[R_TRUNCATED + s] = PyBool_FromLong(bufs[s].truncated);
    }
}

/* The result dict of a run in either mode: its outcome (spawn mode: of the
 * reaped run, sbx_reply_from_run; warm mode: what the fork server sent)
 * and its three streams.  r->setup_stage is a valid stage. */
/* The result dict of a run that ended as r.  values[] holds the streams'
 * values already (R_STDOUT .. R_CANCELLED - 1: new references, stolen,
 * NULL with an exception set); the rest are NULL and filled here. */
static PyObject *build_result(const struct sbx_reply *r, PyObject *values[R_COUNT])
{
    PyObject *d;
    int i;

    /* exit_code / signal / setup_error: one of them describes how it ended */
    for (i = R_EXIT_CODE; i <= R_SETUP_ERROR; i++) {
        Py_INCREF(Py_None);
        values[i] = Py_None;
    }
    if (r->setup_stage != SBX_STAGE_NONE)
        Py_SETREF(values[R_SETUP_ERROR],
                  Py_BuildValue("(sii)", sbx_stage_names[r->setup_stage], r->setup_errno, r->setup_detail));
    else if (r->exit_code >= 0)
        Py_SETREF(values[R_EXIT_CODE], PyLong_FromLong(r->exit_code));
    else if (r->signal >= 0)
        Py_SETREF(values[R_SIGNAL], PyLong_FromLong(r->signal));
    values[R_TIMED_OUT] = PyBool_FromLong(r->timed_out);
    values[R_CPU_EXCEEDED] = PyBool_FromLong(r->cpu_exceeded);
    values[R_WALL_S] = PyFloat_FromDouble(r->wall_s);
    values[R_CPU_S] = PyFloat_FromDouble(r->cpu_s);
    values[R_MAX_RSS_KIB] = PyLong_FromLongLong(r->max_rss_kib);
    values[R_CANCELLED] = PyBool_FromLong(r->cancelled);
    values[R_CGROUP_MEMORY_PEAK] = PyLong_FromLongLong(r->cgroup_memory_peak);
    values[R_CGROUP_OOM_KILLS] = PyLong_FromLongLong(r->cgroup_oom_kills);
    d = PyDict_New();
    if (d == NULL || set_items(d, 0, R_COUNT, values) < 0) {
        for (i = 0; i < R_COUNT; i++)
            Py_XDECREF(values[i]);
        Py_XDECREF(d);
        return NULL;
    }
    return d;
}

PyDoc_STRVAR(run_doc,
"run(argv, env, cwd, *, namespaces=(), rlimits=(), timeout_s, cpu_time_s=0.0,\n"
"    output_limit=1048576, nonce=b'', hostname=None, uid_map=None,\n"
"    gid_map=None, deny_setgroups=True, uid=None, gid=None, clear_groups=False,\n"
"    mounts=(), seccomp=True, source_fd=-1, cancel_fd=-1, cgroup=None,\n"
"    deny_sigchld_ignore=False, stdin_fd=-1, verdict_limit=65536, landlock=None,\n"
"    deny_socket=False, deny_file_metadata=False) -> dict\n"
"--\n\n"
"Run argv[0] with argv and env (sequences of str or bytes) in cwd inside a\n"
"cloned child and wait for it, with the GIL released.\n\n"
"namespaces: names from NAMESPACES to unshare; empty means direct execution.\n"
"rlimits: (resource, soft, hard) tuples (resource.RLIMIT_*; -1 = unlimited)\n"
"  set in the child right before exec.\n"
"timeout_s: wall-clock seconds (> 0) after which the whole tree is killed.\n"
"cpu_time_s: CPU seconds of the whole tree, checked from the parent (0: off).\n"
"output_limit: bytes of stdout and of stderr kept each (the rest is read\n"
"  and dropped).\n"
"nonce: bytes (<= NONCE_MAX) the program can read once from fd 3; it\n"
"  writes its verdict to fd 4 (returned as 'verdict').\n"
"hostname: the host name in a new UTS namespace (required with 'uts').\n"
"uid_map, gid_map: text for /proc/PID/uid_map and gid_map (required with\n"
"  'user'); deny_setgroups writes 'deny' to /proc/PID/setgroups first\n"
"  (needed when not root).\n"
"uid, gid: ids the program switches to before exec (clear_groups: drop\n"
"  supplementary groups first).\n"
"mounts: (kind, src, dst, flags, data) steps building the root file system\n"
"  (kinds: mkdir, touch, symlink, bind, tmpfs, proc, pivot, remount).\n"
"seccomp: install the syscall filter (seccomp.c) right before exec.\n"
"deny_sigchld_ignore: the filter also refuses (EPERM) setting a SIGCHLD\n"
"  action, which could make children unaccounted for (SIG_IGN,\n"
"  SA_NOCLDWAIT); for runs without a cgroup counting their CPU.\n"
"deny_socket: the filter also refuses socket() of any family (EACCES;\n"
"  socketpair(AF_UNIX) stays), for runs that see the host's paths or its\n"
"  abstract unix socket names.\n"
"deny_file_metadata: the filter also refuses (EPERM) every change of a\n"
"  file's mode, owner, times and extended attributes (chmod, chown,\n"
"  utimensat, setxattr ... by path or fd), for runs on the host's file\n"
"  system (Landlock has no right for them).\n"
"landlock: None, or a Landlock ruleset the program gets after\n"
"  no_new_privs (landlock.c): (handled_fs, handled_net, scoped, rules),\n"
"  the first three LANDLOCK_ACCESS_FS_*, _NET_* and SCOPE_* masks, rules\n"
"  a sequence of (path, allowed LANDLOCK_ACCESS_FS_* mask), each path\n"
"  opened by the program's process (/proc/self/... is its own; a path\n"
"  that is gone is skipped); a setup failure is stage 'landlock', detail\n"
"  the rule's index (-1: the ruleset, -2: restricting).\n"
"cgroup: None, or the plan of the run's cgroup (cgroup.c): (parents,\n"
"  writes, cpu, cpu_unit_s, memory_peak, oom_kills, join), parents a tuple of\n"
"  directories, writes of (hierarchy, file, value), the counters each\n"
"  (hierarchy, file, key or None), hierarchy -1 for none; join: how init\n"
"  gets in (CGROUP_JOIN_PROCS, CGROUP_JOIN_TASKS, CGROUP_JOIN_CLONE_INTO).\n"
"source_fd: an fd the program finds as fd 5 (e.g. a sealed memfd).\n"
"stdin_fd: an fd the program finds as fd 0 (-1: /dev/null).\n"
"verdict_limit: bytes of the verdict pipe kept (default 65536; more is a\n"
"  truncated verdict, 'verdict_truncated').\n"
"cancel_fd: when this fd becomes readable or hangs up (e.g. the write end\n"
"  of a pipe is closed), the whole tree is killed at once ('cancelled').\n"
"on_output: None, or a callable called as on_output(stream, data) with\n"
"  each chunk of stdout (stream 0) and stderr (1) as it is read (bytes,\n"
"  within output_limit); if it raises, the tree is killed and reaped and\n"
"  run() raises that exception.\n"
"Every capability is dropped and PR_SET_NO_NEW_PRIVS set before exec.\n\n"
"Returns a dict, its keys RESULT_KEYS: exit_code (int|None), signal\n"
"(int|None), setup_error ((stage, errno, detail)|None), timed_out,\n"
"cpu_exceeded (bool), wall_s,\n"
"cpu_s (float seconds), max_rss_kib (int), stdout, stderr, verdict (bytes),\n"
"stdout_truncated, stderr_truncated, verdict_truncated, cancelled (bool),\n"
"cgroup_memory_peak (bytes) and cgroup_oom_kills (int), -1 without them.\n"
"Raises TypeError/ValueError for bad arguments, MemoryError, OSError when\n"
"the seccomp filter cannot be built, and KeyboardInterrupt (after killing\n"
"and reaping the child) on SIGINT.");

/* Everything one run owns on the parent side: converted to C before clone()
 * (the child allocates nothing) and kept until the run is reaped. */
struct job {
    struct sbx_config cfg;
    struct sbx_run run;
    struct str_array argv, env;
    struct mount_ops mounts;
    struct landlock_rules landlock;
    PyObject *cwd_bytes;
    char *hostname, *uid_map, *gid_map; /* PyMem copies */
    unsigned char nonce[SBX_NONCE_MAX];
    void *filter;
    PyObject *cgroup; /* the plan (a tuple of tuples): cfg.cgroup points into its strings */
    int started; /* sbx_start() was called: run holds fds and buffers */
    int live;    /* a child exists that is not reaped yet */
    int borrowed; /* cfg's memory belongs to another job (serve()'s): not freed here */
    PyObject *on_output; /* run()'s callable, borrowed for the call; NULL: no streaming */
    struct job *prev, *next; /* in live_jobs while live */
};

/* Every live job of this process.  A warm main process is a copy of the
 * fork server: its copies of these jobs name host pids and fds that are
 * not its own, and must never be killed, waited for or closed there. */
static struct job *live_jobs;

static void job_set_live(struct job *j, int live)
{
    if (live && !j->live) {
        j->prev = NULL;
        j->next = live_jobs;
        if (live_jobs != NULL)
            live_jobs->prev = j;
        live_jobs = j;
    } else if (!live && j->live) {
        if (j->prev != NULL)
            j->prev->next = j->next;
        else
            live_jobs = j->next;
        if (j->next != NULL)
            j->next->prev = j->prev;
        j->prev = j->next = NULL;
    }
    j->live = live;
}

/* In a forked copy: forget every job (their memory is freed normally). */
static void forget_jobs_in_child(void)
{
    struct job *j = live_jobs, *next;

    for (; j != NULL; j = next) {
        next = j->next;
        j->live = j->started = 0;
        j->prev = j->next = NULL;
    }
    live_jobs = NULL;
}

static char *copy_string(const char *s, int *failed)
{
    size_t n;
    char *c;

    if (s == NULL)
        return NULL;
    n = strlen(s) + 1;
    c = PyMem_Malloc(n);
    if (c == NULL) {
        PyErr_NoMemory();
        *failed = 1;
        return NULL;
    }
    memcpy(c, s, n);
    return c;
}

/* Release what job_parse() made; a live child is killed and reaped first. */
static void job_clear(struct job *j)
{
    if (j->live) {
        Py_BEGIN_ALLOW_THREADS
        sbx_abort(&j->run);
        Py_END_ALLOW_THREADS
        job_set_live(j, 0);
    }
    if (j->started)
        sbx_run_free(&j->run);
    j->started = 0;
    if (j->borrowed)
        return;
    sbx_seccomp_free(j->filter);
    j->filter = NULL;
    memset(&j->cfg.cgroup, 0, sizeof j->cfg.cgroup);
    Py_CLEAR(j->cgroup);
    sbx_mount_ops_clear(&j->mounts);
    sbx_landlock_rules_clear(&j->landlock);
    memset(&j->cfg.landlock, 0, sizeof j->cfg.landlock);
    sbx_str_array_clear(&j->argv);
    sbx_str_array_clear(&j->env);
    Py_CLEAR(j->cwd_bytes);
    PyMem_Free(j->hostname);
    PyMem_Free(j->uid_map);
    PyMem_Free(j->gid_map);
    j->hostname = j->uid_map = j->gid_map = NULL;
}

/* (hierarchy, file, key or None) into st; hierarchy -1: not read. */
static int parse_cgroup_stat(PyObject *obj, struct sbx_cgroup_stat *st, int n)
{
    PyObject *key;

    if (!PyTuple_Check(obj) || PyTuple_GET_SIZE(obj) != 3 || !PyLong_Check(PyTuple_GET_ITEM(obj, 0)) ||
        !PyUnicode_Check(PyTuple_GET_ITEM(obj, 1))) {
        PyErr_SetString(PyExc_TypeError, "a cgroup counter is a tuple (hierarchy, file, key or None)");
        return -1;
    }
    st->hierarchy = (int)PyLong_AsLong(PyTuple_GET_ITEM(obj, 0));
    if (st->hierarchy == -1 && PyErr_Occurred())
        return -1;
    if (st->hierarchy < -1 || st->hierarchy >= n) {
        PyErr_SetString(PyExc_ValueError, "a cgroup counter names a hierarchy that is not in the plan");
        return -1;
    }
    st->file = PyUnicode_AsUTF8(PyTuple_GET_ITEM(obj, 1));
    key = PyTuple_GET_ITEM(obj, 2);
    st->key = key == Py_None ? NULL : PyUnicode_AsUTF8(key);
    if (st->file == NULL || (key != Py_None && st->key == NULL))
        return -1;
    if (st->hierarchy >= 0 && (st->file[0] == '\0' || strchr(st->file, '/') != NULL)) {
        PyErr_SetString(PyExc_ValueError, "a cgroup file is a plain file name");
        return -1;
    }
    return 0;
}

/* The cgroup plan (cgroup.c, _cgroup.py): None, or a tuple (parents,
 * writes, cpu, cpu_unit_s, memory_peak, oom_kills).  Tuples only: the
 * strings are used in place while the GIL is released. */
static int parse_cgroup(PyObject *obj, struct job *j)
{
    struct sbx_cgroup_plan *plan = &j->cfg.cgroup;
    PyObject *parents, *writes;
    Py_ssize_t i;

    memset(plan, 0, sizeof *plan);
    plan->cpu.hierarchy = plan->memory_peak.hierarchy = plan->oom_kills.hierarchy = -1;
    if (obj == Py_None)
        return 0;
    if (!PyTuple_Check(obj) || PyTuple_GET_SIZE(obj) != 7 || !PyTuple_Check(PyTuple_GET_ITEM(obj, 0)) ||
        !PyTuple_Check(PyTuple_GET_ITEM(obj, 1)) || !PyFloat_Check(PyTuple_GET_ITEM(obj, 3)) ||
        !PyLong_Check(PyTuple_GET_ITEM(obj, 6))) {
        PyErr_SetString(PyExc_TypeError, "cgroup must be None or a tuple (parents, writes, cpu, cpu_unit_s, "
                                         "memory_peak, oom_kills, join)");
        return -1;
    }
    plan->join = (int)PyLong_AsLong(PyTuple_GET_ITEM(obj, 6));
    if (plan->join < SBX_CGROUP_JOIN_PROCS || plan->join > SBX_CGROUP_JOIN_CLONE_INTO) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_ValueError, "join must be CGROUP_JOIN_PROCS, _TASKS or _CLONE_INTO");
        return -1;
    }
    Py_INCREF(obj);
    j->cgroup = obj;
    parents = PyTuple_GET_ITEM(obj, 0);
    writes = PyTuple_GET_ITEM(obj, 1);
    if (PyTuple_GET_SIZE(parents) < 1 || PyTuple_GET_SIZE(parents) > SBX_MAX_CGROUPS ||
        PyTuple_GET_SIZE(writes) > SBX_MAX_CGROUP_WRITES) {
        PyErr_Format(PyExc_ValueError, "a cgroup plan has 1 to %d hierarchies and at most %d writes",
                     SBX_MAX_CGROUPS, SBX_MAX_CGROUP_WRITES);
        return -1;
    }
    for (i = 0; i < PyTuple_GET_SIZE(parents); i++) {
        PyObject *p = PyTuple_GET_ITEM(parents, i);
        const char *text = PyUnicode_Check(p) ? PyUnicode_AsUTF8(p) : NULL;
        if (text == NULL) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_TypeError, "cgroup parents are str paths");
            return -1;
        }
        if (text[0] != '/' || strlen(text) > 3000) {
            PyErr_SetString(PyExc_ValueError, "a cgroup parent is an absolute path");
            return -1;
        }
        plan->parents[plan->n++] = text;
    }
    for (i = 0; i < PyTuple_GET_SIZE(writes); i++) {
        PyObject *w = PyTuple_GET_ITEM(writes, i);
        const char *file, *value;
        long h;
        if (!PyTuple_Check(w) || PyTuple_GET_SIZE(w) != 3 || !PyLong_Check(PyTuple_GET_ITEM(w, 0)) ||
            !PyUnicode_Check(PyTuple_GET_ITEM(w, 1)) || !PyUnicode_Check(PyTuple_GET_ITEM(w, 2))) {
            PyErr_SetString(PyExc_TypeError, "a cgroup write is a tuple (hierarchy, file, value)");
            return -1;
        }
        h = PyLong_AsLong(PyTuple_GET_ITEM(w, 0));
        if (h == -1 && PyErr_Occurred())
            return -1;
        file = PyUnicode_AsUTF8(PyTuple_GET_ITEM(w, 1));
        value = PyUnicode_AsUTF8(PyTuple_GET_ITEM(w, 2));
        if (file == NULL || value == NULL)
            return -1;
        if (h < 0 || h >= plan->n || file[0] == '\0' || strchr(file, '/') != NULL) {
            PyErr_SetString(PyExc_ValueError, "a cgroup write names a hierarchy of the plan and a plain file name");
            return -1;
        }
        plan->writes[plan->n_writes].hierarchy = (int)h;
        plan->writes[plan->n_writes].file = file;
        plan->writes[plan->n_writes].value = value;
        plan->n_writes++;
    }
    plan->cpu_unit_s = PyFloat_AS_DOUBLE(PyTuple_GET_ITEM(obj, 3));
    if (!(plan->cpu_unit_s > 0.0 && plan->cpu_unit_s <= 1.0)) {
        PyErr_SetString(PyExc_ValueError, "cpu_unit_s must be in (0, 1] seconds");
        return -1;
    }
    if (parse_cgroup_stat(PyTuple_GET_ITEM(obj, 2), &plan->cpu, plan->n) < 0 ||
        parse_cgroup_stat(PyTuple_GET_ITEM(obj, 4), &plan->memory_peak, plan->n) < 0 ||
        parse_cgroup_stat(PyTuple_GET_ITEM(obj, 5), &plan->oom_kills, plan->n) < 0)
        return -1;
    return 0;
}

/* The arguments of run() (warm: of prepare(), which takes no nonce and no
 * source_fd, stdin_fd: they come with the go) into j->cfg.  0, or -1 with an
 * exception set (call job_clear either way). */
static int job_parse(struct job *j, PyObject *args, PyObject *kwargs, int warm)
{
    static char *kwlist[] = {"argv",     "env",       "cwd",     "namespaces",     "rlimits",  "timeout_s",
                             "cpu_time_s", "output_limit", "nonce", "hostname", "uid_map", "gid_map",
                             "deny_setgroups", "uid", "gid", "clear_groups", "mounts", "seccomp", "source_fd",
                             "cancel_fd", "cgroup", "deny_sigchld_ignore", "stdin_fd", "verdict_limit",
                             "landlock", "deny_socket", "deny_file_metadata", "on_output", NULL};
    PyObject *argv_obj, *env_obj, *ns_obj = NULL, *rl_obj = NULL, *mounts_obj = NULL, *cgroup_obj = Py_None;
    PyObject *landlock_obj = Py_None, *on_output = Py_None;
    int deny_sigchld_ignore = 0, deny_socket = 0, deny_file_metadata = 0;
    double timeout_s = -1.0, cpu_time_s = 0.0;
    Py_ssize_t output_limit = (Py_ssize_t)1 << 20, verdict_limit = VERDICT_LIMIT;
    Py_buffer nonce = {0};
    const char *hostname = NULL, *uid_map = NULL, *gid_map = NULL;
    int deny_setgroups = 1, clear_groups = 0, use_seccomp = 1, source_fd = -1, cancel_fd = -1, stdin_fd = -1;
    int failed = 0, rc = -1;
    struct optional_id uid = {0, 0}, gid = {0, 0};

    memset(j, 0, sizeof *j);
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, warm ? "OOO&|$OOddny*zzzpO&O&pOpiiOpinOppO:prepare"
                                                        : "OOO&|$OOddny*zzzpO&O&pOpiiOpinOppO:run",
                                     kwlist, &argv_obj, &env_obj, PyUnicode_FSConverter, &j->cwd_bytes, &ns_obj,
                                     &rl_obj, &timeout_s, &cpu_time_s, &output_limit, &nonce, &hostname, &uid_map,
                                     &gid_map, &deny_setgroups, sbx_optional_id_converter, &uid, sbx_optional_id_converter,
                                     &gid, &clear_groups, &mounts_obj, &use_seccomp, &source_fd, &cancel_fd,
                                     &cgroup_obj, &deny_sigchld_ignore, &stdin_fd, &verdict_limit,
                                     &landlock_obj, &deny_socket, &deny_file_metadata, &on_output))
        return -1;
    if (on_output != Py_None && (warm || !PyCallable_Check(on_output))) {
        PyErr_SetString(PyExc_TypeError, warm ? "prepare() streams nothing: on_output must be None"
                                              : "on_output must be callable or None");
        goto done;
    }
    j->on_output = on_output == Py_None ? NULL : on_output;
    if (!(timeout_s > 0.0 && timeout_s <= MAX_TIMEOUT_S)) {
        PyErr_SetString(PyExc_ValueError, "timeout_s must be given, > 0 and <= 1e7 seconds");
        goto done;
    }
    if (!(cpu_time_s >= 0.0 && cpu_time_s <= MAX_TIMEOUT_S)) {
        PyErr_SetString(PyExc_ValueError, "cpu_time_s must be >= 0 and <= 1e7 seconds");
        goto done;
    }
    if (output_limit < 0 || output_limit > MAX_OUTPUT_LIMIT) {
        PyErr_SetString(PyExc_ValueError, "output_limit must be between 0 and 2**30 bytes");
        goto done;
    }
    if (nonce.len > (Py_ssize_t)sizeof j->nonce) {
        PyErr_Format(PyExc_ValueError, "nonce must be %d bytes at most", SBX_NONCE_MAX);
        goto done;
    }
    /* "z" already refused an embedded NUL */
    if (hostname != NULL && (hostname[0] == '\0' || strlen(hostname) > 64)) {
        PyErr_SetString(PyExc_ValueError, "hostname must be 1 to 64 bytes");
        goto done;
    }
    if (source_fd < -1 || stdin_fd < -1) {
        PyErr_SetString(PyExc_ValueError, "source_fd and stdin_fd must be an fd or -1");
        goto done;
    }
    if (verdict_limit < 0 || verdict_limit > MAX_OUTPUT_LIMIT) {
        PyErr_SetString(PyExc_ValueError, "verdict_limit must be between 0 and 2**30 bytes");
        goto done;
    }
    if (warm && (nonce.len > 0 || source_fd != -1 || cancel_fd != -1 || stdin_fd != -1)) {
        PyErr_SetString(PyExc_ValueError,
                        "prepare() takes no nonce, source_fd, stdin_fd or cancel_fd: the fds come with go(), and "
                        "wait() is interrupted by killing the process that waits");
        goto done;
    }
    if (cancel_fd < -1) {
        PyErr_SetString(PyExc_ValueError, "cancel_fd must be an fd or -1");
        goto done;
    }
    if (uid.set != gid.set) {
        PyErr_SetString(PyExc_ValueError, "give both uid and gid, or neither");
        goto done;
    }
    if (sbx_str_array_from(argv_obj, "argv", 0, &j->argv) < 0 || sbx_str_array_from(env_obj, "env", 1, &j->env) < 0 ||
        sbx_parse_namespaces(ns_obj, &j->cfg.clone_flags) < 0 || sbx_parse_rlimits(rl_obj, &j->cfg) < 0 ||
        sbx_parse_mounts(mounts_obj, &j->mounts) < 0 || parse_cgroup(cgroup_obj, j) < 0 ||
        sbx_parse_landlock(landlock_obj, &j->landlock, &j->cfg.landlock) < 0)
        goto done;
    /* what a namespace needs is the caller's to give: no default here */
    if ((j->cfg.clone_flags & CLONE_NEWUTS) && hostname == NULL) {
        PyErr_SetString(PyExc_ValueError, "the 'uts' namespace needs a hostname");
        goto done;
    }
    if ((j->cfg.clone_flags & CLONE_NEWUSER) && (uid_map == NULL || gid_map == NULL)) {
        PyErr_SetString(PyExc_ValueError, "the 'user' namespace needs a uid_map and a gid_map");
        goto done;
    }
    if (j->mounts.n > 0 && !(j->cfg.clone_flags & CLONE_NEWNS)) {
        PyErr_SetString(PyExc_ValueError, "mounts need the 'mnt' namespace");
        goto done;
    }
    /* without a pid namespace, only the Landlock rung's signal scope keeps
     * a warm sandbox from signalling its fork server */
    if (warm && !(j->cfg.clone_flags & CLONE_NEWPID) && !(j->cfg.clone_flags == 0 && j->cfg.landlock.on)) {
        PyErr_SetString(PyExc_ValueError, "prepare() needs the 'pid' namespace, or no namespace and a landlock plan");
        goto done;
    }
    if (use_seccomp) {
        j->filter = sbx_seccomp_build((deny_sigchld_ignore ? SBX_SECCOMP_DENY_SIGCHLD_IGNORE : 0) |
                                      (deny_socket ? SBX_SECCOMP_DENY_SOCKET : 0) |
                                      (deny_file_metadata ? SBX_SECCOMP_DENY_FILE_METADATA : 0));
        if (j->filter == NULL) {
            PyErr_SetFromErrno(PyExc_OSError);
            goto done;
        }
    }
    j->hostname = copy_string(hostname, &failed);
    j->uid_map = copy_string(uid_map, &failed);
    j->gid_map = copy_string(gid_map, &failed);
    if (failed)
        goto done;
    memcpy(j->nonce, nonce.buf, (size_t)nonce.len);

    j->cfg.exe = j->argv.items[0];
    j->cfg.argv = j->argv.items;
    j->cfg.envp = j->env.items;
    j->cfg.cwd = PyBytes_AS_STRING(j->cwd_bytes);
    j->cfg.hostname = j->hostname;
    j->cfg.uid_map = j->uid_map;
    j->cfg.gid_map = j->gid_map;
    j->cfg.deny_setgroups = deny_setgroups;
    j->cfg.change_ids = uid.set;
    j->cfg.uid = (uid_t)uid.value;
    j->cfg.gid = (gid_t)gid.value;
    j->cfg.clear_groups = clear_groups;
    j->cfg.mounts = j->mounts.ops;
    j->cfg.n_mounts = j->mounts.n;
    j->cfg.seccomp = j->filter;
    j->cfg.source_fd = source_fd;
    j->cfg.stdin_fd = stdin_fd;
    j->cfg.timeout_s = timeout_s;
    j->cfg.cpu_limit_s = cpu_time_s;
    j->cfg.output_limit = (size_t)output_limit;
    j->cfg.verdict_limit = (size_t)verdict_limit;
    j->cfg.nonce = j->nonce;
    j->cfg.nonce_len = (size_t)nonce.len;
    j->cfg.warm = warm;
    j->cfg.cancel_fd = cancel_fd;
    rc = 0;
done:
    if (nonce.obj != NULL)
        PyBuffer_Release(&nonce);
    return rc;
}

/* Call on_output(stream, bytes) with what stdout and stderr kept since
 * sent[] (the GIL held).  0, or -1 with the callback's exception. */
static int deliver_output(PyObject *on_output, const struct sbx_buffer *buf, size_t *sent)
{
    int s;

    for (s = SBX_STREAM_STDOUT; s <= SBX_STREAM_STDERR; s++) {
        PyObject *r;
        if (buf[s].len <= sent[s])
            continue;
        r = PyObject_CallFunction(on_output, "iy#", s, buf[s].data + sent[s], (Py_ssize_t)(buf[s].len - sent[s]));
        sent[s] = buf[s].len;
        if (r == NULL)
            return -1;
        Py_DECREF(r);
    }
    return 0;
}

/* Wait for a started run, the GIL released in steps of STEP_MS.  0 when it
 * is reaped, or with early set (warm mode) once its outcome can be answered
 * (sbx_answerable: init reported the tree gone, init itself may still be
 * exiting); -1 with the exception of a Python signal handler or of
 * on_output (not NULL: called with each chunk of stdout and stderr as it
 * is read), after the whole tree is killed and reaped. */
static int job_wait(struct job *j, int early, PyObject *on_output)
{
    size_t sent[SBX_STREAM_COUNT] = {0};

    j->run.answer_early = early;
    j->run.stream_return = on_output != NULL;
    for (;;) {
        int finished;
        /* The wait: no Python object is touched while released. */
        Py_BEGIN_ALLOW_THREADS
        finished = sbx_step(&j->run, STEP_MS);
        Py_END_ALLOW_THREADS
        if ((on_output != NULL && deliver_output(on_output, j->run.buf, sent) < 0) ||
            (!finished && !(early && sbx_answerable(&j->run)) && PyErr_CheckSignals() < 0)) {
            if (!finished) {
                Py_BEGIN_ALLOW_THREADS
                sbx_abort(&j->run);
                Py_END_ALLOW_THREADS
            }
            job_set_live(j, 0);
            return -1;
        }
        if (finished) {
            job_set_live(j, 0);
            return 0;
        }
        if (early && sbx_answerable(&j->run))
            return 0;
    }
}

static PyObject *sbx_py_run(PyObject *Py_UNUSED(module), PyObject *args, PyObject *kwargs)
{
    struct job j;
    struct sbx_reply reply;
    PyObject *values[R_COUNT] = {NULL};
    PyObject *result = NULL;
    int rc;

    if (job_parse(&j, args, kwargs, 0) < 0)
        goto done;
    /* clone() and the uid/gid map writes block briefly: no GIL. */
    Py_BEGIN_ALLOW_THREADS
    rc = sbx_start(&j.cfg, &j.run);
    Py_END_ALLOW_THREADS
    j.started = 1;
    job_set_live(&j, rc == 0);
    if (j.live && job_wait(&j, 0, j.on_output) < 0)
        goto done;
    sbx_reply_from_run(&j.run, &reply);
    stream_values(j.run.buf, values);
    result = build_result(&reply, values);
done:
    job_clear(&j);
    return result;
}

/* ---- warm mode: a sandbox prepared in the fork server ---------------------- */

typedef struct {
    PyObject_HEAD
    struct job job;
    int used;       /* go(), cancel() or enter() was called */
    int in_sandbox; /* this is the copy in the sandbox's main process */
} PreparedObject;

static void prepared_dealloc(PreparedObject *self)
{
    job_clear(&self->job);
    /* The next sandbox starts as a copy of this process: leave nothing of
     * this run's outcome (status, times) in freed memory. */
    explicit_bzero(&self->job, sizeof self->job);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

PyDoc_STRVAR(go_doc,
"go(fds) -> None\n"
"--\n\n"
"Start the run of this prepared sandbox: fds (stdin, stdout, stderr,\n"
"nonce, verdict, source: 6 fds) become its main process's fds 0-5.  The wall-clock\n"
"timeout counts from here.  Returns at once; wait() waits for the end.\n"
"Raises ValueError when called twice or after cancel().");

static PyObject *prepared_go(PreparedObject *self, PyObject *args)
{
    int fds[SBX_GO_FDS];
    struct job *j = &self->job;

    if (!PyArg_ParseTuple(args, "(iiiiii):go", &fds[0], &fds[1], &fds[2], &fds[3], &fds[4], &fds[5]))
        return NULL;
    if (self->used || self->in_sandbox) {
        PyErr_SetString(PyExc_ValueError, "this sandbox was used already: prepare() one per run");
        return NULL;
    }
    if (fds[0] < 0 || fds[1] < 0 || fds[2] < 0 || fds[3] < 0 || fds[4] < 0 || fds[5] < 0) {
        PyErr_SetString(PyExc_ValueError, "go() needs 6 open fds");
        return NULL;
    }
    self->used = 1;
    /* A failure means the sandbox died before the go: sbx_step reads why
     * from its error pipe. */
    if (j->live)
        (void)sbx_go(&j->run, fds);
    Py_RETURN_NONE;
}

PyDoc_STRVAR(wait_doc,
"wait(sock) -> None\n"
"--\n\n"
"Wait, with the GIL released, for the run go() started: enforce its\n"
"limits, reap it, and send its outcome on the socket sock as one message\n"
"of REPLY_FORMAT (struct module notation): 1, exit_code, signal (-1: none),\n"
"setup stage (an index into STAGES, 0: none), errno, detail, timed_out,\n"
"cpu_exceeded, cancelled, 0, max_rss_kib, wall_s, cpu_s, cgroup_memory_peak,\n"
"cgroup_oom_kills.  The outcome never\n"
"becomes a Python object here, and the buffer is zeroed after the send:\n"
"later sandboxes start as copies of this process.  Raises ValueError\n"
"before go(), OSError when the send fails, and KeyboardInterrupt on\n"
"SIGINT (after killing and reaping the sandbox).");

static PyObject *prepared_wait(PreparedObject *self, PyObject *arg)
{
    struct job *j = &self->job;
    struct sbx_reply reply;
    ssize_t n;
    int sock = PyObject_AsFileDescriptor(arg), saved;

    if (sock < 0)
        return NULL;
    if (!self->used || self->in_sandbox || !j->started) {
        PyErr_SetString(PyExc_ValueError, "wait() needs a sandbox started by go()");
        return NULL;
    }
    if (j->live && job_wait(j, 0, NULL) < 0)
        return NULL;
    sbx_reply_from_run(&j->run, &reply);
    Py_BEGIN_ALLOW_THREADS
    do {
        n = send(sock, &reply, sizeof reply, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    saved = errno;
    Py_END_ALLOW_THREADS
    explicit_bzero(&reply, sizeof reply);
    if (n != (ssize_t)sizeof reply) {
        errno = n < 0 ? saved : EMSGSIZE;
        return PyErr_SetFromErrno(PyExc_OSError);
    }
    Py_RETURN_NONE;
}

PyDoc_STRVAR(cancel_doc,
"cancel() -> None\n"
"--\n\n"
"Kill and reap this prepared sandbox without running anything in it.");

static PyObject *prepared_cancel(PreparedObject *self, PyObject *Py_UNUSED(ignored))
{
    self->used = 1;
    job_clear(&self->job);
    Py_RETURN_NONE;
}

PyDoc_STRVAR(enter_doc,
"enter() -> None\n"
"--\n\n"
"In the sandbox's main process only (in_sandbox is True): change to the\n"
"working directory, set the ids, drop every capability, set no_new_privs\n"
"and install the seccomp filter; then wait for the go, take its fds as\n"
"1-5, close every other fd, apply the rlimits and return.  A failure is\n"
"reported to the server (setup_error) and ends the process, as does a\n"
"cancel() in the server.  Raises ValueError outside the sandbox.");

static PyObject *prepared_enter(PreparedObject *self, PyObject *Py_UNUSED(ignored))
{
    struct job *j = &self->job;

    if (!self->in_sandbox || self->used) {
        PyErr_SetString(PyExc_ValueError, "enter() is for the sandbox's main process, once");
        return NULL;
    }
    self->used = 1;
    sbx_enter_child(&j->cfg, &j->run.fds, &j->run.go);
    Py_RETURN_NONE;
}

static PyObject *prepared_in_sandbox(PreparedObject *self, void *Py_UNUSED(closure))
{
    return PyBool_FromLong(self->in_sandbox);
}

static PyGetSetDef prepared_getset[] = {
    {"in_sandbox", (getter)prepared_in_sandbox, NULL,
     "True in the sandbox's main process (call enter()), False in the server.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyMethodDef prepared_methods[] = {
    {"go", (PyCFunction)prepared_go, METH_VARARGS, go_doc},
    {"wait", (PyCFunction)prepared_wait, METH_O, wait_doc},
    {"cancel", (PyCFunction)prepared_cancel, METH_NOARGS, cancel_doc},
    {"enter", (PyCFunction)prepared_enter, METH_NOARGS, enter_doc},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject PreparedType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "autopoietic._sandbox.Prepared",
    .tp_basicsize = sizeof(PreparedObject),
    .tp_dealloc = (destructor)prepared_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A sandbox made by prepare(), waiting for go() or cancel().",
    .tp_methods = prepared_methods,
    .tp_getset = prepared_getset,
};

/* Clone the sandbox of j (prepare() and serve()): 1 in the sandbox's main
 * process, 0 here (a setup failure is reported by its wait()).  The main
 * process goes on running this interpreter, with the GIL held across
 * clone() as by os.fork().  Unlike os.fork(), no fork hook runs
 * (PyOS_BeforeFork / PyOS_AfterFork_*): they exist to reset locks another
 * thread may hold and the state of other threads, and a fork server has
 * one thread (its callers check), which holds no lock but the GIL here.
 * The hooks are Python code (threading's, logging's) whose writes each
 * sandbox would copy; the fork server resets what they would have and a
 * component can observe (_forkserver_main.py). */
static int start_prepared(struct job *j)
{
    int rc = sbx_start(&j->cfg, &j->run);

    if (rc == SBX_START_CHILD) {
        /* The sandbox's main process, before its go.  Our copies of the
         * jobs name host pids and fds that enter() closes: when they are
         * freed, only their memory goes. */
        forget_jobs_in_child();
        j->live = j->started = 0;
        return 1;
    }
    j->started = 1;
    job_set_live(j, rc == 0);
    return 0;
}

PyDoc_STRVAR(prepare_doc,
"prepare(argv, env, cwd, *, <the options of run() but nonce and source_fd>)\n"
"    -> Prepared\n"
"--\n\n"
"Warm mode, for a single-threaded fork server only: clone a sandbox into\n"
"its namespaces and root file system, with its main process waiting.\n"
"Returns twice, a Prepared object each time.  Here (in_sandbox False):\n"
"its go() starts the run.  In the sandbox's main process (in_sandbox\n"
"True), right after the fork (no fork hook runs, unlike os.fork(): the\n"
"caller must reset what a component could observe of them):\n"
"its enter() waits for the go and puts every protection of run() in place;\n"
"that process then goes on running this interpreter instead of exec.\n"
"A setup failure is reported by go()'s result (setup_error).  Raises\n"
"TypeError/ValueError for bad arguments (the 'pid' namespace is required,\n"
"or no namespace and a landlock plan)\n"
"and RuntimeError in a process with more than one thread.");

static PyObject *sbx_py_prepare(PyObject *Py_UNUSED(module), PyObject *args, PyObject *kwargs)
{
    PreparedObject *self = PyObject_New(PreparedObject, &PreparedType);
    struct job *j;

    if (self == NULL)
        return NULL;
    j = &self->job;
    self->used = self->in_sandbox = 0;
    if (job_parse(j, args, kwargs, 1) < 0) {
        Py_DECREF(self);
        return NULL;
    }
    /* The main process goes on running a copy of this process: of one
     * thread only, with whatever locks the others held. */
    if (sbx_thread_count() != 1) {
        PyErr_SetString(PyExc_RuntimeError, "prepare() needs a single-threaded process (a fork server)");
        Py_DECREF(self);
        return NULL;
    }
    self->in_sandbox = start_prepared(j);
    return (PyObject *)self;
}

/* ---- warm mode: the fork server's loop ------------------------------------ */

/* The largest request (a configuration, marshalled) serve() reads. */
#define SERVE_MESSAGE_MAX (1 << 20)

/* One request from sock: its message into buf (cap bytes at most) and its
 * fds (the first SBX_GO_FDS; any more are closed).  The message's length
 * (0 at EOF), or -1 with errno set.  *count: how many fds came; *cut: the
 * message or its fds were truncated. */
static ssize_t receive_request(int sock, char *buf, size_t cap, int fds[SBX_GO_FDS], int *count, int *cut)
{
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int) * (SBX_GO_FDS + 1))];
    } control;
    struct iovec iov;
    struct msghdr msg;
    struct cmsghdr *c;
    ssize_t n;

    memset(&msg, 0, sizeof msg);
    iov.iov_base = buf;
    iov.iov_len = cap;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.buf;
    msg.msg_controllen = sizeof control.buf;
    *count = 0;
    n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    if (n < 0)
        return -1;
    for (c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
        size_t i, k;
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
            continue;
        k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (i = 0; i < k; i++) {
            int fd;
            memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
            if (*count < SBX_GO_FDS)
                fds[*count] = fd;
            else
                (void)close(fd);
            (*count)++;
        }
    }
    *cut = (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0;
    return n;
}

static void close_all(const int *fds, int n)
{
    int i;

    for (i = 0; i < n; i++)
        (void)close(fds[i]);
}

static ssize_t send_message(int sock, const void *data, size_t len)
{
    ssize_t n;

    do {
        n = send(sock, data, len, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    return n;
}

/* An error answer: its kind (SBX_REPLY_KIND_FORMAT), then the reason. */
static ssize_t send_error(int sock, const char *reason)
{
    char buf[256];
    int32_t kind = SBX_REPLY_ERROR;
    int len;

    memcpy(buf, &kind, sizeof kind);
    len = snprintf(buf + sizeof kind, sizeof buf - sizeof kind, "%s", reason);
    if (len < 0)
        return -1;
    if ((size_t)len >= sizeof buf - sizeof kind)
        len = (int)(sizeof buf - sizeof kind - 1);
    return send_message(sock, buf, sizeof kind + (size_t)len);
}

/* In the sandbox's main process: the Prepared that enter() is called on,
 * owning (this copy of) the configuration and the run of slot. */
static PyObject *in_sandbox_prepared(const struct job *config, const struct job *slot)
{
    PreparedObject *self = PyObject_New(PreparedObject, &PreparedType);

    if (self == NULL)
        _exit(127); /* no exception may reach the server's code in this copy */
    self->job = *config;
    self->job.run = slot->run;
    self->job.borrowed = self->job.started = self->job.live = 0;
    self->job.prev = self->job.next = NULL;
    self->used = 0;
    self->in_sandbox = 1;
    return (PyObject *)self;
}

PyDoc_STRVAR(serve_doc,
"serve(sock, config, fds, shared_network, argv, env, cwd, *, <the options\n"
"      of prepare()>)\n"
"    -> None | (bytes, fds) | Prepared\n"
"--\n\n"
"The fork server's loop, for a single-threaded fork server only: serve\n"
"every request of one configuration in C, so that no Python code of the\n"
"server runs per run (each page it writes would be copied, in it or in\n"
"the sandboxes it shares them with).  config: the request message (bytes)\n"
"the other arguments were parsed from; fds: the 6 fds of that request\n"
"(stdin, stdout, stderr, nonce, verdict, source), which serve() closes\n"
"whatever happens.  Per request: go() the prepared sandbox with its fds, prepare the\n"
"next one, wait() for the run and send its outcome on sock (REPLY_FORMAT).\n"
"A request on sock is a message with 6 fds; one with another message than\n"
"config ends the loop.  Returns None at EOF on sock or when an answer\n"
"cannot be sent; (message, fds) for a request with another configuration\n"
"(its fds unused; the prepared sandbox is cancelled); and, in the\n"
"sandbox's main process, its Prepared (in_sandbox True: call enter()).\n"
"shared_network: this process has a network namespace of its own\n"
"(unshare_network()) that its sandboxes share; after a run that left a unix\n"
"socket in it (one no process holds, in flight), the next runs get a new\n"
"one (or, where it cannot be made, one each).\n"
"A request without exactly 6 fds is answered REPLY_ERROR.  Raises what\n"
"prepare() raises for bad arguments, RuntimeError in a process with more\n"
"than one thread, and KeyboardInterrupt on SIGINT (after killing and\n"
"reaping both sandboxes).");

/* serve()'s sandboxes: the prepared one, the running one, and the one
 * whose outcome was answered and whose init is still exiting (reaped when
 * its pidfd says it is gone, or when its slot is needed). */
enum { SERVE_SLOTS = 3 };
enum slot_state { SLOT_FREE, SLOT_BUSY, SLOT_DYING };
struct serve_slots {
    struct job job[SERVE_SLOTS];
    enum slot_state state[SERVE_SLOTS];
    int pidfd[SERVE_SLOTS]; /* of a dying init, or -1 */
};

/* Free slot i; a sandbox still live in it is killed and reaped. */
static void release_slot(struct serve_slots *sl, int i)
{
    job_clear(&sl->job[i]);
    memset(&sl->job[i].run, 0, sizeof sl->job[i].run);
    sbx_close_fd(&sl->pidfd[i]);
    sl->state[i] = SLOT_FREE;
}

/* Reap the dying sandbox of slot i and free the slot: 0, or -1 with a
 * Python exception (a signal handler's). */
static int reap_slot(struct serve_slots *sl, int i)
{
    int rc = sl->job[i].live ? job_wait(&sl->job[i], 0, NULL) : 0;

    release_slot(sl, i);
    return rc;
}

/* A free slot (reaping a dying sandbox if none is), or -1 with an exception. */
static int free_slot(struct serve_slots *sl)
{
    int i;

    for (i = 0; i < SERVE_SLOTS; i++) {
        if (sl->state[i] == SLOT_FREE)
            return i;
    }
    for (i = 0; i < SERVE_SLOTS; i++) {
        if (sl->state[i] == SLOT_DYING)
            return reap_slot(sl, i) < 0 ? -1 : i;
    }
    PyErr_SetString(PyExc_RuntimeError, "serve(): no sandbox slot is free");
    return -1;
}

/* Prepare a sandbox in a free slot (*slot): 0, 1 in the sandbox's main
 * process, or -1 with an exception. */
static int prepare_slot(struct serve_slots *sl, int *slot)
{
    if ((*slot = free_slot(sl)) < 0)
        return -1;
    sl->state[*slot] = SLOT_BUSY;
    return start_prepared(&sl->job[*slot]);
}

/* Wait until sock is readable, reaping each dying sandbox whose init is
 * gone meanwhile: 0, or -1 (a Python exception: a signal handler's). */
static int wait_request(struct serve_slots *sl, int sock)
{
    for (;;) {
        struct pollfd pfd[1 + SERVE_SLOTS];
        int which[1 + SERVE_SLOTS], n = 1, i, r, saved;

        pfd[0].fd = sock;
        pfd[0].events = POLLIN;
        for (i = 0; i < SERVE_SLOTS; i++) {
            if (sl->state[i] == SLOT_DYING && sl->pidfd[i] >= 0) {
                pfd[n].fd = sl->pidfd[i];
                pfd[n].events = POLLIN;
                which[n++] = i;
            }
        }
        Py_BEGIN_ALLOW_THREADS
        r = poll(pfd, (nfds_t)n, -1);
        saved = errno;
        Py_END_ALLOW_THREADS
        if (r < 0) {
            if (saved == EINTR && PyErr_CheckSignals() == 0)
                continue;
            if (saved != EINTR) {
                errno = saved;
                PyErr_SetFromErrno(PyExc_OSError);
            }
            return -1;
        }
        for (i = 1; i < n; i++) {
            if (pfd[i].revents && reap_slot(sl, which[i]) < 0)
                return -1;
        }
        if (pfd[0].revents)
            return 0;
    }
}

/* The 7th field (Inode) of a line of /proc/net/unix, 0 if it has none. */
static unsigned long inode_field(const char *line)
{
    const char *p = line;
    int field;

    for (field = 1; field < 7; field++) {
        while (*p == ' ')
            p++;
        while (*p != ' ' && *p != '\0')
            p++;
    }
    return strtoul(p, NULL, 10);
}

/* Is inode one end of the go socketpair of a live sandbox in sl? */
static int go_socket(const struct serve_slots *sl, unsigned long inode)
{
    int i;

    for (i = 0; i < SERVE_SLOTS; i++) {
        const struct sbx_run *run = &sl->job[i].run;
        if (sl->state[i] == SLOT_BUSY && (run->go_inodes[0] == inode || run->go_inodes[1] == inode))
            return 1;
    }
    return 0;
}

/* Does this process's network namespace hold a unix socket that is not
 * the go socketpair of a live sandbox in sl?  1 or 0 (-1, as if it did,
 * when /proc/self/net/unix cannot be read).  A socket no process holds, in
 * flight in an unreachable cycle of SCM_RIGHTS messages, outlives the run
 * that made it (until the kernel's unix garbage collector frees it, which
 * can be never): bound to an abstract name, it would carry that run's data
 * to the next. */
static int foreign_unix_sockets(const struct serve_slots *sl)
{
    char buf[8192];
    size_t have = 0;
    int fd = open("/proc/self/net/unix", O_RDONLY | O_CLOEXEC), first = 1, found = 0;

    if (fd < 0)
        return -1;
    for (;;) {
        ssize_t n = read(fd, buf + have, sizeof buf - 1 - have);
        char *line, *end;
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            found = -1;
            break;
        }
        have += (size_t)n;
        buf[have] = '\0';
        line = buf;
        while ((end = strchr(line, '\n')) != NULL) {
            *end = '\0';
            /* Num RefCount Protocol Flags Type St Inode [Path] */
            if (!first && !go_socket(sl, inode_field(line))) {
                found = 1;
                break;
            }
            first = 0;
            line = end + 1;
        }
        if (found || n == 0)
            break;
        have = strlen(line);
        memmove(buf, line, have);
        if (have == sizeof buf - 1) { /* a line longer than the buffer */
            found = -1;
            break;
        }
    }
    (void)close(fd);
    explicit_bzero(buf, sizeof buf); /* names of a run's sockets: see proctree.c */
    return found;
}

static PyObject *sbx_py_serve(PyObject *Py_UNUSED(module), PyObject *args, PyObject *kwargs)
{
    PyObject *head = NULL, *rest = NULL, *result = NULL;
    Py_buffer config = {0};
    struct job tmpl;
    struct serve_slots sl;
    struct sbx_reply reply;
    int sock = -1, fds[SBX_GO_FDS], have_first = 0, standby = -1, current, slot = 0, i, r = 0;
    int shared_network = 0;
    char *buf = NULL;

    memset(&tmpl, 0, sizeof tmpl);
    tmpl.borrowed = 1; /* nothing parsed yet */
    memset(&sl, 0, sizeof sl);
    for (i = 0; i < SERVE_SLOTS; i++) {
        sl.job[i].borrowed = 1;
        sl.pidfd[i] = -1;
    }
    if (!PyTuple_Check(args) || PyTuple_GET_SIZE(args) < 4) {
        PyErr_SetString(PyExc_TypeError,
                        "serve() takes sock, config, fds, shared_network, then prepare()'s arguments");
        return NULL;
    }
    head = PyTuple_GetSlice(args, 0, 4);
    if (head == NULL || !PyArg_ParseTuple(head, "iy*(iiiiii)p:serve", &sock, &config, &fds[0], &fds[1], &fds[2],
                                          &fds[3], &fds[4], &fds[5], &shared_network))
        goto done;
    have_first = 1;
    rest = PyTuple_GetSlice(args, 4, PyTuple_GET_SIZE(args));
    if (rest == NULL || job_parse(&tmpl, rest, kwargs, 1) < 0)
        goto done;
    if (sbx_thread_count() != 1) {
        PyErr_SetString(PyExc_RuntimeError, "serve() needs a single-threaded process (a fork server)");
        goto done;
    }
    buf = PyMem_Malloc(SERVE_MESSAGE_MAX);
    if (buf == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (i = 0; i < SERVE_SLOTS; i++) {
        sl.job[i] = tmpl;
        sl.job[i].borrowed = 1;
    }

    for (;;) {
        ssize_t n;
        int count, cut, saved;

        if (standby < 0) {
            if ((r = prepare_slot(&sl, &slot)) != 0)
                goto stop;
            standby = slot;
        }
        if (have_first) {
            have_first = 0;
        } else {
            if (wait_request(&sl, sock) < 0)
                goto done;
            Py_BEGIN_ALLOW_THREADS
            n = receive_request(sock, buf, SERVE_MESSAGE_MAX, fds, &count, &cut);
            saved = errno;
            Py_END_ALLOW_THREADS
            if (n < 0 && saved == EINTR) {
                if (PyErr_CheckSignals() < 0)
                    goto done;
                continue;
            }
            if (n <= 0) { /* EOF, or the socket failed: the caller is gone */
                if (n == 0)
                    close_all(fds, count < SBX_GO_FDS ? count : SBX_GO_FDS);
                result = Py_NewRef(Py_None);
                goto done;
            }
            if (count != SBX_GO_FDS || cut) {
                char reason[96];
                close_all(fds, count < SBX_GO_FDS ? count : SBX_GO_FDS);
                snprintf(reason, sizeof reason, "ValueError: a request carries 6 fds, got %d%s", count,
                         cut ? ", or more than 1 MiB" : "");
                if (send_error(sock, reason) < 0) {
                    result = Py_NewRef(Py_None);
                    goto done;
                }
                continue;
            }
            if ((size_t)n != (size_t)config.len || memcmp(buf, config.buf, (size_t)n) != 0) {
                /* another configuration: the caller parses it */
                result = Py_BuildValue("y#(iiiiii)", buf, n, fds[0], fds[1], fds[2], fds[3], fds[4], fds[5]);
                if (result == NULL)
                    close_all(fds, SBX_GO_FDS);
                goto done;
            }
        }
        current = standby;
        /* A failure means the sandbox died before the go: sbx_step reads
         * why from its error pipe. */
        if (sl.job[current].live)
            (void)sbx_go(&sl.job[current].run, fds);
        close_all(fds, SBX_GO_FDS);
        /* The next sandbox is prepared while this one runs. */
        if ((r = prepare_slot(&sl, &slot)) != 0)
            goto stop;
        standby = slot;
        if (sl.job[current].live && job_wait(&sl.job[current], 1, NULL) < 0)
            goto done;
        sbx_reply_from_run(&sl.job[current].run, &reply);
        Py_BEGIN_ALLOW_THREADS
        n = send_message(sock, &reply, sizeof reply);
        Py_END_ALLOW_THREADS
        /* later sandboxes start as copies of this process */
        explicit_bzero(&reply, sizeof reply);
        if (sl.job[current].live) {
            /* only init is left, exiting: reaped when its pidfd says so */
            sl.state[current] = SLOT_DYING;
            sl.pidfd[current] = (int)syscall(__NR_pidfd_open, sl.job[current].run.init_pid, 0);
        } else if (reap_slot(&sl, current) < 0) {
            goto done;
        }
        if (n != (ssize_t)sizeof reply) {
            result = Py_NewRef(Py_None);
            goto done;
        }
        if (shared_network && standby >= 0 && foreign_unix_sockets(&sl) != 0) {
            /* Something of this run outlived it in the network namespace
             * the runs share: the next runs get a new one, and the
             * sandbox prepared in the old one is dropped. */
            release_slot(&sl, standby);
            standby = -1;
            if (unshare(CLONE_NEWNET) < 0) {
                /* from now on each sandbox makes its own */
                shared_network = 0;
                tmpl.cfg.clone_flags |= CLONE_NEWNET;
                for (i = 0; i < SERVE_SLOTS; i++)
                    sl.job[i].cfg.clone_flags |= CLONE_NEWNET;
            }
        }
    }

stop:
    if (r > 0)
        goto child;
done:
    if (have_first)
        close_all(fds, SBX_GO_FDS);
    for (i = 0; i < SERVE_SLOTS; i++) {
        job_clear(&sl.job[i]); /* kills and reaps a live sandbox */
        sbx_close_fd(&sl.pidfd[i]);
    }
    job_clear(&tmpl);
release:
    PyMem_Free(buf);
    if (config.obj != NULL)
        PyBuffer_Release(&config);
    Py_XDECREF(head);
    Py_XDECREF(rest);
    return result;

child:
    /* the sandbox's main process: its copy of the configuration goes to
     * its Prepared; the other runs' copies name the server's pids and fds
     * and are forgotten (start_prepared) */
    result = in_sandbox_prepared(&tmpl, &sl.job[slot]);
    goto release;
}

PyDoc_STRVAR(collect_doc,
"collect(sock, stdout_fd, stderr_fd, verdict_fd, *, output_limit=1048576,\n"
"        wait_s, cancel_fd=-1, verdict_limit=65536, on_output=None) -> dict\n"
"--\n\n"
"Warm mode, caller side: read the read ends of a sandbox's stdout, stderr\n"
"and verdict pipes, with the GIL released, until the fork server's answer\n"
"is readable on sock and the pipes are at EOF (or 2 s after the answer).\n"
"Takes ownership of the three fds and closes them.  wait_s: seconds to\n"
"wait for the answer at most.  Returns a dict: stdout, stderr, verdict\n"
"(bytes), stdout_truncated, stderr_truncated, verdict_truncated (bool),\n"
"replied (bool: False when wait_s passed without an answer) and cancelled\n"
"(cancel_fd became readable or hung up: it stopped waiting at once).\n"
"on_output: as in run(); its exception is raised (the caller then stops\n"
"the server, and the sandbox dies with it).  Raises KeyboardInterrupt on\n"
"SIGINT (the caller then stops the server).");

static PyObject *sbx_py_collect(PyObject *Py_UNUSED(module), PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"sock", "stdout_fd", "stderr_fd", "verdict_fd", "output_limit", "wait_s", "cancel_fd",
                             "verdict_limit", "on_output", NULL};
    int sock, fds[3], cancel_fd = -1;
    PyObject *on_output = Py_None;
    size_t sent[SBX_STREAM_COUNT] = {0};
    Py_ssize_t output_limit = (Py_ssize_t)1 << 20, verdict_limit = VERDICT_LIMIT;
    double wait_s = -1.0;
    struct sbx_collect c;
    PyObject *result = NULL;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "iiii|$ndinO:collect", kwlist, &sock, &fds[0], &fds[1], &fds[2],
                                     &output_limit, &wait_s, &cancel_fd, &verdict_limit, &on_output))
        return NULL;
    if (on_output == Py_None) {
        on_output = NULL;
    } else if (!PyCallable_Check(on_output)) {
        PyErr_SetString(PyExc_TypeError, "on_output must be callable or None");
        return NULL;
    }
    if (output_limit < 0 || output_limit > MAX_OUTPUT_LIMIT || verdict_limit < 0 || verdict_limit > MAX_OUTPUT_LIMIT) {
        PyErr_SetString(PyExc_ValueError, "output_limit and verdict_limit must be between 0 and 2**30 bytes");
        return NULL;
    }
    if (!(wait_s > 0.0 && wait_s <= 2 * MAX_TIMEOUT_S)) {
        PyErr_SetString(PyExc_ValueError, "wait_s must be given and > 0");
        return NULL;
    }
    if (sock < 0 || fds[0] < 0 || fds[1] < 0 || fds[2] < 0) {
        PyErr_SetString(PyExc_ValueError, "collect needs four open fds");
        return NULL;
    }
    if (cancel_fd < -1) {
        PyErr_SetString(PyExc_ValueError, "cancel_fd must be an fd or -1");
        return NULL;
    }
    sbx_collect_init(&c, fds, sock, (size_t)output_limit, (size_t)verdict_limit, wait_s, cancel_fd);
    c.stream_return = on_output != NULL;
    for (;;) {
        int finished;
        Py_BEGIN_ALLOW_THREADS
        finished = sbx_collect_step(&c, STEP_MS);
        Py_END_ALLOW_THREADS
        if (on_output != NULL && deliver_output(on_output, c.buf, sent) < 0) {
            sbx_collect_free(&c);
            return NULL;
        }
        if (finished)
            break;
        if (PyErr_CheckSignals() < 0) {
            sbx_collect_free(&c);
            return NULL;
        }
    }
    result = PyDict_New();
    if (result != NULL) {
        PyObject *values[R_COUNT] = {NULL};
        stream_values(c.buf, values);
        if (set_items(result, R_STDOUT, R_TRUNCATED + SBX_STREAM_COUNT, values) < 0 ||
            PyDict_SetItemString(result, "replied", c.replied ? Py_True : Py_False) < 0 ||
            PyDict_SetItemString(result, result_keys[R_CANCELLED], c.cancelled ? Py_True : Py_False) < 0)
            Py_CLEAR(result);
    }
    sbx_collect_free(&c);
    return result;
}

PyDoc_STRVAR(result_doc,
"result(streams, reply=None, *, wall_s=0.0) -> dict\n"
"--\n\n"
"Warm mode, caller side: the dict run() returns (keys RESULT_KEYS), from\n"
"what collect() read (streams: its dict) and the fork server's answer\n"
"(reply: bytes of REPLY_FORMAT, its kind REPLY_RESULT).  reply None: the\n"
"run was cancelled before an answer (the caller killed the server, and\n"
"the sandbox with it): signal SIGKILL, cancelled True, wall_s as given.\n"
"Raises TypeError for streams without collect()'s keys and ValueError\n"
"for a reply that is not a result.");

static PyObject *sbx_py_result(PyObject *Py_UNUSED(module), PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"streams", "reply", "wall_s", NULL};
    PyObject *streams, *reply_obj = Py_None, *values[R_COUNT] = {NULL};
    PyObject *data[SBX_STREAM_COUNT], *truncated[SBX_STREAM_COUNT];
    struct sbx_reply reply;
    double wall_s = 0.0;
    int s;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O!|O$d:result", kwlist, &PyDict_Type, &streams, &reply_obj,
                                     &wall_s))
        return NULL;
    for (s = 0; s < SBX_STREAM_COUNT; s++) {
        data[s] = PyDict_GetItemString(streams, result_keys[R_STDOUT + s]);
        truncated[s] = PyDict_GetItemString(streams, result_keys[R_TRUNCATED + s]);
        if (data[s] == NULL || !PyBytes_Check(data[s]) || truncated[s] == NULL || !PyBool_Check(truncated[s])) {
            PyErr_Format(PyExc_TypeError, "streams needs %s (bytes) and %s (bool), as collect() returns them",
                         result_keys[R_STDOUT + s], result_keys[R_TRUNCATED + s]);
            return NULL;
        }
    }
    if (reply_obj == Py_None) {
        sbx_reply_cancelled(&reply, wall_s);
    } else {
        if (!PyBytes_Check(reply_obj)) {
            PyErr_Format(PyExc_TypeError, "reply must be bytes or None, not %.100s", Py_TYPE(reply_obj)->tp_name);
            return NULL;
        }
        if (PyBytes_GET_SIZE(reply_obj) != (Py_ssize_t)sizeof reply) {
            PyErr_Format(PyExc_ValueError, "a reply is %zu bytes, not %zd", sizeof reply, PyBytes_GET_SIZE(reply_obj));
            return NULL;
        }
        memcpy(&reply, PyBytes_AS_STRING(reply_obj), sizeof reply);
        if (reply.kind != SBX_REPLY_RESULT || reply.setup_stage < 0 || reply.setup_stage >= SBX_STAGE_COUNT) {
            PyErr_SetString(PyExc_ValueError, "the reply is not a run's result");
            return NULL;
        }
    }
    /* the streams' own objects, not copies: output can be 2 x 1 GiB */
    for (s = 0; s < SBX_STREAM_COUNT; s++) {
        Py_INCREF(data[s]);
        values[R_STDOUT + s] = data[s];
        Py_INCREF(truncated[s]);
        values[R_TRUNCATED + s] = truncated[s];
    }
    return build_result(&reply, values);
}

PyDoc_STRVAR(landlock_abi_doc,
"landlock_abi() -> int\n"
"--\n\n"
"The running kernel's Landlock ABI version (1: Linux 5.13; 4, TCP bind\n"
"and connect rules: 6.7; 6, abstract unix socket and signal scopes:\n"
"6.12).  Raises OSError: ENOSYS where the kernel has no Landlock (or a\n"
"seccomp filter refuses the call), EOPNOTSUPP where it is built in but\n"
"not enabled (the lsm= boot parameter).");

static PyObject *sbx_py_landlock_abi(PyObject *Py_UNUSED(module), PyObject *Py_UNUSED(ignored))
{
    int abi = sbx_landlock_abi();

    if (abi < 0)
        return PyErr_SetFromErrno(PyExc_OSError);
    return PyLong_FromLong(abi);
}

PyDoc_STRVAR(die_with_parent_doc,
"die_with_parent(ppid: int) -> None\n"
"--\n\n"
"Set PR_SET_PDEATHSIG to SIGKILL for this process, then exit at once\n"
"(status 1) if its parent is no longer ppid (it died before the call).\n"
"For the fork server.  Raises OSError when prctl() fails.");

static PyObject *sbx_py_die_with_parent(PyObject *Py_UNUSED(module), PyObject *arg)
{
    long ppid = PyLong_AsLong(arg);

    if (ppid == -1 && PyErr_Occurred())
        return NULL;
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
        return PyErr_SetFromErrno(PyExc_OSError);
    if ((long)getppid() != ppid)
        _exit(1);
    Py_RETURN_NONE;
}

PyDoc_STRVAR(unshare_network_doc,
"unshare_network(uid_map=None, gid_map=None) -> None\n"
"--\n\n"
"For a fork server, once, before it serves: move this process into a\n"
"network namespace of its own, which the sandboxes it clones without\n"
"one of their own then share, one run at a time.  Without maps:\n"
"unshare(CLONE_NEWNET), which needs CAP_SYS_ADMIN (root).  With maps\n"
"(str, the lines of /proc/self/uid_map and gid_map): a user namespace\n"
"first, in the same unshare(), with these maps (setgroups denied), so an\n"
"unprivileged process may make the network namespace; the caller maps\n"
"its own ids to themselves, so the sandboxes' user namespaces below it\n"
"map them as before.  The network namespace is then owned by that user\n"
"namespace, in which no sandbox holds a capability.  Raises OSError (the\n"
"kernel's errno) when a step fails; the process is then unchanged unless\n"
"a map write failed (it is then in a user namespace without maps: it\n"
"should exit).");

static PyObject *sbx_py_unshare_network(PyObject *Py_UNUSED(module), PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"uid_map", "gid_map", NULL};
    const char *uid_map = NULL, *gid_map = NULL;
    int stage;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|zz:unshare_network", kwlist, &uid_map, &gid_map))
        return NULL;
    if ((uid_map == NULL) != (gid_map == NULL)) {
        PyErr_SetString(PyExc_ValueError, "give both uid_map and gid_map, or neither");
        return NULL;
    }
    if (uid_map == NULL)
        return unshare(CLONE_NEWNET) < 0 ? PyErr_SetFromErrno(PyExc_OSError) : Py_NewRef(Py_None);
    if (unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0)
        return PyErr_SetFromErrno(PyExc_OSError);
    if (sbx_write_id_maps(0, 1, uid_map, gid_map, &stage) < 0)
        return PyErr_SetFromErrno(PyExc_OSError);
    Py_RETURN_NONE;
}

/* A tuple of n C strings. */
static PyObject *names_tuple(const char *const *items, Py_ssize_t n)
{
    PyObject *t = PyTuple_New(n);
    Py_ssize_t i;

    if (t == NULL)
        return NULL;
    for (i = 0; i < n; i++) {
        PyObject *item = PyUnicode_FromString(items[i]);
        if (item == NULL) {
            Py_DECREF(t);
            return NULL;
        }
        PyTuple_SET_ITEM(t, i, item);
    }
    return t;
}

static int add_names(PyObject *m, const char *name, const char *const *items, Py_ssize_t n)
{
    PyObject *t = names_tuple(items, n);

    if (t == NULL)
        return -1;
    if (PyModule_AddObject(m, name, t) < 0) {
        Py_DECREF(t);
        return -1;
    }
    return 0;
}

PyDoc_STRVAR(getattr_doc,
"__getattr__(name) -> tuple[str, ...]\n"
"--\n\n"
"RESULT_KEYS and REPLY_FIELDS, made on first use.");

/* RESULT_KEYS and REPLY_FIELDS are made on first use, not at import: the
 * fork server imports this module and never needs them, and its memory,
 * which every sandbox starts as a copy of, then holds no result key
 * (tests/test_warm.py scans a later sandbox for one, as the trace of an
 * earlier run's result). */
static PyObject *sbx_py_getattr(PyObject *module, PyObject *name)
{
    const char *text = PyUnicode_Check(name) ? PyUnicode_AsUTF8(name) : NULL;
    PyObject *value;

    if (text == NULL) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_TypeError, "attribute name must be str");
        return NULL;
    }
    if (strcmp(text, "RESULT_KEYS") == 0) {
        value = names_tuple(result_keys, R_COUNT);
    } else if (strcmp(text, "REPLY_FIELDS") == 0) {
        value = names_tuple(sbx_reply_fields, SBX_REPLY_NFIELDS);
    } else {
        PyErr_Format(PyExc_AttributeError, "module 'autopoietic._sandbox' has no attribute '%U'", name);
        return NULL;
    }
    if (value != NULL && PyObject_SetAttr(module, name, value) < 0)
        Py_CLEAR(value);
    return value;
}

static PyMethodDef sbx_methods[] = {
    {"__getattr__", sbx_py_getattr, METH_O, getattr_doc},
    {"collect", (PyCFunction)(void (*)(void))sbx_py_collect, METH_VARARGS | METH_KEYWORDS, collect_doc},
    {"die_with_parent", sbx_py_die_with_parent, METH_O, die_with_parent_doc},
    {"landlock_abi", sbx_py_landlock_abi, METH_NOARGS, landlock_abi_doc},
    {"unshare_network", (PyCFunction)(void (*)(void))sbx_py_unshare_network, METH_VARARGS | METH_KEYWORDS,
     unshare_network_doc},
    {"serve", (PyCFunction)(void (*)(void))sbx_py_serve, METH_VARARGS | METH_KEYWORDS, serve_doc},
    {"prepare", (PyCFunction)(void (*)(void))sbx_py_prepare, METH_VARARGS | METH_KEYWORDS, prepare_doc},
    {"result", (PyCFunction)(void (*)(void))sbx_py_result, METH_VARARGS | METH_KEYWORDS, result_doc},
    {"run", (PyCFunction)(void (*)(void))sbx_py_run, METH_VARARGS | METH_KEYWORDS, run_doc},
    {"validate", (PyCFunction)(void (*)(void))sbx_py_validate, METH_VARARGS | METH_KEYWORDS, sbx_validate_doc},
    {NULL, NULL, 0, NULL},
};

static int sbx_exec(PyObject *m)
{
    const char *ns_names[SBX_NAMESPACE_COUNT];
    size_t i;

    for (i = 0; i < SBX_NAMESPACE_COUNT; i++)
        ns_names[i] = sbx_namespace_flags[i].name;
    if (PyModule_AddIntConstant(m, "CGROUP_JOIN_PROCS", SBX_CGROUP_JOIN_PROCS) < 0 ||
        PyModule_AddIntConstant(m, "CGROUP_JOIN_TASKS", SBX_CGROUP_JOIN_TASKS) < 0 ||
        PyModule_AddIntConstant(m, "CGROUP_JOIN_CLONE_INTO", SBX_CGROUP_JOIN_CLONE_INTO) < 0 ||
        PyModule_AddStringConstant(m, "REPLY_FORMAT", SBX_REPLY_FORMAT) < 0 ||
        PyModule_AddStringConstant(m, "REPLY_KIND_FORMAT", SBX_REPLY_KIND_FORMAT) < 0 ||
        PyModule_AddIntConstant(m, "REPLY_RESULT", SBX_REPLY_RESULT) < 0 ||
        PyModule_AddIntConstant(m, "REPLY_ERROR", SBX_REPLY_ERROR) < 0 ||
        PyModule_AddIntConstant(m, "NONCE_MAX", SBX_NONCE_MAX) < 0 ||
        PyModule_AddIntConstant(m, "MAX_TIMEOUT_S", (long)MAX_TIMEOUT_S) < 0 ||
        PyModule_AddIntConstant(m, "MAX_OUTPUT_BYTES", (long)MAX_OUTPUT_LIMIT) < 0 ||
        add_names(m, "STAGES", sbx_stage_names, SBX_STAGE_COUNT) < 0 ||
        add_names(m, "NAMESPACES", ns_names, (Py_ssize_t)(sizeof ns_names / sizeof ns_names[0])) < 0)
        return -1;
    if (PyType_Ready(&PreparedType) < 0)
        return -1;
    Py_INCREF(&PreparedType);
    if (PyModule_AddObject(m, "Prepared", (PyObject *)&PreparedType) < 0) {
        Py_DECREF(&PreparedType);
        return -1;
    }
    return 0;
}

static PyModuleDef_Slot sbx_slots[] = {
    {Py_mod_exec, sbx_exec},
    {0, NULL},
};

static struct PyModuleDef sbx_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "autopoietic._sandbox",
    .m_doc = "C core of autopoietic: namespace-isolated execution and the validator.",
    .m_size = 0,
    .m_methods = sbx_methods,
    .m_slots = sbx_slots,
};

PyMODINIT_FUNC PyInit__sandbox(void)
{
    return PyModuleDef_Init(&sbx_module);
}
