#include "tagcompleter.h"

#include "model/tracequery.h"

#include <QAbstractItemView>
#include <QCompleter>
#include <QLineEdit>
#include <QStringListModel>

namespace tracemap {

TagCompleter::TagCompleter(QLineEdit* edit)
    : QObject(edit)
    , m_edit(edit)
    , m_completer(new QCompleter(this))
    , m_model(new QStringListModel(this))
{
    m_completer->setModel(m_model);
    m_completer->setWidget(edit);
    m_completer->setCaseSensitivity(Qt::CaseInsensitive);
    m_completer->setFilterMode(Qt::MatchContains);
    connect(edit, &QLineEdit::textEdited, this, &TagCompleter::update);
    connect(m_completer, qOverload<const QString&>(&QCompleter::activated), this, &TagCompleter::insert);
}

void TagCompleter::setKeys(const QStringList& keys)
{
    m_keys = keys;
    m_values.clear();
    m_asked.clear();
}

void TagCompleter::setValues(const QString& key, const QStringList& values)
{
    m_values.insert(key, values);
    if (m_edit->hasFocus() && lastWord().startsWith(key + QLatin1Char('=')))
        update();
}

QString TagCompleter::lastWord() const
{
    const QString text = m_edit->text().left(m_edit->cursorPosition());
    return text.mid(text.lastIndexOf(QLatin1Char(' ')) + 1);
}

QStringList TagCompleter::candidates() const
{
    const QString word = lastWord();
    const qsizetype eq = word.indexOf(QLatin1Char('='));
    if (eq < 0)
        return m_keys;
    const QString key = word.left(eq);
    QStringList pairs;
    for (const QString& value : m_values.value(key))
        pairs << key + QLatin1Char('=') + logfmtValue(value);
    return pairs;
}

void TagCompleter::update()
{
    const QString word = lastWord();
    const qsizetype eq = word.indexOf(QLatin1Char('='));
    if (eq > 0) {
        const QString key = word.left(eq);
        if (!m_values.contains(key) && !m_asked.contains(key)) {
            m_asked.insert(key);
            Q_EMIT valuesWanted(key);
        }
    }
    m_model->setStringList(candidates());
    m_completer->setCompletionPrefix(word);
    if (word.isEmpty() || m_completer->completionCount() == 0) {
        m_completer->popup()->hide();
        return;
    }
    m_completer->complete();
}

void TagCompleter::insert(const QString& completion)
{
    const int cursor = m_edit->cursorPosition();
    const QString text = m_edit->text();
    const qsizetype start = text.left(cursor).lastIndexOf(QLatin1Char(' ')) + 1;
    // A key is followed by "=", a whole pair by a space for the next one.
    const QString inserted
        = completion + (completion.contains(QLatin1Char('=')) ? QStringLiteral(" ") : QStringLiteral("="));
    m_edit->setText(text.left(start) + inserted + text.mid(cursor));
    m_edit->setCursorPosition(int(start + inserted.size()));
    if (!completion.contains(QLatin1Char('=')))
        update(); // straight on to the key's values
}

} // namespace tracemap
