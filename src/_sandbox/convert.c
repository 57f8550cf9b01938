/*
 * convert.c: Python arguments to C for run() and prepare() (convert.h).
 */
#include "convert.h"

#include <sched.h>
#include <string.h>
#include <sys/resource.h>

const struct sbx_namespace_flag sbx_namespace_flags[SBX_NAMESPACE_COUNT] = {
    {"user", CLONE_NEWUSER}, {"pid", CLONE_NEWPID}, {"ipc", CLONE_NEWIPC},       {"uts", CLONE_NEWUTS},
    {"net", CLONE_NEWNET},   {"mnt", CLONE_NEWNS},  {"cgroup", CLONE_NEWCGROUP},
};

/* A private tuple copy of a sequence argument, at most max items: the
 * caller's list cannot change (or free items) under us while we convert. */
PyObject *sbx_sequence_copy(PyObject *obj, Py_ssize_t max, const char *what)
{
    PyObject *seq = PySequence_Tuple(obj);

    if (seq == NULL)
        return NULL;
    if (PyTuple_GET_SIZE(seq) > max) {
        PyErr_Format(PyExc_ValueError, "%s: at most %zd items", what, max);
        Py_DECREF(seq);
        return NULL;
    }
    return seq;
}


void sbx_str_array_clear(struct str_array *a)
{
    Py_CLEAR(a->owners);
    PyMem_Free(a->items);
    a->items = NULL;
}

int sbx_str_array_from(PyObject *seq_obj, const char *what, int allow_empty, struct str_array *out)
{
    PyObject *seq;
    Py_ssize_t n, i;

    out->owners = NULL;
    out->items = NULL;
    if (PyUnicode_Check(seq_obj) || PyBytes_Check(seq_obj)) {
        PyErr_Format(PyExc_TypeError, "%s must be a sequence of str, not a single string", what);
        return -1;
    }
    seq = sbx_sequence_copy(seq_obj, MAX_ARGS, what);
    if (seq == NULL)
        return -1;
    n = PyTuple_GET_SIZE(seq);
    if (n == 0 && !allow_empty) {
        PyErr_Format(PyExc_ValueError, "%s must not be empty", what);
        goto error;
    }
    out->owners = PyList_New(n);
    out->items = PyMem_Calloc((size_t)n + 1, sizeof(char *));
    if (out->owners == NULL || out->items == NULL) {
        PyErr_NoMemory();
        goto error;
    }
    for (i = 0; i < n; i++) {
        PyObject *bytes = NULL;
        /* str or bytes (os.fsencode rules); embedded NUL -> ValueError */
        if (!PyUnicode_FSConverter(PyTuple_GET_ITEM(seq, i), &bytes))
            goto error;
        PyList_SET_ITEM(out->owners, i, bytes);
        out->items[i] = PyBytes_AS_STRING(bytes);
    }
    Py_DECREF(seq);
    return 0;
error:
    Py_DECREF(seq);
    sbx_str_array_clear(out);
    return -1;
}

int sbx_parse_namespaces(PyObject *obj, int *flags)
{
    PyObject *seq;
    Py_ssize_t i, n;
    size_t j;

    *flags = 0;
    if (obj == NULL || obj == Py_None)
        return 0;
    if (PyUnicode_Check(obj)) {
        PyErr_SetString(PyExc_TypeError, "namespaces must be a sequence of names, not a str");
        return -1;
    }
    seq = sbx_sequence_copy(obj, 64, "namespaces");
    if (seq == NULL)
        return -1;
    n = PyTuple_GET_SIZE(seq);
    for (i = 0; i < n; i++) {
        PyObject *item = PyTuple_GET_ITEM(seq, i);
        const char *name;
        int found = 0;
        if (!PyUnicode_Check(item)) {
            PyErr_Format(PyExc_TypeError, "namespace names must be str, not %.100s", Py_TYPE(item)->tp_name);
            goto error;
        }
        name = PyUnicode_AsUTF8(item);
        if (name == NULL)
            goto error;
        for (j = 0; j < SBX_NAMESPACE_COUNT; j++) {
            if (strcmp(name, sbx_namespace_flags[j].name) == 0) {
                *flags |= sbx_namespace_flags[j].flag;
                found = 1;
            }
        }
        if (!found) {
            PyErr_Format(PyExc_ValueError, "unknown namespace %R", item);
            goto error;
        }
    }
    Py_DECREF(seq);
    return 0;
error:
    Py_DECREF(seq);
    return -1;
}

static int rlim_from(PyObject *obj, rlim_t *out)
{
    long long v = PyLong_AsLongLong(obj);

    if (v == -1 && PyErr_Occurred())
        return -1;
    if (v < -1) {
        PyErr_SetString(PyExc_ValueError, "rlimit values must be >= 0 (or -1 for unlimited)");
        return -1;
    }
    *out = v == -1 ? RLIM_INFINITY : (rlim_t)v;
    return 0;
}

int sbx_parse_rlimits(PyObject *obj, struct sbx_config *cfg)
{
    PyObject *seq;
    Py_ssize_t i, n;

    cfg->n_rlimits = 0;
    if (obj == NULL || obj == Py_None)
        return 0;
    seq = sbx_sequence_copy(obj, SBX_MAX_RLIMITS, "rlimits");
    if (seq == NULL)
        return -1;
    n = PyTuple_GET_SIZE(seq);
    for (i = 0; i < n; i++) {
        PyObject *item = PyTuple_GET_ITEM(seq, i);
        struct sbx_rlimit *rl = &cfg->rlimits[i];
        long resource;
        if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 3) {
            PyErr_SetString(PyExc_TypeError, "each rlimit must be a tuple (resource, soft, hard)");
            goto error;
        }
        resource = PyLong_AsLong(PyTuple_GET_ITEM(item, 0));
        if (resource == -1 && PyErr_Occurred())
            goto error;
        if (resource < 0 || resource >= RLIM_NLIMITS) {
            PyErr_Format(PyExc_ValueError, "unknown rlimit resource %ld", resource);
            goto error;
        }
        rl->resource = (int)resource;
        if (rlim_from(PyTuple_GET_ITEM(item, 1), &rl->value.rlim_cur) < 0 ||
            rlim_from(PyTuple_GET_ITEM(item, 2), &rl->value.rlim_max) < 0)
            goto error;
        if (rl->value.rlim_cur > rl->value.rlim_max) {
            PyErr_SetString(PyExc_ValueError, "rlimit soft value above its hard value");
            goto error;
        }
        cfg->n_rlimits++;
    }
    Py_DECREF(seq);
    return 0;
error:
    Py_DECREF(seq);
    return -1;
}

static const char *const mount_kinds[SBX_MOUNT_KIND_COUNT] = {
    [SBX_MOUNT_MKDIR] = "mkdir", [SBX_MOUNT_TOUCH] = "touch", [SBX_MOUNT_SYMLINK] = "symlink",
    [SBX_MOUNT_BIND] = "bind",   [SBX_MOUNT_TMPFS] = "tmpfs", [SBX_MOUNT_PROC] = "proc",
    [SBX_MOUNT_PIVOT] = "pivot", [SBX_MOUNT_REMOUNT] = "remount",
};


void sbx_mount_ops_clear(struct mount_ops *m)
{
    Py_CLEAR(m->owners);
    PyMem_Free(m->ops);
    m->ops = NULL;
    m->n = 0;
}

/* str/bytes path (or None when allowed) -> char* kept alive by owners (a list) */
static int owned_path(PyObject *owners, PyObject *obj, int allow_none, const char **out)
{
    PyObject *bytes = NULL;

    *out = NULL;
    if (obj == Py_None && allow_none)
        return 0;
    if (!PyUnicode_FSConverter(obj, &bytes))
        return -1;
    if (PyList_Append(owners, bytes) < 0) {
        Py_DECREF(bytes);
        return -1;
    }
    *out = PyBytes_AS_STRING(bytes);
    Py_DECREF(bytes); /* the list holds it */
    return 0;
}

static int op_string(struct mount_ops *m, PyObject *obj, int allow_none, const char **out)
{
    return owned_path(m->owners, obj, allow_none, out);
}

int sbx_parse_mounts(PyObject *obj, struct mount_ops *m)
{
    PyObject *seq;
    Py_ssize_t i, n;

    m->owners = NULL;
    m->ops = NULL;
    m->n = 0;
    if (obj == NULL || obj == Py_None)
        return 0;
    seq = sbx_sequence_copy(obj, MAX_MOUNT_OPS, "mounts");
    if (seq == NULL)
        return -1;
    n = PyTuple_GET_SIZE(seq);
    m->owners = PyList_New(0);
    m->ops = PyMem_Calloc((size_t)n + 1, sizeof *m->ops);
    if (m->owners == NULL || m->ops == NULL) {
        PyErr_NoMemory();
        goto error;
    }
    for (i = 0; i < n; i++) {
        PyObject *item = PyTuple_GET_ITEM(seq, i);
        struct sbx_mount_op *op = &m->ops[i];
        const char *kind;
        unsigned long flags;
        int k;

        if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 5) {
            PyErr_SetString(PyExc_TypeError, "each mount op must be a tuple (kind, src, dst, flags, data)");
            goto error;
        }
        if (!PyUnicode_Check(PyTuple_GET_ITEM(item, 0))) {
            PyErr_SetString(PyExc_TypeError, "mount op kind must be str");
            goto error;
        }
        kind = PyUnicode_AsUTF8(PyTuple_GET_ITEM(item, 0));
        if (kind == NULL)
            goto error;
        for (k = 0; k < SBX_MOUNT_KIND_COUNT && strcmp(kind, mount_kinds[k]) != 0; k++)
            ;
        if (k == SBX_MOUNT_KIND_COUNT) {
            PyErr_Format(PyExc_ValueError, "unknown mount op kind %R", PyTuple_GET_ITEM(item, 0));
            goto error;
        }
        op->kind = k;
        flags = PyLong_AsUnsignedLong(PyTuple_GET_ITEM(item, 3));
        if (flags == (unsigned long)-1 && PyErr_Occurred())
            goto error;
        op->flags = flags;
        if (op_string(m, PyTuple_GET_ITEM(item, 1), 1, &op->src) < 0 ||
            op_string(m, PyTuple_GET_ITEM(item, 2), 0, &op->dst) < 0 ||
            op_string(m, PyTuple_GET_ITEM(item, 4), 1, &op->data) < 0)
            goto error;
        if ((k == SBX_MOUNT_SYMLINK || k == SBX_MOUNT_BIND) && op->src == NULL) {
            PyErr_Format(PyExc_ValueError, "mount op %s needs a source", kind);
            goto error;
        }
        m->n++;
    }
    Py_DECREF(seq);
    return 0;
error:
    Py_DECREF(seq);
    sbx_mount_ops_clear(m);
    return -1;
}

/* uid/gid: 0 .. 2**32 - 2 ((uid_t)-1 means "no change" to the kernel). */
int sbx_id_converter(PyObject *obj, void *out)
{
    unsigned long long v;

    if (!PyLong_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "uid/gid must be int, not %.100s", Py_TYPE(obj)->tp_name);
        return 0;
    }
    v = PyLong_AsUnsignedLongLong(obj);
    if (v == (unsigned long long)-1 && PyErr_Occurred()) {
        PyErr_Clear();
        v = (unsigned long long)UINT32_MAX;
    }
    if (v >= (unsigned long long)UINT32_MAX) {
        PyErr_SetString(PyExc_ValueError, "uid/gid must be between 0 and 4294967294");
        return 0;
    }
    *(unsigned int *)out = (unsigned int)v;
    return 1;
}


int sbx_optional_id_converter(PyObject *obj, void *out)
{
    struct optional_id *id = out;

    if (obj == Py_None) {
        id->set = 0;
        return 1;
    }
    id->set = 1;
    return sbx_id_converter(obj, &id->value);
}

void sbx_landlock_rules_clear(struct landlock_rules *l)
{
    Py_CLEAR(l->owners);
    PyMem_Free(l->rules);
    l->rules = NULL;
    l->n = 0;
}

/* An access mask: an int in [0, 2**64). */
static int access_mask(PyObject *obj, const char *what, uint64_t *out)
{
    unsigned long long v;

    if (!PyLong_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "landlock: %s must be an int", what);
        return -1;
    }
    v = PyLong_AsUnsignedLongLong(obj);
    if (v == (unsigned long long)-1 && PyErr_Occurred())
        return -1;
    *out = (uint64_t)v;
    return 0;
}

int sbx_parse_landlock(PyObject *obj, struct landlock_rules *l, struct sbx_landlock_plan *plan)
{
    PyObject *seq = NULL;
    Py_ssize_t i, n;

    memset(plan, 0, sizeof *plan);
    l->owners = NULL;
    l->rules = NULL;
    l->n = 0;
    if (obj == NULL || obj == Py_None)
        return 0;
    if (!PyTuple_Check(obj) || PyTuple_GET_SIZE(obj) != 4) {
        PyErr_SetString(PyExc_TypeError, "landlock must be None or a tuple (handled_fs, handled_net, scoped, rules)");
        return -1;
    }
    if (access_mask(PyTuple_GET_ITEM(obj, 0), "handled_fs", &plan->handled_fs) < 0 ||
        access_mask(PyTuple_GET_ITEM(obj, 1), "handled_net", &plan->handled_net) < 0 ||
        access_mask(PyTuple_GET_ITEM(obj, 2), "scoped", &plan->scoped) < 0)
        return -1;
    if (plan->handled_fs == 0) {
        PyErr_SetString(PyExc_ValueError, "landlock: handled_fs must name at least one access right");
        return -1;
    }
    seq = sbx_sequence_copy(PyTuple_GET_ITEM(obj, 3), SBX_LANDLOCK_MAX_RULES, "landlock rules");
    if (seq == NULL)
        return -1;
    n = PyTuple_GET_SIZE(seq);
    l->owners = PyList_New(0);
    l->rules = PyMem_Calloc((size_t)n + 1, sizeof *l->rules);
    if (l->owners == NULL || l->rules == NULL) {
        PyErr_NoMemory();
        goto error;
    }
    for (i = 0; i < n; i++) {
        PyObject *item = PyTuple_GET_ITEM(seq, i);
        struct sbx_landlock_rule *rule = &l->rules[i];

        if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 2) {
            PyErr_SetString(PyExc_TypeError, "each landlock rule must be a tuple (path, access)");
            goto error;
        }
        if (owned_path(l->owners, PyTuple_GET_ITEM(item, 0), 0, &rule->path) < 0 ||
            access_mask(PyTuple_GET_ITEM(item, 1), "a rule's access", &rule->access) < 0)
            goto error;
        if (rule->access == 0 || (rule->access & ~plan->handled_fs) != 0) {
            PyErr_Format(PyExc_ValueError, "landlock rule %zd allows nothing, or a right the ruleset does not handle",
                         i);
            goto error;
        }
        l->n++;
    }
    Py_DECREF(seq);
    plan->on = 1;
    plan->rules = l->rules;
    plan->n_rules = l->n;
    return 0;
error:
    Py_XDECREF(seq);
    sbx_landlock_rules_clear(l);
    memset(plan, 0, sizeof *plan);
    return -1;
}
