#pragma once

#include "livesettings.h"

#include <QDialog>

class QLabel;
class QLineEdit;
class QSpinBox;

namespace tracemap {

/// File ▸ Live Settings: ports, listen address, body limit, token and retention. OK is refused, with the reason
/// shown in the dialog, while the settings have a problem (LiveSettings::problem), e.g. a non-loopback address
/// without a token.
class LiveSettingsDialog : public QDialog {
    Q_OBJECT
public:
    explicit LiveSettingsDialog(const LiveSettings& settings, QWidget* parent = nullptr);

    LiveSettings settings() const;
    void setSettings(const LiveSettings& settings);
    QLineEdit* addressEdit() const { return m_address; }
    QLineEdit* tokenEdit() const { return m_token; }
    QSpinBox* otlpHttpPortBox() const { return m_otlpHttpPort; }
    QSpinBox* zipkinPortBox() const { return m_zipkinPort; }
    QSpinBox* maxAgeBox() const { return m_maxAge; }
    QSpinBox* maxCacheBox() const { return m_maxCache; }
    QLabel* problemLabel() const { return m_problem; }

    void accept() override;

private:
    QSpinBox* portBox();

    QLineEdit* m_address;
    QSpinBox* m_otlpHttpPort;
    QSpinBox* m_otlpGrpcPort;
    QSpinBox* m_zipkinPort;
    QSpinBox* m_maxBody;
    QLineEdit* m_token;
    QSpinBox* m_maxAge;
    QSpinBox* m_maxCache;
    QLabel* m_problem;
};

} // namespace tracemap
