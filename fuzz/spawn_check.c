/*
 * spawn_check: drive the parent side (spawn.c) and the seccomp builder
 * without Python, for ASan/UBSan with leak detection and for valgrind
 * (make sanitize).  Runs /bin/sh in a few shapes (plain, output flood over
 * the cap, timeout, CPU limit, setup failure, with and without namespaces)
 * and checks the outcome.  Exit 0 when every case behaved.
 */
#include "sandbox.h"

#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int run_case(const char *name, const char *script, int flags, double timeout_s, double cpu_s,
                    const char *cwd, int expect_exit, int expect_signal, int expect_truncated)
{
    char *argv[] = {"/bin/sh", "-c", (char *)script, NULL};
    char *envp[] = {"PATH=/usr/bin:/bin", NULL};
    struct sbx_config cfg;
    struct sbx_run run;
    void *filter = sbx_seccomp_build();
    int ok;

    memset(&cfg, 0, sizeof cfg);
    cfg.exe = argv[0];
    cfg.argv = argv;
    cfg.envp = envp;
    cfg.cwd = cwd;
    cfg.hostname = "sandbox";
    cfg.clone_flags = flags;
    cfg.uid_map = "65534 0 1\n";
    cfg.gid_map = "65534 0 1\n";
    cfg.seccomp = filter;
    cfg.source_fd = -1;
    cfg.timeout_s = timeout_s;
    cfg.cpu_limit_s = cpu_s;
    cfg.output_limit = 4096;
    cfg.verdict_limit = 4096;
    if (filter == NULL || sbx_start(&cfg, &run) < 0) {
        printf("FAIL %s: start failed at stage %d\n", name, run.setup_stage);
        sbx_seccomp_free(filter);
        return 1;
    }
    while (!sbx_step(&run, 100))
        ;
    if (expect_exit == -2) /* a setup failure is expected */
        ok = run.setup_stage != SBX_STAGE_NONE;
    else if (expect_signal)
        ok = run.killed && !run.have_status;
    else
        ok = run.have_status && WIFEXITED(run.wait_status) && WEXITSTATUS(run.wait_status) == expect_exit;
    ok = ok && run.out.truncated == expect_truncated;
    printf("%s %s (out %zu bytes, wall %.3f s, cpu %.3f s)\n", ok ? "ok  " : "FAIL", name, run.out.len, run.wall_s,
           run.cpu_s);
    sbx_run_free(&run);
    sbx_seccomp_free(filter);
    return !ok;
}

int main(void)
{
    int ns = CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET | CLONE_NEWNS;
    int failures = 0;

    failures += run_case("plain", "echo hello", ns, 10, 0, "/", 0, 0, 0);
    failures += run_case("exit status", "exit 3", ns, 10, 0, "/", 3, 0, 0);
    failures += run_case("flood over the cap", "yes | head -c 1000000", ns, 10, 0, "/", 0, 0, 1);
    failures += run_case("timeout", "sleep 30", ns, 0.3, 0, "/", 0, 1, 0);
    failures += run_case("cpu limit", "while :; do :; done", ns, 10, 0.3, "/", 0, 1, 0);
    failures += run_case("daemon left behind", "(sleep 30 &) ; echo parent", ns, 10, 0, "/", 0, 0, 0);
    failures += run_case("setup failure", "true", ns, 10, 0, "/nonexistent", -2, 0, 0);
    failures += run_case("direct execution", "echo direct", 0, 10, 0, "/", 0, 0, 0);
    return failures ? 1 : 0;
}
