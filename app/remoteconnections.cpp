#include "remoteconnections.h"

#include <qt6keychain/keychain.h>

#include <QEventLoop>
#include <QFileInfo>
#include <QSettings>
#include <QTimer>

namespace tracemap {

namespace {

// Long enough for the user to answer a wallet's unlock prompt; a store that never answers must not hang the window.
constexpr int kKeyStoreTimeoutMs = 60000;

QString unavailable(const QString& why)
{
    return QStringLiteral("the key store is unavailable (%1)").arg(why);
}

QString whyFailed(const QKeychain::Job& job)
{
    switch (job.error()) {
    case QKeychain::NoBackendAvailable:
        return QStringLiteral("no key store service is running");
    case QKeychain::AccessDeniedByUser:
        return QStringLiteral("access denied by the user");
    case QKeychain::AccessDenied:
        return QStringLiteral("access denied");
    case QKeychain::NotImplemented:
        return QStringLiteral("none on this platform");
    default:
        break;
    }
    // All QtKeychain says on Linux when its Secret Service or GNOME Keyring call cannot start, as without a D-Bus
    // session.
    if (job.errorString().isEmpty() || job.errorString() == QLatin1String("Unknown error"))
        return QStringLiteral("no Secret Service or KWallet answered");
    return job.errorString();
}

// Runs the job to its end in a local event loop. User input waits meanwhile, so that the dialog that asked cannot be
// re-entered. Reading an entry that is not there succeeds with an empty value; so does deleting it.
template <typename Job>
std::expected<std::unique_ptr<Job>, QString> runJob(std::unique_ptr<Job> job, const QString& key)
{
    job->setAutoDelete(false);
    job->setKey(key);
    QEventLoop loop;
    bool ended = false;
    QObject::connect(job.get(), &QKeychain::Job::finished, &loop, [&] {
        ended = true;
        loop.quit();
    });
    QTimer::singleShot(kKeyStoreTimeoutMs, &loop, &QEventLoop::quit);
    job->start();
    if (!ended)
        loop.exec(QEventLoop::ExcludeUserInputEvents);
    if (!ended) {
        // Still running: deleting it now would leave the backend calling back into a dead object.
        job->setAutoDelete(true);
        (void)job.release();
        return std::unexpected(unavailable(QStringLiteral("no answer in %1 s").arg(kKeyStoreTimeoutMs / 1000)));
    }
    if (job->error() != QKeychain::NoError && job->error() != QKeychain::EntryNotFound)
        return std::unexpected(unavailable(whyFailed(*job)));
    return job;
}

// QtKeychain without its insecure fallback: a secret goes to the platform store or nowhere, never to a plain file.
class KeychainSecretStore final : public SecretStore {
public:
    std::expected<QByteArray, QString> read(const QString& key) override
    {
        auto job = runJob(std::make_unique<QKeychain::ReadPasswordJob>(kService), key);
        if (!job)
            return std::unexpected(job.error());
        return (*job)->binaryData();
    }

    std::expected<void, QString> write(const QString& key, const QByteArray& value) override
    {
        auto job = std::make_unique<QKeychain::WritePasswordJob>(kService);
        job->setBinaryData(value);
        if (auto done = runJob(std::move(job), key); !done)
            return std::unexpected(done.error());
        return {};
    }

    std::expected<void, QString> remove(const QString& key) override
    {
        if (auto done = runJob(std::make_unique<QKeychain::DeletePasswordJob>(kService), key); !done)
            return std::unexpected(done.error());
        return {};
    }

private:
    const QString kService = QStringLiteral("tracemap");
};

class MemorySecretStore final : public SecretStore {
public:
    std::expected<QByteArray, QString> read(const QString& key) override
    {
        const auto found = m_values.find(key);
        return found != m_values.end() ? found->second : QByteArray();
    }

    std::expected<void, QString> write(const QString& key, const QByteArray& value) override
    {
        m_values[key] = value;
        return {};
    }

    std::expected<void, QString> remove(const QString& key) override
    {
        m_values.erase(key);
        return {};
    }

private:
    std::map<QString, QByteArray> m_values;
};

QString secretKey(const QString& connection, const QByteArray& header)
{
    return QStringLiteral("connection/%1/%2").arg(connection, QString::fromUtf8(header));
}

qsizetype indexOf(const QList<RemoteConnection>& list, const QString& name)
{
    for (qsizetype i = 0; i < list.size(); ++i)
        if (list[i].name == name)
            return i;
    return -1;
}

// The connections as the settings hold them: secret headers have their names and empty values.
QList<RemoteConnection> readSettings(QSettings& settings)
{
    QList<RemoteConnection> list;
    const int count = settings.beginReadArray(QStringLiteral("connections"));
    for (int i = 0; i < count; ++i) {
        settings.setArrayIndex(i);
        RemoteConnection c;
        c.name = settings.value(QStringLiteral("name")).toString();
        c.kind = remote::backendKindFromName(settings.value(QStringLiteral("kind")).toString()).value_or(c.kind);
        c.endpoint.baseUrl = QUrl(settings.value(QStringLiteral("url")).toString());
        c.endpoint.caFile = settings.value(QStringLiteral("caFile")).toString();
        c.endpoint.timeoutMs = settings.value(QStringLiteral("timeoutMs"), c.endpoint.timeoutMs).toInt();
        const int headers = settings.beginReadArray(QStringLiteral("headers"));
        for (int h = 0; h < headers; ++h) {
            settings.setArrayIndex(h);
            const QByteArray name = settings.value(QStringLiteral("name")).toString().toUtf8();
            const QByteArray value = ConnectionStore::isSecretHeader(name)
                ? QByteArray()
                : settings.value(QStringLiteral("value")).toString().toUtf8();
            c.endpoint.headers.emplace_back(name, value);
        }
        settings.endArray();
        list << c;
    }
    settings.endArray();
    return list;
}

std::expected<void, QString> writeSettings(QSettings& settings, const QList<RemoteConnection>& list)
{
    settings.remove(QStringLiteral("connections"));
    settings.beginWriteArray(QStringLiteral("connections"), int(list.size()));
    for (qsizetype i = 0; i < list.size(); ++i) {
        const RemoteConnection& c = list[i];
        settings.setArrayIndex(int(i));
        settings.setValue(QStringLiteral("name"), c.name);
        settings.setValue(QStringLiteral("kind"), remote::backendKindName(c.kind));
        settings.setValue(QStringLiteral("url"), c.endpoint.baseUrl.toString());
        settings.setValue(QStringLiteral("caFile"), c.endpoint.caFile);
        settings.setValue(QStringLiteral("timeoutMs"), c.endpoint.timeoutMs);
        settings.beginWriteArray(QStringLiteral("headers"), int(c.endpoint.headers.size()));
        for (size_t h = 0; h < c.endpoint.headers.size(); ++h) {
            const auto& [name, value] = c.endpoint.headers[h];
            settings.setArrayIndex(int(h));
            settings.setValue(QStringLiteral("name"), QString::fromUtf8(name));
            if (!ConnectionStore::isSecretHeader(name))
                settings.setValue(QStringLiteral("value"), QString::fromUtf8(value));
        }
        settings.endArray();
    }
    settings.endArray();
    settings.sync();
    if (settings.status() != QSettings::NoError)
        return std::unexpected(ConnectionStore::tr("The settings cannot be written to %1.").arg(settings.fileName()));
    return {};
}

} // namespace

std::unique_ptr<SecretStore> SecretStore::keychain()
{
    return std::make_unique<KeychainSecretStore>();
}

std::unique_ptr<SecretStore> SecretStore::inMemory()
{
    return std::make_unique<MemorySecretStore>();
}

ConnectionStore::ConnectionStore(QSettings& settings, SecretStore& secrets, QObject* parent)
    : QObject(parent)
    , m_settings(settings)
    , m_secrets(secrets)
{
}

QList<RemoteConnection> ConnectionStore::connections() const
{
    m_lastProblem.clear();
    QList<RemoteConnection> list = readSettings(m_settings);
    for (RemoteConnection& c : list)
        fillSecrets(c);
    return list;
}

QStringList ConnectionStore::names() const
{
    QStringList names;
    for (const RemoteConnection& c : readSettings(m_settings))
        names << c.name;
    return names;
}

QList<RemoteConnection> ConnectionStore::withoutSecrets() const
{
    return readSettings(m_settings);
}

std::optional<RemoteConnection> ConnectionStore::connection(const QString& name) const
{
    m_lastProblem.clear();
    QList<RemoteConnection> list = readSettings(m_settings);
    const qsizetype at = indexOf(list, name);
    if (at < 0)
        return std::nullopt;
    fillSecrets(list[at]);
    return list[at];
}

std::expected<void, QString> ConnectionStore::save(const RemoteConnection& connection, const QString& previousName)
{
    m_lastProblem.clear();
    RemoteConnection saved = connection;
    saved.name = connection.name.trimmed();
    if (saved.name.isEmpty())
        return std::unexpected(tr("The connection needs a name."));
    if (const QString problem = endpointProblem(saved.endpoint); !problem.isEmpty())
        return std::unexpected(problem);
    QStringList headerNames;
    for (const auto& header : saved.endpoint.headers) {
        const QString name = QString::fromUtf8(header.first);
        // Two secret headers of one name would share one key-store entry.
        if (headerNames.contains(name, Qt::CaseInsensitive))
            return std::unexpected(tr("The header %1 is given twice.").arg(name));
        headerNames << name;
    }
    QList<RemoteConnection> list = readSettings(m_settings);
    const qsizetype at = previousName.isEmpty() ? -1 : indexOf(list, previousName);
    if (!previousName.isEmpty() && at < 0)
        return std::unexpected(tr("There is no connection called “%1” any more.").arg(previousName));
    for (qsizetype i = 0; i < list.size(); ++i)
        if (i != at && list[i].name.compare(saved.name, Qt::CaseInsensitive) == 0)
            return std::unexpected(tr("A connection called “%1” exists already.").arg(list[i].name));

    QStringList keys;
    for (const auto& [header, value] : saved.endpoint.headers) {
        if (isSecretHeader(header)) {
            keys << secretKey(saved.name, header);
            writeSecret(keys.last(), value, header, saved.name);
        }
    }
    const RemoteConnection previous = at >= 0 ? list[at] : RemoteConnection();
    // A secret the key store would not give (a locked wallet) was left out of what the dialog showed, so the user
    // could not have removed it: its header stays, its value stays in the key store.
    if (previous.name == saved.name) {
        for (const auto& header : previous.endpoint.headers) {
            const QString key = secretKey(previous.name, header.first);
            if (isSecretHeader(header.first) && m_unreadable.contains(key) && !keys.contains(key)) {
                saved.endpoint.headers.emplace_back(header.first, QByteArray());
                keys << key;
            }
        }
    }
    if (at >= 0)
        list[at] = saved;
    else
        list << saved;
    if (auto written = writeSettings(m_settings, list); !written)
        return written;
    // What the new secrets did not overwrite: the old name's (a rename) and the headers taken out.
    for (const auto& header : previous.endpoint.headers) {
        const QString key = secretKey(previous.name, header.first);
        if (isSecretHeader(header.first) && !keys.contains(key))
            removeSecret(key, header.first, previous.name);
    }
    Q_EMIT changed();
    return {};
}

std::expected<void, QString> ConnectionStore::remove(const QString& name)
{
    m_lastProblem.clear();
    QList<RemoteConnection> list = readSettings(m_settings);
    const qsizetype at = indexOf(list, name);
    if (at < 0)
        return std::unexpected(tr("There is no connection called “%1”.").arg(name));
    const RemoteConnection removed = list.takeAt(at);
    if (auto written = writeSettings(m_settings, list); !written)
        return written;
    for (const auto& header : removed.endpoint.headers)
        if (isSecretHeader(header.first))
            removeSecret(secretKey(name, header.first), header.first, name);
    Q_EMIT changed();
    return {};
}

QString ConnectionStore::endpointProblem(const remote::Endpoint& endpoint)
{
    const QUrl& url = endpoint.baseUrl;
    const QString scheme = url.scheme().toLower();
    if (!url.isValid() || (scheme != QLatin1String("http") && scheme != QLatin1String("https")))
        return tr("The URL must start with http:// or https://.");
    if (url.host().isEmpty())
        return tr("The URL has no host.");
    if (!url.password().isEmpty())
        return tr("A password in the URL would be saved in plain text: give it in an Authorization header.");
    if (!endpoint.caFile.isEmpty() && !QFileInfo(endpoint.caFile).isFile())
        return tr("The CA file %1 does not exist.").arg(endpoint.caFile);
    return {};
}

bool ConnectionStore::isSecretHeader(const QByteArray& name)
{
    const QByteArray lower = name.trimmed().toLower();
    // "auth" covers Authorization and Proxy-Authorization.
    if (lower == "cookie")
        return true;
    for (const char* word : { "token", "key", "secret", "password", "auth" })
        if (lower.contains(word))
            return true;
    return false;
}

std::expected<QByteArray, QString> ConnectionStore::readSecret(const QString& key) const
{
    if (const auto kept = m_unsaved.find(key); kept != m_unsaved.end())
        return kept->second;
    return m_secrets.read(key);
}

void ConnectionStore::writeSecret(
    const QString& key, const QByteArray& value, const QByteArray& header, const QString& name)
{
    if (auto written = m_secrets.write(key, value); !written) {
        m_unsaved[key] = value;
        note(tr("%1: the %2 header of “%3” is kept for this session only.")
                 .arg(written.error(), QString::fromUtf8(header), name));
        return;
    }
    m_unsaved.erase(key);
}

void ConnectionStore::removeSecret(const QString& key, const QByteArray& header, const QString& name)
{
    m_unsaved.erase(key);
    if (auto removed = m_secrets.remove(key); !removed)
        note(tr("%1: the %2 header of “%3” stays in it.").arg(removed.error(), QString::fromUtf8(header), name));
}

void ConnectionStore::fillSecrets(RemoteConnection& connection) const
{
    std::vector<std::pair<QByteArray, QByteArray>> headers;
    for (const auto& [header, value] : connection.endpoint.headers) {
        if (!isSecretHeader(header)) {
            headers.emplace_back(header, value);
            continue;
        }
        const QString key = secretKey(connection.name, header);
        auto secret = readSecret(key);
        if (secret) {
            headers.emplace_back(header, *secret);
            m_unreadable.remove(key);
            continue;
        }
        m_unreadable.insert(key); // save() must not take it for a header the user removed
        note(tr("%1: the %2 header of “%3” is left out.")
                 .arg(secret.error(), QString::fromUtf8(header), connection.name));
    }
    connection.endpoint.headers = std::move(headers);
}

void ConnectionStore::note(const QString& problem) const
{
    if (!m_lastProblem.isEmpty())
        m_lastProblem += QLatin1Char('\n');
    m_lastProblem += problem;
}

} // namespace tracemap
