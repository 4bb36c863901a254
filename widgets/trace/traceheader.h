#pragma once

#include <QWidget>

class QLabel;

namespace tracemap {

class TraceSelection;

/// One line about the selection's trace: id, start, duration, services, spans, depth, errors.
class TraceHeader : public QWidget {
    Q_OBJECT
public:
    explicit TraceHeader(TraceSelection* selection, QWidget* parent = nullptr);

    /// The shown text without markup, for tests and accessibility.
    QString plainText() const;

private:
    void refresh();

    TraceSelection* m_selection;
    QLabel* m_label;
    QString m_plainText;
};

} // namespace tracemap
