#pragma once

#include "remote/endpoint.h"

#include <QList>
#include <QObject>
#include <QSet>
#include <QStringList>

#include <expected>
#include <map>
#include <memory>
#include <optional>

class QSettings;

namespace tracemap {

/// A back end the user connected to (File ▸ Connect…): its name, the API it speaks and how to reach it.
struct RemoteConnection {
    QString name; // unique; what the search dock's source selector shows
    remote::BackendKind kind = remote::BackendKind::Jaeger;
    remote::Endpoint endpoint; // headers complete, secret values included, once loaded

    bool operator==(const RemoteConnection&) const = default;
};

/// Where the values of secret headers live: the platform key store (QtKeychain: the Secret Service or KWallet), or
/// memory in tests. Never the settings file. Calls block until the store answers.
class SecretStore {
public:
    virtual ~SecretStore() = default;
    /// The value saved under `key`, or an empty value when there is none.
    virtual std::expected<QByteArray, QString> read(const QString& key) = 0;
    virtual std::expected<void, QString> write(const QString& key, const QByteArray& value) = 0;
    virtual std::expected<void, QString> remove(const QString& key) = 0;

    /// QtKeychain, under the service name "tracemap". Its errors say the key store is unavailable and why.
    static std::unique_ptr<SecretStore> keychain();
    static std::unique_ptr<SecretStore> inMemory();
};

/// The saved connections. Names, kinds, URLs, CA files, timeouts, header names and the values of headers that are
/// not secret go to QSettings (group "connections"); the values of secret headers (isSecretHeader) go to the
/// SecretStore under "connection/<name>/<header name>", and the settings file keeps only their names.
class ConnectionStore : public QObject {
    Q_OBJECT

public:
    ConnectionStore(QSettings& settings, SecretStore& secrets, QObject* parent = nullptr);

    /// Every saved connection, secrets read back. A secret the store cannot give leaves its header out and is
    /// reported by lastProblem().
    QList<RemoteConnection> connections() const;
    /// The saved names, in order, without asking the key store.
    QStringList names() const;
    /// The saved connections without their secrets (the key store is not asked): for lists of names and kinds.
    QList<RemoteConnection> withoutSecrets() const;
    std::optional<RemoteConnection> connection(const QString& name) const;
    /// Adds a connection, or replaces the one called `previousName` (a rename moves its secrets).
    std::expected<void, QString> save(const RemoteConnection& connection, const QString& previousName = {});
    std::expected<void, QString> remove(const QString& name);
    /// What the key store refused during the last call that nevertheless succeeded: a secret left out on reading,
    /// or one kept in memory for this session only (never in the settings) when it could not be written. Empty
    /// when all went well.
    QString lastProblem() const { return m_lastProblem; }

    /// Why an endpoint cannot be saved or tried (not http(s), no host, a password in the URL, a missing CA file);
    /// empty when it can.
    static QString endpointProblem(const remote::Endpoint& endpoint);

    /// Authorization, Proxy-Authorization, Cookie, and any header whose name holds "token", "key", "secret",
    /// "password" or "auth" (case-insensitive).
    static bool isSecretHeader(const QByteArray& name);

Q_SIGNALS:
    void changed();

private:
    /// The secret from this session's memory when the key store refused it, else from the store.
    std::expected<QByteArray, QString> readSecret(const QString& key) const;
    void writeSecret(const QString& key, const QByteArray& value, const QByteArray& header, const QString& name);
    void removeSecret(const QString& key, const QByteArray& header, const QString& name);
    /// Puts the secret values into the headers that the settings list by name only.
    void fillSecrets(RemoteConnection& connection) const;
    void note(const QString& problem) const;

    QSettings& m_settings;
    SecretStore& m_secrets;
    /// The secrets the key store could not take, by key: they live as long as this object.
    std::map<QString, QByteArray> m_unsaved;
    mutable QString m_lastProblem;
    mutable QSet<QString> m_unreadable; // secret keys the key store refused to read this session
};

} // namespace tracemap
