#pragma once

#include <QWidget>

namespace tracemap {

/// What the window shows while the cache is empty: how to get traces in.
class StartPage : public QWidget {
    Q_OBJECT
public:
    explicit StartPage(QWidget* parent = nullptr);

Q_SIGNALS:
    void openRequested();
    void sampleRequested();
    void connectRequested();
};

} // namespace tracemap
