/*
 * spawn_check: drive the parent side (clone.c, wait.c, proctree.c) and the
 * seccomp builder without Python, for ASan/UBSan with leak detection and
 * for valgrind
 * (make sanitize).  Runs /bin/sh in a few shapes (plain, output flood over
 * the cap, timeout, CPU limit, setup failure, with and without namespaces),
 * and one warm-mode run (sbx_start with cfg.warm, sbx_go, sbx_enter_child:
 * the main process returns here and exits with a status of its own; skipped
 * with --no-warm), and, where the kernel has Landlock, two runs under a
 * ruleset (landlock.c), and checks the outcome.  Exit 0 when every case behaved.
 */
#include "child.h"
#include "clone.h"
#include "seccomp.h"
#include "wait.h"

#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void init_config(struct sbx_config *cfg, char **argv, char **envp, const char *cwd, int flags, void *filter,
                        double timeout_s)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->exe = argv[0];
    cfg->argv = argv;
    cfg->envp = envp;
    cfg->cwd = cwd;
    cfg->hostname = "sandbox";
    cfg->clone_flags = flags;
    cfg->uid_map = "65534 0 1\n";
    cfg->gid_map = "65534 0 1\n";
    cfg->seccomp = filter;
    cfg->source_fd = -1;
    cfg->timeout_s = timeout_s;
    cfg->output_limit = 4096;
    cfg->verdict_limit = 4096;
    cfg->cancel_fd = -1; /* 0 would be stdin */
}

/* The Landlock ruleset of the next run_case, or NULL: /usr (the shell, its
 * libraries; /bin and /lib lead there or are added) read and execute,
 * /dev/null read and write, nothing else. */
static const struct sbx_landlock_plan *case_landlock;
#define LL_READ_EXEC (1ULL << 0 | 1ULL << 2 | 1ULL << 3) /* execute, read file, read dir */
static const struct sbx_landlock_rule landlock_rules[] = {
    {"/usr", LL_READ_EXEC}, {"/lib", LL_READ_EXEC}, {"/lib64", LL_READ_EXEC}, {"/bin", LL_READ_EXEC},
    {"/dev/null", 1ULL << 1 | 1ULL << 2},
};
static const struct sbx_landlock_plan landlock_plan = {
    1, (1ULL << 13) - 1, 0, 0, landlock_rules, (int)(sizeof landlock_rules / sizeof landlock_rules[0])};

static int run_case(const char *name, const char *script, int flags, double timeout_s, double cpu_s,
                    const char *cwd, int expect_exit, int expect_signal, int expect_truncated)
{
    char *argv[] = {"/bin/sh", "-c", (char *)script, NULL};
    char *envp[] = {"PATH=/usr/bin:/bin", NULL};
    struct sbx_config cfg;
    struct sbx_run run;
    void *filter = sbx_seccomp_build(0);
    int ok;

    init_config(&cfg, argv, envp, cwd, flags, filter, timeout_s);
    cfg.cpu_limit_s = cpu_s;
    if (case_landlock != NULL)
        cfg.landlock = *case_landlock;
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
    ok = ok && run.buf[SBX_STREAM_STDOUT].truncated == expect_truncated;
    printf("%s %s (out %zu bytes, wall %.3f s, cpu %.3f s)\n", ok ? "ok  " : "FAIL", name, run.buf[SBX_STREAM_STDOUT].len, run.wall_s,
           run.cpu_s);
    sbx_run_free(&run);
    sbx_seccomp_free(filter);
    return !ok;
}

/* Warm mode: the main process comes back from sbx_start, waits for the
 * go in sbx_enter_child, and ends with status 7 (no interpreter here). */
static int warm_case(void)
{
    char *argv[] = {"/bin/true", NULL};
    char *envp[] = {NULL};
    int ns = CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET | CLONE_NEWNS;
    int pipes[4][2], fds[SBX_GO_FDS], i, rc, ok;
    struct sbx_config cfg;
    struct sbx_run run;
    void *filter = sbx_seccomp_build(0);

    init_config(&cfg, argv, envp, "/", ns, filter, 10);
    cfg.warm = 1;
    for (i = 0; i < 4; i++) {
        if (pipe(pipes[i]) < 0) {
            printf("FAIL warm: pipe\n");
            return 1;
        }
    }
    rc = filter == NULL ? -1 : sbx_start(&cfg, &run);
    if (rc == SBX_START_CHILD) {
        sbx_enter_child(&cfg, &run.fds, &run.go);
        _exit(7);
    }
    if (rc < 0) {
        printf("FAIL warm: start failed at stage %d\n", run.setup_stage);
        sbx_seccomp_free(filter);
        return 1;
    }
    /* stdin, stdout, stderr, nonce, verdict, source (sandbox.h: SBX_GO_FDS) */
    fds[0] = pipes[2][0]; /* any readable fd will do as stdin */
    fds[1] = pipes[0][1];
    fds[2] = pipes[1][1];
    fds[3] = pipes[2][0];
    fds[4] = pipes[3][1];
    fds[5] = pipes[0][1]; /* any fd will do as the source */
    (void)sbx_go(&run, fds);
    while (!sbx_step(&run, 100))
        ;
    ok = run.have_status && WIFEXITED(run.wait_status) && WEXITSTATUS(run.wait_status) == 7 &&
         run.setup_stage == SBX_STAGE_NONE;
    printf("%s warm (wall %.3f s, status %d/%#x, stage %d errno %d)\n", ok ? "ok  " : "FAIL", run.wall_s, run.have_status, run.wait_status, run.setup_stage, run.setup_errno);
    for (i = 0; i < 4; i++) {
        (void)close(pipes[i][0]);
        (void)close(pipes[i][1]);
    }
    sbx_run_free(&run);
    sbx_seccomp_free(filter);
    return !ok;
}

int main(int argc, char **argv)
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
    if (sbx_landlock_abi() >= 1) {
        case_landlock = &landlock_plan;
        failures += run_case("landlock: allowed", "echo landlocked", 0, 10, 0, "/", 0, 0, 0);
        failures += run_case("landlock: /etc denied", "cat /etc/hostname", 0, 10, 0, "/", 1, 0, 0);
        case_landlock = NULL;
    }
    /* --no-warm under valgrind: its error exit status would be the warm
     * main process's own, which keeps running under valgrind after fork */
    if (!(argc > 1 && strcmp(argv[1], "--no-warm") == 0))
        failures += warm_case();
    return failures ? 1 : 0;
}
