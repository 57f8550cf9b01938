/*
 * pyvalidator.h: _sandbox.validate(), the Python face of validator.c.
 */
#ifndef SBX_PYVALIDATOR_H
#define SBX_PYVALIDATOR_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

extern const char sbx_validate_doc[];
PyObject *sbx_py_validate(PyObject *module, PyObject *args, PyObject *kwargs);

#endif /* SBX_PYVALIDATOR_H */
