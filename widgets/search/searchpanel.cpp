#include "searchpanel.h"

#include "tagcompleter.h"

#include <QComboBox>
#include <QDateTime>
#include <QDateTimeEdit>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>

#include <variant>

namespace tracemap {

namespace {
const QString kAllOperations = QStringLiteral("(all operations)");
const QString kAllServices = QStringLiteral("(all services)");
const QString kLocalCache = QStringLiteral("Local cache");

struct RangeChoice {
    const char* label;
    qint64 seconds; // 0: all time, -1: custom
};
constexpr RangeChoice kRanges[] = { { "Last 15 minutes", 15 * 60 }, { "Last hour", 3600 }, { "Last 6 hours", 6 * 3600 },
    { "Last 24 hours", 24 * 3600 }, { "All time", 0 }, { "Custom…", -1 } };
} // namespace

std::variant<std::vector<std::pair<QString, QString>>, QString> parseTags(const QString& text, TagWords words)
{
    std::vector<std::pair<QString, QString>> tags;
    qsizetype i = 0;
    const qsizetype n = text.size();
    while (i < n) {
        while (i < n && text.at(i).isSpace())
            ++i;
        if (i >= n)
            break;
        const qsizetype keyStart = i;
        while (i < n && text.at(i) != QLatin1Char('=') && !text.at(i).isSpace())
            ++i;
        const QString key = text.mid(keyStart, i - keyStart);
        if (words == TagWords::PairsAndWords && !key.isEmpty() && (i >= n || text.at(i) != QLatin1Char('='))) {
            if (key.compare(QLatin1String("and"), Qt::CaseInsensitive) != 0) // Zipkin's terms are ANDed anyway
                tags.emplace_back(QString(), key);
            continue;
        }
        if (i >= n || text.at(i) != QLatin1Char('=') || key.isEmpty())
            return QStringLiteral("tags: expected key=value at \"%1\"").arg(key);
        ++i;
        QString value;
        if (i < n && text.at(i) == QLatin1Char('"')) {
            ++i;
            while (i < n && text.at(i) != QLatin1Char('"')) {
                if (text.at(i) == QLatin1Char('\\') && i + 1 < n)
                    ++i;
                value += text.at(i++);
            }
            if (i >= n)
                return QStringLiteral("tags: unclosed quote in the value of %1").arg(key);
            ++i;
        } else {
            const qsizetype valueStart = i;
            while (i < n && !text.at(i).isSpace())
                ++i;
            value = text.mid(valueStart, i - valueStart);
        }
        tags.emplace_back(key, value);
    }
    return tags;
}

SearchPanel::SearchPanel(QWidget* parent)
    : QWidget(parent)
    , m_form(new QFormLayout)
    , m_source(new QComboBox(this))
    , m_traceQl(new QLineEdit(this))
    , m_tagsLabel(new QLabel(tr("Tags"), this))
    , m_traceId(new QLineEdit(this))
    , m_service(new QComboBox(this))
    , m_operation(new QComboBox(this))
    , m_tags(new QLineEdit(this))
    , m_tagCompleter(new TagCompleter(m_tags))
    , m_minDuration(new QLineEdit(this))
    , m_maxDuration(new QLineEdit(this))
    , m_range(new QComboBox(this))
    , m_from(new QDateTimeEdit(this))
    , m_to(new QDateTimeEdit(this))
    , m_limit(new QSpinBox(this))
    , m_find(new QPushButton(tr("Find Traces"), this))
    , m_error(new QLabel(this))
{
    m_source->setObjectName(QStringLiteral("source"));
    m_source->addItem(kLocalCache);
    m_source->setToolTip(tr("Search the local cache, or a back end added with File ▸ Connect…"));
    m_traceQl->setObjectName(QStringLiteral("traceQl"));
    m_traceQl->setClearButtonEnabled(true);
    m_traceQl->setPlaceholderText(QStringLiteral("{ status = error }"));
    m_traceQl->setToolTip(tr("A TraceQL query, such as { resource.service.name = \"api\" && duration > 1s }. It "
                             "replaces the service, operation, tags and durations below (write them in the query); "
                             "when empty, those fields search (Tempo's logfmt tags)."));
    m_traceId->setObjectName(QStringLiteral("traceId"));
    m_traceId->setPlaceholderText(tr("Lookup by trace ID…"));
    m_traceId->setClearButtonEnabled(true);
    m_traceId->setToolTip(tr("One or more trace IDs, separated by spaces or commas: 32 or 16 hex digits, leading "
                             "zeros may be left out. Enter opens the trace."));
    m_service->setObjectName(QStringLiteral("service"));
    m_operation->setObjectName(QStringLiteral("operation"));
    m_tags->setObjectName(QStringLiteral("tags"));
    m_service->setEditable(false);
    m_service->addItem(kAllServices);
    m_operation->addItem(kAllOperations);
    m_tags->setPlaceholderText(QStringLiteral("http.status_code=500 error=true"));
    m_tags->setToolTip(tr("Attributes of spans or their resources, logfmt style: key=value pairs separated by "
                          "spaces; quote values with spaces."));
    m_minDuration->setPlaceholderText(QStringLiteral("e.g. 150ms"));
    m_maxDuration->setPlaceholderText(QStringLiteral("e.g. 2s"));
    for (const RangeChoice& r : kRanges)
        m_range->addItem(tr(r.label), r.seconds);
    m_range->setCurrentIndex(4); // all time: imported files are rarely from the last hour
    for (QDateTimeEdit* edit : { m_from, m_to }) {
        edit->setCalendarPopup(true);
        edit->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm")); // seconds would not fit a narrow panel
        edit->setDateTime(QDateTime::currentDateTime());
    }
    m_from->setDateTime(QDateTime::currentDateTime().addDays(-1));
    m_limit->setRange(1, 100000);
    m_limit->setValue(100);
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: #d55e00"));
    m_error->hide();
    m_find->setDefault(true);
    // Wide enough for a date and time with its calendar button, in a 1024-pixel window too.
    setMinimumWidth(
        std::max(250, fontMetrics().horizontalAdvance(QStringLiteral("Min duration  2026-11-28 08:15 ▾▾▾"))));

    QFormLayout* form = m_form;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(tr("Source"), m_source);
    form->addRow(tr("Trace ID"), m_traceId);
    form->addRow(tr("TraceQL"), m_traceQl);
    form->addRow(tr("Service"), m_service);
    form->addRow(tr("Operation"), m_operation);
    form->addRow(m_tagsLabel, m_tags);
    form->addRow(tr("Min duration"), m_minDuration);
    form->addRow(tr("Max duration"), m_maxDuration);
    form->addRow(tr("Lookback"), m_range);
    form->addRow(tr("From"), m_from);
    form->addRow(tr("To"), m_to);
    form->addRow(tr("Limit results"), m_limit);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_find);
    layout->addWidget(m_error);
    layout->addStretch(1);

    connect(m_service, &QComboBox::currentTextChanged, this, [this] {
        // The operations were the previous service's: until the new list arrives, the form searches all of them.
        m_operation->clear();
        m_operation->addItem(kAllOperations);
        Q_EMIT serviceChanged(service());
    });
    connect(m_range, &QComboBox::currentIndexChanged, this, &SearchPanel::updateCustomRange);
    connect(m_source, &QComboBox::currentIndexChanged, this, [this] { Q_EMIT sourceChanged(source()); });
    connect(m_traceQl, &QLineEdit::returnPressed, this, &SearchPanel::find);
    connect(m_find, &QPushButton::clicked, this, &SearchPanel::find);
    for (QLineEdit* edit : { m_tags, m_minDuration, m_maxDuration })
        connect(edit, &QLineEdit::returnPressed, this, &SearchPanel::find);
    connect(m_traceId, &QLineEdit::returnPressed, this, [this] {
        if (!m_traceId->text().trimmed().isEmpty())
            Q_EMIT traceIdLookupRequested(m_traceId->text().trimmed());
    });
    updateCustomRange();
    setSourceStyle(SourceStyle::Cache);
}

void SearchPanel::setSources(const QStringList& connections)
{
    const QString wanted = source();
    {
        const QSignalBlocker blocker(m_source);
        m_source->clear();
        m_source->addItem(kLocalCache);
        m_source->addItems(connections);
        m_source->setCurrentIndex(std::max(0, wanted.isEmpty() ? 0 : m_source->findText(wanted)));
    }
    if (source() != wanted)
        Q_EMIT sourceChanged(source());
}

QString SearchPanel::source() const
{
    return m_source->currentIndex() <= 0 ? QString() : m_source->currentText();
}

bool SearchPanel::setSource(const QString& connection)
{
    const int index = connection.isEmpty() ? 0 : m_source->findText(connection);
    if (index < 0)
        return false;
    m_source->setCurrentIndex(index);
    return true;
}

void SearchPanel::setSourceStyle(SourceStyle style)
{
    m_style = style;
    m_form->setRowVisible(m_traceQl, style == SourceStyle::Tempo);
    if (style == SourceStyle::Zipkin) {
        m_tagsLabel->setText(tr("Annotation query"));
        m_tags->setToolTip(tr("Zipkin's annotation query: key=value pairs match a span's tags, a bare word an "
                              "annotation or a tag key (error, retried); all must match."));
    } else {
        m_tagsLabel->setText(tr("Tags"));
        m_tags->setToolTip(tr("Attributes of spans or their resources, logfmt style: key=value pairs separated by "
                              "spaces; quote values with spaces."));
    }
    // A back end needs a time range: "All time" would search its whole retention, which none of them allows.
    if (style != SourceStyle::Cache && m_range->currentData().toLongLong() == 0)
        m_range->setCurrentIndex(1);
}

QString SearchPanel::traceQl() const
{
    return m_style == SourceStyle::Tempo ? m_traceQl->text().trimmed() : QString();
}

void SearchPanel::updateCustomRange()
{
    const bool custom = m_range->currentData().toLongLong() < 0;
    m_from->setEnabled(custom);
    m_to->setEnabled(custom);
}

void SearchPanel::selectOrAdd(QComboBox* box, const QString& text)
{
    int index = box->findText(text);
    if (index < 0) {
        box->addItem(text);
        index = box->count() - 1;
    }
    box->setCurrentIndex(index);
}

namespace {
// The combo's items after its first ("all …") one.
QStringList itemsAfterFirst(const QComboBox* combo)
{
    QStringList items;
    for (int i = 1; i < combo->count(); ++i)
        items << combo->itemText(i);
    return items;
}
} // namespace

void SearchPanel::setServices(const QStringList& services)
{
    QStringList named = services;
    named.removeAll(QString());
    // Live follow sets the lists every second: the same list must not close an open popup or touch the choice.
    if (named == itemsAfterFirst(m_service))
        return;
    const QString wanted = service();
    int index = 0;
    {
        const QSignalBlocker blocker(m_service);
        m_service->clear();
        m_service->addItem(kAllServices);
        for (const QString& name : services) {
            if (!name.isEmpty()) // spans without a service cannot be searched by service
                m_service->addItem(name);
        }
        index = wanted.isEmpty() ? 0 : m_service->findText(wanted);
        m_service->setCurrentIndex(std::max(index, 0));
    }
    if (index < 0) {
        // The operations were that service's: they go with it.
        m_operation->clear();
        m_operation->addItem(kAllOperations);
        showMessage(source().isEmpty() ? tr("The cache has no service %1: searching all services.").arg(wanted)
                                       : tr("%1 has no service %2: searching all services.").arg(source(), wanted));
    }
    // Announce the service (the previous one may be gone after Clear Cache) so the operations follow it.
    Q_EMIT serviceChanged(service());
}

void SearchPanel::setOperations(const QStringList& operations)
{
    if (operations == itemsAfterFirst(m_operation))
        return;
    const QString wanted = operation();
    m_operation->clear();
    m_operation->addItem(kAllOperations);
    m_operation->addItems(operations);
    const int index = wanted.isEmpty() ? 0 : m_operation->findText(wanted);
    m_operation->setCurrentIndex(std::max(index, 0));
}

QString SearchPanel::service() const
{
    return m_service->currentIndex() <= 0 ? QString() : m_service->currentText();
}

QString SearchPanel::operation() const
{
    return m_operation->currentIndex() <= 0 ? QString() : m_operation->currentText();
}

bool SearchPanel::setService(const QString& service)
{
    const int index = m_service->findText(service);
    if (index <= 0)
        return false;
    m_service->setCurrentIndex(index);
    m_operation->setCurrentIndex(0);
    return true;
}

std::variant<TraceQuery, QString> SearchPanel::query() const
{
    TraceQuery q;
    q.service = service();
    q.operation = operation();
    auto tags = parseTags(m_tags->text(), m_style == SourceStyle::Zipkin ? TagWords::PairsAndWords : TagWords::Pairs);
    if (auto* message = std::get_if<QString>(&tags))
        return *message;
    q.tags = std::get<0>(std::move(tags));
    auto duration = [](QLineEdit* edit, const QString& name, qint64& target) -> QString {
        if (edit->text().trimmed().isEmpty())
            return {};
        const auto ns = parseDuration(edit->text());
        if (!ns)
            return QStringLiteral("%1: expected a duration such as 150ms or 2s").arg(name);
        target = *ns;
        return {};
    };
    if (QString e = duration(m_minDuration, tr("Min duration"), q.minDurationNs); !e.isEmpty())
        return e;
    if (QString e = duration(m_maxDuration, tr("Max duration"), q.maxDurationNs); !e.isEmpty())
        return e;
    const qint64 seconds = m_range->currentData().toLongLong();
    if (seconds > 0) {
        q.sinceNs = (QDateTime::currentMSecsSinceEpoch() - seconds * 1000) * 1000000;
    } else if (seconds < 0) {
        q.sinceNs = m_from->dateTime().toMSecsSinceEpoch() * 1000000;
        q.untilNs = m_to->dateTime().toMSecsSinceEpoch() * 1000000;
        if (q.sinceNs > q.untilNs)
            return tr("From is after To");
    }
    q.limit = m_limit->value();
    if (m_style == SourceStyle::Jaeger && q.service.isEmpty())
        return tr("Jaeger searches one service at a time: choose a service");
    return q;
}

void SearchPanel::find()
{
    auto q = query();
    if (auto* message = std::get_if<QString>(&q)) {
        showMessage(*message);
        return;
    }
    showMessage(QString());
    Q_EMIT searchRequested(std::get<TraceQuery>(q));
}

void SearchPanel::showMessage(const QString& message)
{
    m_error->setText(message);
    m_error->setVisible(!message.isEmpty());
}

QString SearchPanel::message() const
{
    return m_error->isHidden() ? QString() : m_error->text();
}

void SearchPanel::focusSearch()
{
    m_service->setFocus(Qt::ShortcutFocusReason);
}

void SearchPanel::focusTraceIdLookup()
{
    m_traceId->setFocus(Qt::ShortcutFocusReason);
    m_traceId->selectAll();
}

void SearchPanel::addTag(const QString& key, const QString& value)
{
    QString text;
    const auto parsed = parseTags(m_tags->text());
    if (const auto* tags = std::get_if<std::vector<std::pair<QString, QString>>>(&parsed)) {
        for (const auto& [k, v] : *tags) {
            if (k != key)
                text += (text.isEmpty() ? QString() : QStringLiteral(" ")) + k + QLatin1Char('=') + logfmtValue(v);
        }
    }
    text += (text.isEmpty() ? QString() : QStringLiteral(" ")) + key + QLatin1Char('=') + logfmtValue(value);
    m_tags->setText(text);
}

QVariantMap SearchPanel::state() const
{
    return { { QStringLiteral("service"), service() }, { QStringLiteral("operation"), operation() },
        { QStringLiteral("tags"), m_tags->text() }, { QStringLiteral("minDuration"), m_minDuration->text() },
        { QStringLiteral("maxDuration"), m_maxDuration->text() }, { QStringLiteral("range"), m_range->currentIndex() },
        { QStringLiteral("limit"), m_limit->value() }, { QStringLiteral("from"), m_from->dateTime() },
        { QStringLiteral("to"), m_to->dateTime() }, { QStringLiteral("source"), source() },
        { QStringLiteral("traceQl"), m_traceQl->text() } };
}

void SearchPanel::restoreState(const QVariantMap& state)
{
    if (state.isEmpty())
        return;
    // Shown at once, as what the form searches; the cache's lists confirm them or replace them with "(all)".
    const QString service = state.value(QStringLiteral("service")).toString();
    const QString operation = state.value(QStringLiteral("operation")).toString();
    if (!service.isEmpty() && service != kAllServices) {
        const QSignalBlocker blocker(m_service);
        selectOrAdd(m_service, service);
    }
    if (!operation.isEmpty() && operation != kAllOperations)
        selectOrAdd(m_operation, operation);
    m_tags->setText(state.value(QStringLiteral("tags")).toString());
    m_traceQl->setText(state.value(QStringLiteral("traceQl")).toString());
    // The source itself is chosen again once the connections are listed (setSources keeps a known one).
    if (const QString source = state.value(QStringLiteral("source")).toString(); !source.isEmpty()) {
        const QSignalBlocker blocker(m_source);
        selectOrAdd(m_source, source);
    }
    m_minDuration->setText(state.value(QStringLiteral("minDuration")).toString());
    m_maxDuration->setText(state.value(QStringLiteral("maxDuration")).toString());
    m_range->setCurrentIndex(std::clamp(state.value(QStringLiteral("range"), 4).toInt(), 0, m_range->count() - 1));
    m_limit->setValue(state.value(QStringLiteral("limit"), 100).toInt());
    // A custom range is restored as it was, not as "yesterday to now".
    if (const QDateTime from = state.value(QStringLiteral("from")).toDateTime(); from.isValid())
        m_from->setDateTime(from);
    if (const QDateTime to = state.value(QStringLiteral("to")).toDateTime(); to.isValid())
        m_to->setDateTime(to);
}

} // namespace tracemap
