#pragma once

#include "model/tracequery.h"

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

    /// The services of the cache. A selected (or restored) service the cache lacks gives way to "(all services)",
    /// with a note: the form always shows exactly what query() searches. The same list again changes nothing.
    void setServices(const QStringList& services);
    /// The operations of the selected service; a selected operation missing from them gives way to "(all)". The
    /// same list again changes nothing.
    void setOperations(const QStringList& operations);
    QString service() const;
    QString operation() const;
    /// Selects a service (as the topology map's "show in search results" does); false when the cache has no such
    /// service.
    bool setService(const QString& service);
    /// Adds key=value to the Tags field (quoted when the value has spaces or quotes), replacing a value of the same
    /// key: the comparison's "search for this value".
    void addTag(const QString& key, const QString& value);
    /// The query the form describes now, or an error message naming the field.
    std::variant<TraceQuery, QString> query() const;
    /// Shows a message under the Find button (a wrong field, a failed lookup); empty hides it.
    void showMessage(const QString& message);
    QString message() const;

    /// The form as text for QSettings, and back. A restored service and operation are shown in the form at once;
    /// setServices() and setOperations() keep them only if the cache has them.
    QVariantMap state() const;
    void restoreState(const QVariantMap& state);

public Q_SLOTS:
    void focusSearch();
    void focusTraceIdLookup();
    void find();

Q_SIGNALS:
    void serviceChanged(const QString& service);
    void searchRequested(const tracemap::TraceQuery& query);
    /// Enter in the trace id box: one or more ids (full, 16-hex or with leading zeros trimmed), space or comma
    /// separated, as typed.
    void traceIdLookupRequested(const QString& text);

private:
    void updateCustomRange();
    static void selectOrAdd(QComboBox* box, const QString& text);

    QLineEdit* m_traceId;
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
};

/// Parses logfmt-style tags: `http.status_code=500 error=true name="a b"`. Returns the pairs or an error message.
std::variant<std::vector<std::pair<QString, QString>>, QString> parseTags(const QString& text);

} // namespace tracemap
