#include "livecontroller.h"

#include "livesettingsdialog.h"
#include "workerjob.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QLocale>
#include <QMenu>
#include <QMessageBox>
#include <QTimer>
#include <QToolButton>

namespace tracemap {

LiveController::LiveController(QString cachePath, Persistence persistence, QWidget* window)
    : QObject(window)
    , m_cachePath(std::move(cachePath))
    , m_persistence(persistence)
    , m_window(window)
    , m_settings(persistence == Persistence::Saved ? LiveSettings::load() : LiveSettings())
    , m_timer(new QTimer(this))
    , m_liveAction(new QAction(tr("Live"), this))
    , m_followAction(new QAction(tr("Follow"), this))
    , m_settingsAction(new QAction(tr("Live Settings…"), this))
    , m_button(new QToolButton(window))
{
    qRegisterMetaType<IngestCounters>();
    m_pool.setMaxThreadCount(1);
    m_liveAction->setObjectName(QStringLiteral("liveAction"));
    m_liveAction->setCheckable(true);
    m_liveAction->setIcon(QIcon::fromTheme(QStringLiteral("network-receive")));
    m_liveAction->setToolTip(tr("Receive spans from OpenTelemetry SDKs, collectors and Zipkin senders"));
    m_followAction->setObjectName(QStringLiteral("followAction"));
    m_followAction->setCheckable(true);
    m_followAction->setToolTip(tr("As spans arrive, search again (at most once a second) and reload the open "
                                  "traces, the map and the flame graph"));
    m_settingsAction->setObjectName(QStringLiteral("liveSettingsAction"));
    // toggled follows the state (set without signals), so only a click starts or stops.
    connect(m_liveAction, &QAction::triggered, this, [this](bool on) { on ? start() : stop(); });
    connect(m_settingsAction, &QAction::triggered, this, &LiveController::editSettings);

    m_button->setObjectName(QStringLiteral("liveStatus"));
    m_button->setAutoRaise(true);
    m_button->setPopupMode(QToolButton::InstantPopup);
    auto* menu = new QMenu(m_button);
    m_button->setMenu(menu);
    // The menu lists where to send while live (a click copies the URL), then the controls.
    connect(menu, &QMenu::aboutToShow, this, [this, menu] {
        menu->clear();
        for (const auto& endpoint : m_listening) {
            menu->addAction(tr("Copy %1 URL: %2").arg(endpoint.protocol, endpoint.url), this,
                [url = endpoint.url] { QApplication::clipboard()->setText(url); });
        }
        if (!m_listening.empty())
            menu->addSeparator();
        menu->addAction(m_liveAction);
        menu->addAction(m_followAction);
        menu->addAction(m_settingsAction);
    });

    m_timer->setInterval(kTickMs);
    connect(m_timer, &QTimer::timeout, this, &LiveController::tick);
    updateButton();
}

LiveController::~LiveController()
{
    m_pool.waitForDone();
    if (m_service)
        m_service->stop(); // the last batch commits before the window goes
}

void LiveController::setSettings(const LiveSettings& settings)
{
    m_settings = settings;
    if (m_persistence == Persistence::Saved)
        m_settings.save();
}

void LiveController::editSettings()
{
    auto* dialog = new LiveSettingsDialog(m_settings, m_window);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] { setSettings(dialog->settings()); });
    dialog->open();
}

bool LiveController::isFollowing() const
{
    return m_followAction->isChecked();
}

void LiveController::setFollowing(bool follow)
{
    m_followAction->setChecked(follow);
}

void LiveController::start()
{
    if (m_state != State::Off)
        return;
    auto options = m_settings.toOptions(m_cachePath);
    if (!options) {
        m_lastError = options.error();
        updateButton();
        Q_EMIT startFailed(m_lastError);
        return;
    }
    setState(State::Starting);
    auto service = std::make_shared<LiveService>();
    // Binding and opening the cache are quick, but run beside stop() so the two never overlap.
    using Started = std::expected<void, QString>;
    runOnWorker(
        &m_pool, this, [service, options = std::move(*options)] { return service->start(options); },
        [this, service](const Started& started) {
            if (!started) {
                m_lastError = started.error();
                setState(State::Off);
                Q_EMIT startFailed(m_lastError);
                return;
            }
            m_lastError.clear();
            m_service = service;
            m_listening = service->listening();
            m_counters = service->counters();
            m_spansPerSecond = 0;
            m_sinceStart.start();
            m_recent = { { 0, m_counters.received } };
            m_followAction->setChecked(true); // on by default while live
            m_timer->start();
            setState(State::On);
        });
}

void LiveController::stop()
{
    if (m_state != State::On)
        return;
    m_timer->stop();
    setState(State::Stopping);
    // stop() answers the requests in progress and commits the last batch: up to a batch interval and a
    // transaction, so off this thread.
    auto service = std::exchange(m_service, nullptr);
    runOnWorker(
        &m_pool, this,
        [service] {
            service->stop();
            return service->counters();
        },
        [this](const IngestCounters& last) {
            m_counters = last;
            m_listening.clear();
            m_spansPerSecond = 0;
            setState(State::Off);
            Q_EMIT ticked(last); // the last batch's spans, for follow
        });
}

void LiveController::setState(State state)
{
    m_state = state;
    {
        const QSignalBlocker blocker(m_liveAction);
        m_liveAction->setChecked(state == State::On || state == State::Starting);
    }
    m_liveAction->setEnabled(state == State::On || state == State::Off);
    updateButton();
    Q_EMIT stateChanged(state);
}

void LiveController::tick()
{
    if (!m_service)
        return;
    m_counters = m_service->counters();
    m_recent.emplace_back(m_sinceStart.elapsed(), m_counters.received);
    while (m_recent.size() > kRateTicks + 1)
        m_recent.pop_front();
    const double seconds = std::max<qint64>(1, m_recent.back().first - m_recent.front().first) / 1000.0;
    m_spansPerSecond = (m_recent.back().second - m_recent.front().second) / seconds;
    updateButton();
    Q_EMIT ticked(m_counters);
}

void LiveController::updateButton()
{
    const QLocale locale;
    QString text;
    QString tip;
    QString colour;
    switch (m_state) {
    case State::Off:
        if (!m_lastError.isEmpty()) {
            text = tr("Live failed");
            tip = tr("Live could not start: %1").arg(m_lastError);
            colour = QStringLiteral("#b00020");
        } else {
            text = tr("Live off");
            tip = tr("Not receiving. Start Live to receive OTLP/HTTP and Zipkin spans into this cache.");
            if (m_counters.received > 0)
                tip += tr("\nLast run: %1 received, %2 refused, %3 rejected.")
                           .arg(locale.toString(m_counters.received), locale.toString(m_counters.refused),
                               locale.toString(m_counters.rejected));
        }
        break;
    case State::Starting:
        text = tr("Live: starting…");
        break;
    case State::Stopping:
        text = tr("Live: stopping…");
        tip = tr("Committing the last batch");
        break;
    case State::On: {
        text = tr("\u25cf Live  %1 spans/s \u00b7 %2 received \u00b7 %3 refused \u00b7 %4 rejected")
                   .arg(locale.toString(qRound64(m_spansPerSecond)), locale.toString(m_counters.received),
                       locale.toString(m_counters.refused), locale.toString(m_counters.rejected));
        QStringList lines { tr("Receiving (spans/s over the last %1 s). Send spans to:").arg(kRateTicks) };
        for (const auto& endpoint : m_listening)
            lines << QStringLiteral("  %1: %2").arg(endpoint.protocol, endpoint.url);
        lines << tr("%1 spans committed to the cache. Refused: the queue was full, the sender retries. Rejected: "
                    "invalid spans (e.g. an all-zero id).")
                     .arg(locale.toString(m_counters.committed));
        tip = lines.join(QLatin1Char('\n'));
        colour
            = m_counters.refused > 0 || m_counters.rejected > 0 ? QStringLiteral("#a15c00") : QStringLiteral("#1b7f3b");
        break;
    }
    }
    m_button->setText(text);
    m_button->setToolTip(tip);
    m_button->setStyleSheet(colour.isEmpty() ? QString() : QStringLiteral("color: %1").arg(colour));
}

} // namespace tracemap
