/*
 * pyvalidator.c: the validator's Python binding, validate() (pyvalidator.h).
 * The scanner itself (validator.c) knows nothing of Python.
 */
#include "pyvalidator.h"

#include "convert.h"
#include "validator.h"

#include <string.h>

static int append_finding(void *ctx, const struct sbx_finding *f)
{
    PyObject *list = ctx;
    PyObject *item = Py_BuildValue("(siis)", f->rule, f->line, f->col, f->message);
    int rc;

    if (item == NULL)
        return 1;
    rc = PyList_Append(list, item);
    Py_DECREF(item);
    return rc < 0 ? 1 : 0;
}

struct normalizer {
    PyObject *normalize; /* unicodedata.normalize, fetched on first use */
};

/* NFKC through unicodedata, as Python normalises identifiers. */
static int normalize_nfkc(void *ctx, const char *in, size_t len, char *out, size_t outcap)
{
    struct normalizer *nz = ctx;
    PyObject *text = NULL, *norm = NULL, *bytes = NULL;
    int result = -1;

    if (nz->normalize == NULL) {
        PyObject *mod = PyImport_ImportModule("unicodedata");
        if (mod == NULL)
            goto done;
        nz->normalize = PyObject_GetAttrString(mod, "normalize");
        Py_DECREF(mod);
        if (nz->normalize == NULL)
            goto done;
    }
    text = PyUnicode_DecodeUTF8(in, (Py_ssize_t)len, "strict");
    if (text == NULL)
        goto done;
    norm = PyObject_CallFunction(nz->normalize, "sO", "NFKC", text);
    if (norm == NULL)
        goto done;
    bytes = PyUnicode_AsUTF8String(norm);
    if (bytes == NULL)
        goto done;
    result = (int)(PyBytes_GET_SIZE(bytes) < (Py_ssize_t)outcap ? PyBytes_GET_SIZE(bytes) : (Py_ssize_t)outcap);
    memcpy(out, PyBytes_AS_STRING(bytes), (size_t)result);
done:
    if (result < 0)
        PyErr_Clear(); /* reported as a non-ASCII identifier finding instead */
    Py_XDECREF(text);
    Py_XDECREF(norm);
    Py_XDECREF(bytes);
    return result;
}

const char sbx_validate_doc[] = PyDoc_STR(
"validate(source, *, denied_modules, allowed_modules, denied_names,\n"
"         denied_attributes, string_sinks=(), reexports=(), submodules=(),\n"
"         denied_module_members=(), denied_members=(), called_only=(),\n"
"         allow_unknown_modules=False,\n"
"         require_markers=True, signature_prefix=None, marker_name=None,\n"
"         max_source_bytes=1048576)\n"
"         -> list[tuple[str, int, int, str]]\n"
"--\n\n"
"Scan Python source (bytes of UTF-8, or str) with the lexical validator\n"
"under a policy given as sequences of str (see autopoietic.validator).\n"
"With require_markers, signature_prefix and marker_name name the component\n"
"protocol's markers (autopoietic._common) and are required.\n"
"Returns findings (rule, line, col, message): line 1-based, col a 0-based\n"
"byte offset, as in Python's ast.  Raises TypeError for other types,\n"
"ValueError for a bad policy, MemoryError.");

PyObject *sbx_py_validate(PyObject *Py_UNUSED(module), PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"source", "denied_modules", "allowed_modules", "denied_names", "denied_attributes",
                             "string_sinks", "reexports", "submodules", "denied_module_members",
                             "denied_members", "called_only", "allow_unknown_modules", "require_markers",
                             "signature_prefix", "marker_name", "max_source_bytes", NULL};
    enum { N_LISTS = 10, N_REQUIRED = 4 }; /* kwlist[1..10], the first 4 required */
    struct sbx_policy policy;
    struct sbx_names *targets[N_LISTS] = {&policy.denied_modules, &policy.allowed_modules, &policy.denied_names,
                                          &policy.denied_attributes, &policy.string_sinks, &policy.reexports,
                                          &policy.submodules, &policy.denied_module_members,
                                          &policy.denied_members, &policy.called_only};
    PyObject *source, *objs[N_LISTS] = {NULL}, *findings = NULL;
    struct str_array lists[N_LISTS];
    int allow_unknown = 0, require_markers = 1, rc, i;
    Py_ssize_t max_bytes = (Py_ssize_t)1 << 20, len;
    struct normalizer nz = {NULL};
    const char *src, *signature_prefix = NULL, *marker_name = NULL;

    memset(lists, 0, sizeof lists);
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|$OOOOOOOOOOppzzn:validate", kwlist, &source, &objs[0],
                                     &objs[1], &objs[2], &objs[3], &objs[4], &objs[5], &objs[6], &objs[7], &objs[8],
                                     &objs[9], &allow_unknown, &require_markers, &signature_prefix, &marker_name,
                                     &max_bytes))
        return NULL;
    if (PyUnicode_Check(source)) {
        src = PyUnicode_AsUTF8AndSize(source, &len);
        if (src == NULL)
            return NULL;
    } else if (PyBytes_Check(source)) {
        src = PyBytes_AS_STRING(source);
        len = PyBytes_GET_SIZE(source);
    } else {
        PyErr_Format(PyExc_TypeError, "source must be bytes or str, not %.100s", Py_TYPE(source)->tp_name);
        return NULL;
    }
    if (max_bytes < 0) {
        PyErr_SetString(PyExc_ValueError, "max_source_bytes must be >= 0");
        return NULL;
    }
    for (i = 0; i < N_REQUIRED; i++) {
        if (objs[i] == NULL) {
            PyErr_SetString(PyExc_TypeError, "validate() needs the policy: denied_modules, allowed_modules, "
                                             "denied_names, denied_attributes");
            return NULL;
        }
    }
    memset(&policy, 0, sizeof policy);
    for (i = 0; i < N_LISTS; i++) {
        if (objs[i] == NULL)
            continue; /* an optional list left out: empty */
        if (sbx_str_array_from(objs[i], kwlist[i + 1], 1, &lists[i]) < 0)
            goto done;
        targets[i]->items = (const char *const *)lists[i].items;
        targets[i]->n = (size_t)PyList_GET_SIZE(lists[i].owners);
    }
    if (require_markers && (signature_prefix == NULL || signature_prefix[0] == '\0' || marker_name == NULL ||
                            marker_name[0] == '\0')) {
        PyErr_SetString(PyExc_ValueError, "require_markers needs a non-empty signature_prefix and marker_name");
        goto done;
    }
    policy.allow_unknown_modules = allow_unknown;
    policy.require_markers = require_markers;
    policy.signature_prefix = signature_prefix;
    policy.marker_name = marker_name;
    policy.max_source_bytes = (size_t)max_bytes;
    policy.normalize = normalize_nfkc;
    policy.normalize_ctx = &nz;

    findings = PyList_New(0);
    if (findings == NULL)
        goto done;
    /* Pure C over a buffer we hold a reference to, but the finding callback
     * and the NFKC callback build Python objects: the GIL stays held (a
     * scan takes microseconds per KiB). */
    rc = sbx_validate(src, (size_t)len, &policy, append_finding, findings);
    if (rc == -2) {
        Py_CLEAR(findings);
        PyErr_NoMemory();
    } else if (rc < 0 && PyErr_Occurred()) {
        Py_CLEAR(findings);
    }
done:
    Py_XDECREF(nz.normalize);
    for (i = 0; i < N_LISTS; i++)
        sbx_str_array_clear(&lists[i]);
    return findings;
}
