#include "spandetailsview.h"

#include "analysis/selftime.h"
#include "model/attributevalue.h"
#include "model/trace.h"
#include "model/tracequery.h"
#include "spanproblems.h"
#include "traceselection.h"

#include <QApplication>
#include <QClipboard>
#include <QContextMenuEvent>
#include <QDateTime>
#include <QHeaderView>
#include <QKeyEvent>
#include <QMenu>
#include <QStyledItemDelegate>

#include <algorithm>

namespace tracemap {

namespace {
constexpr qsizetype kMaxShownChars = 1000;
constexpr qsizetype kMaxToolTipChars = 4000;

QString fromView(std::string_view text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

QString valueTypeName(ValueType type)
{
    switch (type) {
    case ValueType::Empty:
        return QStringLiteral("empty");
    case ValueType::String:
        return QStringLiteral("string");
    case ValueType::Bool:
        return QStringLiteral("bool");
    case ValueType::Int:
        return QStringLiteral("int");
    case ValueType::Double:
        return QStringLiteral("double");
    case ValueType::Bytes:
        return QStringLiteral("bytes");
    case ValueType::Array:
        return QStringLiteral("array");
    case ValueType::KeyValueList:
        return QStringLiteral("map");
    }
    return {};
}

QString linkTypeName(LinkType type)
{
    switch (type) {
    case LinkType::Link:
        return SpanDetailsView::tr("link");
    case LinkType::ChildOf:
        return SpanDetailsView::tr("child of");
    case LinkType::FollowsFrom:
        return SpanDetailsView::tr("follows from");
    }
    return {};
}

/// "2026-11-26T10:00:00.123456Z"
QString isoTime(qint64 ns)
{
    qint64 seconds = ns / 1000000000;
    qint64 rest = ns % 1000000000;
    if (rest < 0) {
        --seconds;
        rest += 1000000000;
    }
    return QDateTime::fromSecsSinceEpoch(seconds, Qt::UTC).toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss"))
        + QStringLiteral(".%1Z").arg(rest / 1000, 6, 10, QLatin1Char('0'));
}

QString signedDuration(qint64 ns)
{
    return ns < 0 ? QString(QLatin1Char('-') + formatDuration(-ns)) : QString(QLatin1Char('+') + formatDuration(ns));
}

// Wraps keys and values to their column. The style wraps only at word boundaries, so long runs without one (hex
// ids, dotted keys) get zero-width spaces between their characters, for display only: the items keep their text.
// QTreeView asks for row heights without the column's width, so sizeHint() supplies the width the text really gets.
class WrappingDelegate : public QStyledItemDelegate {
public:
    explicit WrappingDelegate(QTreeView* view)
        : QStyledItemDelegate(view)
        , m_view(view)
    {
    }

    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override
    {
        QStyleOptionViewItem opt = option;
        int width = m_view->columnWidth(index.column());
        if (index.column() == 0) {
            for (QModelIndex parent = index.parent(); parent.isValid(); parent = parent.parent())
                width -= m_view->indentation();
            if (m_view->rootIsDecorated())
                width -= m_view->indentation();
        }
        // A valid rectangle: the style wraps to its width only then (the view passes an empty one).
        opt.rect = QRect(0, 0, std::max(1, width), std::max(1, option.rect.height()));
        return QStyledItemDelegate::sizeHint(opt, index);
    }

protected:
    void initStyleOption(QStyleOptionViewItem* option, const QModelIndex& index) const override
    {
        QStyledItemDelegate::initStyleOption(option, index);
        option->text = breakable(option->text);
    }

private:
    // Break points after the separators of keys, paths and URLs, and inside longer runs without any (hex ids)
    // after every character, never inside a surrogate pair.
    static QString breakable(const QString& text)
    {
        constexpr qsizetype kLongRun = 8;
        static const QString separators = QStringLiteral("._-/:=&?,;");
        QString out;
        out.reserve(text.size() * 2);
        qsizetype run = 0;
        for (qsizetype i = 0; i < text.size(); ++i) {
            const QChar c = text.at(i);
            out.append(c);
            if (c.isSpace()) {
                run = 0;
                continue;
            }
            if (i + 1 >= text.size() || text.at(i + 1).isSpace() || c.isHighSurrogate())
                continue;
            if (separators.contains(c)) {
                out.append(QChar(0x200b));
                run = 0;
            } else if (++run >= kLongRun) {
                out.append(QChar(0x200b));
            }
        }
        return out;
    }

    QTreeView* m_view;
};

QString oneLine(const QString& value)
{
    QString shown = value.size() > kMaxShownChars ? QString(value.left(kMaxShownChars) + QChar(0x2026)) : value;
    shown.replace(QLatin1Char('\n'), QChar(0x23ce));
    shown.replace(QLatin1Char('\r'), QLatin1Char(' '));
    shown.replace(QLatin1Char('\t'), QLatin1Char(' '));
    return shown;
}
} // namespace

SpanDetailsView::SpanDetailsView(TraceSelection* selection, QWidget* parent)
    : QTreeWidget(parent)
    , m_selection(selection)
{
    setColumnCount(3);
    setHeaderLabels({ tr("Key"), tr("Value"), tr("Type") });
    // Long values wrap: ids and keys that differ in the middle (two link trace ids, gen_ai.usage.*_tokens) must
    // never be cut there. Whatever still does not fit is elided at the end.
    setWordWrap(true);
    setTextElideMode(Qt::ElideRight);
    setUniformRowHeights(false);
    setItemDelegate(new WrappingDelegate(this));
    setSelectionMode(QAbstractItemView::ExtendedSelection);
    setAllColumnsShowFocus(true);
    header()->setStretchLastSection(false);
    header()->setSectionResizeMode(KeyColumn, QHeaderView::Interactive);
    header()->setSectionResizeMode(ValueColumn, QHeaderView::Stretch);
    header()->setSectionResizeMode(TypeColumn, QHeaderView::ResizeToContents);
    header()->resizeSection(KeyColumn, 200);
    // Row heights follow the column widths.
    connect(header(), &QHeaderView::sectionResized, this, [this] { scheduleDelayedItemsLayout(); });

    connect(this, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem* item) { activateItem(item); });
    connect(m_selection, &TraceSelection::spanChanged, this, &SpanDetailsView::rebuild);
    rebuild();
}

void SpanDetailsView::setClockSkewDeltas(std::shared_ptr<const Trace> trace, std::vector<qint64> deltaNs)
{
    m_deltaTrace = std::move(trace);
    m_deltas = std::move(deltaNs);
    rebuild();
}

QTreeWidgetItem* SpanDetailsView::section(const QString& title) const
{
    for (int i = 0; i < topLevelItemCount(); ++i) {
        if (topLevelItem(i)->text(KeyColumn) == title)
            return topLevelItem(i);
    }
    return nullptr;
}

QTreeWidgetItem* SpanDetailsView::row(const QString& sectionTitle, const QString& key) const
{
    QTreeWidgetItem* s = section(sectionTitle);
    for (int i = 0; s && i < s->childCount(); ++i) {
        if (s->child(i)->text(KeyColumn) == key)
            return s->child(i);
    }
    return nullptr;
}

QString SpanDetailsView::fullValue(const QTreeWidgetItem* item)
{
    if (!item)
        return {};
    const QVariant value = item->data(ValueColumn, FullValueRole);
    return value.isValid() ? value.toString() : item->text(KeyColumn);
}

QString SpanDetailsView::keyValue(const QTreeWidgetItem* item)
{
    if (!item)
        return {};
    if (!item->data(ValueColumn, FullValueRole).isValid())
        return item->text(KeyColumn);
    return item->text(KeyColumn) + QLatin1Char('=') + fullValue(item);
}

void SpanDetailsView::copyValue() const
{
    QStringList lines;
    for (const QTreeWidgetItem* item : selectedItems())
        lines.append(fullValue(item));
    if (!lines.isEmpty())
        QApplication::clipboard()->setText(lines.join(QLatin1Char('\n')));
}

void SpanDetailsView::copyKeyValue() const
{
    QStringList lines;
    for (const QTreeWidgetItem* item : selectedItems())
        lines.append(keyValue(item));
    if (!lines.isEmpty())
        QApplication::clipboard()->setText(lines.join(QLatin1Char('\n')));
}

void SpanDetailsView::keyPressEvent(QKeyEvent* event)
{
    if (event == QKeySequence::Copy) {
        copyValue();
        event->accept();
        return;
    }
    QTreeWidget::keyPressEvent(event);
}

void SpanDetailsView::contextMenuEvent(QContextMenuEvent* event)
{
    QTreeWidgetItem* item = itemAt(viewport()->mapFrom(this, event->pos()));
    if (!item)
        return;
    if (!item->isSelected())
        setCurrentItem(item);
    QMenu menu(this);
    QAction* copy = menu.addAction(tr("Copy value"), this, &SpanDetailsView::copyValue);
    copy->setShortcut(QKeySequence::Copy);
    menu.addAction(tr("Copy key=value"), this, &SpanDetailsView::copyKeyValue);
    if (item->data(KeyColumn, LinkRole).isValid()) {
        menu.addSeparator();
        menu.addAction(tr("Open linked span"), this, [this, item] { activateItem(item); });
    }
    menu.exec(event->globalPos());
}

void SpanDetailsView::activateItem(QTreeWidgetItem* item)
{
    for (; item; item = item->parent()) {
        const QVariant link = item->data(KeyColumn, LinkRole);
        if (!link.isValid())
            continue;
        const auto trace = m_selection->trace();
        const quint32 index = link.toUInt();
        if (trace && index < trace->links.size())
            Q_EMIT linkActivated(trace->links[index].traceId, trace->links[index].spanId);
        return;
    }
}

QTreeWidgetItem* SpanDetailsView::addSection(const QString& title)
{
    auto* item = new QTreeWidgetItem(this, { title });
    QFont font = item->font(KeyColumn);
    font.setBold(true);
    item->setFont(KeyColumn, font);
    item->setFirstColumnSpanned(true);
    item->setExpanded(true);
    return item;
}

QTreeWidgetItem* SpanDetailsView::addRow(
    QTreeWidgetItem* parent, const QString& key, const QString& value, const QString& type)
{
    auto* item = new QTreeWidgetItem(parent, { key, oneLine(value), type });
    item->setData(ValueColumn, FullValueRole, value);
    item->setToolTip(KeyColumn, key);
    item->setToolTip(
        ValueColumn, value.size() > kMaxToolTipChars ? QString(value.left(kMaxToolTipChars) + QChar(0x2026)) : value);
    return item;
}

void SpanDetailsView::addAttributes(QTreeWidgetItem* parent, const Trace& trace, const Range& attributes)
{
    for (quint32 a = attributes.begin; a < attributes.end() && a < trace.attributes.size(); ++a) {
        const Attribute& attribute = trace.attributes[a];
        addRow(parent, fromView(trace.string(attribute.key)),
            QString::fromStdString(AttributeValue::valueOf(trace, attribute).toDisplayString()),
            valueTypeName(attribute.type));
    }
}

void SpanDetailsView::rebuild()
{
    setUpdatesEnabled(false);
    clear();
    const auto traceHolder = m_selection->trace();
    const Span* spanPtr = m_selection->span();
    if (!traceHolder || !spanPtr) {
        auto* hint = new QTreeWidgetItem(this, { tr("Select a span to see its details.") });
        hint->setFirstColumnSpanned(true);
        hint->setFlags(Qt::NoItemFlags);
        setUpdatesEnabled(true);
        return;
    }
    const Trace& trace = *traceHolder;
    const Span& span = *spanPtr;
    // A pass over every span: once per trace, not once per click.
    if (m_traceStartOf.lock() != traceHolder) {
        m_traceStartNs = trace.startNs();
        m_traceStartOf = traceHolder;
    }
    const qint64 traceStart = m_traceStartNs;

    QTreeWidgetItem* s = addSection(tr("Span"));
    addRow(s, tr("Operation"), fromView(trace.operationName(span)));
    addRow(s, tr("Service"), fromView(trace.serviceName(span)));
    addRow(s, tr("Kind"), QString::fromLatin1(spanKindName(span.kind)));
    QString status = QString::fromLatin1(statusCodeName(span.status));
    if (span.statusMessage.size)
        status += QStringLiteral(": ") + fromView(trace.text(span.statusMessage));
    QTreeWidgetItem* statusItem = addRow(s, tr("Status"), status);
    if (span.isError())
        statusItem->setForeground(ValueColumn, QColor(0xd5, 0x5e, 0x00));
    addRow(s, tr("Start"), isoTime(span.startNs));
    addRow(s, tr("Offset"), signedDuration(span.startNs - traceStart));
    addRow(s, tr("Duration"), formatDuration(span.durationNs));
    const quint32 spanIndex = m_selection->spanIndex();
    addRow(s, tr("Self time"), formatDuration(SelfTime::ofSpan(trace, spanIndex)));
    if (m_deltaTrace == traceHolder && spanIndex < m_deltas.size() && m_deltas[spanIndex] != 0)
        addRow(s, tr("Clock skew adjustment"), signedDuration(m_deltas[spanIndex]));
    addRow(s, tr("Trace id"), QString::fromStdString(trace.id.toHex()));
    addRow(s, tr("Span id"), QString::fromStdString(spanIdToHex(span.id)));
    if (span.parentId != 0) {
        QString parent = QString::fromStdString(spanIdToHex(span.parentId));
        if (span.parent == kNoIndex)
            parent += QLatin1Char(' ') + tr("(not in this trace)");
        addRow(s, tr("Parent id"), parent);
    } else {
        addRow(s, tr("Parent id"), tr("none (root span)"));
    }
    if (span.traceState.size)
        addRow(s, tr("Trace state"), fromView(trace.text(span.traceState)));

    QStringList warnings;
    for (quint32 w = span.warnings.begin; w < span.warnings.end() && w < trace.warnings.size(); ++w)
        warnings.append(fromView(trace.text(trace.warnings[w])));
    warnings += spanProblemDescriptions(span.problems);
    if (!warnings.isEmpty()) {
        QTreeWidgetItem* section = addSection(tr("Warnings"));
        for (const QString& warning : warnings) {
            QTreeWidgetItem* item = addRow(section, QStringLiteral("⚠"), warning);
            item->setForeground(KeyColumn, QColor(0xd5, 0x5e, 0x00));
        }
    }

    if (span.attributes.count)
        addAttributes(addSection(tr("Attributes")), trace, span.attributes);

    if (span.resource < trace.resources.size() && trace.resources[span.resource].attributes.count)
        addAttributes(addSection(tr("Resource")), trace, trace.resources[span.resource].attributes);

    if (span.scope < trace.scopes.size()) {
        const Scope& scope = trace.scopes[span.scope];
        QTreeWidgetItem* section = addSection(tr("Scope"));
        addRow(section, tr("Name"), fromView(trace.string(scope.name)));
        if (scope.version.size)
            addRow(section, tr("Version"), fromView(trace.text(scope.version)));
        addAttributes(section, trace, scope.attributes);
    }

    if (span.events.count) {
        QTreeWidgetItem* section = addSection(tr("Events"));
        for (quint32 e = span.events.begin; e < span.events.end() && e < trace.events.size(); ++e) {
            const Event& event = trace.events[e];
            QTreeWidgetItem* item
                = addRow(section, signedDuration(event.timeNs - span.startNs), fromView(trace.string(event.name)));
            addAttributes(item, trace, event.attributes);
            item->setExpanded(span.events.count <= 20);
        }
    }

    if (span.links.count) {
        QTreeWidgetItem* section = addSection(tr("Links"));
        for (quint32 l = span.links.begin; l < span.links.end() && l < trace.links.size(); ++l) {
            const Link& link = trace.links[l];
            const QString traceId = QString::fromStdString(link.traceId.toHex());
            const QString spanId = QString::fromStdString(spanIdToHex(link.spanId));
            QTreeWidgetItem* item = addRow(section, linkTypeName(link.type), traceId + QLatin1Char('/') + spanId);
            item->setData(KeyColumn, LinkRole, l);
            item->setToolTip(KeyColumn, tr("Double-click to open the linked span if its trace is loaded"));
            addRow(item, tr("Trace id"), traceId);
            addRow(item, tr("Span id"), spanId);
            addRow(item, tr("Type"), linkTypeName(link.type));
            if (link.traceState.size)
                addRow(item, tr("Trace state"), fromView(trace.text(link.traceState)));
            addAttributes(item, trace, link.attributes);
            item->setExpanded(true);
        }
    }
    setUpdatesEnabled(true);
}

} // namespace tracemap
