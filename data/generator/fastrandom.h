#pragma once

#include <QtGlobal>

#include <cmath>

namespace tracemap {

/// xoshiro256** seeded through splitmix64. Unlike the std::random distributions its output is the same with every
/// standard library, so generated data depends only on the seed.
class FastRandom {
public:
    explicit FastRandom(quint64 seed)
    {
        for (quint64& word : m_state)
            word = splitMix(seed);
    }

    quint64 next()
    {
        const quint64 result = rotl(m_state[1] * 5, 7) * 9;
        const quint64 t = m_state[1] << 17;
        m_state[2] ^= m_state[0];
        m_state[3] ^= m_state[1];
        m_state[1] ^= m_state[2];
        m_state[0] ^= m_state[3];
        m_state[2] ^= t;
        m_state[3] = rotl(m_state[3], 45);
        return result;
    }

    quint64 nonZero()
    {
        quint64 v = 0;
        while (v == 0)
            v = next();
        return v;
    }

    /// Uniform in [0, n); n > 0. The multiply-shift bias is below 2^-32 for the small n used here.
    quint64 below(quint64 n) { return static_cast<quint64>((static_cast<unsigned __int128>(next()) * n) >> 64); }
    int between(int low, int high) { return low + static_cast<int>(below(static_cast<quint64>(high - low + 1))); }
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    bool chance(double p) { return uniform() < p; }

    /// Standard normal, approximated by four uniforms (Irwin-Hall): no libm involved, tails end at about 3.5.
    double normal() { return (uniform() + uniform() + uniform() + uniform() - 2.0) * 1.7320508075688772; }
    double logNormal(double median, double sigma) { return median * std::exp(sigma * normal()); }

    static quint64 splitMix(quint64& x)
    {
        quint64 z = (x += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }

private:
    static quint64 rotl(quint64 x, int k) { return (x << k) | (x >> (64 - k)); }

    quint64 m_state[4];
};

} // namespace tracemap
