#include "libraryversions.h"

#include "graphvizlayout.h"
#include "qcpinclude.h" // QCUSTOMPLOT_VERSION_STR (the library has no run-time version)

#include <QStringList>

#include <google/protobuf/stubs/common.h>
#include <grpcpp/grpcpp.h>
#include <igraph_version.h>
#include <simdjson.h>
#include <sqlite3.h>
#include <zlib.h>
#include <zstd.h>

namespace tracemap {

std::vector<std::pair<QString, QString>> libraryVersions()
{
    const char* igraph = nullptr;
    igraph_version(&igraph, nullptr, nullptr, nullptr);
    return {
        { QStringLiteral("Qt"), QString::fromLatin1(qVersion()) },
        { QStringLiteral("Graphviz"), GraphvizLayout::graphvizVersion() },
        { QStringLiteral("SQLite"), QString::fromLatin1(sqlite3_libversion()) },
        { QStringLiteral("QCustomPlot"), QStringLiteral(QCUSTOMPLOT_VERSION_STR) },
        { QStringLiteral("simdjson"),
            QStringLiteral("%1.%2.%3")
                .arg(int(simdjson::SIMDJSON_VERSION_MAJOR))
                .arg(int(simdjson::SIMDJSON_VERSION_MINOR))
                .arg(int(simdjson::SIMDJSON_VERSION_REVISION)) },
        { QStringLiteral("protobuf"),
            QString::fromStdString(google::protobuf::internal::VersionString(GOOGLE_PROTOBUF_VERSION)) },
        { QStringLiteral("gRPC"), QString::fromStdString(grpc::Version()) },
        { QStringLiteral("igraph"), QString::fromLatin1(igraph) },
        { QStringLiteral("zstd"), QString::fromLatin1(ZSTD_versionString()) },
        { QStringLiteral("zlib"), QString::fromLatin1(zlibVersion()) },
    };
}

QString verboseVersionText()
{
    QString text = QStringLiteral("tracemap %1\nLicence: GPL-3.0-or-later\n").arg(QStringLiteral(TRACEMAP_VERSION));
    for (const auto& [name, version] : libraryVersions())
        text += QStringLiteral("%1 %2\n").arg(name, version);
    return text;
}

} // namespace tracemap
