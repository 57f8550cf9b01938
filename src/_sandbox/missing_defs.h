/*
 * missing_defs.h: syscall numbers and constants that older kernel headers
 * lack (manylinux build images ship headers older than the kernels we run
 * on).  Each is defined only where the headers did not.  A number missing
 * from the headers would otherwise drop silently out of the seccomp table
 * (seccomp.c guards the arch-specific ones with #ifdef), so the numbers
 * the filter denies are here too.
 *
 * Syscalls from 424 on have the same number on every architecture (the
 * generic table); the older ones below differ between x86_64 and aarch64.
 */
#ifndef SBX_MISSING_DEFS_H
#define SBX_MISSING_DEFS_H

#include <sched.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

/* the generic table, Linux 5.1 and later */
#ifndef __NR_io_uring_setup
#define __NR_io_uring_setup 425
#endif
#ifndef __NR_io_uring_enter
#define __NR_io_uring_enter 426
#endif
#ifndef __NR_io_uring_register
#define __NR_io_uring_register 427
#endif
#ifndef __NR_open_tree
#define __NR_open_tree 428
#endif
#ifndef __NR_move_mount
#define __NR_move_mount 429
#endif
#ifndef __NR_fsopen
#define __NR_fsopen 430
#endif
#ifndef __NR_fsconfig
#define __NR_fsconfig 431
#endif
#ifndef __NR_fsmount
#define __NR_fsmount 432
#endif
#ifndef __NR_fspick
#define __NR_fspick 433
#endif
#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434
#endif
#ifndef __NR_clone3
#define __NR_clone3 435
#endif
#ifndef __NR_close_range
#define __NR_close_range 436
#endif
#ifndef __NR_pidfd_getfd
#define __NR_pidfd_getfd 438
#endif
#ifndef __NR_process_madvise
#define __NR_process_madvise 440
#endif
#ifndef __NR_mount_setattr
#define __NR_mount_setattr 442
#endif
#ifndef __NR_quotactl_fd
#define __NR_quotactl_fd 443
#endif
#ifndef __NR_memfd_secret
#define __NR_memfd_secret 447
#endif

/* older, numbered per architecture */
#if defined(__x86_64__)
#ifndef __NR_kcmp
#define __NR_kcmp 312
#endif
#ifndef __NR_finit_module
#define __NR_finit_module 313
#endif
#ifndef __NR_memfd_create
#define __NR_memfd_create 319
#endif
#ifndef __NR_kexec_file_load
#define __NR_kexec_file_load 320
#endif
#ifndef __NR_bpf
#define __NR_bpf 321
#endif
#ifndef __NR_userfaultfd
#define __NR_userfaultfd 323
#endif
#ifndef __NR_io_pgetevents
#define __NR_io_pgetevents 333
#endif
#elif defined(__aarch64__)
#ifndef __NR_kcmp
#define __NR_kcmp 272
#endif
#ifndef __NR_finit_module
#define __NR_finit_module 273
#endif
#ifndef __NR_memfd_create
#define __NR_memfd_create 279
#endif
#ifndef __NR_bpf
#define __NR_bpf 280
#endif
#ifndef __NR_userfaultfd
#define __NR_userfaultfd 282
#endif
#ifndef __NR_io_pgetevents
#define __NR_io_pgetevents 292
#endif
#ifndef __NR_kexec_file_load
#define __NR_kexec_file_load 294
#endif
#endif

/* <sys/syscall.h> made SYS_* of the __NR_* it knew: the ones we call */
#ifndef SYS_clone3
#define SYS_clone3 __NR_clone3
#endif
#ifndef SYS_close_range
#define SYS_close_range __NR_close_range
#endif

/* clone flags */
#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000 /* Linux 4.6 */
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080 /* Linux 5.6 */
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL /* clone3 only, Linux 5.7 */
#endif

/* prctl */
#ifndef PR_SET_CHILD_SUBREAPER
#define PR_SET_CHILD_SUBREAPER 36 /* Linux 3.4 */
#endif
#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47 /* Linux 4.3 */
#endif
#ifndef PR_CAP_AMBIENT_CLEAR_ALL
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif

#endif /* SBX_MISSING_DEFS_H */
