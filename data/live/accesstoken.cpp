#include "live/accesstoken.h"

namespace tracemap {

namespace {

bool sameSecret(std::string_view a, const QByteArray& b)
{
    if (a.size() != static_cast<size_t>(b.size()))
        return false;
    unsigned char difference = 0;
    for (size_t i = 0; i < a.size(); ++i)
        difference |= static_cast<unsigned char>(a[i] ^ b[static_cast<qsizetype>(i)]);
    return difference == 0;
}

} // namespace

bool bearerAuthorizes(std::string_view authorization, const QByteArray& token)
{
    if (token.isEmpty())
        return true;
    constexpr std::string_view bearer = "Bearer ";
    return authorization.starts_with(bearer) && sameSecret(authorization.substr(bearer.size()), token);
}

} // namespace tracemap
