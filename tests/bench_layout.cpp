// Topology layout benchmark (not a test: it prints figures, it asserts nothing). In one run: lays out
// jaeger-ui-large-dag.json (1,238 services, 4,271 edges) in-process with the automatic engine choice, with sfdp and
// with dot (dot in a forked child, so that it can be stopped after the same timeout as the program), then times
// the Graphviz programs on the same DOT text (`sfdp`, and `dot` with a timeout), and, when npm can install it,
// @viz-js/viz (the wasm Graphviz Jaeger UI uses) under node. Ratios compare the same engine on both sides.
#include "testsupport.h"

#include "dotwriter.h"
#include "formats/dependencylinksreader.h"
#include "graphvizlayout.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace tracemap;

namespace {

constexpr int kProgramTimeoutSeconds = 120;
constexpr int kRuns = 3;

struct Timing {
    double seconds = -1; // -1: did not finish or failed
    QString note;
};

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

Timing inProcess(const Topology& topology, LayoutOptions::Engine engine, QString* engineUsed)
{
    std::vector<double> runs;
    for (int i = 0; i < kRuns; ++i) {
        QElapsedTimer timer;
        timer.start();
        const auto geometry = GraphvizLayout::layout(topology, { engine, false });
        runs.push_back(timer.nsecsElapsed() / 1e9);
        if (!geometry)
            return { -1, geometry.error() };
        *engineUsed = geometry->engine;
    }
    return { median(runs), QStringLiteral("median of %1").arg(kRuns) };
}

// The in-process layout with `engine` run in a forked child, stopped after kProgramTimeoutSeconds like the
// programs: dot on this graph may run for minutes, and a layout in this process could not be interrupted.
Timing inForkedChild(const Topology& topology, LayoutOptions::Engine engine)
{
    int fds[2];
    if (pipe(fds) != 0)
        return { -1, QStringLiteral("pipe failed") };
    const pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        QElapsedTimer timer;
        timer.start();
        const bool ok = GraphvizLayout::layout(topology, { engine, false }).has_value();
        const double seconds = ok ? timer.nsecsElapsed() / 1e9 : -1;
        (void)!write(fds[1], &seconds, sizeof seconds);
        _exit(0);
    }
    close(fds[1]);
    pollfd poll { fds[0], POLLIN, 0 };
    double seconds = -1;
    const bool ready = ::poll(&poll, 1, kProgramTimeoutSeconds * 1000) == 1
        && read(fds[0], &seconds, sizeof seconds) == sizeof seconds;
    close(fds[0]);
    if (!ready)
        kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    if (!ready)
        return { -1, QStringLiteral("did not finish in %1 s").arg(kProgramTimeoutSeconds) };
    if (seconds < 0)
        return { -1, QStringLiteral("failed") };
    return { seconds, QStringLiteral("one run, forked child") };
}

// Wall time of a program (process start included), or -1 with a note.
Timing program(const QString& executable, const QStringList& arguments, QByteArray* output = nullptr)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::SeparateChannels);
    QElapsedTimer timer;
    timer.start();
    process.start(executable, arguments);
    if (!process.waitForStarted())
        return { -1, QStringLiteral("could not start %1").arg(executable) };
    if (!process.waitForFinished(kProgramTimeoutSeconds * 1000)) {
        process.kill();
        process.waitForFinished();
        return { -1, QStringLiteral("did not finish in %1 s").arg(kProgramTimeoutSeconds) };
    }
    const double seconds = timer.nsecsElapsed() / 1e9;
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0)
        return { -1,
            QStringLiteral("failed: %1").arg(QString::fromLocal8Bit(process.readAllStandardError()).trimmed()) };
    if (output)
        *output = process.readAllStandardOutput();
    return { seconds, {} };
}

void print(const char* what, const Timing& timing)
{
    if (timing.seconds < 0)
        std::printf("  %-44s %s\n", what, qPrintable(timing.note));
    else
        std::printf("  %-44s %8.3f s  %s\n", what, timing.seconds, qPrintable(timing.note));
}

void printRatio(const char* what, const Timing& inProcess, const Timing& baseline)
{
    if (inProcess.seconds < 0 || baseline.seconds < 0)
        std::printf("  %-44s n/a\n", what);
    else
        std::printf("  %-44s %8.3f\n", what, inProcess.seconds / baseline.seconds);
}

bool writeText(const QString& path, const std::string& text)
{
    return testsupport::writeFile(path, QByteArray::fromStdString(text));
}

const char* kVizScript = R"(import { instance } from "@viz-js/viz";
import { readFileSync } from "node:fs";
const viz = await instance();
const dot = readFileSync(process.argv[2], "utf8");
const start = performance.now();
const result = viz.render(dot, { engine: process.argv[3], format: "plain" });
const seconds = (performance.now() - start) / 1000;
if (result.status !== "success") {
    console.error(result.errors.map((e) => e.message).join("; "));
    process.exit(1);
}
console.log(seconds.toFixed(4));
)";

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const QString path = testsupport::fixture(QStringLiteral("dependencies/jaeger-ui-large-dag.json"));
    auto read = DependencyLinksReader::readFile(path);
    if (!read) {
        std::fprintf(stderr, "cannot read %s: %s\n", qPrintable(path), qPrintable(read.error().message));
        return 1;
    }
    const Topology& topology = *read;
    std::printf("jaeger-ui-large-dag.json: %zu nodes, %zu edges; Graphviz %s\n", topology.nodes.size(),
        topology.edges.size(), qPrintable(GraphvizLayout::graphvizVersion()));

    QTemporaryDir dir;
    const QString sfdpDot = dir.filePath(QStringLiteral("large-sfdp.dot"));
    const QString dotDot = dir.filePath(QStringLiteral("large-dot.dot"));
    // The `layout` graph attribute names the engine, so each program is given the text for its own engine.
    writeText(sfdpDot, DotWriter::write(topology, { LayoutOptions::Engine::Sfdp, false }));
    writeText(dotDot, DotWriter::write(topology, { LayoutOptions::Engine::Dot, false }));

    std::printf("\nIn-process (libgvc, DOT text → geometry):\n");
    QString autoEngine;
    QString sfdpEngine;
    const Timing automatic = inProcess(topology, LayoutOptions::Engine::Automatic, &autoEngine);
    const Timing sfdp = inProcess(topology, LayoutOptions::Engine::Sfdp, &sfdpEngine);
    const Timing dotInProcess = inForkedChild(topology, LayoutOptions::Engine::Dot);
    print(qPrintable(QStringLiteral("automatic (chose %1)").arg(autoEngine)), automatic);
    print("sfdp", sfdp);
    print("dot (rankdir=LR)", dotInProcess);

    std::printf("\nGraphviz programs on the same DOT text (-Tplain, process start included):\n");
    const QString sfdpProgram = QStandardPaths::findExecutable(QStringLiteral("sfdp"));
    const QString dotProgram = QStandardPaths::findExecutable(QStringLiteral("dot"));
    Timing sfdpRun { -1, QStringLiteral("sfdp not installed (apt-get install graphviz)") };
    Timing dotRun { -1, QStringLiteral("dot not installed (apt-get install graphviz)") };
    if (!sfdpProgram.isEmpty()) {
        std::vector<double> runs;
        for (int i = 0; i < kRuns; ++i) {
            sfdpRun = program(sfdpProgram, { QStringLiteral("-Tplain"), QStringLiteral("-o/dev/null"), sfdpDot });
            if (sfdpRun.seconds < 0)
                break;
            runs.push_back(sfdpRun.seconds);
        }
        if (sfdpRun.seconds >= 0)
            sfdpRun = { median(runs), QStringLiteral("median of %1").arg(kRuns) };
    }
    print("sfdp program", sfdpRun);
    if (!dotProgram.isEmpty())
        dotRun = program(dotProgram, { QStringLiteral("-Tplain"), QStringLiteral("-o/dev/null"), dotDot });
    print("dot program (rankdir=LR)", dotRun);

    std::printf("\n@viz-js/viz (wasm Graphviz, as in Jaeger UI) under node, render time only:\n");
    Timing vizSfdp { -1, QStringLiteral("skipped: npm or node not found") };
    Timing vizDot = vizSfdp;
    const QString npm = QStandardPaths::findExecutable(QStringLiteral("npm"));
    const QString node = QStandardPaths::findExecutable(QStringLiteral("node"));
    if (!npm.isEmpty() && !node.isEmpty()) {
        QProcess install;
        install.setWorkingDirectory(dir.path());
        install.start(npm,
            { QStringLiteral("install"), QStringLiteral("--silent"), QStringLiteral("--no-audit"),
                QStringLiteral("--no-fund"), QStringLiteral("--prefix"), dir.path(), QStringLiteral("@viz-js/viz") });
        if (!install.waitForFinished(300 * 1000) || install.exitCode() != 0) {
            vizSfdp = vizDot = { -1,
                QStringLiteral("skipped: npm install @viz-js/viz failed: %1")
                    .arg(QString::fromLocal8Bit(install.readAllStandardError()).trimmed().left(200)) };
        } else {
            const QString script = dir.filePath(QStringLiteral("render.mjs"));
            writeText(script, kVizScript);
            const auto viz = [&](const QString& file, const char* engine) {
                QByteArray output;
                Timing run = program(node, { script, file, QString::fromLatin1(engine) }, &output);
                if (run.seconds >= 0)
                    run = { output.trimmed().toDouble(), QStringLiteral("(process %1 s)").arg(run.seconds, 0, 'f', 2) };
                return run;
            };
            vizSfdp = viz(sfdpDot, "sfdp");
            vizDot = viz(dotDot, "dot");
        }
    }
    print("@viz-js/viz sfdp", vizSfdp);
    print("@viz-js/viz dot", vizDot);

    std::printf("\nRatios, same engine (in-process ÷ baseline; below 1 is faster):\n");
    printRatio("sfdp in-process ÷ sfdp program", sfdp, sfdpRun);
    printRatio("dot in-process ÷ dot program", dotInProcess, dotRun);
    printRatio("sfdp in-process ÷ @viz-js/viz sfdp", sfdp, vizSfdp);
    printRatio("dot in-process ÷ @viz-js/viz dot", dotInProcess, vizDot);
    if (dotRun.seconds < 0 || dotInProcess.seconds < 0)
        std::printf("  (dot: in-process %s, program %s; the window's automatic choice uses %s here)\n",
            qPrintable(dotInProcess.seconds < 0 ? dotInProcess.note : QStringLiteral("finished")),
            qPrintable(dotRun.seconds < 0 ? dotRun.note : QStringLiteral("finished")), qPrintable(autoEngine));
    return 0;
}
