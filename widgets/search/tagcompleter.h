#pragma once

#include <QHash>
#include <QObject>
#include <QSet>
#include <QStringList>

class QCompleter;
class QLineEdit;
class QStringListModel;

namespace tracemap {

/// Completes the word being typed in a logfmt tags field (`http.status_code=500 error=tr…`): an attribute key from
/// the source's list, then, after "key=", one of that key's values, asked for once (valuesWanted) and remembered.
/// QLineEdit's own completer completes the whole text, which is one pair among several here.
class TagCompleter : public QObject {
    Q_OBJECT
public:
    explicit TagCompleter(QLineEdit* edit);

    /// The keys to offer; clears the values known so far (another source has other values).
    void setKeys(const QStringList& keys);
    void setValues(const QString& key, const QStringList& values);
    QStringList keys() const { return m_keys; }
    /// What the popup offers for the text as it is now (for tests).
    QStringList candidates() const;

Q_SIGNALS:
    void valuesWanted(const QString& key);

private:
    void update();
    void insert(const QString& completion);
    QString lastWord() const;

    QLineEdit* m_edit;
    QCompleter* m_completer;
    QStringListModel* m_model;
    QStringList m_keys;
    QHash<QString, QStringList> m_values;
    QSet<QString> m_asked;
};

} // namespace tracemap
