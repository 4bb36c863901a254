#include "topologydetails.h"

#include "tracelistmodel.h"
#include "tracelistview.h"

#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

#include <algorithm>

namespace tracemap {

namespace {

QString html(const std::string& text)
{
    return text.empty() ? QStringLiteral("(no service)") : QString::fromStdString(text).toHtmlEscaped();
}

QString percent(double value)
{
    return QStringLiteral("%1%").arg(value, 0, 'f', value < 10 ? 2 : 1);
}

// The neighbours of a node on one side, busiest call first, at most `limit` of them.
QString neighbours(const Topology& topology, int node, bool callers, size_t limit)
{
    std::vector<const Topology::Edge*> edges;
    for (const auto& e : topology.edges) {
        if (static_cast<int>(callers ? e.to : e.from) == node)
            edges.push_back(&e);
    }
    if (edges.empty())
        return QObject::tr("none");
    std::sort(edges.begin(), edges.end(), [](const auto* a, const auto* b) { return a->calls > b->calls; });
    QStringList names;
    for (size_t i = 0; i < std::min(limit, edges.size()); ++i) {
        const auto& e = *edges[i];
        names << QStringLiteral("%1 (%2)").arg(html(topology.nodes[callers ? e.from : e.to].name)).arg(e.calls);
    }
    if (edges.size() > limit)
        names << QObject::tr("%n more", nullptr, static_cast<int>(edges.size() - limit));
    return names.join(QStringLiteral(", "));
}

} // namespace

TopologyDetails::TopologyDetails(QWidget* parent)
    : QWidget(parent)
    , m_figures(new QLabel(this))
    , m_tracesTitle(new QLabel(this))
    , m_traces(new TraceListView(this))
    , m_showInResults(new QPushButton(tr("Show in Search Results"), this))
{
    m_figures->setObjectName(QStringLiteral("topologyFigures"));
    m_figures->setWordWrap(true);
    m_figures->setTextFormat(Qt::RichText);
    m_figures->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_figures->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_showInResults->setToolTip(tr("List these traces in the Search Results tab (replaces the results)"));
    // A narrow panel: the start time, root and duration say enough.
    for (int column : { TraceListModel::Spans, TraceListModel::Services, TraceListModel::Errors })
        m_traces->hideColumn(column);
    m_traces->horizontalHeader()->setStretchLastSection(true);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 0, 0, 0);
    layout->addWidget(m_figures);
    layout->addWidget(m_tracesTitle);
    layout->addWidget(m_traces, 1);
    layout->addWidget(m_showInResults);
    connect(m_showInResults, &QPushButton::clicked, this, &TopologyDetails::showInResultsRequested);
    connect(m_traces, &TraceListView::traceActivated, this, &TopologyDetails::traceActivated);
    showSelection(Topology {}, -1, -1);
}

void TopologyDetails::showSelection(const Topology& topology, int node, int edge)
{
    m_query.reset();
    m_description.clear();
    m_traces->setTraces({});
    QString text;
    if (node >= 0 && node < static_cast<int>(topology.nodes.size())) {
        const Topology::Node& n = topology.nodes[static_cast<size_t>(node)];
        // A collapsed group has summed figures and no traces of its own: no query names a group of services.
        const bool group = n.groupSize > 0;
        text = QStringLiteral("<b>%1</b><br>%2")
                   .arg(html(n.name),
                       group ? tr("a group of %1 services: double-click it on the map to show them").arg(n.groupSize)
                             : QString::fromLatin1(nodeKindName(n.kind)));
        if (topology.fromDependencyLinks) {
            text += tr("<br>From a dependency-link file: call counts only, no spans or traces.");
        } else if (n.inferred) {
            text += tr("<br>Reports no spans of its own: seen only as the peer of its callers' client spans.");
        } else {
            text += tr("<br>%1 spans · %2/s<br>%3 errors (%4)<br>p95 %5")
                        .arg(n.spans)
                        .arg(n.ratePerSecond, 0, 'g', 3)
                        .arg(n.errors)
                        .arg(percent(n.errorPercent), formatDuration(n.p95Ns));
            if (!n.name.empty() && !group) { // spans without a service name cannot be searched by service
                TraceQuery query;
                query.service = QString::fromStdString(n.name);
                m_query = query;
                m_description = tr("service %1").arg(query.service);
            }
        }
        text += tr("<br><br>Called by: %1<br>Calls: %2")
                    .arg(neighbours(topology, node, true, 8), neighbours(topology, node, false, 8));
    } else if (edge >= 0 && edge < static_cast<int>(topology.edges.size())) {
        const Topology::Edge& e = topology.edges[static_cast<size_t>(edge)];
        const std::string& from = topology.nodes[e.from].name;
        const std::string& to = topology.nodes[e.to].name;
        text = QStringLiteral("<b>%1 → %2</b><br>").arg(html(from), html(to));
        text += tr("%1 calls, %2 errors (%3)").arg(e.calls).arg(e.errors).arg(percent(e.errorPercent));
        const bool betweenGroups = topology.nodes[e.from].groupSize > 0 || topology.nodes[e.to].groupSize > 0;
        if (betweenGroups) {
            text += tr("<br>The calls between the services of groups, summed (latencies: the slowest call's). Open a "
                       "group to see its calls and their traces.");
        } else if (!topology.fromDependencyLinks) {
            text += tr("<br>p50 %1 · p95 %2 · p99 %3")
                        .arg(formatDuration(e.p50Ns), formatDuration(e.p95Ns), formatDuration(e.p99Ns));
            TraceQuery query;
            query.edge = std::make_pair(QString::fromStdString(from), QString::fromStdString(to));
            m_query = query;
            m_description = tr("calls from %1 to %2").arg(query.edge->first, query.edge->second);
        } else {
            text += tr("<br>From a dependency-link file: no traces behind it.");
        }
    } else {
        text = tr("Click a service or a call to see its figures and traces. Find selects the best match; Focus "
                  "shows its neighbourhood.");
    }
    m_figures->setText(text);
    m_tracesTitle->setText(
        m_query ? tr("Traces of this %1 (loading…)").arg(node >= 0 ? tr("service") : tr("call")) : QString());
    m_tracesTitle->setVisible(m_query.has_value());
    m_traces->setVisible(m_query.has_value());
    m_showInResults->setVisible(m_query.has_value());
}

void TopologyDetails::setTraces(std::vector<TraceSummary> traces, const QString& error)
{
    if (!m_query)
        return;
    const bool service = !m_query->service.isEmpty();
    if (!error.isEmpty())
        m_tracesTitle->setText(tr("Traces: %1").arg(error));
    else if (static_cast<int>(traces.size()) >= kTraceLimit)
        m_tracesTitle->setText(service ? tr("The newest %1 traces of this service").arg(kTraceLimit)
                                       : tr("The newest %1 traces with this call").arg(kTraceLimit));
    else
        m_tracesTitle->setText(service ? tr("%n trace(s) of this service", nullptr, static_cast<int>(traces.size()))
                                       : tr("%n trace(s) with this call", nullptr, static_cast<int>(traces.size())));
    m_traces->setTraces(std::move(traces));
}

} // namespace tracemap
