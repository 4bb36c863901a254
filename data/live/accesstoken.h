#pragma once

#include <QByteArray>

#include <string_view>

namespace tracemap {

/// Whether an "Authorization" header (HTTP) or metadata value (gRPC) is "Bearer <token>". Every value passes when
/// no token is required. The token is compared in constant time, so that it cannot be guessed a byte at a time
/// from response times.
bool bearerAuthorizes(std::string_view authorization, const QByteArray& token);

} // namespace tracemap
