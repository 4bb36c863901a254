#include "damagedcacheprompt.h"

#include "cache/tracecache.h"

#include <QFileInfo>
#include <QMessageBox>
#include <QPushButton>

namespace tracemap {

DamagedCachePrompt::DamagedCachePrompt(QString cachePath, QWidget* parent)
    : QObject(parent)
    , m_cachePath(std::move(cachePath))
    , m_parent(parent)
{
}

void DamagedCachePrompt::ask(const QString& message)
{
    if (m_box || m_declined)
        return; // one question at a time, and none after a No: every query of a damaged cache fails the same way
    m_box = new QMessageBox(QMessageBox::Warning, tr("Damaged Cache"),
        tr("The cache %1 is damaged: Tracemap cannot read it.").arg(m_cachePath), QMessageBox::NoButton, m_parent);
    m_box->setObjectName(QStringLiteral("damagedCache"));
    m_box->setInformativeText(tr("Move it aside and start a new cache? The damaged file is kept next to it as "
                                 "%1.damaged-DATE-TIME. The files you imported are not touched: import them again.")
                                  .arg(QFileInfo(m_cachePath).fileName()));
    m_box->setDetailedText(message);
    m_box->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QPushButton* move = m_box->addButton(tr("Move Aside and Start New"), QMessageBox::AcceptRole);
    move->setObjectName(QStringLiteral("moveAside"));
    QPushButton* keep = m_box->addButton(tr("Keep It"), QMessageBox::RejectRole);
    keep->setObjectName(QStringLiteral("keepIt"));
    connect(keep, &QPushButton::clicked, this, [this] { m_declined = true; });
    m_box->setDefaultButton(move);
    m_box->setAttribute(Qt::WA_DeleteOnClose);
    connect(move, &QPushButton::clicked, this, &DamagedCachePrompt::moveAside);
    m_box->open();
}

void DamagedCachePrompt::moveAside()
{
    const auto moved = TraceCache::moveAside(m_cachePath);
    if (!moved) {
        auto* box = new QMessageBox(QMessageBox::Warning, tr("Damaged Cache"), tr("The damaged cache was not moved."),
            QMessageBox::Ok, m_parent);
        box->setObjectName(QStringLiteral("damagedCacheNotMoved"));
        box->setInformativeText(moved.error());
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->open();
        return;
    }
    m_declined = false;
    Q_EMIT this->moved(*moved);
}

} // namespace tracemap
