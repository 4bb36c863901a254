#include "connectionsdialog.h"

#include "remote/httpfetcher.h"
#include "remote/remoteclient.h"
#include "workerjob.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QVBoxLayout>

namespace tracemap {

namespace {

struct TestOutcome {
    std::optional<remote::BackendKind> detected;
    bool ok = false;
    QString message; // the back end's description, or the error
};

// On a worker thread: the client is made here, since it belongs to the thread that runs it.
TestOutcome tryEndpoint(
    const remote::Endpoint& endpoint, std::optional<remote::BackendKind> kind, const std::atomic_bool* cancel)
{
    TestOutcome outcome;
    if (!kind) {
        const auto detected = remote::RemoteClient::detect(endpoint, cancel);
        if (!detected) {
            outcome.message = detected.error().message;
            return outcome;
        }
        kind = outcome.detected = *detected;
    }
    auto client = remote::RemoteClient::create(*kind, endpoint);
    client->http().setCancelFlag(cancel);
    const auto probed = client->probe();
    outcome.ok = probed.has_value();
    outcome.message = probed ? *probed : probed.error().message;
    return outcome;
}

} // namespace

ConnectionsDialog::ConnectionsDialog(ConnectionStore& store, QWidget* parent)
    : QDialog(parent)
    , m_store(store)
    , m_list(new QListWidget(this))
    , m_add(new QPushButton(tr("Add"), this))
    , m_remove(new QPushButton(tr("Remove"), this))
    , m_name(new QLineEdit(this))
    , m_kind(new QComboBox(this))
    , m_url(new QLineEdit(this))
    , m_headers(new QPlainTextEdit(this))
    , m_caFile(new QLineEdit(this))
    , m_timeout(new QSpinBox(this))
    , m_test(new QPushButton(tr("Test connection"), this))
    , m_save(new QPushButton(tr("Save"), this))
    , m_status(new QLabel(this))
{
    setWindowTitle(tr("Connections"));
    setObjectName(QStringLiteral("connections"));
    m_kind->addItem(tr("Detect automatically"));
    const remote::BackendKind kinds[]
        = { remote::BackendKind::Jaeger, remote::BackendKind::Tempo, remote::BackendKind::Zipkin };
    for (const remote::BackendKind kind : kinds)
        m_kind->addItem(remote::backendDisplayName(kind), remote::backendKindName(kind));
    m_url->setPlaceholderText(QStringLiteral("http://localhost:16686"));
    m_url->setToolTip(tr("The query API's address, with the path prefix of a reverse proxy if there is one."));
    m_headers->setPlaceholderText(QStringLiteral("Authorization: Bearer …\nX-Scope-OrgID: tenant"));
    m_headers->setToolTip(tr("Sent with every request, one \"Name: value\" per line. The values of Authorization, "
                             "Cookie and of headers whose name holds token, key, secret, password or auth go to the "
                             "system key store, never to the settings file, and show as %1: type over it to change it.")
                              .arg(secretMask()));
    m_headers->setTabChangesFocus(true);
    m_headers->setFixedHeight(m_headers->fontMetrics().lineSpacing() * 5);
    m_caFile->setPlaceholderText(tr("the system's CA certificates only"));
    m_timeout->setRange(1, 3600);
    m_timeout->setSuffix(tr(" s"));
    m_timeout->setToolTip(tr("A request fails when the server sends nothing for this long."));
    m_status->setObjectName(QStringLiteral("connectionStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* browse = new QPushButton(tr("Browse…"), this);
    auto* caRow = new QHBoxLayout;
    caRow->addWidget(m_caFile);
    caRow->addWidget(browse);
    auto* form = new QFormLayout;
    form->addRow(tr("Name"), m_name);
    form->addRow(tr("Kind"), m_kind);
    form->addRow(tr("URL"), m_url);
    form->addRow(tr("Headers"), m_headers);
    form->addRow(tr("CA file"), caRow);
    form->addRow(tr("Timeout"), m_timeout);
    auto* actions = new QHBoxLayout;
    actions->addWidget(m_test);
    actions->addWidget(m_save);
    actions->addStretch();
    auto* right = new QVBoxLayout;
    right->addLayout(form);
    right->addLayout(actions);
    right->addWidget(m_status);
    right->addStretch();

    auto* listButtons = new QHBoxLayout;
    listButtons->addWidget(m_add);
    listButtons->addWidget(m_remove);
    auto* left = new QVBoxLayout;
    left->addWidget(m_list);
    left->addLayout(listButtons);

    auto* columns = new QHBoxLayout;
    columns->addLayout(left, 1);
    columns->addLayout(right, 3);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(columns);
    layout->addWidget(buttons);

    connect(buttons, &QDialogButtonBox::rejected, this, &ConnectionsDialog::reject);
    connect(m_list, &QListWidget::itemSelectionChanged, this, &ConnectionsDialog::editSelected);
    connect(m_add, &QPushButton::clicked, this, &ConnectionsDialog::addConnection);
    connect(m_remove, &QPushButton::clicked, this, &ConnectionsDialog::removeConnection);
    connect(browse, &QPushButton::clicked, this, &ConnectionsDialog::browseCaFile);
    connect(m_test, &QPushButton::clicked, this, &ConnectionsDialog::testConnection);
    connect(m_save, &QPushButton::clicked, this, &ConnectionsDialog::save);

    addConnection();
    reloadList();
    if (m_list->count() > 0)
        m_list->setCurrentRow(0);
}

ConnectionsDialog::~ConnectionsDialog()
{
    stopTest();
}

QString ConnectionsDialog::secretMask()
{
    return QStringLiteral("\u2022\u2022\u2022\u2022");
}

void ConnectionsDialog::setForm(const RemoteConnection& connection)
{
    stopTest();
    m_name->setText(connection.name);
    m_kind->setCurrentIndex(m_kind->findData(remote::backendKindName(connection.kind)));
    m_url->setText(connection.endpoint.baseUrl.toString());
    m_maskedSecrets.clear();
    QStringList lines;
    for (const auto& header : connection.endpoint.headers) {
        const bool masked = ConnectionStore::isSecretHeader(header.first) && !header.second.isEmpty();
        if (masked)
            m_maskedSecrets.push_back(header);
        lines << QString::fromUtf8(header.first) + QStringLiteral(": ")
                + (masked ? secretMask() : QString::fromUtf8(header.second));
    }
    m_headers->setPlainText(lines.join(QLatin1Char('\n')));
    m_caFile->setText(connection.endpoint.caFile);
    m_timeout->setValue((connection.endpoint.timeoutMs + 999) / 1000);
}

std::expected<remote::Endpoint, QString> ConnectionsDialog::formEndpoint() const
{
    remote::Endpoint endpoint;
    endpoint.baseUrl = QUrl(m_url->text().trimmed());
    endpoint.caFile = m_caFile->text().trimmed();
    endpoint.timeoutMs = m_timeout->value() * 1000;
    const QStringList lines = m_headers->toPlainText().split(QLatin1Char('\n'));
    for (qsizetype i = 0; i < lines.size(); ++i) {
        if (lines[i].trimmed().isEmpty())
            continue;
        // The line itself stays out of the message: it may hold a token.
        auto header = remote::parseHeader(lines[i]);
        if (!header)
            return std::unexpected(tr("Header line %1 is not \"Name: value\".").arg(i + 1));
        if (ConnectionStore::isSecretHeader(header->first) && header->second == secretMask().toUtf8()) {
            const auto saved = std::ranges::find_if(m_maskedSecrets,
                [&](const auto& secret) { return secret.first.compare(header->first, Qt::CaseInsensitive) == 0; });
            if (saved == m_maskedSecrets.end())
                return std::unexpected(
                    tr("Header line %1: type the value of %2.").arg(i + 1).arg(QString::fromUtf8(header->first)));
            header->second = saved->second;
        }
        endpoint.headers.push_back(*header);
    }
    return endpoint;
}

std::optional<remote::BackendKind> ConnectionsDialog::formKind() const
{
    return remote::backendKindFromName(m_kind->currentData().toString());
}

std::expected<RemoteConnection, QString> ConnectionsDialog::formConnection() const
{
    auto endpoint = formEndpoint();
    if (!endpoint)
        return std::unexpected(endpoint.error());
    if (const QString problem = ConnectionStore::endpointProblem(*endpoint); !problem.isEmpty())
        return std::unexpected(problem);
    const auto kind = formKind() ? formKind() : remote::guessBackendKind(endpoint->baseUrl);
    if (!kind)
        return std::unexpected(tr("Choose the kind, or test the connection to detect it."));
    return RemoteConnection { m_name->text().trimmed(), *kind, std::move(*endpoint) };
}

void ConnectionsDialog::testConnection()
{
    const auto endpoint = formEndpoint();
    const QString problem = endpoint ? ConnectionStore::endpointProblem(*endpoint) : endpoint.error();
    if (!problem.isEmpty()) {
        showStatus(problem, Tone::Bad);
        Q_EMIT tested(false, problem);
        return;
    }
    stopTest();
    auto cancel = std::make_shared<std::atomic_bool>(false);
    m_cancelTest = cancel;
    const quint64 generation = m_testGeneration;
    showStatus(tr("Connecting to %1…").arg(remote::HttpFetcher::shown(endpoint->baseUrl)), Tone::Plain);
    runOnWorker(
        this, [endpoint = *endpoint, kind = formKind(), cancel] { return tryEndpoint(endpoint, kind, cancel.get()); },
        [this, generation](const TestOutcome& outcome) {
            if (generation != m_testGeneration)
                return;
            m_cancelTest.reset();
            if (outcome.detected && !formKind())
                m_kind->setCurrentIndex(m_kind->findData(remote::backendKindName(*outcome.detected)));
            showStatus(outcome.ok ? tr("Connected: %1").arg(outcome.message) : outcome.message,
                outcome.ok ? Tone::Good : Tone::Bad);
            Q_EMIT tested(outcome.ok, outcome.message);
        });
}

void ConnectionsDialog::save()
{
    const auto connection = formConnection();
    if (!connection) {
        showStatus(connection.error(), Tone::Bad);
        return;
    }
    if (auto saved = m_store.save(*connection, m_editing); !saved) {
        showStatus(saved.error(), Tone::Bad);
        return;
    }
    const QString problem = m_store.lastProblem();
    m_editing = connection->name;
    setForm(*connection);
    reloadList();
    showStatus(
        problem.isEmpty() ? tr("Saved “%1”.").arg(m_editing) : problem, problem.isEmpty() ? Tone::Good : Tone::Bad);
}

void ConnectionsDialog::addConnection()
{
    m_editing.clear();
    {
        const QSignalBlocker blocker(m_list);
        m_list->setCurrentItem(nullptr);
        m_list->clearSelection();
    }
    setForm(RemoteConnection());
    m_kind->setCurrentIndex(0);
    m_remove->setEnabled(false);
    showStatus({}, Tone::Plain);
    m_name->setFocus();
}

void ConnectionsDialog::removeConnection()
{
    if (m_editing.isEmpty())
        return;
    const QString name = m_editing;
    if (auto removed = m_store.remove(name); !removed) {
        showStatus(removed.error(), Tone::Bad);
        return;
    }
    const QString problem = m_store.lastProblem();
    addConnection();
    reloadList();
    showStatus(
        problem.isEmpty() ? tr("Removed “%1”.").arg(name) : problem, problem.isEmpty() ? Tone::Plain : Tone::Bad);
}

void ConnectionsDialog::editSelected()
{
    const QListWidgetItem* item = m_list->currentItem();
    if (!item || !item->isSelected())
        return;
    const auto connection = m_store.connection(item->text());
    if (!connection) {
        reloadList();
        return;
    }
    m_editing = connection->name;
    setForm(*connection);
    m_remove->setEnabled(true);
    const QString problem = m_store.lastProblem();
    showStatus(problem, problem.isEmpty() ? Tone::Plain : Tone::Bad);
}

void ConnectionsDialog::reloadList()
{
    const QSignalBlocker blocker(m_list);
    m_list->clear();
    m_list->addItems(m_store.names());
    const auto found = m_list->findItems(m_editing, Qt::MatchExactly);
    if (!found.isEmpty())
        m_list->setCurrentItem(found.first());
    m_remove->setEnabled(!found.isEmpty());
}

void ConnectionsDialog::stopTest()
{
    if (m_cancelTest)
        *m_cancelTest = true;
    m_cancelTest.reset();
    ++m_testGeneration;
}

void ConnectionsDialog::browseCaFile()
{
    const QString file = QFileDialog::getOpenFileName(this, tr("CA certificate"),
        QFileInfo(m_caFile->text()).absolutePath(), tr("PEM certificates (*.pem *.crt);;All files (*)"));
    if (!file.isEmpty())
        m_caFile->setText(file);
}

void ConnectionsDialog::showStatus(const QString& text, Tone tone)
{
    static const QString good = QStringLiteral("color: #1b7a34");
    static const QString bad = QStringLiteral("color: #b00020");
    m_status->setStyleSheet(tone == Tone::Good ? good : tone == Tone::Bad ? bad : QString());
    m_status->setText(text);
}

} // namespace tracemap
