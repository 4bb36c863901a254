#include "formats/dependencylinksreader.h"
#include "analysis/topologybuilder.h"
#include "formats/inputbuffer.h"
#include "formats/jsonfields.h"
#include "formats/jsonrecordsplitter.h"

#include <QFile>

#include <zlib.h>

#include <algorithm>
#include <limits>
#include <map>
#include <set>
#include <string>

namespace tracemap {

using namespace json;

namespace {

// Enough for the first record of any dependency-link file; a longer first record is not a link.
constexpr qint64 kSniffBytes = 64 * 1024;

struct Counts {
    qint64 calls = 0;
    qint64 errors = 0;
};

bool isSpace(char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

qint64 readCount(value v, std::string_view what)
{
    const char* at = positionOf(v);
    const qint64 count = asInt64(v, what);
    if (count < 0)
        fail(at, std::string(what) + " is negative (" + std::to_string(count) + ")");
    return count;
}

void readLink(simdjson::ondemand::parser& parser, std::string_view record,
    std::map<std::pair<std::string, std::string>, Counts>& links)
{
    RecordScope scope(record);
    auto doc = parser.iterate(simdjson::padded_string_view(record.data(), record.size(), record.size() + 64));
    object link;
    if (doc.get_object().get(link) != simdjson::SUCCESS)
        fail(record.data(), "expected a dependency link object {\"parent\", \"child\", \"callCount\"}");
    std::string parent, child;
    bool haveParent = false, haveChild = false;
    Counts counts;
    const char* errorCountAt = nullptr;
    for (auto field : link) {
        std::string_view key;
        if (const auto e = field.unescaped_key().get(key); e != simdjson::SUCCESS)
            fail(nullptr, std::string("malformed member in a dependency link: ") + simdjson::error_message(e));
        value v;
        if (const auto e = field.value().get(v); e != simdjson::SUCCESS)
            fail(nullptr, std::string("malformed value in a dependency link: ") + simdjson::error_message(e));
        if (key == "parent") {
            parent = asString(v, "parent");
            haveParent = true;
        } else if (key == "child") {
            child = asString(v, "child");
            haveChild = true;
        } else if (key == "callCount") {
            counts.calls = readCount(v, "callCount");
        } else if (key == "errorCount") {
            errorCountAt = positionOf(v);
            counts.errors = readCount(v, "errorCount");
        }
    }
    if (!haveParent || !haveChild)
        fail(record.data(),
            std::string("a dependency link needs \"parent\" and \"child\"; this one has no \"")
                + (haveParent ? "child" : "parent") + '"');
    if (parent.empty() || child.empty())
        fail(record.data(),
            std::string("a dependency link has an empty \"") + (parent.empty() ? "parent" : "child") + "\" name");
    if (counts.errors > counts.calls)
        fail(errorCountAt,
            "errorCount (" + std::to_string(counts.errors) + ") is larger than callCount ("
                + std::to_string(counts.calls) + ")");
    Counts& total = links[{ parent, child }];
    // Repeated pairs add up; past qint64 that is an error, not an overflow (seen writing fuzz_dependencylinks).
    // Errors never exceed calls, so their sum cannot overflow first.
    if (__builtin_add_overflow(total.calls, counts.calls, &total.calls))
        fail(record.data(),
            "the callCounts of \"" + parent + "\" -> \"" + child + "\" add up to more than "
                + std::to_string(std::numeric_limits<qint64>::max()));
    total.errors += counts.errors;
}

Topology toTopology(const std::map<std::pair<std::string, std::string>, Counts>& links)
{
    std::set<std::string> names;
    for (const auto& [key, counts] : links) {
        names.insert(key.first);
        names.insert(key.second);
    }
    Topology topology;
    topology.fromDependencyLinks = true;
    topology.nodes.reserve(names.size());
    for (const std::string& name : names) {
        Topology::Node node;
        node.name = name;
        node.kind = TopologyBuilder::kindFromName(name);
        topology.nodes.push_back(std::move(node));
    }
    // Both the links and the nodes are in name order, so the edges come out sorted by (from, to).
    topology.edges.reserve(links.size());
    for (const auto& [key, counts] : links) {
        Topology::Edge edge;
        edge.from = static_cast<quint32>(topology.nodeIndex(key.first));
        edge.to = static_cast<quint32>(topology.nodeIndex(key.second));
        edge.calls = counts.calls;
        edge.errors = counts.errors;
        edge.errorPercent
            = counts.calls > 0 ? 100.0 * static_cast<double>(counts.errors) / static_cast<double>(counts.calls) : 0;
        topology.edges.push_back(edge);
    }
    return topology;
}

std::expected<Topology, ImportError> readBuffer(const InputBuffer& input)
{
    const std::string_view bytes = input.bytes();
    auto error = [&](size_t offset, const QString& message) {
        ImportError e;
        e.file = input.name();
        e.offset = static_cast<qint64>(std::min(offset, bytes.size()));
        const auto [line, column] = input.lineColumn(static_cast<size_t>(e.offset));
        e.line = line;
        e.column = column;
        e.message = message;
        return std::unexpected(e);
    };
    auto offsetOf = [&](const char* position, size_t fallback) {
        if (position && position >= bytes.data() && position <= bytes.data() + bytes.size())
            return static_cast<size_t>(position - bytes.data());
        return fallback;
    };

    size_t start = 0;
    while (start < bytes.size() && isSpace(bytes[start]))
        ++start;
    if (start >= bytes.size())
        return error(0, QStringLiteral("the file is empty"));
    if (bytes[start] != '[' && bytes[start] != '{')
        return error(start, QStringLiteral("expected a JSON array of dependency links"));

    std::map<std::pair<std::string, std::string>, Counts> links;
    simdjson::ondemand::parser parser;
    JsonRecordSplitter splitter(bytes);
    for (;;) {
        std::optional<JsonRecord> record;
        try {
            record = splitter.next();
        } catch (const ParseError& e) {
            return error(offsetOf(e.position, splitter.position()), QString::fromStdString(e.message));
        }
        if (!record)
            break;
        try {
            readLink(parser, record->text, links);
        } catch (const ParseError& e) {
            return error(offsetOf(e.position, record->offset), QString::fromStdString(e.message));
        } catch (const simdjson::simdjson_error& e) {
            return error(record->offset,
                QStringLiteral("invalid JSON in the dependency link that starts here: %1")
                    .arg(QString::fromUtf8(simdjson::error_message(e.error()))));
        }
    }
    return toTopology(links);
}

// The first bytes of a file, inflated when it is gzip (only as much as is needed to sniff it).
QByteArray fileStart(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QByteArray head = file.read(kSniffBytes);
    if (head.size() < 2 || static_cast<unsigned char>(head[0]) != 0x1f || static_cast<unsigned char>(head[1]) != 0x8b)
        return head;
    z_stream stream {};
    if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK)
        return {};
    QByteArray out(kSniffBytes, Qt::Uninitialized);
    stream.next_in = reinterpret_cast<Bytef*>(head.data());
    stream.avail_in = static_cast<uInt>(head.size());
    stream.next_out = reinterpret_cast<Bytef*>(out.data());
    stream.avail_out = static_cast<uInt>(out.size());
    const int status = inflate(&stream, Z_SYNC_FLUSH);
    const auto produced = static_cast<qsizetype>(stream.total_out);
    inflateEnd(&stream);
    if (status != Z_OK && status != Z_STREAM_END && status != Z_BUF_ERROR)
        return {};
    out.truncate(produced);
    return out;
}

} // namespace

std::expected<Topology, ImportError> DependencyLinksReader::readFile(const QString& path)
{
    auto input = InputBuffer::open(path);
    if (!input) {
        ImportError e;
        e.file = path;
        e.message = input.error();
        return std::unexpected(e);
    }
    return readBuffer(*input);
}

std::expected<Topology, ImportError> DependencyLinksReader::read(std::string_view bytes, const QString& name)
{
    auto input = InputBuffer::fromBytes(bytes, name);
    if (!input) {
        ImportError e;
        e.file = name;
        e.message = input.error();
        return std::unexpected(e);
    }
    return readBuffer(*input);
}

bool DependencyLinksReader::isDependencyLinksFile(const QString& path)
{
    const QByteArray head = fileStart(path);
    return looksLikeDependencyLinks(std::string_view(head.constData(), static_cast<size_t>(head.size())));
}

bool DependencyLinksReader::looksLikeDependencyLinks(std::string_view bytes)
{
    try {
        JsonRecordSplitter splitter(bytes);
        const std::optional<JsonRecord> record = splitter.next();
        if (!record)
            return false;
        // A copy, because `bytes` need not be followed by the padding simdjson reads past the end.
        const simdjson::padded_string text(record->text);
        simdjson::ondemand::parser parser;
        auto doc = parser.iterate(text);
        object link;
        if (doc.get_object().get(link) != simdjson::SUCCESS)
            return false;
        bool parent = false, child = false;
        for (auto field : link) {
            std::string_view key;
            if (field.unescaped_key().get(key) != simdjson::SUCCESS)
                return false;
            parent |= key == "parent";
            child |= key == "child";
        }
        return parent && child;
    } catch (const ParseError&) {
        return false;
    } catch (const simdjson::simdjson_error&) {
        return false;
    }
}

} // namespace tracemap
