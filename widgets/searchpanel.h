#pragma once

#include "tracequery.h"

#include <QWidget>

#include <variant>
#include <vector>

class QComboBox;
class QDateTimeEdit;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace tracemap {

/// The search form, as Jaeger's: service, operation (of that service), tags (logfmt `key=value` pairs), min/max
/// duration, time range and limit. Find (or Enter in any field) emits searchRequested with a checked query;
/// wrong input is named next to the button instead.
class SearchPanel : public QWidget {
    Q_OBJECT
public:
    explicit SearchPanel(QWidget* parent = nullptr);

    void setServices(const QStringList& services);
    void setOperations(const QStringList& operations);
    QString service() const;
    /// Selects a service (as a click on the topology map does); false when the cache has no such service.
    bool setService(const QString& service);
    /// The query the form describes now, or an error message naming the field.
    std::variant<TraceQuery, QString> query() const;

    /// The form as text for QSettings, and back.
    QVariantMap state() const;
    void restoreState(const QVariantMap& state);

public Q_SLOTS:
    void focusSearch();
    void find();

Q_SIGNALS:
    void serviceChanged(const QString& service);
    void searchRequested(const tracemap::TraceQuery& query);

private:
    void updateCustomRange();

    QComboBox* m_service;
    QComboBox* m_operation;
    QLineEdit* m_tags;
    QLineEdit* m_minDuration;
    QLineEdit* m_maxDuration;
    QComboBox* m_range;
    QDateTimeEdit* m_from;
    QDateTimeEdit* m_to;
    QSpinBox* m_limit;
    QPushButton* m_find;
    QLabel* m_error;
    // A restored service and operation wait here until the cache's lists arrive.
    QString m_pendingService;
    QString m_pendingOperation;
};

/// Parses logfmt-style tags: `http.status_code=500 error=true name="a b"`. Returns the pairs or an error message.
std::variant<std::vector<std::pair<QString, QString>>, QString> parseTags(const QString& text);

} // namespace tracemap

Q_DECLARE_METATYPE(tracemap::TraceQuery)
