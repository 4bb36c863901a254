#pragma once

// Shared by the live ingest tests and bench_ingest: a blocking HTTP/1.1 client on a keep-alive socket, usable from
// any thread (the Qt network classes want an event loop per thread), and the bodies senders post.

#include "model/ids.h"

#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

#include <QtGlobal>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace livesupport {

/// One sender's connection to 127.0.0.1:port, opened on the first request and kept alive between requests.
class HttpClient {
public:
    struct Answer {
        int status = 0; // 0: no answer (refused connection, dropped, timed out)
        int retryAfter = -1; // the Retry-After header in seconds, -1 without one
        std::string body;
    };

    explicit HttpClient(quint16 port, int timeoutSeconds = 30)
        : m_port(port)
        , m_timeoutSeconds(timeoutSeconds)
    {
    }
    ~HttpClient() { close(); }
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    Answer post(std::string_view path, std::string_view contentType, std::string_view body)
    {
        Answer answer;
        if (m_fd < 0 && !open())
            return answer;
        std::string request;
        request.reserve(body.size() + 200);
        request.append("POST ").append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ");
        request.append(contentType).append("\r\nContent-Length: ").append(std::to_string(body.size()));
        request.append("\r\n\r\n").append(body);
        if (!sendAll(request) || !readAnswer(answer)) {
            close();
            return Answer {};
        }
        return answer;
    }

    void close()
    {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = -1;
        m_buffer.clear();
    }

private:
    bool open()
    {
        m_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (m_fd < 0)
            return false;
        timeval timeout { m_timeoutSeconds, 0 };
        ::setsockopt(m_fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
        ::setsockopt(m_fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
        const int one = 1;
        ::setsockopt(m_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        sockaddr_in address {};
        address.sin_family = AF_INET;
        address.sin_port = htons(m_port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(m_fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
            close();
            return false;
        }
        return true;
    }

    bool sendAll(std::string_view bytes)
    {
        while (!bytes.empty()) {
            const ssize_t sent = ::send(m_fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
            if (sent <= 0)
                return false;
            bytes.remove_prefix(static_cast<size_t>(sent));
        }
        return true;
    }

    bool readMore()
    {
        char chunk[65536];
        const ssize_t got = ::recv(m_fd, chunk, sizeof chunk, 0);
        if (got <= 0)
            return false;
        m_buffer.append(chunk, static_cast<size_t>(got));
        return true;
    }

    static std::string lower(std::string_view text)
    {
        std::string out(text);
        for (char& c : out)
            c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
        return out;
    }

    bool readAnswer(Answer& answer)
    {
        size_t headEnd;
        while ((headEnd = m_buffer.find("\r\n\r\n")) == std::string::npos) {
            if (!readMore())
                return false;
        }
        const std::string head = lower(std::string_view(m_buffer).substr(0, headEnd));
        if (head.size() < 12 || !head.starts_with("http/1."))
            return false;
        answer.status = std::atoi(head.c_str() + 9);
        size_t length = 0;
        bool closes = false;
        size_t lineStart = head.find("\r\n");
        while (lineStart != std::string::npos) {
            lineStart += 2;
            const size_t lineEnd = std::min(head.find("\r\n", lineStart), head.size());
            const std::string_view line = std::string_view(head).substr(lineStart, lineEnd - lineStart);
            const size_t colon = line.find(':');
            if (colon != std::string_view::npos) {
                const std::string_view name = line.substr(0, colon);
                std::string_view value = line.substr(colon + 1);
                while (!value.empty() && value.front() == ' ')
                    value.remove_prefix(1);
                if (name == "content-length")
                    std::from_chars(value.data(), value.data() + value.size(), length);
                else if (name == "retry-after")
                    std::from_chars(value.data(), value.data() + value.size(), answer.retryAfter);
                else if (name == "connection" && value == "close")
                    closes = true;
            }
            lineStart = lineEnd < head.size() ? lineEnd : std::string::npos;
        }
        while (m_buffer.size() < headEnd + 4 + length) {
            if (!readMore())
                return false;
        }
        answer.body = m_buffer.substr(headEnd + 4, length);
        m_buffer.erase(0, headEnd + 4 + length);
        if (closes)
            close();
        return true;
    }

    quint16 m_port;
    int m_timeoutSeconds;
    int m_fd = -1;
    std::string m_buffer;
};

/// The 16 bytes OTLP carries a trace id in (big-endian, high half first), and the 8 of a span id.
inline std::string traceIdBytes(const tracemap::TraceId& id)
{
    std::string out(16, '\0');
    for (int i = 0; i < 8; ++i) {
        out[static_cast<size_t>(i)] = static_cast<char>(id.high >> (56 - 8 * i));
        out[static_cast<size_t>(8 + i)] = static_cast<char>(id.low >> (56 - 8 * i));
    }
    return out;
}

inline std::string spanIdBytes(tracemap::SpanId id)
{
    std::string out(8, '\0');
    for (int i = 0; i < 8; ++i)
        out[static_cast<size_t>(i)] = static_cast<char>(id >> (56 - 8 * i));
    return out;
}

/// An OTLP protobuf ExportTraceServiceRequest of one trace's spans, one service, starting at startNs (1 ms each);
/// the first span is the parent of the others.
inline std::string otlpRequest(
    const tracemap::TraceId& trace, const std::vector<tracemap::SpanId>& spans, qint64 startNs)
{
    opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest request;
    auto* resource = request.add_resource_spans();
    auto* service = resource->mutable_resource()->add_attributes();
    service->set_key("service.name");
    service->mutable_value()->set_string_value("sender");
    auto* scope = resource->add_scope_spans();
    const std::string traceBytes = traceIdBytes(trace);
    for (size_t i = 0; i < spans.size(); ++i) {
        auto* span = scope->add_spans();
        span->set_trace_id(traceBytes);
        span->set_span_id(spanIdBytes(spans[i]));
        if (i > 0)
            span->set_parent_span_id(spanIdBytes(spans[0]));
        span->set_name("op");
        span->set_start_time_unix_nano(static_cast<quint64>(startNs));
        span->set_end_time_unix_nano(static_cast<quint64>(startNs + 1000000));
        auto* attribute = span->add_attributes();
        attribute->set_key("index");
        attribute->mutable_value()->set_int_value(static_cast<qint64>(i));
    }
    return request.SerializeAsString();
}

/// The same spans as a Zipkin v2 JSON body.
inline std::string zipkinRequest(
    const tracemap::TraceId& trace, const std::vector<tracemap::SpanId>& spans, qint64 startNs)
{
    std::string body = "[";
    const std::string traceHex = trace.toHex();
    for (size_t i = 0; i < spans.size(); ++i) {
        if (i > 0)
            body += ',';
        body += R"({"traceId":")" + traceHex + R"(","id":")" + tracemap::spanIdToHex(spans[i]) + '"';
        if (i > 0)
            body += R"(,"parentId":")" + tracemap::spanIdToHex(spans[0]) + '"';
        body += R"(,"name":"op","timestamp":)" + std::to_string(startNs / 1000)
            + R"(,"duration":1000,"localEndpoint":{"serviceName":"zipkin-sender"}})";
    }
    return body + "]";
}

} // namespace livesupport
