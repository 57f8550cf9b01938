/*
 * cgroup.h: the run's own cgroup (cgroup.c).
 *
 * sbx_cgroup_create makes the run's directories before clone() and opens
 * what init joins them with (run->fds.fd[SBX_FD_CG_JOIN + i]; for
 * CLONE_INTO, the directory's fd in run->cg_dir_fd): 0, or -1 with errno
 * and *failed the index of the failing hierarchy (whatever was made is
 * removed).  sbx_cgroup_attach moves pid in after clone() when the plan
 * says SBX_CGROUP_JOIN_PROCS.  sbx_cgroup_cpu reads the CPU counter
 * (seconds, or -1).  sbx_cgroup_read reads the counters (CPU, peak
 * memory, OOM kills) into run; sbx_cgroup_finish reads them (unless
 * run->answered) and
 * removes the directories.  sbx_cgroup_join_child: init, after the sync.
 */
#ifndef SBX_CGROUP_H
#define SBX_CGROUP_H

#include "sandbox.h"

int sbx_cgroup_create(struct sbx_run *run, int *failed);
int sbx_cgroup_attach(struct sbx_run *run, pid_t pid, int *failed);
int sbx_cgroup_join_child(const struct sbx_child_fds *fds, int *failed);
double sbx_cgroup_cpu(struct sbx_run *run);
void sbx_cgroup_read(struct sbx_run *run);
void sbx_cgroup_finish(struct sbx_run *run);
/* SIGKILL every process in the run's cgroups but spare (0: none), in
 * rounds until none is left; how many were killed.  Without a pid
 * namespace, what init's own cleanup may not reach in time. */
int sbx_cgroup_kill(struct sbx_run *run, pid_t spare);

#endif /* SBX_CGROUP_H */
