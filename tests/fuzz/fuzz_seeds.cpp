// Writes the seed inputs no fixture file provides, for packaging/dev.sh fuzz:
//   fuzz_seeds FIXTURES OUT
// OUT/zipkinproto: each Zipkin v2 JSON fixture as a proto3 ListOfSpans (the fixtures hold no Zipkin protobuf);
// OUT/tracecodec: every fixture trace, imported and assembled, as the cache encodes it (raw, before zstd).
// Inputs larger than kMaxBytes are left out: the fuzzers run with a small -max_len to stay fast.

#include "cache/tracecodec.h"
#include "formats/traceimporter.h"

#include "zipkin/proto3/zipkin.pb.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstdio>

using namespace tracemap;

namespace {

constexpr qsizetype kMaxBytes = 16384;

bool write(const QString& path, const QByteArray& bytes)
{
    if (bytes.isEmpty() || bytes.size() > kMaxBytes)
        return false;
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

std::string hexBytes(const QJsonValue& v)
{
    const QByteArray raw = QByteArray::fromHex(v.toString().toLatin1());
    return raw.toStdString();
}

void fillEndpoint(const QJsonObject& json, zipkin::proto3::Endpoint* out)
{
    out->set_service_name(json.value(QStringLiteral("serviceName")).toString().toStdString());
    // Addresses only need the right sizes here: 4 bytes for a dotted IPv4, 16 for any IPv6.
    const QStringList v4 = json.value(QStringLiteral("ipv4")).toString().split(QLatin1Char('.'));
    if (v4.size() == 4) {
        std::string bytes;
        for (const QString& part : v4)
            bytes.push_back(char(part.toInt()));
        out->set_ipv4(bytes);
    }
    if (json.contains(QStringLiteral("ipv6")))
        out->set_ipv6(std::string("\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16));
    out->set_port(json.value(QStringLiteral("port")).toInt());
}

void addSpans(const QJsonArray& array, zipkin::proto3::ListOfSpans& list)
{
    static const QStringList kinds { QString(), QStringLiteral("CLIENT"), QStringLiteral("SERVER"),
        QStringLiteral("PRODUCER"), QStringLiteral("CONSUMER") };
    for (const QJsonValue& value : array) {
        if (value.isArray()) { // a list of traces
            addSpans(value.toArray(), list);
            continue;
        }
        const QJsonObject json = value.toObject();
        auto* span = list.add_spans();
        span->set_trace_id(hexBytes(json.value(QStringLiteral("traceId"))));
        span->set_parent_id(hexBytes(json.value(QStringLiteral("parentId"))));
        span->set_id(hexBytes(json.value(QStringLiteral("id"))));
        span->set_kind(zipkin::proto3::Span::Kind(
            std::max<qsizetype>(0, kinds.indexOf(json.value(QStringLiteral("kind")).toString()))));
        span->set_name(json.value(QStringLiteral("name")).toString().toStdString());
        span->set_timestamp(quint64(json.value(QStringLiteral("timestamp")).toDouble()));
        span->set_duration(quint64(json.value(QStringLiteral("duration")).toDouble()));
        if (json.contains(QStringLiteral("localEndpoint")))
            fillEndpoint(json.value(QStringLiteral("localEndpoint")).toObject(), span->mutable_local_endpoint());
        if (json.contains(QStringLiteral("remoteEndpoint")))
            fillEndpoint(json.value(QStringLiteral("remoteEndpoint")).toObject(), span->mutable_remote_endpoint());
        for (const QJsonValue& a : json.value(QStringLiteral("annotations")).toArray()) {
            auto* annotation = span->add_annotations();
            annotation->set_timestamp(quint64(a.toObject().value(QStringLiteral("timestamp")).toDouble()));
            annotation->set_value(a.toObject().value(QStringLiteral("value")).toString().toStdString());
        }
        const QJsonObject tags = json.value(QStringLiteral("tags")).toObject();
        for (auto it = tags.begin(); it != tags.end(); ++it)
            (*span->mutable_tags())[it.key().toStdString()] = it.value().toString().toStdString();
        span->set_debug(json.value(QStringLiteral("debug")).toBool());
        span->set_shared(json.value(QStringLiteral("shared")).toBool());
    }
}

} // namespace

int main(int argc, char** argv)
{
    if (argc != 3) {
        std::fprintf(stderr, "usage: fuzz_seeds FIXTURES OUT\n");
        return 2;
    }
    const QDir fixtures(QString::fromLocal8Bit(argv[1]));
    const QDir out(QString::fromLocal8Bit(argv[2]));
    if (!out.mkpath(QStringLiteral("zipkinproto")) || !out.mkpath(QStringLiteral("tracecodec"))) {
        std::fprintf(stderr, "fuzz_seeds: cannot create the folders in %s\n", argv[2]);
        return 1;
    }
    int zipkin = 0, encoded = 0;
    for (const QFileInfo& file : QDir(fixtures.filePath(QStringLiteral("zipkin-v2"))).entryInfoList(QDir::Files)) {
        QFile f(file.filePath());
        if (!f.open(QIODevice::ReadOnly))
            continue;
        zipkin::proto3::ListOfSpans list;
        addSpans(QJsonDocument::fromJson(f.readAll()).array(), list);
        const std::string bytes = list.SerializeAsString();
        zipkin += write(out.filePath(QStringLiteral("zipkinproto/") + file.completeBaseName() + QStringLiteral(".pb")),
            QByteArray::fromStdString(bytes));
    }
    for (const char* format : { "jaeger", "zipkin-v1", "zipkin-v2", "otlp-json", "otlp-proto" }) {
        QDirIterator files(fixtures.filePath(QString::fromLatin1(format)), QDir::Files);
        while (files.hasNext()) {
            const QString path = files.next();
            int n = 0;
            (void)TraceImporter::importFile(path, [&](std::vector<Trace>& traces) {
                for (const Trace& trace : traces) {
                    const QString name = QStringLiteral("tracecodec/%1-%2-%3.bin")
                                             .arg(QString::fromLatin1(format), QFileInfo(path).completeBaseName())
                                             .arg(n++);
                    encoded += write(out.filePath(name), QByteArray::fromStdString(TraceCodec::encode(trace)));
                }
            });
        }
    }
    std::printf("fuzz_seeds: %d Zipkin proto3 lists, %d encoded traces in %s\n", zipkin, encoded, argv[2]);
    return 0;
}
