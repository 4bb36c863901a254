#pragma once

#include "remoteconnections.h"

#include <QDialog>

#include <atomic>
#include <memory>

class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;

namespace tracemap {

/// File ▸ Connect…: the saved back-end connections, one edited at a time in the form on the right. "Test
/// connection" asks the back end on a worker thread, detecting its API under "Detect automatically", and says what
/// answered; Save stores the form (secret header values to the key store). Every problem, from an empty name to a
/// key store that refuses, is shown in the status line under the form.
class ConnectionsDialog : public QDialog {
    Q_OBJECT
public:
    explicit ConnectionsDialog(ConnectionStore& store, QWidget* parent = nullptr);
    ~ConnectionsDialog() override;

    /// Fills the form. Values of secret headers show as a mask, which the form reads back as the value.
    void setForm(const RemoteConnection& connection);
    /// The form's endpoint; an error names a header line that is not "Name: value".
    std::expected<remote::Endpoint, QString> formEndpoint() const;
    /// The chosen API; nullopt for "Detect automatically".
    std::optional<remote::BackendKind> formKind() const;
    /// The form's connection. Under "Detect automatically" the kind is the URL's hint, and an error without one.
    std::expected<RemoteConnection, QString> formConnection() const;

    void testConnection();
    void save();
    /// Clears the form for a new connection.
    void addConnection();
    void removeConnection();

    QListWidget* list() const { return m_list; }
    QLineEdit* nameEdit() const { return m_name; }
    QComboBox* kindBox() const { return m_kind; }
    QLineEdit* urlEdit() const { return m_url; }
    QPlainTextEdit* headersEdit() const { return m_headers; }
    QLineEdit* caFileEdit() const { return m_caFile; }
    QSpinBox* timeoutBox() const { return m_timeout; }
    QPushButton* testButton() const { return m_test; }
    QPushButton* saveButton() const { return m_save; }
    QPushButton* removeButton() const { return m_remove; }
    QLabel* statusLabel() const { return m_status; }

    static QString secretMask();

Q_SIGNALS:
    /// A test connection ended: the back end's description, or why it failed.
    void tested(bool ok, const QString& message);

private:
    enum class Tone { Plain, Good, Bad };
    void showStatus(const QString& text, Tone tone);
    void reloadList();
    /// A test under way is cancelled and its answer dropped: it was about another form.
    void stopTest();
    void editSelected();
    void browseCaFile();

    ConnectionStore& m_store;
    QListWidget* m_list;
    QPushButton* m_add;
    QPushButton* m_remove;
    QLineEdit* m_name;
    QComboBox* m_kind;
    QLineEdit* m_url;
    QPlainTextEdit* m_headers;
    QLineEdit* m_caFile;
    QSpinBox* m_timeout;
    QPushButton* m_test;
    QPushButton* m_save;
    QLabel* m_status;

    QString m_editing; // the saved name of the connection in the form; empty for a new one
    std::vector<std::pair<QByteArray, QByteArray>> m_maskedSecrets; // what the masks in the form stand for
    quint64 m_testGeneration = 0;
    std::shared_ptr<std::atomic_bool> m_cancelTest;
};

} // namespace tracemap
