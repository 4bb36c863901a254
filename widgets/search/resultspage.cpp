#include "resultspage.h"

#include "tracelistview.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>
#include <QVBoxLayout>

namespace tracemap {

ResultsPage::ResultsPage(QWidget* parent)
    : QWidget(parent)
    , m_list(new TraceListView(this))
    , m_noteBar(new QWidget(this))
    , m_note(new QLabel(m_noteBar))
    , m_back(new QToolButton(m_noteBar))
{
    m_note->setObjectName(QStringLiteral("resultsNote"));
    m_note->setWordWrap(true);
    m_note->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_back->setObjectName(QStringLiteral("formSearch"));
    m_back->setText(tr("Search with the form"));
    m_back->setToolTip(tr("Run the search the Search panel describes instead"));
    auto* bar = new QHBoxLayout(m_noteBar);
    bar->setContentsMargins(6, 3, 6, 3);
    bar->addWidget(m_note, 1);
    bar->addWidget(m_back);
    m_noteBar->setAutoFillBackground(true);
    m_noteBar->setBackgroundRole(QPalette::AlternateBase);
    m_noteBar->hide();
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_noteBar);
    layout->addWidget(m_list, 1);
    connect(m_back, &QToolButton::clicked, this, &ResultsPage::formSearchRequested);
}

void ResultsPage::setNote(const QString& text)
{
    m_note->setText(text);
    m_noteBar->setVisible(!text.isEmpty());
}

QString ResultsPage::note() const
{
    return m_noteBar->isHidden() ? QString() : m_note->text();
}

bool ResultsPage::isNoteShown() const
{
    return !m_noteBar->isHidden();
}

} // namespace tracemap
