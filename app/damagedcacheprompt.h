#pragma once

#include <QMessageBox>
#include <QObject>
#include <QPointer>
#include <QString>

namespace tracemap {

/// The window's answer to a damaged cache (TraceCache::openChecked or a later statement said so): it asks, once at a
/// time, "Move it aside and start a new cache?" and, on Yes, moves the file aside (TraceCache::moveAside), keeping
/// it under a new name next to the old one; the next query then starts a new cache. The question is a window-modal
/// box opened with open(), as the window's other errors, so that no nested event loop stalls whoever waits for the
/// window. Nothing is moved without the user's Yes.
class DamagedCachePrompt : public QObject {
    Q_OBJECT
public:
    DamagedCachePrompt(QString cachePath, QWidget* parent);

    /// Shows the question with `message` (what was found) as its details, unless it is showing already or the user
    /// chose to keep the damaged cache (then the errors say what is wrong).
    void ask(const QString& message);

Q_SIGNALS:
    /// The damaged cache was moved to `movedTo`; the cache path is free for a new cache.
    void moved(const QString& movedTo);

private:
    void moveAside();

    QString m_cachePath;
    QWidget* m_parent;
    QPointer<QMessageBox> m_box;
    bool m_declined = false;
};

} // namespace tracemap
