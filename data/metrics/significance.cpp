#include "metrics/significance.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>

namespace tracemap::significance {

namespace {

// The regularized incomplete beta function I_x(a, b) by its continued fraction (modified Lentz), which converges
// fast for x < (a + 1) / (a + b + 2); the other side uses I_x(a, b) = 1 - I_{1-x}(b, a).
double betaContinuedFraction(double a, double b, double x)
{
    constexpr double kTiny = 1e-300;
    constexpr double kEpsilon = 1e-14;
    double c = 1.0;
    double d = 1.0 - (a + b) * x / (a + 1.0);
    d = 1.0 / (std::abs(d) < kTiny ? kTiny : d);
    double h = d;
    for (int m = 1; m <= 1000; ++m) {
        const double m2 = 2.0 * m;
        for (const double numerator :
            { m * (b - m) * x / ((a + m2 - 1) * (a + m2)), -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1)) }) {
            d = 1.0 + numerator * d;
            d = 1.0 / (std::abs(d) < kTiny ? kTiny : d);
            c = 1.0 + numerator / c;
            c = std::abs(c) < kTiny ? kTiny : c;
            h *= d * c;
        }
        if (std::abs(d * c - 1.0) < kEpsilon)
            break;
    }
    return h;
}

double regularizedBeta(double a, double b, double x)
{
    if (x <= 0)
        return 0;
    if (x >= 1)
        return 1;
    const double logFront = std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log1p(-x);
    if (x < (a + 1) / (a + b + 2))
        return std::exp(logFront) * betaContinuedFraction(a, b, x) / a;
    return 1.0 - std::exp(logFront) * betaContinuedFraction(b, a, 1 - x) / b;
}

// The regularized lower incomplete gamma function P(a, x): its series below a + 1, else 1 - the continued fraction.
double regularizedGammaLower(double a, double x)
{
    if (x <= 0)
        return 0;
    const double logFront = a * std::log(x) - x - std::lgamma(a);
    if (x < a + 1) {
        double term = 1.0 / a;
        double sum = term;
        for (int n = 1; n < 10000; ++n) {
            term *= x / (a + n);
            sum += term;
            if (std::abs(term) < std::abs(sum) * 1e-15)
                break;
        }
        return sum * std::exp(logFront);
    }
    constexpr double kTiny = 1e-300;
    double b = x + 1 - a;
    double c = 1 / kTiny;
    double d = 1 / b;
    double h = d;
    for (int i = 1; i < 10000; ++i) {
        const double an = -i * (i - a);
        b += 2;
        d = an * d + b;
        d = 1 / (std::abs(d) < kTiny ? kTiny : d);
        c = b + an / c;
        c = std::abs(c) < kTiny ? kTiny : c;
        h *= d * c;
        if (std::abs(d * c - 1) < 1e-15)
            break;
    }
    return 1.0 - std::exp(logFront) * h;
}

} // namespace

double normalUpperTail(double z)
{
    return 0.5 * std::erfc(z / std::numbers::sqrt2);
}

double binomialUpperTail(qint64 k, qint64 n, double p)
{
    if (k <= 0)
        return 1;
    if (k > n)
        return 0;
    // P(X >= k) = I_p(k, n - k + 1)
    return std::clamp(regularizedBeta(static_cast<double>(k), static_cast<double>(n - k + 1), p), 0.0, 1.0);
}

double poissonUpperTail(qint64 k, double lambda)
{
    if (k <= 0)
        return 1;
    // P(X >= k) = P(k, lambda), the regularized lower incomplete gamma function
    return std::clamp(regularizedGammaLower(static_cast<double>(k), lambda), 0.0, 1.0);
}

double poissonLowerTail(qint64 k, double lambda)
{
    if (k < 0)
        return 0;
    return std::clamp(1.0 - regularizedGammaLower(static_cast<double>(k + 1), lambda), 0.0, 1.0);
}

std::vector<bool> benjaminiHochberg(const std::vector<double>& pValues, double q)
{
    const size_t m = pValues.size();
    std::vector<size_t> order(m);
    std::iota(order.begin(), order.end(), size_t(0));
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return pValues[a] < pValues[b]; });
    size_t discoveries = 0;
    for (size_t rank = 1; rank <= m; ++rank) {
        if (pValues[order[rank - 1]] <= q * static_cast<double>(rank) / static_cast<double>(m))
            discoveries = rank;
    }
    std::vector<bool> out(m, false);
    for (size_t i = 0; i < discoveries; ++i)
        out[order[i]] = true;
    return out;
}

} // namespace tracemap::significance
