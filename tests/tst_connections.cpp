// Saved back-end connections (File ▸ Connect…): every field survives a save and a load, the values of secret
// headers never reach the settings file but come back from the secret store, a rename moves them and a removal
// deletes them, and a key store that refuses keeps them for the session only. Then the Connections dialog: its
// validation, Save, and "Test connection" against an in-test Tempo (fakebackend.h) and a closed port.

#include "fakebackend.h"
#include "testsupport.h"

#include "connectionsdialog.h"
#include "remoteconnections.h"

#include <QComboBox>
#include <QElapsedTimer>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QtTest/QtTest>

using namespace tracemap;
using remote::BackendKind;

namespace {

const QByteArray kToken = "Bearer s3cret-token-1234";
const QByteArray kApiKey = "k3y-5678-abcd";

/// Connections in one temporary INI file, secrets in memory; settings() opens the file again, as a new session does.
struct Fixture {
    QTemporaryDir dir;
    QString ini = dir.filePath(QStringLiteral("tracemap.ini"));
    std::unique_ptr<QSettings> settingsFile = settings();
    std::unique_ptr<SecretStore> secrets = SecretStore::inMemory();
    ConnectionStore store { *settingsFile, *secrets };

    std::unique_ptr<QSettings> settings() const { return std::make_unique<QSettings>(ini, QSettings::IniFormat); }
    QByteArray iniBytes() const { return testsupport::readAll(ini); }
    QByteArray secret(const char* key) const { return secrets->read(QString::fromUtf8(key)).value_or("(error)"); }
};

RemoteConnection prod(const QString& caFile)
{
    RemoteConnection c;
    c.name = QStringLiteral("prod");
    c.kind = BackendKind::Tempo;
    c.endpoint.baseUrl = QUrl(QStringLiteral("https://proxy.example/tempo"));
    c.endpoint.headers = { { "Authorization", kToken }, { "X-Scope-OrgID", "team-a" }, { "X-API-Key", kApiKey } };
    c.endpoint.caFile = caFile;
    c.endpoint.timeoutMs = 12000;
    return c;
}

/// Every field of a connection, one per line, for one QCOMPARE.
QStringList describe(const RemoteConnection& c)
{
    QStringList lines { c.name, remote::backendKindName(c.kind), c.endpoint.baseUrl.toString(), c.endpoint.caFile,
        QString::number(c.endpoint.timeoutMs) };
    for (const auto& [name, value] : c.endpoint.headers)
        lines << QString::fromUtf8(name + ": " + value);
    return lines;
}

QString withCaFile(const QTemporaryDir& dir)
{
    const QString path = dir.filePath(QStringLiteral("ca.pem"));
    testsupport::writeFile(path, "-----BEGIN CERTIFICATE-----\n");
    return path;
}

/// A key store that is not there, as on a machine without a D-Bus session.
class UnavailableSecretStore final : public SecretStore {
public:
    std::expected<QByteArray, QString> read(const QString&) override { return std::unexpected(kWhy); }
    std::expected<void, QString> write(const QString&, const QByteArray&) override { return std::unexpected(kWhy); }
    std::expected<void, QString> remove(const QString&) override { return std::unexpected(kWhy); }

private:
    const QString kWhy = QStringLiteral("the key store is unavailable (no D-Bus session)");
};

/// A key store that keeps what it is given but will not read it back (a locked wallet the user did not open).
class LockedSecretStore final : public SecretStore {
public:
    std::expected<QByteArray, QString> read(const QString&) override
    {
        return std::unexpected(QStringLiteral("the key store is locked"));
    }
    std::expected<void, QString> write(const QString& key, const QByteArray& value) override
    {
        values[key] = value;
        return {};
    }
    std::expected<void, QString> remove(const QString& key) override
    {
        values.remove(key);
        return {};
    }
    QHash<QString, QByteArray> values;
};

quint16 closedPort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

} // namespace

class TestConnections : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void roundTripKeepsSecretsOutOfTheFile()
    {
        Fixture f;
        const RemoteConnection connection = prod(withCaFile(f.dir));
        QSignalSpy changed(&f.store, &ConnectionStore::changed);
        QVERIFY(f.store.save(connection));
        QCOMPARE(changed.count(), 1);
        QCOMPARE(f.store.lastProblem(), QString());

        const QByteArray ini = f.iniBytes();
        QVERIFY2(!ini.contains("s3cret") && !ini.contains(kApiKey), ini.constData());
        QVERIFY(ini.contains("team-a"));
        QVERIFY(ini.contains("Authorization") && ini.contains("X-API-Key"));
        QCOMPARE(f.secret("connection/prod/Authorization"), kToken);
        QCOMPARE(f.secret("connection/prod/X-API-Key"), kApiKey);
        QCOMPARE(f.secret("connection/prod/X-Scope-OrgID"), QByteArray());

        // Another session: the settings read from the file again.
        const auto settings = f.settings();
        ConnectionStore reopened(*settings, *f.secrets);
        QCOMPARE(reopened.names(), QStringList { QStringLiteral("prod") });
        const QList<RemoteConnection> all = reopened.connections();
        QCOMPARE(all.size(), 1);
        QCOMPARE(describe(all.first()), describe(connection));
        QCOMPARE(reopened.lastProblem(), QString());
        QCOMPARE(describe(reopened.connection(QStringLiteral("prod")).value()), describe(connection));
        QVERIFY(!reopened.connection(QStringLiteral("nope")));
    }

    // A secret the store would not read was never shown, so an edit saved meanwhile must not delete it.
    void unreadableSecretSurvivesAnEdit()
    {
        QTemporaryDir dir;
        QSettings settings(dir.filePath(QStringLiteral("t.ini")), QSettings::IniFormat);
        LockedSecretStore locked;
        ConnectionStore store(settings, locked);
        RemoteConnection c = prod(QString());
        QVERIFY(store.save(c));
        QCOMPARE(locked.values.value(QStringLiteral("connection/prod/Authorization")), kToken);

        RemoteConnection shown = store.connection(QStringLiteral("prod")).value();
        QCOMPARE(shown.endpoint.headers.size(), size_t(1)); // only X-Scope-OrgID: the secrets are left out
        QVERIFY(store.lastProblem().contains(QStringLiteral("left out")));
        shown.endpoint.baseUrl = QUrl(QStringLiteral("https://moved.example/tempo"));
        QVERIFY(store.save(shown, QStringLiteral("prod")));
        QCOMPARE(locked.values.value(QStringLiteral("connection/prod/Authorization")), kToken);
        QCOMPARE(locked.values.value(QStringLiteral("connection/prod/X-API-Key")), kApiKey);
        const QByteArray ini = testsupport::readAll(dir.filePath(QStringLiteral("t.ini")));
        QVERIFY2(ini.contains("Authorization") && ini.contains("X-API-Key"), ini.constData());
        QVERIFY(ini.contains("moved.example"));
    }

    void renameMovesSecretsAndRemoveDeletesThem()
    {
        Fixture f;
        RemoteConnection connection = prod({});
        QVERIFY(f.store.save(connection));
        const QString previous = connection.name;
        connection.name = QStringLiteral("staging");
        connection.endpoint.headers.pop_back(); // X-API-Key taken out
        QVERIFY(f.store.save(connection, previous));
        QCOMPARE(f.store.names(), QStringList { QStringLiteral("staging") });
        QCOMPARE(f.secret("connection/prod/Authorization"), QByteArray());
        QCOMPARE(f.secret("connection/prod/X-API-Key"), QByteArray());
        QCOMPARE(f.secret("connection/staging/Authorization"), kToken);
        QCOMPARE(f.secret("connection/staging/X-API-Key"), QByteArray());
        QCOMPARE(describe(f.store.connection(QStringLiteral("staging")).value()), describe(connection));

        QSignalSpy changed(&f.store, &ConnectionStore::changed);
        QVERIFY(f.store.remove(QStringLiteral("staging")));
        QCOMPARE(changed.count(), 1);
        QCOMPARE(f.secret("connection/staging/Authorization"), QByteArray());
        QCOMPARE(f.store.names(), QStringList());
        QVERIFY(!f.iniBytes().contains("staging"));
        const auto again = f.store.remove(QStringLiteral("staging"));
        QVERIFY(!again);
        QVERIFY(again.error().contains(QStringLiteral("no connection called")));
    }

    void refusesBadConnections_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("caFile");
        QTest::addColumn<QByteArray>("extraHeader");
        QTest::addColumn<QString>("previousName");
        QTest::addColumn<QString>("message");
        const QString ok = QStringLiteral("http://localhost:16686");
        QTest::newRow("empty name") << QStringLiteral("  ") << ok << QString() << QByteArray() << QString()
                                    << QStringLiteral("The connection needs a name.");
        QTest::newRow("taken name") << QStringLiteral("PROD") << ok << QString() << QByteArray() << QString()
                                    << QStringLiteral("A connection called “prod” exists already.");
        QTest::newRow("renamed onto another")
            << QStringLiteral("prod") << ok << QString() << QByteArray() << QStringLiteral("dev")
            << QStringLiteral("A connection called “prod” exists already.");
        QTest::newRow("ftp") << QStringLiteral("x") << QStringLiteral("ftp://host/") << QString() << QByteArray()
                             << QString() << QStringLiteral("The URL must start with http:// or https://.");
        QTest::newRow("no scheme") << QStringLiteral("x") << QStringLiteral("localhost:16686") << QString()
                                   << QByteArray() << QString()
                                   << QStringLiteral("The URL must start with http:// or https://.");
        QTest::newRow("password in the URL")
            << QStringLiteral("x") << QStringLiteral("https://me:pw@host/") << QString() << QByteArray() << QString()
            << QStringLiteral(
                   "A password in the URL would be saved in plain text: give it in an Authorization header.");
        QTest::newRow("missing CA file") << QStringLiteral("x") << ok << QStringLiteral("/nonexistent/ca.pem")
                                         << QByteArray() << QString()
                                         << QStringLiteral("The CA file /nonexistent/ca.pem does not exist.");
        QTest::newRow("header twice") << QStringLiteral("x") << ok << QString() << QByteArray("authorization")
                                      << QString() << QStringLiteral("The header authorization is given twice.");
        QTest::newRow("gone") << QStringLiteral("x") << ok << QString() << QByteArray() << QStringLiteral("gone")
                              << QStringLiteral("There is no connection called “gone” any more.");
    }

    void refusesBadConnections()
    {
        QFETCH(QString, name);
        QFETCH(QString, url);
        QFETCH(QString, caFile);
        QFETCH(QByteArray, extraHeader);
        QFETCH(QString, previousName);
        QFETCH(QString, message);
        Fixture f;
        RemoteConnection dev = prod({});
        dev.name = QStringLiteral("dev");
        QVERIFY(f.store.save(prod({})));
        QVERIFY(f.store.save(dev));
        const QByteArray before = f.iniBytes();

        RemoteConnection bad = prod(caFile);
        bad.name = name;
        bad.endpoint.baseUrl = QUrl(url);
        if (!extraHeader.isEmpty())
            bad.endpoint.headers.emplace_back(extraHeader, "another");
        QSignalSpy changed(&f.store, &ConnectionStore::changed);
        const auto saved = f.store.save(bad, previousName);
        QVERIFY(!saved);
        QCOMPARE(saved.error(), message);
        QCOMPARE(changed.count(), 0);
        QCOMPARE(f.iniBytes(), before);
    }

    void secretHeaders_data()
    {
        QTest::addColumn<QByteArray>("name");
        QTest::addColumn<bool>("secret");
        QTest::newRow("Authorization") << QByteArray("Authorization") << true;
        QTest::newRow("lower case") << QByteArray("authorization") << true;
        QTest::newRow("Proxy-Authorization") << QByteArray("Proxy-Authorization") << true;
        QTest::newRow("Cookie") << QByteArray("Cookie") << true;
        QTest::newRow("X-API-Key") << QByteArray("X-API-Key") << true;
        QTest::newRow("X-Auth-Token") << QByteArray("X-Auth-Token") << true;
        QTest::newRow("X-Client-Secret") << QByteArray("X-Client-Secret") << true;
        QTest::newRow("X-Grafana-Password") << QByteArray("X-Grafana-Password") << true;
        QTest::newRow("X-Scope-OrgID") << QByteArray("X-Scope-OrgID") << false;
        QTest::newRow("Accept") << QByteArray("Accept") << false;
        QTest::newRow("User-Agent") << QByteArray("User-Agent") << false;
    }

    void secretHeaders()
    {
        QFETCH(QByteArray, name);
        QFETCH(bool, secret);
        QCOMPARE(ConnectionStore::isSecretHeader(name), secret);
    }

    // Without a key store the secrets live in this session's memory, never in the file; the next session lacks them
    // and says so.
    void unavailableKeyStoreKeepsSecretsForTheSession()
    {
        QTemporaryDir dir;
        const QString ini = dir.filePath(QStringLiteral("tracemap.ini"));
        UnavailableSecretStore unavailable;
        const RemoteConnection connection = prod({});
        {
            QSettings settings(ini, QSettings::IniFormat);
            ConnectionStore store(settings, unavailable);
            QVERIFY(store.save(connection));
            QVERIFY2(store.lastProblem().startsWith(QStringLiteral("the key store is unavailable (no D-Bus session): "
                                                                   "the Authorization header of “prod” is kept for "
                                                                   "this session only.")),
                qPrintable(store.lastProblem()));
            const QByteArray bytes = testsupport::readAll(ini);
            QVERIFY(!bytes.contains("s3cret") && !bytes.contains(kApiKey));
            QCOMPARE(describe(store.connection(QStringLiteral("prod")).value()), describe(connection));
            QCOMPARE(store.lastProblem(), QString());
        }
        QSettings settings(ini, QSettings::IniFormat);
        ConnectionStore nextSession(settings, unavailable);
        const auto loaded = nextSession.connection(QStringLiteral("prod"));
        QVERIFY(loaded);
        QCOMPARE(loaded->endpoint.headers.size(), size_t(1));
        QCOMPARE(loaded->endpoint.headers.front().first, QByteArray("X-Scope-OrgID"));
        QCOMPARE(nextSession.lastProblem(),
            QStringLiteral("the key store is unavailable (no D-Bus session): the Authorization header of “prod” is "
                           "left out.\nthe key store is unavailable (no D-Bus session): the X-API-Key header of "
                           "“prod” is left out."));
    }

    // The platform's key store either keeps a value or says why not, promptly (this runs without one in CI).
    void keychainAnswersOrSaysWhy()
    {
        QElapsedTimer timer;
        timer.start();
        const auto keychain = SecretStore::keychain();
        const QString key = QStringLiteral("connection/tst_connections/X-Probe-Token");
        const auto written = keychain->write(key, "probe");
        if (written) {
            QCOMPARE(keychain->read(key).value_or("(error)"), QByteArray("probe"));
            QVERIFY(keychain->remove(key));
            QCOMPARE(keychain->read(key).value_or("(error)"), QByteArray());
        } else {
            qInfo("no key store here: %s", qPrintable(written.error()));
            QVERIFY2(written.error().startsWith(QStringLiteral("the key store is unavailable (")),
                qPrintable(written.error()));
            const auto read = keychain->read(key);
            QVERIFY(!read);
            QVERIFY(read.error().startsWith(QStringLiteral("the key store is unavailable (")));
        }
        QVERIFY2(timer.elapsed() < 10000, qPrintable(QString::number(timer.elapsed())));
    }

    void dialogValidatesAndSaves()
    {
        Fixture f;
        ConnectionsDialog dialog(f.store);
        QCOMPARE(dialog.windowTitle(), QStringLiteral("Connections"));
        QCOMPARE(dialog.list()->count(), 0);
        QCOMPARE(dialog.kindBox()->currentIndex(), 0);
        QCOMPARE(dialog.kindBox()->currentText(), QStringLiteral("Detect automatically"));
        const auto status = [&] { return dialog.statusLabel()->text(); };

        dialog.urlEdit()->setText(QStringLiteral("http://tempo.local:3200"));
        dialog.saveButton()->click();
        QCOMPARE(status(), QStringLiteral("The connection needs a name."));
        dialog.nameEdit()->setText(QStringLiteral("prod"));
        dialog.urlEdit()->setText(QStringLiteral("tempo.local:3200"));
        dialog.saveButton()->click();
        QCOMPARE(status(), QStringLiteral("The URL must start with http:// or https://."));
        dialog.urlEdit()->setText(QStringLiteral("http://tempo.local:3200"));
        dialog.headersEdit()->setPlainText(QStringLiteral("X-Scope-OrgID: team-a\nAuthorization Bearer s3cret"));
        dialog.saveButton()->click();
        QCOMPARE(status(), QStringLiteral("Header line 2 is not \"Name: value\"."));
        QCOMPARE(f.store.names(), QStringList());

        // Detect automatically: the URL's hint names the kind.
        dialog.headersEdit()->setPlainText(QStringLiteral("Authorization: Bearer s3cret\nX-Scope-OrgID: team-a\n"));
        dialog.timeoutBox()->setValue(7);
        dialog.saveButton()->click();
        QCOMPARE(status(), QStringLiteral("Saved “prod”."));
        QCOMPARE(dialog.list()->count(), 1);
        QCOMPARE(dialog.list()->currentItem()->text(), QStringLiteral("prod"));
        QCOMPARE(dialog.kindBox()->currentData().toString(), QStringLiteral("tempo"));
        QCOMPARE(dialog.headersEdit()->toPlainText(),
            QStringLiteral("Authorization: %1\nX-Scope-OrgID: team-a").arg(ConnectionsDialog::secretMask()));
        QVERIFY(!f.iniBytes().contains("s3cret"));
        auto saved = f.store.connection(QStringLiteral("prod")).value();
        QCOMPARE(saved.endpoint.timeoutMs, 7000);
        QCOMPARE(describe(saved).mid(5),
            QStringList({ QStringLiteral("Authorization: Bearer s3cret"), QStringLiteral("X-Scope-OrgID: team-a") }));

        // Saved again with the mask untouched: the secret stays what it was.
        dialog.urlEdit()->setText(QStringLiteral("http://tempo.local:3201"));
        dialog.saveButton()->click();
        saved = f.store.connection(QStringLiteral("prod")).value();
        QCOMPARE(saved.endpoint.baseUrl, QUrl(QStringLiteral("http://tempo.local:3201")));
        QCOMPARE(f.secret("connection/prod/Authorization"), QByteArray("Bearer s3cret"));

        dialog.addConnection();
        QCOMPARE(dialog.nameEdit()->text(), QString());
        QVERIFY(!dialog.removeButton()->isEnabled());
        dialog.nameEdit()->setText(QStringLiteral("Prod"));
        dialog.urlEdit()->setText(QStringLiteral("http://localhost:16686"));
        dialog.saveButton()->click();
        QCOMPARE(status(), QStringLiteral("A connection called “prod” exists already."));
        dialog.nameEdit()->setText(QStringLiteral("other"));
        dialog.urlEdit()->setText(QStringLiteral("http://localhost:8080"));
        dialog.saveButton()->click();
        QCOMPARE(status(), QStringLiteral("Choose the kind, or test the connection to detect it."));
        dialog.kindBox()->setCurrentIndex(dialog.kindBox()->findData(QStringLiteral("zipkin")));
        dialog.saveButton()->click();
        QCOMPARE(f.store.names(), QStringList({ QStringLiteral("prod"), QStringLiteral("other") }));

        // Picking a connection in the list loads it; Remove deletes it and its secret.
        dialog.list()->setCurrentRow(0);
        QCOMPARE(dialog.nameEdit()->text(), QStringLiteral("prod"));
        QCOMPARE(dialog.urlEdit()->text(), QStringLiteral("http://tempo.local:3201"));
        QVERIFY(dialog.removeButton()->isEnabled());
        dialog.removeButton()->click();
        QCOMPARE(f.store.names(), QStringList { QStringLiteral("other") });
        QCOMPARE(f.secret("connection/prod/Authorization"), QByteArray());
        QCOMPARE(dialog.list()->count(), 1);
    }

    // "Detect automatically" against a Tempo: the probes find it, the kind follows, the secret (not its mask) is sent.
    void dialogTestDetectsTempo()
    {
        fakebackend::Server tempo;
        tempo.route("/api/echo", [](const fakebackend::Request&) {
            fakebackend::Response r;
            r.contentType = "text/plain";
            r.body = "echo";
            return r;
        });
        Fixture f;
        ConnectionsDialog dialog(f.store);
        RemoteConnection connection;
        connection.name = QStringLiteral("local");
        connection.endpoint.baseUrl = tempo.url();
        connection.endpoint.headers = { { "Authorization", "Bearer s3cret" } };
        dialog.setForm(connection);
        dialog.kindBox()->setCurrentIndex(0);
        QSignalSpy tested(&dialog, &ConnectionsDialog::tested);
        dialog.testButton()->click();
        QTRY_COMPARE(tested.count(), 1);
        QCOMPARE(tested.first().at(0).toBool(), true);
        QCOMPARE(tested.first().at(1).toString(), QStringLiteral("Grafana Tempo"));
        QCOMPARE(dialog.statusLabel()->text(), QStringLiteral("Connected: Grafana Tempo"));
        QCOMPARE(dialog.kindBox()->currentData().toString(), QStringLiteral("tempo"));
        QVERIFY(tempo.paths().contains("/api/echo"));
        for (const fakebackend::Request& request : tempo.requests)
            QCOMPARE(request.headers.value("authorization"), QByteArray("Bearer s3cret"));
    }

    void dialogTestReportsRefused()
    {
        Fixture f;
        ConnectionsDialog dialog(f.store);
        dialog.urlEdit()->setText(QStringLiteral("http://127.0.0.1:%1").arg(closedPort()));
        QSignalSpy tested(&dialog, &ConnectionsDialog::tested);
        dialog.testButton()->click();
        QTRY_COMPARE(tested.count(), 1);
        QCOMPARE(tested.first().at(0).toBool(), false);
        const QString message = tested.first().at(1).toString();
        QVERIFY2(message.startsWith(QStringLiteral("connection refused by 127.0.0.1:")), qPrintable(message));
        QCOMPARE(dialog.statusLabel()->text(), message);
        QCOMPARE(dialog.kindBox()->currentIndex(), 0);
    }
};

QTEST_MAIN(TestConnections)
#include "tst_connections.moc"
