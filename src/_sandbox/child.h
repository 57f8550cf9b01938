/*
 * child.h: what runs after clone() in the child (child.c), async-signal-
 * safe: init's setup and reaping, and the main process's setup up to exec.
 */
#ifndef SBX_CHILD_H
#define SBX_CHILD_H

#include "sandbox.h"

/* init: returns only in the main process of a warm run, which (having
 * reset its copy of the interpreter after the fork) calls
 * sbx_enter_child. */
void sbx_init_child(const struct sbx_config *cfg, const struct sbx_child_fds *fds, struct sbx_go_msg *go);
/* The main process's setup: (warm mode: wait for the go into *go,) fds
 * 0-5, every other fd closed, rlimits, cwd, ids, capabilities,
 * no_new_privs, seccomp; then exec, or in warm mode return.  A failure is
 * reported on the error pipe and ends the process; so does the server's
 * EOF on the go socket (silently). */
void sbx_enter_child(const struct sbx_config *cfg, const struct sbx_child_fds *fds, struct sbx_go_msg *go);
/* One (stage, errno, detail) message on the error pipe fd. */
void sbx_report_child(int fd, int stage, int err, int detail);

#endif /* SBX_CHILD_H */
