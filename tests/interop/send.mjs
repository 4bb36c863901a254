// Sends one fixed, realistic trace (and a second, linked one) through a real sender library, for tst_interop.
//   node send.mjs EXPORTER URL
// EXPORTER: otlp-http-json | otlp-proto | otlp-proto-gzip   (URL: http://HOST:PORT/v1/traces)
//           otlp-grpc                                      (URL: http://HOST:PORT)
//           zipkin-otel | zipkin-js-v1 | zipkin-js-v2     (URL: http://HOST:PORT/api/v2/spans or .../api/v1/spans)
// Exits 0 only when every export request was acknowledged; prints what failed on stderr otherwise.
//
// Ids and times are fixed, so the receiving side can assert exact values: each span is listed once in SPANS below
// and built from that list by the OpenTelemetry SDK (one provider, so one resource, per service) or by zipkin-js's
// Tracer (one tracer and HttpLogger per service). tests/tst_interop.cpp holds the same values as its expectations.

import { SpanKind, SpanStatusCode, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter as OtlpHttpExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as OtlpGrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { ZipkinExporter } from '@opentelemetry/exporter-zipkin';
import zipkin from 'zipkin';
import zipkinTransportHttp from 'zipkin-transport-http';

const { HttpLogger } = zipkinTransportHttp;

// 2026-01-01T00:00:00Z; span times are offsets from it in nanoseconds (some not whole microseconds, so that a
// receiver that rounds OTLP times to microseconds is caught).
const T0_SECONDS = 1767225600;
const MS = 1000000;

export const TRACE_A = '0af7651916cd43dd8448eb211c80319c';
export const TRACE_B = '4bf92f3577b34da6a3ce929d0e0e4736';

const SERVICES = {
    frontend: {
        'service.name': 'frontend',
        'service.namespace': 'shop',
        'service.version': '1.4.2',
        'deployment.environment.name': 'staging',
        'host.name': 'web-1',
        'process.pid': 4242,
        'host.load_average': 0.75,
        'container.privileged': false,
        'process.command_args': ['node', 'server.js', '--port=8080'],
    },
    checkout: {
        'service.name': 'checkout',
        'service.namespace': 'shop',
        'service.version': '2.0.0',
        'host.name': 'app-1',
        'process.pid': 77,
    },
    payments: {
        'service.name': 'payments',
        'service.version': '0.9.1',
        'host.name': 'pay-1',
        'cloud.region': 'eu-west-1',
    },
};

const SPANS = [
    {
        service: 'frontend', trace: TRACE_A, id: 'b7ad6b7169203331', name: 'GET /checkout', kind: 'server',
        start: 0, end: 250 * MS, status: { code: 'ok' },
        attributes: { 'http.request.method': 'GET', 'url.path': '/checkout', 'http.response.status_code': 200 },
    },
    {
        service: 'frontend', trace: TRACE_A, id: '00f067aa0ba902b7', parent: 'b7ad6b7169203331',
        name: 'POST /api/checkout', kind: 'client', start: 10 * MS + 123, end: 240 * MS + 456,
        attributes: { 'http.request.method': 'POST', 'server.address': 'checkout', 'server.port': 8081 },
    },
    {
        service: 'checkout', trace: TRACE_A, id: '5fb397be34d26b51', parent: '00f067aa0ba902b7',
        name: 'POST /api/checkout', kind: 'server', start: 12 * MS, end: 238 * MS,
        // One attribute of every type the OpenTelemetry API allows.
        attributes: {
            'http.request.method': 'POST',
            'http.response.status_code': 201,
            'order.total': 99.95,
            'order.express': true,
            'order.items': ['sku-1', 'sku-2'],
            'order.quantities': [1, 2],
            'order.prices': [19.99, 79.96],
            'order.gift_flags': [true, false],
            'user.name': 'Zoë ✓',
            'order.id': 9007199254740991,
            'retry.delta': -3,
        },
        events: [
            { name: 'cart.loaded', time: 13 * MS + 5, attributes: { 'cart.items': 2, 'cache.hit': true } },
            { name: 'payment.requested', time: 49 * MS, attributes: { 'payment.method': 'card', amount: 99.95 } },
        ],
    },
    {
        service: 'checkout', trace: TRACE_A, id: '8a3c60f7d188f8fa', parent: '5fb397be34d26b51',
        name: 'compute-total', kind: 'internal', start: 15 * MS, end: 40 * MS,
        attributes: { 'order.lines': 2 },
    },
    {
        service: 'checkout', trace: TRACE_A, id: '1d3a3bc2f3b1c9e4', parent: '5fb397be34d26b51',
        name: 'charge', kind: 'client', start: 50 * MS, end: 230 * MS,
        attributes: { 'rpc.system': 'grpc', 'rpc.service': 'Payments' },
    },
    {
        service: 'payments', trace: TRACE_A, id: '7e2b8f1a4c6d9e05', parent: '1d3a3bc2f3b1c9e4',
        name: 'charge', kind: 'server', start: 55 * MS, end: 225 * MS,
        // zipkin-js's server instrumentation joins the caller's span (B3, supportsJoin): its half of the span
        // has the client's id and is marked shared. OpenTelemetry gives each side its own span.
        zipkinJoins: '1d3a3bc2f3b1c9e4',
        status: { code: 'error', message: 'card declined' },
        attributes: { 'rpc.system': 'grpc', 'payment.attempt': 1 },
        events: [
            {
                name: 'exception', time: 220 * MS + 789,
                attributes: {
                    'exception.type': 'CardDeclined', 'exception.message': 'card declined', 'exception.escaped': false,
                },
            },
        ],
    },
    {
        service: 'checkout', trace: TRACE_A, id: '3c9d2e1f0a8b7c6d', parent: '5fb397be34d26b51',
        name: 'publish order.created', kind: 'producer', start: 231 * MS, end: 236 * MS,
        attributes: { 'messaging.system': 'kafka', 'messaging.destination.name': 'orders' },
    },
    // A second trace: the consumer of the message, linked to the producer span above.
    {
        service: 'payments', trace: TRACE_B, id: '53995c3f42cd8ad8', name: 'process order.created', kind: 'consumer',
        start: 300 * MS, end: 320 * MS,
        attributes: { 'messaging.system': 'kafka', 'messaging.destination.name': 'orders' },
        links: [
            {
                trace: TRACE_A, id: '3c9d2e1f0a8b7c6d', traceState: 'congo=t61rcWkgMzE',
                attributes: { 'messaging.operation': 'publish', 'link.weight': 0.5 },
            },
        ],
    },
];

function hrTime(offsetNs) {
    return [T0_SECONDS + Math.floor(offsetNs / 1e9), offsetNs % 1e9];
}

function micros(offsetNs) {
    return T0_SECONDS * 1e6 + Math.round(offsetNs / 1000);
}

// ---- OpenTelemetry SDK ------------------------------------------------------------------------------------------

// Hands out the ids of the span being started: the SDK asks for a trace id only for a root span.
class FixedIdGenerator {
    constructor() {
        this.traceId = '';
        this.spanId = '';
    }
    generateTraceId() {
        return this.traceId;
    }
    generateSpanId() {
        return this.spanId;
    }
}

// Keeps the ended spans of one provider, so that they are exported by one explicit call whose result we see.
class CollectingProcessor {
    constructor() {
        this.spans = [];
    }
    onStart() {}
    onEnd(span) {
        this.spans.push(span);
    }
    forceFlush() {
        return Promise.resolve();
    }
    shutdown() {
        return Promise.resolve();
    }
}

const OTEL_KINDS = {
    internal: SpanKind.INTERNAL, server: SpanKind.SERVER, client: SpanKind.CLIENT,
    producer: SpanKind.PRODUCER, consumer: SpanKind.CONSUMER,
};
const OTEL_STATUS = { ok: SpanStatusCode.OK, error: SpanStatusCode.ERROR };

function otelExporter(name, url) {
    switch (name) {
    case 'otlp-http-json':
        return new OtlpHttpExporter({ url });
    case 'otlp-proto':
        return new OtlpProtoExporter({ url });
    case 'otlp-proto-gzip': // as with OTEL_EXPORTER_OTLP_COMPRESSION=gzip
        return new OtlpProtoExporter({ url, compression: 'gzip' });
    case 'otlp-grpc':
        return new OtlpGrpcExporter({ url });
    case 'zipkin-otel':
        return new ZipkinExporter({ url });
    }
    return null;
}

function exportOnce(exporter, spans) {
    return new Promise(resolve => exporter.export(spans, resolve));
}

async function sendWithOpenTelemetry(exporterName, url) {
    const ids = new FixedIdGenerator();
    const services = new Map();
    for (const [service, attributes] of Object.entries(SERVICES)) {
        const processor = new CollectingProcessor();
        const provider = new BasicTracerProvider({
            resource: resourceFromAttributes(attributes),
            idGenerator: ids,
            spanProcessors: [processor],
        });
        const tracer = provider.getTracer(`shop.${service}`, attributes['service.version']);
        services.set(service, { provider, processor, tracer });
    }

    // Parents are started before their children and ended after them, as in a real request.
    const started = new Map();
    for (const s of SPANS) {
        ids.traceId = s.trace;
        ids.spanId = s.id;
        const parent = s.parent ? trace.setSpan(ROOT_CONTEXT, started.get(s.parent)) : ROOT_CONTEXT;
        const links = (s.links || []).map(l => ({
            context: { traceId: l.trace, spanId: l.id, traceFlags: 1, traceState: new TraceState(l.traceState) },
            attributes: l.attributes,
        }));
        const span = services.get(s.service).tracer.startSpan(
            s.name, { kind: OTEL_KINDS[s.kind], attributes: s.attributes, links, startTime: hrTime(s.start) }, parent);
        for (const e of s.events || [])
            span.addEvent(e.name, e.attributes, hrTime(e.time));
        if (s.status)
            span.setStatus({ code: OTEL_STATUS[s.status.code], message: s.status.message });
        started.set(s.id, span);
    }
    for (const s of [...SPANS].reverse())
        started.get(s.id).end(hrTime(s.end));

    let ok = true;
    for (const [service, { provider, processor }] of services) {
        const exporter = otelExporter(exporterName, url);
        const result = await exportOnce(exporter, processor.spans);
        if (result.code !== 0) {
            console.error(`send.mjs: ${exporterName} export of ${service} failed: ${result.error}`);
            ok = false;
        }
        await exporter.shutdown();
        await provider.shutdown();
    }
    return ok;
}

// ---- zipkin-js --------------------------------------------------------------------------------------------------

const ZIPKIN_START = {
    server: zipkin.Annotation.ServerRecv, client: zipkin.Annotation.ClientSend,
    producer: zipkin.Annotation.ProducerStart, consumer: zipkin.Annotation.ConsumerStart,
};
const ZIPKIN_STOP = {
    server: zipkin.Annotation.ServerSend, client: zipkin.Annotation.ClientRecv,
    producer: zipkin.Annotation.ProducerStop, consumer: zipkin.Annotation.ConsumerStop,
};

// Posts what the logger holds now and resolves with whether the server acknowledged it.
function flushLogger(logger) {
    if (logger.queue.length === 0)
        return Promise.resolve(true);
    return new Promise(resolve => {
        logger.once('success', () => resolve(true));
        logger.once('error', error => {
            console.error(`send.mjs: ${error.message}`);
            resolve(false);
        });
        logger.processQueue(logger.fetchImplementation);
    });
}

async function sendWithZipkinJs(encoder, url) {
    const { Tracer, BatchRecorder, ExplicitContext, TraceId, Annotation, option } = zipkin;
    const services = new Map();
    for (const service of Object.keys(SERVICES)) {
        // The interval only matters if a flush below did not happen first; ours are explicit.
        const logger = new HttpLogger({ endpoint: url, jsonEncoder: encoder, httpInterval: 60000 });
        const recorder = new BatchRecorder({ logger });
        const tracer = new Tracer({ ctxImpl: new ExplicitContext(), recorder, localServiceName: service,
            traceId128Bit: true });
        services.set(service, { logger, recorder, tracer });
    }

    // zipkin-js records annotations as they happen; here each span's are recorded with its fixed times. Tags are
    // strings (toString), names are lowercased, events become annotations with the event's name, and a local span
    // (no kind) is timed with LocalOperationStart/Stop. Links and status have no place in Zipkin: the error is
    // the 'error' tag, as zipkin-js's own instrumentation writes it.
    for (const s of SPANS) {
        const { tracer } = services.get(s.service);
        const joined = s.zipkinJoins && SPANS.find(c => c.id === s.zipkinJoins);
        const parent = joined ? joined.parent : s.parent;
        const id = new TraceId({
            traceId: s.trace, spanId: joined ? joined.id : s.id,
            parentId: parent ? new option.Some(parent) : option.None,
            sampled: new option.Some(true), shared: Boolean(joined),
        });
        tracer.setId(id);
        if (s.kind === 'internal')
            tracer.recordAnnotation(new Annotation.LocalOperationStart(s.name), micros(s.start));
        else
            tracer.recordAnnotation(new ZIPKIN_START[s.kind](), micros(s.start));
        // zipkin-js's own instrumentation names the local service this way; without it a span has no endpoint.
        tracer.recordAnnotation(new Annotation.ServiceName(s.service), micros(s.start));
        tracer.recordAnnotation(new Annotation.Rpc(s.name), micros(s.start));
        for (const [key, value] of Object.entries(s.attributes || {}))
            tracer.recordAnnotation(new Annotation.BinaryAnnotation(key, value), micros(s.start));
        for (const e of s.events || [])
            tracer.recordAnnotation(new Annotation.Message(e.name), micros(e.time));
        if (s.status && s.status.code === 'error')
            tracer.recordAnnotation(new Annotation.BinaryAnnotation('error', s.status.message), micros(s.end));
        if (s.kind === 'internal')
            tracer.recordAnnotation(new Annotation.LocalOperationStop(), micros(s.end));
        else
            tracer.recordAnnotation(new ZIPKIN_STOP[s.kind](), micros(s.end));
    }

    let ok = true;
    for (const { logger, recorder } of services.values()) {
        recorder.flush();
        ok = (await flushLogger(logger)) && ok;
    }
    return ok;
}

// ---- main -------------------------------------------------------------------------------------------------------

const [exporterName, url] = process.argv.slice(2);
let ok;
if (exporterName === 'zipkin-js-v1')
    ok = await sendWithZipkinJs(zipkin.jsonEncoder.JSON_V1, url);
else if (exporterName === 'zipkin-js-v2')
    ok = await sendWithZipkinJs(zipkin.jsonEncoder.JSON_V2, url);
else if (url && otelExporter(exporterName, url))
    ok = await sendWithOpenTelemetry(exporterName, url);
else {
    console.error('usage: node send.mjs otlp-http-json|otlp-proto|otlp-proto-gzip|otlp-grpc|zipkin-otel|zipkin-js-v1|'
        + 'zipkin-js-v2 URL');
    process.exit(2);
}
process.exit(ok ? 0 : 1);
