#pragma once

#include "model/tracequery.h"

#include <QWidget>

#include <variant>
#include <vector>

class QComboBox;
class QDateTimeEdit;
class QFormLayout;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace tracemap {

class TagCompleter;

/// The search form, as Jaeger's: service, operation (of that service), tags (logfmt `key=value` pairs), min/max
/// duration, time range and limit. Find (or Enter in any field) emits searchRequested with a checked query;
/// wrong input is named next to the button instead.
class SearchPanel : public QWidget {
    Q_OBJECT
public:
    explicit SearchPanel(QWidget* parent = nullptr);

    /// Where the search runs: the local cache (first in the Source box, always there) or a connection to a back
    /// end. The fields follow the source's API: Tempo adds TraceQL (the fields below stay as the logfmt form it
    /// replaces), Zipkin's tags are its annotation query.
    enum class SourceStyle { Cache, Jaeger, Tempo, Zipkin };
    /// The connections' names; a chosen one that is gone gives way to the cache (sourceChanged).
    void setSources(const QStringList& connections);
    /// The chosen connection's name, or empty for the local cache.
    QString source() const;
    bool setSource(const QString& connection);
    void setSourceStyle(SourceStyle style);
    SourceStyle sourceStyle() const { return m_style; }
    /// Tempo's TraceQL query, as typed (empty when the form's fields are to be used).
    QString traceQl() const;
    /// The Tags field's completion: the source's attribute keys, then a key's values (asked for with
    /// tagValuesWanted). Empty keys: no completion.
    TagCompleter* tagCompleter() const { return m_tagCompleter; }

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
    /// Another source was chosen: a connection's name, or empty for the local cache.
    void sourceChanged(const QString& connection);
    void searchRequested(const tracemap::TraceQuery& query);
    /// Enter in the trace id box: one or more ids (full, 16-hex or with leading zeros trimmed), space or comma
    /// separated, as typed.
    void traceIdLookupRequested(const QString& text);

private:
    void updateCustomRange();
    static void selectOrAdd(QComboBox* box, const QString& text);

    QFormLayout* m_form;
    QComboBox* m_source;
    QLineEdit* m_traceQl;
    QLabel* m_tagsLabel;
    SourceStyle m_style = SourceStyle::Cache;
    QLineEdit* m_traceId;
    QComboBox* m_service;
    QComboBox* m_operation;
    QLineEdit* m_tags;
    TagCompleter* m_tagCompleter;
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
/// PairsAndWords also takes bare words, as Zipkin's annotation query does (`retried`, `error`): each comes as an
/// empty key with the word as its value ("and" between terms is skipped).
enum class TagWords { Pairs, PairsAndWords };
std::variant<std::vector<std::pair<QString, QString>>, QString> parseTags(
    const QString& text, TagWords words = TagWords::Pairs);

} // namespace tracemap
