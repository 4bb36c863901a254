#include "topologypage.h"

#include "topologydetails.h"
#include "topologyview.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QSplitter>
#include <QVBoxLayout>

#include <algorithm>

namespace tracemap {

namespace {
constexpr int kTraceScopes = 3; // the maps built from cached traces come first; dependency links follow
} // namespace

TopologyPage::TopologyPage(QWidget* parent)
    : QWidget(parent)
    , m_scope(new QComboBox(this))
    , m_lookback(new QComboBox(this))
    , m_splitter(new QSplitter(Qt::Horizontal, this))
    , m_view(new TopologyView(m_splitter))
    , m_details(new TopologyDetails(m_splitter))
{
    m_scope->setObjectName(QStringLiteral("topologyScope"));
    m_scope->addItem(tr("Services of the search results"));
    m_scope->addItem(tr("Services of the whole cache"));
    m_scope->addItem(tr("Services of the last trace opened"));
    m_lookback->setObjectName(QStringLiteral("dependencyLookback"));
    constexpr qint64 kHour = 3600LL * 1'000'000'000;
    m_lookback->addItem(tr("Last hour"), kHour);
    m_lookback->addItem(tr("Last 6 hours"), 6 * kHour);
    m_lookback->addItem(tr("Last 24 hours"), 24 * kHour);
    m_lookback->addItem(tr("Last 7 days"), 7 * 24 * kHour);
    m_lookback->setCurrentIndex(2); // the back ends' own default
    m_lookback->hide();
    auto* row = new QHBoxLayout;
    row->addWidget(m_scope);
    row->addWidget(m_lookback);
    row->addStretch(1);
    m_splitter->addWidget(m_view);
    m_splitter->addWidget(m_details);
    m_splitter->setStretchFactor(0, 4);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setChildrenCollapsible(false);
    m_details->setMinimumWidth(220);
    m_splitter->setSizes({ 900, 300 });
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 4, 0, 0);
    layout->addLayout(row);
    layout->addWidget(m_splitter, 1);

    connect(m_scope, &QComboBox::currentIndexChanged, this, &TopologyPage::onChoiceChanged);
    connect(m_lookback, &QComboBox::currentIndexChanged, this, &TopologyPage::onChoiceChanged);
    connect(m_view, &TopologyView::selectionChanged, this, &TopologyPage::onSelectionChanged);
    connect(m_details, &TopologyDetails::traceActivated, this, &TopologyPage::traceActivated);
    connect(m_details, &TopologyDetails::showInResultsRequested, this, [this] {
        if (const auto query = m_details->selectionQuery())
            Q_EMIT showInResultsRequested(*query, m_details->selectionDescription());
    });
}

TopologyPage::Scope TopologyPage::scope() const
{
    return static_cast<Scope>(std::clamp(m_scope->currentIndex(), 0, kTraceScopes - 1));
}

void TopologyPage::onChoiceChanged()
{
    const QString source = dependencySource();
    m_lookback->setVisible(!source.isEmpty());
    if (source.isEmpty())
        Q_EMIT scopeChanged(scope());
    else
        Q_EMIT dependenciesWanted(source, m_lookback->currentData().toLongLong());
}

void TopologyPage::setDependencySources(const QStringList& connections)
{
    if (connections == m_dependencySources)
        return;
    const QString chosen = dependencySource();
    m_dependencySources = connections;
    const QSignalBlocker blocker(m_scope);
    while (m_scope->count() > kTraceScopes)
        m_scope->removeItem(kTraceScopes);
    for (const QString& name : connections)
        m_scope->addItem(tr("Dependency links of %1").arg(name), name);
    if (!chosen.isEmpty()) {
        const int index = m_scope->findData(chosen);
        m_scope->setCurrentIndex(index >= 0 ? index : 0);
        if (index < 0)
            onChoiceChanged(); // its connection is gone: back to the search results' map
    }
}

QString TopologyPage::dependencySource() const
{
    return m_scope->currentIndex() >= kTraceScopes ? m_scope->currentData().toString() : QString();
}

void TopologyPage::setScope(Scope scope)
{
    m_scope->setCurrentIndex(static_cast<int>(scope));
}

void TopologyPage::onSelectionChanged()
{
    m_details->showSelection(m_view->topology(), m_view->selectedNode(), m_view->selectedEdge());
    const quint64 request = ++m_request;
    if (auto query = m_details->selectionQuery()) {
        query->limit = TopologyDetails::kTraceLimit;
        Q_EMIT tracesWanted(request, *query);
    }
}

void TopologyPage::setTraces(quint64 request, std::vector<TraceSummary> traces, const QString& error)
{
    if (request == m_request)
        m_details->setTraces(std::move(traces), error);
}

} // namespace tracemap
