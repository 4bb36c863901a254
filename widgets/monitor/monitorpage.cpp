#include "monitorpage.h"

#include "latencyheatmapview.h"
#include "redtableview.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPainter>
#include <QPushButton>
#include <QSplitter>
#include <QStyledItemDelegate>
#include <QTabWidget>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace tracemap {

namespace {

constexpr int kKeyRole = Qt::UserRole;
constexpr int kValueRole = Qt::UserRole + 1;
constexpr int kShareRole = Qt::UserRole + 2; // a value's share (0..1) on its side, for its bar
enum Column { AttributeColumn, SelectedColumn, RestColumn, DifferenceColumn };

// The paired bars of a value: its share in the selection (orange) and in the rest (blue), each in its column and
// on the same scale, so that a glance down the two columns shows where they differ; the percentage is written on
// the bar.
class ShareBarDelegate : public QStyledItemDelegate {
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override
    {
        const QVariant share = index.data(kShareRole);
        if (share.isValid()) {
            const bool dark = option.palette.color(QPalette::Base).lightness() < 128;
            // Okabe-Ito orange and sky blue; dimmer on dark backgrounds so that the text stays readable.
            QColor colour = index.column() == SelectedColumn ? QColor(0xe6, 0x9f, 0x00) : QColor(0x56, 0xb4, 0xe9);
            colour.setAlpha(dark ? 150 : 190);
            const QRectF area = QRectF(option.rect).adjusted(2, 3, -2, -3);
            painter->fillRect(
                QRectF(area.left(), area.top(), area.width() * std::clamp(share.toDouble(), 0.0, 1.0), area.height()),
                colour);
        }
        QStyledItemDelegate::paint(painter, option, index);
    }
};

QString percent(double share)
{
    return QStringLiteral("%1 %").arg(share * 100, 0, 'f', 1);
}

} // namespace

MonitorPage::MonitorPage(QWidget* parent)
    : QWidget(parent)
    , m_heatmap(new LatencyHeatmapView(this))
    , m_scope(new QLabel(this))
    , m_comparisonTitle(new QLabel(this))
    , m_comparison(new QTreeWidget(this))
    , m_anomalies(new QTreeWidget(this))
    , m_red(new RedTableView(this))
    , m_details(new QTabWidget(this))
    , m_wholeScope(new QPushButton(tr("Whole scope"), this))
{
    setObjectName(QStringLiteral("monitorPage"));
    m_heatmap->setObjectName(QStringLiteral("latencyHeatmap"));
    m_comparison->setObjectName(QStringLiteral("comparison"));
    m_anomalies->setObjectName(QStringLiteral("anomalies"));
    m_comparison->setHeaderLabels({ tr("Attribute / value"), tr("Selected"), tr("Rest"), tr("Difference") });
    m_comparison->setAlternatingRowColors(true);
    m_comparison->header()->setSectionResizeMode(AttributeColumn, QHeaderView::Stretch);
    m_comparison->header()->setStretchLastSection(false);
    m_comparison->setItemDelegate(new ShareBarDelegate(m_comparison));
    m_anomalies->setHeaderHidden(true);
    m_anomalies->setRootIsDecorated(false);
    m_anomalies->setWordWrap(true);

    auto* comparisonPane = new QWidget(this);
    auto* comparisonLayout = new QVBoxLayout(comparisonPane);
    comparisonLayout->setContentsMargins(0, 0, 0, 0);
    auto* titleRow = new QHBoxLayout;
    auto* compareErrors = new QPushButton(tr("Compare the errors"), this);
    compareErrors->setObjectName(QStringLiteral("compareErrors"));
    compareErrors->setToolTip(tr("What sets the scope's failed spans apart from the others"));
    titleRow->addWidget(m_comparisonTitle, 1);
    titleRow->addWidget(compareErrors);
    comparisonLayout->addLayout(titleRow);
    comparisonLayout->addWidget(m_comparison);
    connect(compareErrors, &QPushButton::clicked, this, &MonitorPage::errorsComparisonRequested);
    m_comparisonTitle->setWordWrap(true);
    showComparisonMessage(tr("Drag over the heatmap to see what sets those spans apart from the rest."));
    m_details->addTab(comparisonPane, tr("Comparison"));
    m_details->addTab(m_red, tr("RED"));
    m_details->addTab(m_anomalies, tr("Anomalies"));

    auto* splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_heatmap);
    splitter->addWidget(m_details);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    auto* allKinds = new QCheckBox(tr("All span kinds"), this);
    allKinds->setObjectName(QStringLiteral("allKinds"));
    allKinds->setToolTip(tr("Every span, not only where requests enter a service (SERVER, CONSUMER) or a trace "
                            "(roots), as Jaeger's Monitor tab counts them"));
    connect(allKinds, &QCheckBox::toggled, this, &MonitorPage::allKindsToggled);
    m_wholeScope->setObjectName(QStringLiteral("wholeScope"));
    m_wholeScope->setToolTip(tr("Back to the search's scope from the row or anomaly shown"));
    m_wholeScope->hide();
    connect(m_wholeScope, &QPushButton::clicked, this, &MonitorPage::wholeScopeRequested);
    auto* top = new QHBoxLayout;
    top->addWidget(m_scope, 1);
    top->addWidget(m_wholeScope);
    top->addWidget(allKinds);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(splitter);

    connect(m_comparison, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem* item) {
        const QString key = item->data(0, kKeyRole).toString();
        if (!key.isEmpty() && item->data(0, kValueRole).isValid())
            Q_EMIT filterRequested(key, item->data(0, kValueRole).toString());
    });
    // A click is enough: choosing an episode changes nothing but the tab's own views and the results list.
    connect(m_anomalies, &QTreeWidget::itemClicked, this,
        [this](QTreeWidgetItem* item) { Q_EMIT anomalyActivated(m_anomalies->indexOfTopLevelItem(item)); });
    connect(m_anomalies, &QTreeWidget::itemActivated, this,
        [this](QTreeWidgetItem* item) { Q_EMIT anomalyActivated(m_anomalies->indexOfTopLevelItem(item)); });
}

void MonitorPage::setScopeText(const QString& text)
{
    m_scope->setText(text);
}

void MonitorPage::setNarrowed(bool narrowed)
{
    m_wholeScope->setVisible(narrowed);
}

void MonitorPage::showComparisonMessage(const QString& message)
{
    m_comparison->clear();
    m_comparisonTitle->setText(message);
}

void MonitorPage::showComparison(const QString& title, const ComparisonResult& result)
{
    m_comparison->clear();
    // Ids and keys with a value per span say nothing about a group of spans: left out, and counted in the title.
    const auto hidden = std::count_if(
        result.attributes.begin(), result.attributes.end(), [](const AttributeDifference& a) { return a.demoted; });
    m_comparisonTitle->setText(hidden == 0
            ? title
            : tr("%1 · %n id or high-cardinality attribute(s) not shown", nullptr, static_cast<int>(hidden))
                  .arg(title));
    for (const AttributeDifference& a : result.attributes) {
        if (a.demoted)
            continue;
        const QString key = QString::fromStdString(a.key);
        auto* row = new QTreeWidgetItem(m_comparison,
            { key, QString(), QString(),
                a.score > 0 ? tr("%1 points").arg(a.score * 100, 0, 'f', 1) : tr("no significant difference") });
        for (size_t i = 0; i < a.values.size(); ++i) {
            const ValueShare& v = a.values[i];
            const QString value = QString::fromStdString(v.value);
            auto* child = new QTreeWidgetItem(row,
                { value, percent(v.selectionShare), percent(v.baselineShare),
                    v.significant ? tr("%1 points").arg((v.selectionShare - v.baselineShare) * 100, 0, 'f', 1)
                                  : QString() });
            child->setData(SelectedColumn, kShareRole, v.selectionShare);
            child->setData(RestColumn, kShareRole, v.baselineShare);
            // Folded and missing values, and numeric split sides, are no key=value a search can use.
            if (!a.numeric && v.value != "(other)" && v.value != "(missing)") {
                child->setData(0, kKeyRole, key);
                child->setData(0, kValueRole, value);
                child->setToolTip(0, tr("Activate to search for %1=%2").arg(key, value));
            }
            if (static_cast<int>(i) == a.topValue) {
                QFont bold = child->font(0);
                bold.setBold(true);
                for (int c = 0; c < 4; ++c)
                    child->setFont(c, bold);
            }
        }
        row->setExpanded(a.score > 0);
    }
    m_comparison->resizeColumnToContents(DifferenceColumn);
    for (int c : { SelectedColumn, RestColumn }) // wide enough for the bars to show a difference
        m_comparison->setColumnWidth(c, std::max(m_comparison->columnWidth(c), 160));
}

void MonitorPage::showAnomalies(const QStringList& sentences)
{
    m_anomalies->clear();
    for (const QString& sentence : sentences)
        new QTreeWidgetItem(m_anomalies, { sentence });
    if (sentences.isEmpty())
        new QTreeWidgetItem(m_anomalies, { tr("No anomaly: every operation stayed within its own baseline.") });
    m_details->setTabText(
        AnomaliesTab, sentences.isEmpty() ? tr("Anomalies") : tr("Anomalies (%1)").arg(sentences.size()));
}

} // namespace tracemap

namespace tracemap {

void MonitorPage::showRed(const std::vector<RedRow>& rows)
{
    m_red->setRows(rows);
}

} // namespace tracemap
