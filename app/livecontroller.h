#pragma once

#include "live/ingestwriter.h"
#include "live/liveservice.h"
#include "livesettings.h"

#include <QElapsedTimer>
#include <QObject>
#include <QThreadPool>

#include <deque>
#include <memory>
#include <vector>

class QAction;
class QTimer;
class QToolButton;
class QWidget;

namespace tracemap {

/// The window's Live control: starts and stops a LiveService (receivers and writer on their own threads, writing
/// to the window's cache through their own connection) and shows it: a checkable toolbar action, and a status-bar
/// button with the endpoints, spans/s and the received/refused/rejected counts, refreshed once a second from the
/// writer's counters (a mutex read, no cache query). Starting and stopping run on a thread of their own, since
/// stop() waits for the last batch to commit. Every tick while live emits ticked(); the window follows from there.
class LiveController : public QObject {
    Q_OBJECT
public:
    enum class State { Off, Starting, On, Stopping };
    /// Saved: settings come from and go to QSettings. None: they stay in memory (screenshots, tests).
    enum class Persistence { Saved, None };

    LiveController(QString cachePath, Persistence persistence, QWidget* window);
    /// Stops the service if it runs, waiting for its last batch.
    ~LiveController() override;

    State state() const { return m_state; }
    void start();
    void stop();

    LiveSettings settings() const { return m_settings; }
    /// Applies on the next start; saved when persistent.
    void setSettings(const LiveSettings& settings);
    /// Opens the settings dialog (not modal).
    void editSettings();

    bool isFollowing() const;
    void setFollowing(bool follow);

    /// Where to send, while live.
    const std::vector<LiveService::Listening>& listening() const { return m_listening; }
    /// The counters as last shown (refreshed each tick, and once more after stopping).
    const IngestCounters& counters() const { return m_counters; }
    /// Why the last start failed; empty once a start succeeds.
    QString lastError() const { return m_lastError; }

    QAction* liveAction() const { return m_liveAction; }
    QAction* followAction() const { return m_followAction; }
    QAction* settingsAction() const { return m_settingsAction; }
    QToolButton* statusButton() const { return m_button; }

    static constexpr int kTickMs = 1000;
    static constexpr int kRateTicks = 5;

Q_SIGNALS:
    void stateChanged(tracemap::LiveController::State state);
    /// Once a second while live, with the writer's counters.
    void ticked(const tracemap::IngestCounters& counters);
    void startFailed(const QString& message);

private:
    void setState(State state);
    void tick();
    void updateButton();

    QString m_cachePath;
    Persistence m_persistence;
    QWidget* m_window;
    LiveSettings m_settings;
    QThreadPool m_pool; // start and stop: stop() blocks until the last batch commits
    std::shared_ptr<LiveService> m_service;
    State m_state = State::Off;
    std::vector<LiveService::Listening> m_listening;
    IngestCounters m_counters;
    // (ms since start, received) of the last kRateTicks ticks: the rate shown is over those seconds, so it reads
    // steadily rather than jumping with each second's requests.
    std::deque<std::pair<qint64, qint64>> m_recent;
    double m_spansPerSecond = 0;
    QElapsedTimer m_sinceStart;
    QString m_lastError;
    QTimer* m_timer;
    QAction* m_liveAction;
    QAction* m_followAction;
    QAction* m_settingsAction;
    QToolButton* m_button;
};

} // namespace tracemap

Q_DECLARE_METATYPE(tracemap::IngestCounters)
