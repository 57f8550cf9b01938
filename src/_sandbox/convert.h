/*
 * convert.h: Python arguments to C.  Every conversion copies what the run
 * needs into memory the parent owns, before clone(), so the child
 * allocates nothing; each owner object keeps its strings alive until the
 * run is reaped.  Errors are Python exceptions (return -1, 0 for the "O&"
 * converters).
 */
#ifndef SBX_CONVERT_H
#define SBX_CONVERT_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "sandbox.h"

/* Most items of argv, env and a validator policy list. */
#define MAX_ARGS 4096
/* Most steps of a mount plan. */
#define MAX_MOUNT_OPS 4096
/* user, pid, ipc, uts, net, mnt, cgroup */
#define SBX_NAMESPACE_COUNT 7

struct sbx_namespace_flag {
    const char *name;
    int flag;
};
/* The namespaces by name (exported to Python as NAMESPACES). */
extern const struct sbx_namespace_flag sbx_namespace_flags[SBX_NAMESPACE_COUNT];

/* A NULL-terminated char* array pointing into bytes objects we keep alive. */
struct str_array {
    PyObject *owners; /* list of bytes */
    char **items;
};

struct mount_ops {
    PyObject *owners; /* list of the bytes objects the ops point into */
    struct sbx_mount_op *ops;
    int n;
};

/* The path rules of a Landlock plan, their strings owned. */
struct landlock_rules {
    PyObject *owners; /* list of the bytes objects the rules point into */
    struct sbx_landlock_rule *rules;
    int n;
};

struct optional_id {
    int set;
    unsigned int value;
};

/* A private tuple copy of a sequence of at most max items. */
PyObject *sbx_sequence_copy(PyObject *obj, Py_ssize_t max, const char *what);
void sbx_str_array_clear(struct str_array *a);
/* A sequence of str or bytes (os.fsencode rules, no NUL). */
int sbx_str_array_from(PyObject *seq_obj, const char *what, int allow_empty, struct str_array *out);
/* Names of sbx_namespace_flags -> CLONE_NEW* flags. */
int sbx_parse_namespaces(PyObject *obj, int *flags);
/* (resource, soft, hard) triples into cfg->rlimits. */
int sbx_parse_rlimits(PyObject *obj, struct sbx_config *cfg);
void sbx_mount_ops_clear(struct mount_ops *m);
/* (kind, source, target, flags, data) steps of the mount plan. */
int sbx_parse_mounts(PyObject *obj, struct mount_ops *m);
void sbx_landlock_rules_clear(struct landlock_rules *l);
/* None, or (handled_fs, handled_net, scoped, ((path, access), ...))
 * into plan (plan->on 1), its rules in l. */
int sbx_parse_landlock(PyObject *obj, struct landlock_rules *l, struct sbx_landlock_plan *plan);
/* "O&" converters: a uid or gid (unsigned int), or an optional one. */
int sbx_id_converter(PyObject *obj, void *out);
int sbx_optional_id_converter(PyObject *obj, void *out);

#endif /* SBX_CONVERT_H */
