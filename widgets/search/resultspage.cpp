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
    , m_fetchAll(new QToolButton(m_noteBar))
{
    m_note->setObjectName(QStringLiteral("resultsNote"));
    m_note->setWordWrap(true);
    m_note->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_back->setObjectName(QStringLiteral("formSearch"));
    m_back->setText(tr("Search with the form"));
    m_back->setToolTip(tr("Run the search the Search panel describes instead"));
    m_fetchAll->setObjectName(QStringLiteral("fetchAll"));
    m_fetchAll->setText(tr("Fetch all"));
    m_fetchAll->setToolTip(tr("Fetch every trace listed into the cache, to open them offline and map them"));
    m_fetchAll->hide();
    auto* bar = new QHBoxLayout(m_noteBar);
    bar->setContentsMargins(6, 3, 6, 3);
    bar->addWidget(m_note, 1);
    bar->addWidget(m_fetchAll);
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
    connect(m_fetchAll, &QToolButton::clicked, this, &ResultsPage::fetchAllRequested);
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

void ResultsPage::setRemote(bool remote)
{
    m_fetchAll->setVisible(remote);
    m_back->setVisible(!remote); // the form is what these results are
}

bool ResultsPage::isNoteShown() const
{
    return !m_noteBar->isHidden();
}

} // namespace tracemap
