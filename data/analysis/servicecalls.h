#pragma once

#include "model/trace.h"

#include <QtGlobal>

#include <functional>
#include <string_view>

namespace tracemap {

/// What a span's attributes say about the peer it called (or, for a consumer, received from), when that peer is
/// known only by them. PeerIsCaller: the hints are the caller's (a consumer's broker), else the callee's.
enum PeerHint : quint8 { DatabaseHint = 1, QueueHint = 2, ExternalHint = 4, PeerIsCaller = 8 };

/// One call from a service to another, as a trace shows it: an edge of the service topology.
struct ServiceCall {
    std::string_view caller; // service names; valid during the visit only
    std::string_view callee;
    qint64 startNs = 0; // when the caller's span (the callee's, for a consumer of a peer) started
    qint64 latencyNs = 0; // the client/producer span's duration where there is one, else the server's
    bool error = false;
    quint8 peerHints = 0; // PeerHint bits, for a call to or from a peer known only by a span's attributes
};

/// Visits the calls of one trace:
/// - a parent and child span in different services (CLIENT→SERVER, PRODUCER→CONSUMER or any other pair);
/// - a CONSUMER span linked to a PRODUCER span of another service in the same trace;
/// - a CLIENT or PRODUCER span without a child (or linked consumer) in another service: a call to the peer named
///   by peer.service, db.system[/db.name], the messaging destination, server.address/net.peer.name/http.host or
///   net.peer.ip; and, the other way round, a CONSUMER span without a producer in another service receives from
///   the peer (the broker) it names.
/// Spans without a service take no part. TopologyBuilder draws these calls; TopologyRollups counts them per minute.
void forEachServiceCall(const Trace& trace, const std::function<void(const ServiceCall&)>& visit);

} // namespace tracemap
