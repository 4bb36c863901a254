#include "traceheader.h"

#include "model/trace.h"
#include "model/tracequery.h"
#include "traceselection.h"

#include <QDateTime>
#include <QHBoxLayout>
#include <QLabel>

namespace tracemap {

namespace {
QString count(size_t n, const QString& one, const QString& many)
{
    return n == 1 ? one : many.arg(n);
}
} // namespace

TraceHeader::TraceHeader(TraceSelection* selection, QWidget* parent)
    : QWidget(parent)
    , m_selection(selection)
    , m_label(new QLabel(this))
{
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(4, 2, 4, 2);
    layout->addWidget(m_label, 1);
    m_label->setTextFormat(Qt::RichText);
    // One line on a wide window, two on a narrow one: the header must not set the window's minimum width.
    m_label->setWordWrap(true);
    m_label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    connect(m_selection, &TraceSelection::traceChanged, this, &TraceHeader::refresh);
    refresh();
}

QString TraceHeader::plainText() const
{
    return m_plainText;
}

void TraceHeader::refresh()
{
    const auto trace = m_selection->trace();
    if (!trace) {
        m_plainText = tr("No trace");
        m_label->setText(m_plainText.toHtmlEscaped());
        return;
    }
    const qint64 start = trace->startNs();
    const size_t errors = trace->errorCount();
    const QString id = QString::fromStdString(trace->id.toHex());
    const QString when = QDateTime::fromMSecsSinceEpoch(start / 1000000, Qt::UTC)
                             .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz 'UTC'"));
    const QStringList parts = {
        tr("Start %1").arg(when),
        tr("Duration %1").arg(formatDuration(trace->endNs() - start)),
        count(trace->serviceCount(), tr("1 service"), tr("%1 services")),
        count(trace->spans.size(), tr("1 span"), tr("%1 spans")),
        tr("depth %1").arg(trace->spans.empty() ? 0 : trace->maxDepth() + 1),
    };
    const QString errorText = count(errors, tr("1 error"), tr("%1 errors"));
    const QString separator = QStringLiteral(" · ");
    m_plainText = tr("Trace %1").arg(id) + separator + parts.join(separator) + separator + errorText;

    QString html = QStringLiteral("<b>") + tr("Trace %1").arg(id).toHtmlEscaped() + QStringLiteral("</b>");
    for (const QString& part : parts)
        html += separator + part.toHtmlEscaped();
    html += separator;
    if (errors > 0)
        html += QStringLiteral("<span style=\"color:#d55e00\"><b>") + errorText.toHtmlEscaped()
            + QStringLiteral("</b></span>");
    else
        html += errorText.toHtmlEscaped();
    m_label->setText(html);
    m_label->setToolTip(m_plainText);
}

} // namespace tracemap
