#include "livesettingsdialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QVBoxLayout>

namespace tracemap {

LiveSettingsDialog::LiveSettingsDialog(const LiveSettings& settings, QWidget* parent)
    : QDialog(parent)
    , m_address(new QLineEdit(this))
    , m_otlpHttpPort(portBox())
    , m_otlpGrpcPort(portBox())
    , m_zipkinPort(portBox())
    , m_maxBody(new QSpinBox(this))
    , m_token(new QLineEdit(this))
    , m_maxAge(new QSpinBox(this))
    , m_maxCache(new QSpinBox(this))
    , m_problem(new QLabel(this))
{
    setWindowTitle(tr("Live Settings"));
    setObjectName(QStringLiteral("liveSettings"));
    m_address->setToolTip(tr("127.0.0.1 receives from this machine only. Any other address (0.0.0.0 for every "
                             "interface) needs an access token."));
    m_maxBody->setRange(1, 2048);
    m_maxBody->setSuffix(tr(" MiB"));
    m_token->setEchoMode(QLineEdit::PasswordEchoOnEdit);
    m_token->setPlaceholderText(tr("none"));
    m_token->setToolTip(tr("When set, every request needs 'Authorization: Bearer <token>' (401 without)."));
    m_maxAge->setRange(0, 60 * 24 * 365);
    m_maxAge->setSuffix(tr(" min"));
    m_maxAge->setSpecialValueText(tr("keep all"));
    m_maxAge->setToolTip(tr("Delete traces that started longer ago, a few at a time in the background."));
    m_maxCache->setRange(0, 1000000);
    m_maxCache->setSuffix(tr(" MB"));
    m_maxCache->setSpecialValueText(tr("no limit"));
    m_maxCache->setToolTip(tr("Delete the oldest traces while the cache holds more. The file does not shrink: "
                              "freed pages are reused."));
    m_problem->setObjectName(QStringLiteral("liveSettingsProblem"));
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(QStringLiteral("color: #b00020"));
    m_problem->hide();

    auto* form = new QFormLayout;
    form->addRow(tr("Listen on"), m_address);
    form->addRow(tr("OTLP/HTTP port"), m_otlpHttpPort);
    form->addRow(tr("OTLP/gRPC port"), m_otlpGrpcPort);
    form->addRow(tr("Zipkin port"), m_zipkinPort);
    form->addRow(tr("Largest request"), m_maxBody);
    form->addRow(tr("Access token"), m_token);
    form->addRow(tr("Keep traces for"), m_maxAge);
    form->addRow(tr("Largest cache"), m_maxCache);
    auto* note = new QLabel(tr("Changes apply the next time Live starts. Port 0 takes any free port."), this);
    note->setEnabled(false);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &LiveSettingsDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &LiveSettingsDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(note);
    layout->addWidget(m_problem);
    layout->addWidget(buttons);
    setSettings(settings);
}

QSpinBox* LiveSettingsDialog::portBox()
{
    auto* box = new QSpinBox(this);
    box->setRange(0, 65535);
    return box;
}

void LiveSettingsDialog::setSettings(const LiveSettings& s)
{
    m_address->setText(s.address);
    m_otlpHttpPort->setValue(s.otlpHttpPort);
    m_otlpGrpcPort->setValue(s.otlpGrpcPort);
    m_zipkinPort->setValue(s.zipkinPort);
    m_maxBody->setValue(static_cast<int>(std::clamp<qint64>(s.maxBodyBytes >> 20, 1, 2048)));
    m_token->setText(s.token);
    m_maxAge->setValue(s.maxAgeMinutes);
    m_maxCache->setValue(static_cast<int>(std::min<qint64>(s.maxCacheMegabytes, 1000000)));
}

LiveSettings LiveSettingsDialog::settings() const
{
    LiveSettings s;
    s.address = m_address->text().trimmed();
    s.otlpHttpPort = m_otlpHttpPort->value();
    s.otlpGrpcPort = m_otlpGrpcPort->value();
    s.zipkinPort = m_zipkinPort->value();
    s.maxBodyBytes = qint64(m_maxBody->value()) << 20;
    s.token = m_token->text();
    s.maxAgeMinutes = m_maxAge->value();
    s.maxCacheMegabytes = m_maxCache->value();
    return s;
}

void LiveSettingsDialog::accept()
{
    const QString problem = settings().problem();
    m_problem->setText(problem);
    m_problem->setVisible(!problem.isEmpty());
    if (problem.isEmpty())
        QDialog::accept();
}

} // namespace tracemap
