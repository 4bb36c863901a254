#include "topologyview.h"

#include "graphvizlayout.h"
#include "model/tracequery.h"
#include "workerjob.h"

#include <QComboBox>
#include <QContextMenuEvent>
#include <QHBoxLayout>
#include <QHelpEvent>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPainter>
#include <QSpinBox>
#include <QStyle>
#include <QToolButton>
#include <QToolTip>
#include <QVBoxLayout>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>
#include <unordered_map>

namespace tracemap {

namespace {

constexpr double kMinZoom = 0.01;
constexpr double kMaxZoom = 8.0;
constexpr double kHitTolerancePixels = 5.0;

double distanceToSegment(const QPointF& p, const QPointF& a, const QPointF& b)
{
    const QPointF ab = b - a;
    const double length2 = QPointF::dotProduct(ab, ab);
    const double t = length2 > 0 ? std::clamp(QPointF::dotProduct(p - a, ab) / length2, 0.0, 1.0) : 0.0;
    const QPointF closest = a + ab * t;
    return std::hypot(p.x() - closest.x(), p.y() - closest.y());
}

QPointF cubicPoint(const QPointF& p0, const QPointF& c1, const QPointF& c2, const QPointF& p1, double t)
{
    const double u = 1 - t;
    return p0 * (u * u * u) + c1 * (3 * u * u * t) + c2 * (3 * u * t * t) + p1 * (t * t * t);
}

QString nodeTooltip(const Topology::Node& n)
{
    if (n.groupSize > 0) {
        return QStringLiteral("<b>%1</b><br>a group of %2 services: double-click to show them<br>%3 spans, %4/s, "
                              "%5% errors<br>p95 of its slowest service %6")
            .arg(QString::fromStdString(n.name).toHtmlEscaped())
            .arg(n.groupSize)
            .arg(n.spans)
            .arg(n.ratePerSecond, 0, 'g', 3)
            .arg(n.errorPercent, 0, 'f', 2)
            .arg(formatDuration(n.p95Ns));
    }
    QString text = QStringLiteral("<b>%1</b> (%2%3)")
                       .arg(QString::fromStdString(n.name).toHtmlEscaped(), QString::fromLatin1(nodeKindName(n.kind)),
                           n.inferred ? QStringLiteral(", inferred") : QString());
    if (!n.inferred) {
        text += QStringLiteral("<br>%1 spans, %2/s<br>%3 errors (%4%)<br>p95 %5")
                    .arg(n.spans)
                    .arg(n.ratePerSecond, 0, 'g', 3)
                    .arg(n.errors)
                    .arg(n.errorPercent, 0, 'f', 2)
                    .arg(formatDuration(n.p95Ns));
    }
    return text;
}

} // namespace

TopologyView::TopologyView(QWidget* parent)
    : QWidget(parent)
    , m_full(std::make_shared<Topology>())
    , m_shown(m_full)
    , m_search(new QLineEdit(this))
    , m_hops(new QSpinBox(this))
    , m_focus(new QToolButton(this))
    , m_all(new QToolButton(this))
    , m_labels(new QToolButton(this))
    , m_relayout(new QToolButton(this))
    , m_engineBox(new QComboBox(this))
    , m_groupBox(new QComboBox(this))
    , m_colorBox(new QComboBox(this))
    , m_sizeBox(new QComboBox(this))
    , m_minCalls(new QSpinBox(this))
    , m_top(new QSpinBox(this))
    , m_errorsOnly(new QToolButton(this))
    , m_summary(new QLabel(this))
    , m_message(new QLabel(this))
{
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(true);
    setAutoFillBackground(true);
    setBackgroundRole(QPalette::Base);
    m_search->setPlaceholderText(tr("Find a service…"));
    m_search->setClearButtonEnabled(true);
    m_search->setMaximumWidth(260);
    m_hops->setRange(1, 10);
    m_hops->setValue(1);
    m_hops->setPrefix(tr("hops: "));
    m_focus->setText(tr("Focus"));
    m_focus->setToolTip(tr("Show only the services within this many calls of the selected one"));
    m_all->setText(tr("Show All"));
    m_labels->setText(tr("Labels")); // short: the bar must fit a 1024-pixel window
    m_labels->setToolTip(tr("Edge labels: the calls, error rate and p95 of each call, where there is room"));
    m_labels->setCheckable(true);
    // An icon: the bar must fit a 1024-pixel window.
    m_relayout->setIcon(style()->standardIcon(QStyle::SP_BrowserReload));
    m_relayout->setObjectName(QStringLiteral("relayoutButton"));
    m_relayout->setAccessibleName(tr("Re-layout"));
    m_relayout->setToolTip(tr("Re-layout (F5): lay the map out afresh. New services otherwise join the map where "
                              "there is room, and the services drawn stay where they are."));
    auto* bar = new QHBoxLayout;
    bar->addWidget(m_search);
    bar->addWidget(m_hops);
    bar->addWidget(m_focus);
    bar->addWidget(m_all);
    bar->addWidget(m_labels);
    bar->addWidget(m_relayout);
    bar->addWidget(m_engineBox);
    bar->addWidget(m_sizeBox); // here, not beside the colours: the second bar has no room left in a 1024-pixel window
    bar->addStretch(1);

    // What is shown: groups, call filters, and what they hide.
    m_groupBox->setObjectName(QStringLiteral("groupBox"));
    for (const auto& [label, rule] :
        { std::pair(tr("groups: auto"), QStringLiteral("auto")), std::pair(tr("groups: off"), QStringLiteral("off")),
            std::pair(tr("groups: detected"), QStringLiteral("detect")),
            std::pair(tr("groups: name prefix"), QStringLiteral("prefix")),
            std::pair(tr("groups: namespace"), QStringLiteral("service.namespace")),
            std::pair(tr("groups: k8s ns"), QStringLiteral("k8s.namespace.name")) })
        m_groupBox->addItem(label, rule);
    m_groupBox->setToolTip(tr("Collapse services into groups; double-click a group to show its services. Auto groups "
                              "maps of more than %1 services, by service.namespace or k8s.namespace.name when the "
                              "services have them, else by communities of the call graph.")
                               .arg(kGroupAbove));
    m_colorBox->setObjectName(QStringLiteral("colorBox"));
    m_sizeBox->setObjectName(QStringLiteral("sizeBox"));
    m_sizeBox->addItem(tr("size: label"), -1);
    for (auto by : { Topology::Metric::Errors, Topology::Metric::P95, Topology::Metric::Rate }) {
        m_colorBox->addItem(tr("colour: %1").arg(QLatin1String(Topology::metricName(by))), static_cast<int>(by));
        m_sizeBox->addItem(tr("size: %1").arg(QLatin1String(Topology::metricName(by))), static_cast<int>(by));
    }
    m_colorBox->setToolTip(tr("What the services' fills show: their error rate, their p95 or their rate"));
    m_sizeBox->setToolTip(tr("What the services' sizes show: the box of the highest error rate, p95 or rate is "
                             "twice as wide and high as its label, the others' areas in proportion"));
    // The combos show their whole items where there is room and shrink to a few characters where there is not:
    // the bars must fit a 1024-pixel window beside the panel. (Their minimum is what a minimum contents length
    // would give; their size hint, their longest item.)
    for (QComboBox* box : { m_groupBox, m_colorBox, m_engineBox, m_sizeBox }) {
        box->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
        box->setMinimumContentsLength(box == m_engineBox || box == m_sizeBox ? 4 : 7);
        box->setMinimumWidth(box->minimumSizeHint().width());
        box->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    }
    m_minCalls->setObjectName(QStringLiteral("minCalls"));
    m_minCalls->setRange(0, 999'999);
    m_minCalls->setPrefix(tr("calls ≥ "));
    m_minCalls->setToolTip(tr("Hide calls made fewer times (they are counted as hidden)"));
    m_top->setObjectName(QStringLiteral("topCalls"));
    m_top->setRange(0, 99'999);
    m_top->setSpecialValueText(tr("top: all"));
    m_top->setPrefix(tr("top: "));
    m_top->setToolTip(tr("Show only the busiest calls"));
    m_errorsOnly->setObjectName(QStringLiteral("errorsOnly"));
    m_errorsOnly->setText(tr("Errors"));
    m_errorsOnly->setCheckable(true);
    m_errorsOnly->setToolTip(tr("Show only calls with errors"));
    m_summary->setObjectName(QStringLiteral("mapSummary"));
    m_summary->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred); // a long summary must not widen the window
    auto* shownBar = new QHBoxLayout;
    shownBar->addWidget(m_groupBox);
    shownBar->addWidget(m_colorBox);
    shownBar->addWidget(m_minCalls);
    shownBar->addWidget(m_top);
    shownBar->addWidget(m_errorsOnly);
    shownBar->addWidget(m_summary, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addLayout(shownBar);
    layout->addWidget(m_message, 0, Qt::AlignCenter);
    layout->addStretch(1);
    m_message->setText(tr("No topology yet: open traces or search."));

    connect(m_search, &QLineEdit::textChanged, this, &TopologyView::highlight);
    connect(m_focus, &QToolButton::clicked, this, [this] { focusSelected(m_hops->value()); });
    connect(m_all, &QToolButton::clicked, this, &TopologyView::showAll);
    connect(m_labels, &QToolButton::toggled, this, &TopologyView::setEdgeLabels);
    connect(m_relayout, &QToolButton::clicked, this, &TopologyView::relayout);
    for (auto engine : { LayoutOptions::Engine::Automatic, LayoutOptions::Engine::Dot, LayoutOptions::Engine::Sfdp,
             LayoutOptions::Engine::Neato })
        m_engineBox->addItem(QStringLiteral("layout: %1").arg(QLatin1String(LayoutOptions::engineName(engine))),
            static_cast<int>(engine));
    m_engineBox->setToolTip(tr("Graphviz layout: dot draws left to right by call depth; sfdp and neato place large "
                               "graphs by force. Automatic picks dot for small graphs."));
    connect(m_engineBox, &QComboBox::currentIndexChanged, this,
        [this](int index) { setEngine(static_cast<LayoutOptions::Engine>(m_engineBox->itemData(index).toInt())); });
    connect(m_colorBox, &QComboBox::currentIndexChanged, this,
        [this](int index) { setColorBy(static_cast<TopologyPainter::ColorBy>(m_colorBox->itemData(index).toInt())); });
    connect(m_sizeBox, &QComboBox::currentIndexChanged, this, [this](int index) {
        const int by = m_sizeBox->itemData(index).toInt();
        setSizeBy(by < 0 ? std::nullopt : std::optional(static_cast<Topology::Metric>(by)));
    });
    connect(m_groupBox, &QComboBox::currentIndexChanged, this,
        [this](int index) { setGroupRule(m_groupBox->itemData(index).toString()); });
    const auto filtersFromBar = [this] {
        TopologyFilters filters = m_filters;
        filters.minCalls = m_minCalls->value();
        filters.topK = static_cast<size_t>(m_top->value());
        filters.errorsOnly = m_errorsOnly->isChecked();
        setFilters(filters);
    };
    connect(m_minCalls, &QSpinBox::valueChanged, this, filtersFromBar);
    connect(m_top, &QSpinBox::valueChanged, this, filtersFromBar);
    connect(m_errorsOnly, &QToolButton::toggled, this, filtersFromBar);
}

void TopologyView::setEdgeLabels(bool on)
{
    m_edgeLabels = on;
    m_labels->setChecked(on);
    update();
}

void TopologyView::setEngine(LayoutOptions::Engine engine)
{
    if (engine == m_engine)
        return;
    m_engine = engine;
    m_engineBox->setCurrentIndex(m_engineBox->findData(static_cast<int>(engine)));
    if (m_laidOut || !m_shown->nodes.empty())
        startLayout(m_shown);
}

void TopologyView::setTopology(Topology topology)
{
    // The same services again (live spans, a search with other figures) keep their groups as they are.
    const bool sameServices = m_groups && topology.nodes.size() == m_full->nodes.size()
        && std::ranges::equal(topology.nodes, m_full->nodes, {}, &Topology::Node::name, &Topology::Node::name);
    m_full = std::make_shared<const Topology>(std::move(topology));
    regroup(sameServices);
}

void TopologyView::setGroupRule(const QString& rule)
{
    if (rule == m_groupRule)
        return;
    m_groupRule = rule;
    m_groupBox->setCurrentIndex(std::max(0, m_groupBox->findData(rule)));
    m_expanded.clear();
    regroup(false);
}

void TopologyView::regroup(bool keepGroups)
{
    const quint64 generation = ++m_groupGeneration;
    const bool wanted = m_groupRule != QLatin1String("off")
        && (m_groupRule != QLatin1String("auto") || m_full->nodes.size() > kGroupAbove);
    if (!wanted) {
        m_groups.reset();
        applyLens(LayoutMode::Stable);
        return;
    }
    if (keepGroups && m_groups) {
        applyLens(LayoutMode::Stable);
        return;
    }
    // Detection takes tens of milliseconds on a thousand services: off the GUI thread. Until it is done the map
    // shown stays.
    runOnWorker(
        this,
        [full = m_full, rule = m_groupRule] {
            auto groups = TopologyGrouper::fromRule(*full, rule);
            return groups ? std::make_shared<const TopologyGroups>(std::move(*groups))
                          : std::make_shared<const TopologyGroups>();
        },
        [this, generation](std::shared_ptr<const TopologyGroups> groups) {
            if (generation != m_groupGeneration)
                return;
            m_groups = groups->empty() ? nullptr : groups;
            applyLens(LayoutMode::Stable);
        });
}

int TopologyView::groupOfShownNode(int node) const
{
    return node >= 0 && static_cast<size_t>(node) < m_shownGroup.size() ? m_shownGroup[static_cast<size_t>(node)] : -1;
}

void TopologyView::setGroupExpanded(const std::string& group, bool expanded)
{
    if (expanded ? m_expanded.insert(group).second : m_expanded.erase(group) > 0)
        applyLens(LayoutMode::Stable);
}

void TopologyView::setColorBy(TopologyPainter::ColorBy by)
{
    m_colorBy = by;
    const QSignalBlocker block(m_colorBox);
    m_colorBox->setCurrentIndex(m_colorBox->findData(static_cast<int>(by)));
    update();
}

void TopologyView::setSizeBy(std::optional<Topology::Metric> by)
{
    if (by == m_sizeBy)
        return;
    m_sizeBy = by;
    const QSignalBlocker block(m_sizeBox);
    m_sizeBox->setCurrentIndex(m_sizeBox->findData(by ? static_cast<int>(*by) : -1));
    // Every box changes size at once: placing them again one by one breaks the columns of a dot map. A fresh
    // layout of the same graph keeps its arrangement (ranks and their order) and spreads it to fit.
    applyLens(LayoutMode::Fresh);
}

void TopologyView::setFilters(const TopologyFilters& filters)
{
    m_filters = filters;
    const QSignalBlocker blockMin(m_minCalls), blockTop(m_top), blockErrors(m_errorsOnly);
    m_minCalls->setValue(static_cast<int>(std::min<qint64>(filters.minCalls, m_minCalls->maximum())));
    m_top->setValue(static_cast<int>(std::min<size_t>(filters.topK, static_cast<size_t>(m_top->maximum()))));
    m_errorsOnly->setChecked(filters.errorsOnly);
    applyLens(LayoutMode::Stable);
}

void TopologyView::showPaths(const QString& from, const QString& to)
{
    setFocusOn(TopologyFocus::Kind::Paths, from.toStdString(), to.toStdString());
}

void TopologyView::showUpstream(const QString& service)
{
    setFocusOn(TopologyFocus::Kind::Upstream, service.toStdString());
}

void TopologyView::showDownstream(const QString& service)
{
    setFocusOn(TopologyFocus::Kind::Downstream, service.toStdString());
}

void TopologyView::setFocusOn(TopologyFocus::Kind kind, const std::string& from, const std::string& to, int hops)
{
    m_focusOn = { kind, from, to, hops };
    m_userPlaced = false;
    applyLens(LayoutMode::Fresh);
}

void TopologyView::applyLens(LayoutMode mode)
{
    // The selection is kept by name: a service, a call, or the group a selected service went into.
    std::string node;
    std::pair<std::string, std::string> edge;
    if (m_selectedNode >= 0 && static_cast<size_t>(m_selectedNode) < m_shown->nodes.size())
        node = m_shown->nodes[static_cast<size_t>(m_selectedNode)].name;
    if (m_selectedEdge >= 0 && static_cast<size_t>(m_selectedEdge) < m_shown->edges.size()) {
        const auto& e = m_shown->edges[static_cast<size_t>(m_selectedEdge)];
        edge = { m_shown->nodes[e.from].name, m_shown->nodes[e.to].name };
    }

    TopologyLens::Options options;
    options.groups = m_groups.get();
    if (m_groups) {
        options.expanded.resize(m_groups->names.size());
        for (size_t g = 0; g < m_groups->names.size(); ++g)
            options.expanded[g] = m_expanded.contains(m_groups->names[g]);
    }
    options.filters = m_filters;
    options.sizeBy = m_sizeBy;
    const int from = m_full->nodeIndex(m_focusOn.from);
    const int to = m_full->nodeIndex(m_focusOn.to);
    if (m_focusOn.kind != TopologyFocus::Kind::Everything && from >= 0
        && (m_focusOn.kind != TopologyFocus::Kind::Paths || to >= 0))
        options.focus
            = { m_focusOn.kind, static_cast<quint32>(from), static_cast<quint32>(std::max(to, 0)), m_focusOn.hops };
    ShownTopology shown = TopologyLens::apply(*m_full, options);
    auto origins = std::make_shared<const GraphvizLayout::Origins>(originsOf(shown));
    m_shownGroup = std::move(shown.group);
    m_shownMembers = std::move(shown.members);
    m_shownWith = m_groups.get();
    m_hidden = shown.hidden;
    auto topology = std::make_shared<const Topology>(std::move(shown.topology));
    startLayout(topology, mode, origins);

    int selectedNode = node.empty() ? -1 : topology->nodeIndex(node);
    if (selectedNode < 0 && !node.empty()) {
        const int full = m_full->nodeIndex(node);
        for (size_t i = 0; full >= 0 && i < m_shownMembers.size() && selectedNode < 0; ++i) {
            if (m_shownGroup[i] >= 0 && std::ranges::binary_search(m_shownMembers[i], static_cast<quint32>(full)))
                selectedNode = static_cast<int>(i);
        }
    }
    int selectedEdge = -1;
    if (!edge.first.empty()) {
        const int a = topology->nodeIndex(edge.first);
        const int b = topology->nodeIndex(edge.second);
        for (size_t i = 0; i < topology->edges.size(); ++i) {
            if (static_cast<int>(topology->edges[i].from) == a && static_cast<int>(topology->edges[i].to) == b)
                selectedEdge = static_cast<int>(i);
        }
    }
    // The figures behind the same selection changed: announce it even when the indices did not.
    m_selectedNode = selectedNode;
    m_selectedEdge = selectedNode >= 0 ? -1 : selectedEdge;
    updateSummary();
    Q_EMIT selectionChanged();
    Q_EMIT shownChanged();
}

GraphvizLayout::Origins TopologyView::originsOf(const ShownTopology& next) const
{
    // A group opened: its services come out of the group's node; a group closed: the group out of its services.
    GraphvizLayout::Origins origins;
    std::unordered_map<int, std::string> groupNodeBefore;
    std::unordered_map<quint32, std::string> serviceBefore; // full node → its name, shown as itself
    const bool sameGroups = m_shownWith == m_groups.get(); // group indices before mean the same groups now
    for (size_t i = 0; i < m_shownGroup.size() && i < m_shown->nodes.size(); ++i) {
        if (m_shownGroup[i] >= 0 && sameGroups)
            groupNodeBefore.emplace(m_shownGroup[i], m_shown->nodes[i].name);
        else if (i < m_shownMembers.size() && !m_shownMembers[i].empty())
            serviceBefore.emplace(m_shownMembers[i].front(), m_shown->nodes[i].name);
    }
    for (size_t i = 0; i < next.topology.nodes.size(); ++i) {
        const std::string& name = next.topology.nodes[i].name;
        if (m_shown->nodeIndex(name) >= 0)
            continue; // kept: it stays where it is
        if (next.group[i] >= 0) {
            std::vector<std::string> members;
            for (quint32 m : next.members[i]) {
                if (const auto it = serviceBefore.find(m); it != serviceBefore.end())
                    members.push_back(it->second);
            }
            if (!members.empty())
                origins.emplace(name, std::move(members));
        } else if (m_groups && !next.members[i].empty()) {
            const int group = m_groups->groupOf[next.members[i].front()];
            if (const auto it = groupNodeBefore.find(group); group >= 0 && it != groupNodeBefore.end())
                origins.emplace(name, std::vector<std::string> { it->second });
        }
    }
    return origins;
}

int TopologyView::revealService(const std::string& name)
{
    const int shown = m_shown->nodeIndex(name);
    if (shown >= 0 || !m_groups)
        return shown;
    const int full = m_full->nodeIndex(name);
    if (full < 0 || m_groups->groupOf[static_cast<size_t>(full)] < 0)
        return -1;
    const std::string& group = m_groups->names[static_cast<size_t>(m_groups->groupOf[static_cast<size_t>(full)])];
    if (m_expanded.contains(group))
        return -1; // filtered away or outside the focus
    m_expanded.insert(group);
    applyLens(LayoutMode::Stable);
    return m_shown->nodeIndex(name);
}

QString TopologyView::summary() const
{
    QStringList parts;
    const auto groups = std::ranges::count_if(m_shownGroup, [](int g) { return g >= 0; });
    if (groups > 0) {
        parts << (groups == 1 ? tr("1 group of %1 services") : tr("%1 groups of %2 services").arg(groups))
                     .arg(m_full->nodes.size());
        if (m_groups)
            parts.last() += QStringLiteral(" (%1)").arg(m_groups->basis);
    }
    switch (m_focusOn.kind) {
    case TopologyFocus::Kind::Everything:
        break;
    case TopologyFocus::Kind::Paths:
        parts << tr("paths from %1 to %2")
                     .arg(QString::fromStdString(m_focusOn.from), QString::fromStdString(m_focusOn.to));
        break;
    case TopologyFocus::Kind::Upstream:
        parts << tr("everything that calls %1").arg(QString::fromStdString(m_focusOn.from));
        break;
    case TopologyFocus::Kind::Downstream:
        parts << tr("everything %1 calls").arg(QString::fromStdString(m_focusOn.from));
        break;
    case TopologyFocus::Kind::Neighbourhood:
        parts << (m_focusOn.hops == 1 ? tr("1 call around %1") : tr("%1 calls around %2").arg(m_focusOn.hops))
                     .arg(QString::fromStdString(m_focusOn.from));
        break;
    }
    ShownTopology counts;
    counts.hidden = m_hidden;
    if (const QString hidden = counts.describeHidden(); !hidden.isEmpty())
        parts << hidden;
    return parts.join(QStringLiteral(" · "));
}

void TopologyView::updateSummary()
{
    m_summary->setText(summary());
    m_summary->setToolTip(m_summary->text());
}

void TopologyView::setSelection(int node, int edge)
{
    if (node == m_selectedNode && edge == m_selectedEdge)
        return;
    m_selectedNode = node;
    m_selectedEdge = node >= 0 ? -1 : edge;
    update();
    Q_EMIT selectionChanged();
}

void TopologyView::startLayout(
    std::shared_ptr<const Topology> topology, LayoutMode mode, std::shared_ptr<const GraphvizLayout::Origins> origins)
{
    const quint64 generation = ++m_generation;
    // The topology is shown at once (the selection and the panel refer to it); its geometry follows. Meanwhile the
    // last map stays painted, unless this one starts afresh.
    m_shown = topology;
    m_laidOut = false;
    m_layoutPending = true;
    m_geometry = {};
    m_edgePolylines.clear();
    if (mode == LayoutMode::Fresh || topology->nodes.empty())
        m_previous.reset();
    if (!m_previous) {
        m_message->setText(topology->nodes.empty() ? tr("No services in this selection.") : tr("Laying out…"));
        m_message->show();
    }
    LayoutOptions options;
    options.engine = m_engine;
    std::shared_ptr<const Topology> previous = m_previous;
    std::shared_ptr<const TopologyGeometry> previousGeometry = m_previous ? m_previousGeometry : nullptr;
    runOnWorker(
        this,
        [topology, options, previous, previousGeometry, origins] {
            return previous
                ? GraphvizLayout::layoutStable(*topology, options, *previous, *previousGeometry, origins.get())
                : GraphvizLayout::layout(*topology, options);
        },
        [this, topology, generation, mode](std::expected<TopologyGeometry, QString> result) {
            if (generation != m_generation)
                return; // a newer topology is on its way
            m_layoutPending = false;
            if (!result) {
                m_previous.reset();
                m_message->setText(tr("Layout failed: %1").arg(result.error()));
                m_message->show();
                update();
                Q_EMIT layoutFailed(result.error());
                return;
            }
            m_geometry = std::move(*result);
            m_laidOut = true;
            m_previous = topology;
            m_previousGeometry = std::make_shared<const TopologyGeometry>(m_geometry);
            m_message->setVisible(m_shown->nodes.empty());
            rebuildHitPaths();
            // The rings follow the new map; the selection stays the user's (a Find selected only when typed).
            updateHighlighted(m_search->text());
            // A new topology that kept the services drawn keeps the user's zoom and place too; laid out afresh,
            // it is fitted.
            if (mode == LayoutMode::Stable && !m_geometry.incremental)
                m_userPlaced = false;
            if (!m_userPlaced)
                fitToView();
            else if (!m_geometry.incremental)
                centerOnNode(m_selectedNode);
            Q_EMIT laidOut();
        });
}

void TopologyView::rebuildHitPaths()
{
    m_edgePolylines.assign(m_geometry.edges.size(), {});
    for (size_t i = 0; i < m_geometry.edges.size(); ++i) {
        const auto& path = m_geometry.edges[i].path;
        auto& polyline = m_edgePolylines[i];
        if (path.empty())
            continue;
        polyline.push_back(path.front());
        for (size_t k = 1; k + 2 < path.size(); k += 3) {
            for (int step = 1; step <= 8; ++step)
                polyline.push_back(cubicPoint(path[k - 1], path[k], path[k + 1], path[k + 2], step / 8.0));
        }
        if (m_geometry.edges[i].hasArrow)
            polyline.push_back(m_geometry.edges[i].arrowTip);
    }
}

QPointF TopologyView::toScene(const QPointF& p) const
{
    return m_center + (p - QPointF(width() / 2.0, height() / 2.0)) / m_zoom;
}

QPointF TopologyView::toWidget(const QPointF& s) const
{
    return (s - m_center) * m_zoom + QPointF(width() / 2.0, height() / 2.0);
}

void TopologyView::fitToView()
{
    if (m_geometry.bounds.isEmpty()) {
        update();
        return;
    }
    const QRectF b = m_geometry.bounds.adjusted(-20, -20, 20, 20);
    // Leave the bars' strip at the top free (before the first layout pass, its usual height).
    const double bars = m_summary->geometry().bottom() > 0 ? m_summary->geometry().bottom() + 4.0 : 64.0;
    // And the legend's strip at the bottom, so that the legend never covers a service of the fitted map.
    TopologyPainter::Options options;
    options.colorBy = m_colorBy;
    options.sizeBy = m_sizeBy;
    const double legend = TopologyPainter::paintLegend(nullptr, QPointF(), *m_shown, options).height() + 16;
    m_zoom = std::clamp(std::min(width() / b.width(), (height() - bars - legend) / b.height()), kMinZoom, kMaxZoom);
    m_center = b.center() - QPointF(0, (bars - legend) / 2 / m_zoom);
    update();
}

void TopologyView::centerOn(const QPointF& scenePoint)
{
    m_center = scenePoint;
    update();
}

void TopologyView::setZoomAt(double zoom, const QPointF& widgetPoint)
{
    const QPointF anchor = toScene(widgetPoint);
    m_zoom = std::clamp(zoom, kMinZoom, kMaxZoom);
    // Keep the scene point under the cursor where it was.
    m_center = anchor - (widgetPoint - QPointF(width() / 2.0, height() / 2.0)) / m_zoom;
    update();
}

int TopologyView::nodeAt(const QPointF& widgetPoint) const
{
    const QPointF p = toScene(widgetPoint);
    for (const auto& n : m_geometry.nodes) {
        if (n.box.contains(p))
            return static_cast<int>(n.node);
    }
    return -1;
}

int TopologyView::edgeAt(const QPointF& widgetPoint) const
{
    const QPointF p = toScene(widgetPoint);
    const double tolerance = kHitTolerancePixels / m_zoom;
    int best = -1;
    double bestDistance = tolerance;
    for (size_t i = 0; i < m_edgePolylines.size(); ++i) {
        const auto& line = m_edgePolylines[i];
        for (size_t k = 1; k < line.size(); ++k) {
            const double d = distanceToSegment(p, line[k - 1], line[k]);
            if (d <= bestDistance) {
                bestDistance = d;
                best = static_cast<int>(m_geometry.edges[i].edge);
            }
        }
    }
    return best;
}

int TopologyView::bestMatch(const QString& text) const
{
    const QString wanted = text.trimmed();
    if (wanted.isEmpty())
        return -1;
    int best = -1;
    int bestRank = 3;
    qsizetype bestLength = 0;
    for (quint32 i = 0; i < m_shown->nodes.size(); ++i) {
        const QString name = QString::fromStdString(m_shown->nodes[i].name);
        int rank = 3;
        if (name.compare(wanted, Qt::CaseInsensitive) == 0)
            rank = 0;
        else if (name.startsWith(wanted, Qt::CaseInsensitive))
            rank = 1;
        else if (name.contains(wanted, Qt::CaseInsensitive))
            rank = 2;
        // Nodes are in name order, so among equals the first name wins.
        if (rank < bestRank || (rank == bestRank && rank < 3 && name.size() < bestLength)) {
            best = static_cast<int>(i);
            bestRank = rank;
            bestLength = name.size();
        }
    }
    return best;
}

bool TopologyView::selectService(const QString& name)
{
    const int node = revealService(name.toStdString());
    if (node < 0)
        return false;
    setSelection(node, -1);
    centerOnNode(node);
    return true;
}

void TopologyView::centerOnNode(int node)
{
    for (const auto& n : m_geometry.nodes) {
        if (static_cast<int>(n.node) == node) {
            centerOn(n.box.center());
            return;
        }
    }
}

void TopologyView::updateHighlighted(const QString& text)
{
    m_highlighted.clear();
    const QString wanted = text.trimmed();
    for (quint32 i = 0; !wanted.isEmpty() && i < m_shown->nodes.size(); ++i) {
        if (QString::fromStdString(m_shown->nodes[i].name).contains(wanted, Qt::CaseInsensitive))
            m_highlighted.insert(i);
    }
    update();
}

void TopologyView::highlight(const QString& text)
{
    updateHighlighted(text);
    const QString wanted = text.trimmed();
    if (!wanted.isEmpty()) {
        // The best match is selected (so Focus works on it) and centred, so a search on a thousand-node map finds
        // its service; Service50 is found before Service504.
        int best = bestMatch(wanted);
        if (best < 0 || m_shown->nodes[static_cast<size_t>(best)].name != wanted.toStdString()) {
            // A service by exactly that name inside a collapsed group: the group opens to show it.
            const int revealed = revealService(wanted.toStdString());
            if (revealed >= 0) {
                best = revealed;
                updateHighlighted(text);
            }
        }
        if (best >= 0) {
            setSelection(best, -1);
            if (m_laidOut) {
                m_userPlaced = true; // a resize must not throw the found service out of view
                centerOnNode(best);
            }
        }
    }
    update();
}

void TopologyView::focusSelected(int hops)
{
    if (m_selectedNode < 0 || m_selectedNode >= static_cast<int>(m_shown->nodes.size())
        || groupOfShownNode(m_selectedNode) >= 0)
        return;
    setFocusOn(TopologyFocus::Kind::Neighbourhood, m_shown->nodes[static_cast<size_t>(m_selectedNode)].name, {}, hops);
}

void TopologyView::relayout()
{
    if (m_shown->nodes.empty())
        return;
    m_userPlaced = false;
    startLayout(m_shown);
}

void TopologyView::showAll()
{
    if (m_focusOn.kind == TopologyFocus::Kind::Everything)
        return;
    setFocusOn(TopologyFocus::Kind::Everything, {});
}

void TopologyView::paintEvent(QPaintEvent*)
{
    // While a stable layout is on its way, the last map is painted, its selection found by name.
    const bool previous = !m_laidOut && m_previous;
    if (!m_laidOut && !previous)
        return;
    QPainter painter(this);
    painter.translate(width() / 2.0, height() / 2.0);
    painter.scale(m_zoom, m_zoom);
    painter.translate(-m_center);
    TopologyPainter::Options options;
    options.palette = palette();
    options.edgeLabels = m_edgeLabels;
    options.colorBy = m_colorBy;
    options.sizeBy = m_sizeBy;
    options.maxLabels = kMaxLabels;
    options.scale = m_zoom;
    options.visibleScene = QRectF(toScene(QPointF(0, 0)), toScene(QPointF(width(), height())));
    if (previous) {
        if (m_selectedNode >= 0 && m_selectedNode < static_cast<int>(m_shown->nodes.size()))
            options.selectedNode = m_previous->nodeIndex(m_shown->nodes[static_cast<size_t>(m_selectedNode)].name);
        TopologyPainter::paint(painter, *m_previous, *m_previousGeometry, options);
        return;
    }
    options.highlightedNodes = m_highlighted;
    for (auto it = m_anomalies.cbegin(); it != m_anomalies.cend(); ++it)
        options.anomalousServices.insert(it.key());
    options.selectedNode = m_selectedNode;
    options.selectedEdge = m_selectedEdge;
    TopologyPainter::paint(painter, *m_shown, m_geometry, options);
    // The legend in the bottom-left corner, in widget pixels whatever the zoom.
    painter.resetTransform();
    const QRectF legend = TopologyPainter::paintLegend(nullptr, QPointF(), *m_shown, options);
    TopologyPainter::paintLegend(&painter, QPointF(8, height() - legend.height() - 8), *m_shown, options);
}

void TopologyView::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    // Laid out while hidden (a tab not in front), the map was fitted to a tiny widget: fit again until the user
    // has placed it.
    if (!m_userPlaced)
        fitToView();
    update();
}

void TopologyView::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (!m_userPlaced)
        fitToView();
}

void TopologyView::wheelEvent(QWheelEvent* event)
{
    const double steps = event->angleDelta().y() / 120.0;
    m_userPlaced = true;
    setZoomAt(m_zoom * std::pow(1.2, steps), event->position());
    event->accept();
}

void TopologyView::mousePressEvent(QMouseEvent* event)
{
    if (event->button() != Qt::LeftButton)
        return QWidget::mousePressEvent(event);
    m_dragging = true;
    m_dragMoved = false;
    m_dragStart = event->position();
    m_centerAtDragStart = m_center;
    setFocus(Qt::MouseFocusReason);
}

void TopologyView::mouseMoveEvent(QMouseEvent* event)
{
    if (!m_dragging)
        return;
    const QPointF delta = event->position() - m_dragStart;
    if (!m_dragMoved && delta.manhattanLength() < 4)
        return;
    m_dragMoved = true;
    m_userPlaced = true;
    setCursor(Qt::ClosedHandCursor);
    m_center = m_centerAtDragStart - delta / m_zoom;
    update();
}

void TopologyView::mouseReleaseEvent(QMouseEvent* event)
{
    if (!m_dragging)
        return QWidget::mouseReleaseEvent(event);
    m_dragging = false;
    unsetCursor();
    if (m_dragMoved)
        return;
    const int node = nodeAt(event->position());
    setSelection(node, node < 0 ? edgeAt(event->position()) : -1);
    if (m_selectedNode >= 0) {
        Q_EMIT nodeClicked(QString::fromStdString(m_shown->nodes[static_cast<size_t>(m_selectedNode)].name));
    } else if (m_selectedEdge >= 0) {
        const auto& e = m_shown->edges[static_cast<size_t>(m_selectedEdge)];
        Q_EMIT edgeClicked(
            QString::fromStdString(m_shown->nodes[e.from].name), QString::fromStdString(m_shown->nodes[e.to].name));
    }
}

void TopologyView::mouseDoubleClickEvent(QMouseEvent* event)
{
    const int node = nodeAt(event->position());
    if (node < 0 || !m_groups)
        return QWidget::mouseDoubleClickEvent(event);
    // A group opens in place; a service of an open group closes it again.
    const int group = groupOfShownNode(node);
    if (group >= 0) {
        setGroupExpanded(m_groups->names[static_cast<size_t>(group)], true);
        return;
    }
    const int full = m_full->nodeIndex(m_shown->nodes[static_cast<size_t>(node)].name);
    if (full >= 0 && m_groups->groupOf[static_cast<size_t>(full)] >= 0)
        setGroupExpanded(m_groups->names[static_cast<size_t>(m_groups->groupOf[static_cast<size_t>(full)])], false);
}

void TopologyView::contextMenuEvent(QContextMenuEvent* event)
{
    const int node = nodeAt(event->pos());
    QMenu menu(this);
    if (node >= 0) {
        const std::string name = m_shown->nodes[static_cast<size_t>(node)].name;
        const QString service = QString::fromStdString(name);
        const int group = groupOfShownNode(node);
        if (group >= 0) {
            menu.addAction(tr("Show the Services of %1").arg(service), this,
                [this, group] { setGroupExpanded(m_groups->names[static_cast<size_t>(group)], true); });
        } else {
            menu.addAction(
                tr("Callers of %1 (Upstream)").arg(service), this, [this, service] { showUpstream(service); });
            menu.addAction(
                tr("Callees of %1 (Downstream)").arg(service), this, [this, service] { showDownstream(service); });
            const bool otherSelected
                = m_selectedNode >= 0 && m_selectedNode != node && groupOfShownNode(m_selectedNode) < 0;
            if (otherSelected) {
                const QString selected
                    = QString::fromStdString(m_shown->nodes[static_cast<size_t>(m_selectedNode)].name);
                menu.addAction(tr("Paths from %1 to %2").arg(selected, service), this,
                    [this, selected, service] { showPaths(selected, service); });
                menu.addAction(tr("Paths from %1 to %2").arg(service, selected), this,
                    [this, selected, service] { showPaths(service, selected); });
            }
            const int full = m_full->nodeIndex(name);
            if (m_groups && full >= 0 && m_groups->groupOf[static_cast<size_t>(full)] >= 0) {
                const std::string groupName
                    = m_groups->names[static_cast<size_t>(m_groups->groupOf[static_cast<size_t>(full)])];
                menu.addAction(tr("Collapse %1").arg(QString::fromStdString(groupName)), this,
                    [this, groupName] { setGroupExpanded(groupName, false); });
            }
        }
    }
    if (m_focusOn.kind != TopologyFocus::Kind::Everything)
        menu.addAction(tr("Show All"), this, &TopologyView::showAll);
    if (!menu.isEmpty())
        menu.exec(event->globalPos());
}

void TopologyView::keyPressEvent(QKeyEvent* event)
{
    switch (event->key()) {
    case Qt::Key_F:
        m_userPlaced = false;
        fitToView();
        return;
    case Qt::Key_F5:
        relayout();
        return;
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        m_userPlaced = true;
        setZoomAt(m_zoom * 1.25, QPointF(width() / 2.0, height() / 2.0));
        return;
    case Qt::Key_Minus:
        m_userPlaced = true;
        setZoomAt(m_zoom / 1.25, QPointF(width() / 2.0, height() / 2.0));
        return;
    case Qt::Key_Z: // zoom to the selection
        for (const auto& n : m_geometry.nodes) {
            if (static_cast<int>(n.node) == m_selectedNode) {
                m_userPlaced = true;
                m_center = n.box.center();
                m_zoom = std::clamp(std::min(width(), height()) / (n.box.width() * 4), kMinZoom, kMaxZoom);
                update();
            }
        }
        return;
    default:
        QWidget::keyPressEvent(event);
    }
}

void TopologyView::setAnomalies(QHash<QString, QStringList> sentencesByService)
{
    if (sentencesByService == m_anomalies)
        return;
    m_anomalies = std::move(sentencesByService);
    update();
}

bool TopologyView::event(QEvent* event)
{
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const int node = nodeAt(help->pos());
        if (node >= 0) {
            const Topology::Node& n = m_shown->nodes[static_cast<size_t>(node)];
            QString tip = nodeTooltip(n);
            for (const QString& sentence : m_anomalies.value(QString::fromStdString(n.name)))
                tip += QStringLiteral("<br>⚠ ") + sentence.toHtmlEscaped();
            QToolTip::showText(help->globalPos(), tip, this);
            return true;
        }
        const int edge = edgeAt(help->pos());
        if (edge >= 0) {
            const auto& e = m_shown->edges[static_cast<size_t>(edge)];
            QToolTip::showText(help->globalPos(),
                QStringLiteral("<b>%1 → %2</b><br>%3 calls, %4 errors (%5%)<br>p50 %6 · p95 %7 · p99 %8")
                    .arg(QString::fromStdString(m_shown->nodes[e.from].name).toHtmlEscaped(),
                        QString::fromStdString(m_shown->nodes[e.to].name).toHtmlEscaped())
                    .arg(e.calls)
                    .arg(e.errors)
                    .arg(e.errorPercent, 0, 'f', 2)
                    .arg(formatDuration(e.p50Ns), formatDuration(e.p95Ns), formatDuration(e.p99Ns)),
                this);
            return true;
        }
        QToolTip::hideText();
        event->ignore();
        return true;
    }
    return QWidget::event(event);
}

} // namespace tracemap
