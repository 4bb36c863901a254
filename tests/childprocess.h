#pragma once

// For benchmarks that time the tracemap program itself: a child process's wall time, peak RSS and output, and the
// median of a few runs.

#include <QByteArray>
#include <QElapsedTimer>
#include <QStringList>

#include <algorithm>
#include <vector>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace benchsupport {

struct ChildRun {
    double seconds = 0;
    long peakRssKb = 0;
    int exitCode = -1;
    QByteArray output;
};

// Runs a program, measuring wall time and the child's own peak RSS; output is its stdout, and its stderr too with
// withStderr.
inline ChildRun runChild(const QStringList& command, bool withStderr = false)
{
    ChildRun run;
    int pipeFds[2];
    if (pipe(pipeFds) != 0)
        return run;
    QElapsedTimer timer;
    timer.start();
    const pid_t pid = fork();
    if (pid == 0) {
        dup2(pipeFds[1], STDOUT_FILENO);
        if (withStderr)
            dup2(pipeFds[1], STDERR_FILENO);
        close(pipeFds[0]);
        std::vector<QByteArray> args;
        for (const QString& a : command)
            args.push_back(a.toLocal8Bit());
        std::vector<char*> argv;
        for (auto& a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        execvp(argv[0], argv.data());
        _exit(127);
    }
    close(pipeFds[1]);
    char buffer[4096];
    ssize_t n;
    while ((n = read(pipeFds[0], buffer, sizeof buffer)) > 0)
        run.output.append(buffer, n);
    close(pipeFds[0]);
    int status = 0;
    struct rusage usage { };
    wait4(pid, &status, 0, &usage);
    run.seconds = timer.nsecsElapsed() / 1e9;
    run.peakRssKb = usage.ru_maxrss;
    run.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return run;
}

/// The median of the values (of an even count, the upper of the middle two).
inline double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

} // namespace benchsupport
