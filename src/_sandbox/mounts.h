/* mounts.h: the sandbox's root file system (mounts.c, child side). */
#ifndef SBX_MOUNTS_H
#define SBX_MOUNTS_H

#include "sandbox.h"

/* Runs cfg->mounts in order; 0, or -1 with errno set and *failed the index
 * of the failing op. */
int sbx_mount_root_child(const struct sbx_config *cfg, int *failed);

#endif /* SBX_MOUNTS_H */
