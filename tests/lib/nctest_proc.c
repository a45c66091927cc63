/*
 * nctest processes: spawn with output captured to files, own process
 * group, die-with-parent; bounded waits; stop and reap the whole group.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#define _GNU_SOURCE
#include "nctest_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static int open_or_fail(const char *file, int line, const char *path,
                        int flags, const char *what)
{
    int fd = open(path, flags | O_CLOEXEC, 0644);
    if (fd < 0) {
        nc_fail_at(file, line, "cannot open %s %s: %s", what, path,
                   strerror(errno));
    }
    return fd;
}

static char *join_argv(const char *const argv[])
{
    size_t n = 1;
    for (size_t i = 0; argv[i]; i++) {
        n += strlen(argv[i]) + 3;
    }
    char *s = nc_xmalloc(n);
    char *p = s;
    for (size_t i = 0; argv[i]; i++) {
        p += sprintf(p, "%s%s", i ? " " : "", argv[i]);
    }
    return s;
}

NcProc *nc_spawn_at(const char *file, int line, const char *name,
                    const char *const argv[], const NcSpawnOpts *opts)
{
    static const NcSpawnOpts none;
    if (!opts) {
        opts = &none;
    }
    nc_test_init();
    /* A subreaper adopts grandchildren (e.g. QEMU started by the
     * launcher) so tear-down can reap the whole process group. */
    prctl(PR_SET_CHILD_SUBREAPER, 1);

    NcProc *p = nc_gc(nc_xmalloc(sizeof(*p)));
    /* Output files are named after the process: keep the names unique. */
    p->name = nc_strf("%s", name);
    for (int i = 2; !opts->stdout_path &&
         access(nc_strf("%s/%s.out", nc_tmpdir(), p->name), F_OK) == 0; i++) {
        p->name = nc_strf("%s-%d", name, i);
    }
    name = p->name;
    p->cmdline = nc_gc(join_argv(argv));
    p->stdout_path = opts->stdout_path ? nc_strf("%s", opts->stdout_path)
                                       : nc_strf("%s/%s.out", nc_tmpdir(),
                                                 name);
    if (opts->stderr_to_stdout) {
        p->stderr_path = p->stdout_path;
    } else {
        p->stderr_path = opts->stderr_path
                         ? nc_strf("%s", opts->stderr_path)
                         : nc_strf("%s/%s.err", nc_tmpdir(), name);
    }

    int in = open_or_fail(file, line,
                          opts->stdin_path ? opts->stdin_path : "/dev/null",
                          O_RDONLY, "stdin");
    int out = open_or_fail(file, line, p->stdout_path,
                           O_WRONLY | O_CREAT | O_TRUNC | O_APPEND,
                           "stdout file");
    int err = opts->stderr_to_stdout
              ? out
              : open_or_fail(file, line, p->stderr_path,
                             O_WRONLY | O_CREAT | O_TRUNC | O_APPEND,
                             "stderr file");
    int errpipe[2];
    if (pipe2(errpipe, O_CLOEXEC) != 0) {
        nc_fail_at(file, line, "pipe2: %s", strerror(errno));
    }

    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        nc_fail_at(file, line, "fork: %s", strerror(errno));
    }
    if (pid == 0) {
        /* Child: async-signal-safe calls only. */
        sigset_t all;
        sigemptyset(&all);
        sigprocmask(SIG_SETMASK, &all, NULL);
        signal(SIGPIPE, SIG_DFL);
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) {
            _exit(127);
        }
        if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) {
            goto fail;
        }
        if (opts->cwd && chdir(opts->cwd) != 0) {
            goto fail;
        }
        execv(argv[0], (char *const *)argv);
fail:
        {
            int e = errno;
            ssize_t w = write(errpipe[1], &e, sizeof(e));
            (void)w;
        }
        _exit(127);
    }

    setpgid(pid, pid);   /* also from here, to close the race */
    close(errpipe[1]);
    close(in);
    close(out);
    if (err != out) {
        close(err);
    }
    p->pid = pid;

    int child_errno = 0;
    ssize_t r;
    do {
        r = read(errpipe[0], &child_errno, sizeof(child_errno));
    } while (r < 0 && errno == EINTR);
    close(errpipe[0]);
    if (r == (ssize_t)sizeof(child_errno)) {
        int st;
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
        }
        p->reaped = true;
        p->status = st;
        nc_fail_at(file, line, "cannot execute %s (%s%s%s): %s", argv[0],
                   name, opts->cwd ? " in " : "",
                   opts->cwd ? opts->cwd : "", strerror(child_errno));
    }

    nc_register_proc(p);
    return p;
}

bool nc_proc_exited(NcProc *p)
{
    if (p->reaped) {
        return true;
    }
    int st;
    pid_t r;
    do {
        r = waitpid(p->pid, &st, WNOHANG);
    } while (r < 0 && errno == EINTR);
    if (r == p->pid) {
        p->reaped = true;
        p->status = st;
    } else if (r < 0 && errno == ECHILD) {
        /* Reaped elsewhere (group reap); treat as gone. */
        p->reaped = true;
        p->status = 0;
    }
    return p->reaped;
}

bool nc_proc_wait(NcProc *p, int timeout_ms)
{
    int64_t deadline = nc_now_ms() + timeout_ms;
    int nap = 2;
    while (!nc_proc_exited(p)) {
        if (nc_now_ms() >= deadline) {
            return false;
        }
        nc_nap_ms(nap);
        if (nap < 20) {
            nap *= 2;
        }
    }
    return true;
}

int nc_proc_wait_exit_at(const char *file, int line, NcProc *p,
                         int timeout_ms)
{
    if (!nc_proc_wait(p, timeout_ms)) {
        nc_fail_at(file, line, "%s did not exit within %d ms\n"
                   "command: %s\n%s", p->name, timeout_ms, p->cmdline,
                   nc_proc_diag(p));
    }
    return p->status;
}

/*
 * Reap every child of ours in P's process group (the leader and, thanks to
 * the subreaper flag, orphaned descendants). True when none is left.
 */
static bool reap_group(NcProc *p, int64_t deadline)
{
    int nap = 2;
    for (;;) {
        int st;
        pid_t r = waitpid(-p->pid, &st, WNOHANG);
        if (r > 0) {
            if (r == p->pid) {
                p->reaped = true;
                p->status = st;
            }
            continue;
        }
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r < 0) {            /* ECHILD: nothing of ours left */
            p->reaped = true;
            return true;
        }
        if (nc_now_ms() >= deadline) {
            return false;
        }
        nc_nap_ms(nap);
        if (nap < 20) {
            nap *= 2;
        }
    }
}

void nc_proc_stop(NcProc *p)
{
    if (!p || p->pid <= 0) {
        return;
    }
    /* The group may still hold descendants even if the leader is gone. */
    bool leader_alive = !nc_proc_exited(p);
    if (kill(-p->pid, SIGTERM) != 0 && !leader_alive) {
        p->pid = -p->pid;           /* nothing left; mark stopped */
        return;
    }
    if (!reap_group(p, nc_now_ms() + 5000)) {
        kill(-p->pid, SIGKILL);
        reap_group(p, nc_now_ms() + 10000);
    }
    /* Descendants that are not ours (should not happen): kill them. */
    kill(-p->pid, SIGKILL);
    if (!p->reaped) {
        p->reaped = true;
    }
    p->pid = -p->pid;               /* stopped: never signal it again */
}

const char *nc_proc_describe(NcProc *p)
{
    if (!nc_proc_exited(p)) {
        return "running";
    }
    if (WIFEXITED(p->status)) {
        return nc_strf("exited with status %d", WEXITSTATUS(p->status));
    }
    if (WIFSIGNALED(p->status)) {
        return nc_strf("killed by signal %d (%s)", WTERMSIG(p->status),
                       strsignal(WTERMSIG(p->status)));
    }
    return nc_strf("ended with wait status 0x%x", p->status);
}

const char *nc_proc_diag(NcProc *p)
{
    if (!p) {
        return "";
    }
    const char *out = nc_file_tail(p->stdout_path, 2000);
    if (p->stderr_path == p->stdout_path ||
        strcmp(p->stderr_path, p->stdout_path) == 0) {
        return nc_strf("--- %s output (%s) ---\n%s--- end ---", p->name,
                       p->stdout_path, out);
    }
    const char *err = nc_file_tail(p->stderr_path, 2000);
    return nc_strf("--- %s stdout (%s) ---\n%s--- %s stderr (%s) ---\n%s"
                   "--- end ---", p->name, p->stdout_path, out, p->name,
                   p->stderr_path, err);
}
