// The window while spans arrive: MainWindow offscreen with Live and Follow on, OTLP/HTTP protobuf posted to its own
// endpoint at 50,000 spans/s for 10 s (8 keep-alive connections, 2,500 spans a request, paced to a schedule), and
// a 10 ms QTimer on the GUI thread: the longest and the median gap between its ticks are the GUI's stalls under that
// load (10 ms is a GUI that never waited). Prints them with what was received and refreshed.
// Usage: bench_livewindow [spans per second] [seconds]

#include "eventloopwait.h"
#include "generator/tracegenerator.h"
#include "livecontroller.h"
#include "livefeed.h"
#include "mainwindow.h"
#include "tracelistview.h"

#include <QApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTimer>
#include <QUrl>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

using namespace tracemap;

namespace {

constexpr int kConnections = 8;
constexpr int kTracesPerRequest = 50; // × 50 spans
constexpr int kTimerMs = 10;

// One keep-alive HTTP/1.1 connection posting protobuf; the status of each answer (0 when the connection failed).
class Sender {
public:
    Sender(quint16 port)
        : m_port(port)
    {
    }

    int post(const QByteArray& body)
    {
        if (m_socket.state() != QAbstractSocket::ConnectedState) {
            m_socket.connectToHost(QHostAddress::LocalHost, m_port);
            if (!m_socket.waitForConnected(5000))
                return 0;
        }
        m_socket.write("POST /v1/traces HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-protobuf\r\n"
                       "Content-Length: "
            + QByteArray::number(body.size()) + "\r\n\r\n");
        m_socket.write(body);
        // Status line and headers, then Content-Length bytes of body.
        QByteArray buffer;
        qsizetype headerEnd = -1;
        while ((headerEnd = buffer.indexOf("\r\n\r\n")) < 0) {
            if (!m_socket.waitForReadyRead(60000))
                return 0;
            buffer += m_socket.readAll();
        }
        const QByteArray head = buffer.left(headerEnd).toLower();
        const qsizetype at = head.indexOf("content-length:");
        const qsizetype length
            = at < 0 ? 0 : head.mid(at + 15, head.indexOf('\r', at) - at - 15).trimmed().toLongLong();
        while (buffer.size() < headerEnd + 4 + length) {
            if (!m_socket.waitForReadyRead(60000))
                return 0;
            buffer += m_socket.readAll();
        }
        return buffer.mid(9, 3).toInt();
    }

private:
    quint16 m_port;
    QTcpSocket m_socket;
};

template <typename Predicate> bool waitUntil(Predicate done, int timeoutMs = 60000)
{
    return turnEventLoopUntil(std::move(done), timeoutMs);
}

} // namespace

int main(int argc, char** argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const int rate = argc > 1 ? std::atoi(argv[1]) : 50000;
    const int seconds = argc > 2 ? std::atoi(argv[2]) : 10;

    // The requests first, so that generating them does not compete with the measurement.
    GeneratorOptions options;
    options.traces = qint64(rate) * seconds / options.spansPerTrace;
    options.services = 12;
    options.traceIntervalNs = 1000000;
    options.startNs = (QDateTime::currentMSecsSinceEpoch() - 600 * 1000) * 1000000;
    const LiveFeed feed = generateOtlpRequests(options, kTracesPerRequest);
    const double spansPerRequest = double(feed.spans) / double(feed.requests.size());
    std::printf(
        "bench_livewindow: %lld spans in %zu requests (%.0f spans each) at %d spans/s for %d s, %d connections\n",
        static_cast<long long>(feed.spans), feed.requests.size(), spansPerRequest, rate, seconds, kConnections);

    QTemporaryDir dir;
    MainWindow window(dir.filePath(QStringLiteral("cache.sqlite")), MainWindow::Persistence::None);
    window.resize(1600, 1000);
    window.show();
    LiveSettings settings;
    settings.otlpHttpPort = 0;
    settings.otlpGrpcPort = 0;
    settings.zipkinPort = 0;
    window.live()->setSettings(settings);
    window.live()->start();
    if (!waitUntil([&window] { return window.live()->state() == LiveController::State::On && window.isSettled(); })) {
        std::fprintf(stderr, "bench_livewindow: live did not start: %s\n", qPrintable(window.live()->lastError()));
        return 1;
    }
    quint16 port = 0;
    for (const auto& endpoint : window.live()->listening()) {
        if (endpoint.protocol == QLatin1String("OTLP/HTTP"))
            port = static_cast<quint16>(QUrl(endpoint.url).port());
    }

    // The GUI thread's pulse.
    std::vector<qint64> gapsUs;
    gapsUs.reserve(size_t(seconds) * 200);
    QElapsedTimer pulse;
    bool measuring = false;
    QTimer timer;
    timer.setTimerType(Qt::PreciseTimer);
    timer.setInterval(kTimerMs);
    QObject::connect(&timer, &QTimer::timeout, [&] {
        if (measuring)
            gapsUs.push_back(pulse.nsecsElapsed() / 1000);
        pulse.restart();
    });
    timer.start();
    pulse.start();

    // The senders: request i is due at i × (spans per request / rate) seconds after the start.
    std::atomic<size_t> next { 0 };
    std::atomic<qint64> acknowledged { 0 };
    std::atomic<qint64> acknowledgedSpans { 0 }; // committed: a request is answered once its spans are
    std::atomic<qint64> refusedRequests { 0 };
    std::atomic<qint64> failedRequests { 0 };
    const auto interval = std::chrono::duration<double>(spansPerRequest / rate);
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> senders;
    measuring = true;
    for (int c = 0; c < kConnections; ++c) {
        senders.emplace_back([&] {
            Sender sender(port);
            for (size_t i = next++; i < feed.requests.size(); i = next++) {
                std::this_thread::sleep_until(
                    start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(interval * double(i)));
                int status = sender.post(feed.requests[i]);
                while (status == 503 || status == 429) { // refused: retry, as an exporter does
                    ++refusedRequests;
                    std::this_thread::sleep_for(std::chrono::milliseconds(100));
                    status = sender.post(feed.requests[i]);
                }
                if (status == 200) {
                    ++acknowledged;
                    acknowledgedSpans += feed.requestSpans[i];
                } else
                    ++failedRequests;
            }
        });
    }
    // The event loop runs (the window, follow, the timer) until every request is answered.
    waitUntil([&] { return acknowledged + failedRequests == qint64(feed.requests.size()); }, seconds * 20000);
    const double sendSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    measuring = false;
    for (auto& sender : senders)
        sender.join();
    const qint64 committed = acknowledgedSpans;
    // Follow catches up at the next ticks.
    waitUntil(
        [&window, committed] { return window.liveFollowedCommitted() >= committed && window.isSettled(); }, 30000);

    std::vector<qint64> sorted = gapsUs;
    std::sort(sorted.begin(), sorted.end());
    const double longestMs = sorted.empty() ? 0 : sorted.back() / 1000.0;
    const double medianMs = sorted.empty() ? 0 : sorted[sorted.size() / 2] / 1000.0;
    const double p99Ms = sorted.empty() ? 0 : sorted[sorted.size() * 99 / 100] / 1000.0;
    std::printf("sent %lld of %zu requests in %.1f s: %.0f spans/s committed (%lld spans), %lld refused and retried, "
                "%lld failed\n",
        static_cast<long long>(acknowledged.load()), feed.requests.size(), sendSeconds, committed / sendSeconds,
        static_cast<long long>(committed), static_cast<long long>(refusedRequests.load()),
        static_cast<long long>(failedRequests.load()));
    std::printf("GUI thread, %d ms timer, %zu ticks: longest gap %.1f ms, median %.1f ms, p99 %.1f ms\n", kTimerMs,
        sorted.size(), longestMs, medianMs, p99Ms);
    std::printf("results shown: %d traces; follow refreshed up to %lld committed spans\n",
        window.resultsView()->model()->rowCount(), static_cast<long long>(window.liveFollowedCommitted()));
    window.live()->stop();
    waitUntil([&window] { return window.live()->state() == LiveController::State::Off; });
    return failedRequests > 0 ? 1 : 0;
}
