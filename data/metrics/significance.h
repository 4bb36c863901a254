#pragma once

#include <QtGlobal>

#include <vector>

namespace tracemap::significance {

/// P(Z >= z) for a standard normal Z.
double normalUpperTail(double z);
/// P(X >= k) for X ~ Binomial(n, p).
double binomialUpperTail(qint64 k, qint64 n, double p);
/// P(X >= k) and P(X <= k) for X ~ Poisson(lambda).
double poissonUpperTail(qint64 k, double lambda);
double poissonLowerTail(qint64 k, double lambda);

/// Which of the p-values are discoveries under Benjamini–Hochberg at false discovery rate q: with the m p-values
/// ascending, all up to the largest rank k with p(k) <= q k / m.
std::vector<bool> benjaminiHochberg(const std::vector<double>& pValues, double q);

} // namespace tracemap::significance
