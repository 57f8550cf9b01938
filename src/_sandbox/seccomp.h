/*
 * seccomp.h: the syscall filter (seccomp.c), built in the parent
 * (allocates) and installed in the child right before exec (after
 * PR_SET_NO_NEW_PRIVS).
 */
#ifndef SBX_SECCOMP_H
#define SBX_SECCOMP_H

enum {
    SBX_SECCOMP_DENY_SIGCHLD_IGNORE = 1, /* rt_sigaction(SIGCHLD, act != NULL): EPERM */
    SBX_SECCOMP_DENY_SOCKET = 2,         /* socket() of any family: EACCES (socketpair AF_UNIX stays) */
    SBX_SECCOMP_DENY_FILE_METADATA = 4   /* chmod, chown, utime, xattr changes: EPERM */
};
void *sbx_seccomp_build(int flags);            /* struct sock_fprog *, or NULL with errno */
void sbx_seccomp_free(void *prog);
int sbx_seccomp_install_child(const void *prog);

#endif /* SBX_SECCOMP_H */
