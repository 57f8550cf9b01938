/*
 * proctree.h: the process tree of a run, read from /proc (proctree.c):
 * its CPU time and resident sets, and killing it.
 */
#ifndef SBX_PROCTREE_H
#define SBX_PROCTREE_H

#include "sandbox.h"

/* Call each(pid) for every number in a /proc/.../children listing read from
 * fd; returns how many.  Async-signal-safe: init (child side) and the
 * parent's CPU sampling both use it. */
int sbx_for_each_pid(int fd, void (*each)(pid_t pid, void *ctx), void *ctx);
/* CPU seconds used so far by the tree (from the run's cgroup if it has
 * one); raises run->cpu_s and run->max_rss_kib to what it saw. */
double sbx_sample_tree(struct sbx_run *run);
/* SIGKILL the tree (once): init, or in direct execution the program. */
void sbx_kill_tree(struct sbx_run *run);
/* Where the caller's argv and environ strings lie, into f->arg_* and
 * f->env_* (left 0 when unknown). */
void sbx_read_arg_env_area(struct sbx_child_fds *f);
/* Threads of this process (/proc/self/stat), or -1. */
int sbx_thread_count(void);

#endif /* SBX_PROCTREE_H */
