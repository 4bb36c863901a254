#include "startpage.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace tracemap {

StartPage::StartPage(QWidget* parent)
    : QWidget(parent)
{
    auto* title = new QLabel(tr("<h1>Tracemap</h1>"), this);
    auto* text = new QLabel(tr("Open trace files — Jaeger JSON, Zipkin v1/v2 JSON, OTLP JSON or protobuf, plain or "
                               "gzipped — and search them here. Everything you open stays in the local cache."),
        this);
    text->setWordWrap(true);
    auto* open = new QPushButton(tr("Open Files…"), this);
    open->setObjectName(QStringLiteral("openFiles"));
    auto* sample = new QPushButton(tr("Open the Sample"), this);
    sample->setObjectName(QStringLiteral("openSample"));
    auto* connectButton = new QPushButton(tr("Connect to Jaeger, Tempo or Zipkin…"), this);
    connectButton->setObjectName(QStringLiteral("connectBackend"));
    auto* drop = new QLabel(tr("…or drop trace files anywhere on this window."), this);
    drop->setEnabled(false);

    auto* box = new QWidget(this);
    box->setFixedWidth(560); // a fixed width lets the wrapped text take the height it needs
    auto* column = new QVBoxLayout(box);
    column->addWidget(title);
    column->addWidget(text);
    column->addSpacing(12);
    column->addWidget(open);
    column->addWidget(sample);
    column->addWidget(connectButton);
    column->addSpacing(12);
    column->addWidget(drop);

    // Stretches around the box rather than an alignment flag: an aligned widget gets its size hint, which is too
    // short for the wrapped text.
    text->setMinimumHeight(text->heightForWidth(box->width() - 20));
    auto* row = new QHBoxLayout;
    row->addStretch(1);
    row->addWidget(box);
    row->addStretch(1);
    auto* layout = new QVBoxLayout(this);
    layout->addStretch(1);
    layout->addLayout(row);
    layout->addStretch(2);

    connect(open, &QPushButton::clicked, this, &StartPage::openRequested);
    connect(sample, &QPushButton::clicked, this, &StartPage::sampleRequested);
    connect(connectButton, &QPushButton::clicked, this, &StartPage::connectRequested);
}

} // namespace tracemap
