/*
 * clone.h: start a run (clone.c, parent side): the pipes, clone() into the
 * namespaces, the uid/gid maps, the sync byte; warm mode's go.
 */
#ifndef SBX_CLONE_H
#define SBX_CLONE_H

#include "sandbox.h"

/* sbx_start returns 0, or -1 with run->setup_stage and run->setup_errno
 * set (and nothing left running).  With cfg->warm the sandbox waits for
 * sbx_go(); sbx_start also returns SBX_START_CHILD, in the sandbox's main
 * process, which then calls sbx_enter_child().  Touches no Python: the
 * caller releases the GIL around it (not in warm mode: the main process
 * goes on running the interpreter). */
enum { SBX_START_CHILD = 1 };
int sbx_start(const struct sbx_config *cfg, struct sbx_run *run);

/* Warm mode: start the run of a sandbox sbx_start() prepared.  The wall
 * clock starts here.  Returns 0, or -1 with errno when the main process
 * cannot be reached (it died; sbx_step() then finds out why). */
int sbx_go(struct sbx_run *run, const int fds[SBX_GO_FDS]);
/* Write /proc/PID/setgroups ("deny", when deny_setgroups), uid_map and
 * gid_map; pid 0: this process.  0, or -1 with errno and *stage the
 * failing step (SBX_STAGE_SETGROUPS, _UID_MAP, _GID_MAP). */
int sbx_write_id_maps(pid_t pid, int deny_setgroups, const char *uid_map, const char *gid_map, int *stage);

/* Move *fd to a number >= SBX_FD_FIRST_FREE (closing the old one): 0 or -1. */
int sbx_move_high(int *fd);
/* Close *fd if it is open and set it to -1; sbx_close_fds: the slots
 * [first, end) of f. */
void sbx_close_fd(int *fd);
void sbx_close_fds(struct sbx_child_fds *f, int first, int end);
double sbx_monotonic(void);

#endif /* SBX_CLONE_H */
