// The C interface of CModularShim.h over FFLAS-FFPACK (header-only C++, on OpenBLAS's dgemm).
// Residues cross the boundary canonical in [0, p); inside, FFLAS works on Givaro's
// ModularBalanced<double> (residues in [−(p−1)/2, (p−1)/2]), whose delayed reductions let
// dgemm accumulate longer before reducing.
#include "CModularShim.h"

#include <givaro/modular-balanced.h>
#include <fflas-ffpack/fflas-ffpack.h>
#include <fflas-ffpack/ffpack/ffpack.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <new>

namespace {

using Field = Givaro::ModularBalanced<double>;

int64_t report(char *message, size_t capacity, int64_t code, const char *text) {
    if (message != nullptr && capacity > 0) {
        std::snprintf(message, capacity, "%s", text);
    }
    return code;
}

bool valid_prime(double prime) {
    return prime >= 3 && prime < GEODIM_MODULAR_PRIME_LIMIT && std::floor(prime) == prime &&
           std::fmod(prime, 2.0) == 1.0;
}

// Canonical [0, p) → balanced, in place, over a (rows, columns) block with stride `leading`.
void to_balanced(double prime, int64_t rows, int64_t columns, double *x, int64_t leading) {
    const double half = (prime - 1) / 2;
    for (int64_t r = 0; r < rows; ++r) {
        double *row = x + r * leading;
        for (int64_t c = 0; c < columns; ++c) {
            if (row[c] > half) row[c] -= prime;
        }
    }
}

// Balanced → canonical [0, p), in place.
void to_canonical(double prime, int64_t rows, int64_t columns, double *x, int64_t leading) {
    for (int64_t r = 0; r < rows; ++r) {
        double *row = x + r * leading;
        for (int64_t c = 0; c < columns; ++c) {
            if (row[c] < 0) row[c] += prime;
        }
    }
}

// A balanced copy of a (rows, columns) block, packed (stride = columns).
double *balanced_copy(double prime, int64_t rows, int64_t columns, const double *x, int64_t leading) {
    double *copy = FFLAS::fflas_new<double>(static_cast<size_t>(rows * columns));
    for (int64_t r = 0; r < rows; ++r) {
        std::memcpy(copy + r * columns, x + r * leading, sizeof(double) * static_cast<size_t>(columns));
    }
    to_balanced(prime, rows, columns, copy, columns);
    return copy;
}

}  // namespace

extern "C" int64_t geodim_modular_rank(double prime, int64_t rows, int64_t columns, double *matrix, int64_t leading,
                                       char *message, size_t message_capacity) {
    if (!valid_prime(prime)) return report(message, message_capacity, -1, "the modulus is not an odd integer in [3, 2^26)");
    if (rows < 0 || columns < 0 || leading < (columns > 0 ? columns : 1) || (rows * columns > 0 && matrix == nullptr)) {
        return report(message, message_capacity, -2, "the matrix dimensions or leading dimension are invalid");
    }
    if (rows == 0 || columns == 0) return 0;
    try {
        Field field(static_cast<Field::Residu_t>(prime));
        to_balanced(prime, rows, columns, matrix, leading);
        size_t rank = FFPACK::Rank(field, static_cast<size_t>(rows), static_cast<size_t>(columns), matrix,
                                   static_cast<size_t>(leading));
        return static_cast<int64_t>(rank);
    } catch (const std::bad_alloc &) {
        return report(message, message_capacity, -3, "out of memory in FFPACK::Rank");
    } catch (const std::exception &error) {
        return report(message, message_capacity, -4, error.what());
    } catch (...) {
        return report(message, message_capacity, -5, "FFPACK::Rank threw an unknown exception");
    }
}

extern "C" int64_t geodim_modular_gemm(double prime, int transpose_a, int transpose_b, int64_t m, int64_t n, int64_t k,
                                       const double *a, int64_t lda, const double *b, int64_t ldb, int beta_one,
                                       double *c, int64_t ldc, char *message, size_t message_capacity) {
    if (!valid_prime(prime)) return report(message, message_capacity, -1, "the modulus is not an odd integer in [3, 2^26)");
    const int64_t a_rows = transpose_a ? k : m, a_columns = transpose_a ? m : k;
    const int64_t b_rows = transpose_b ? n : k, b_columns = transpose_b ? k : n;
    if (m < 0 || n < 0 || k < 0 || lda < (a_columns > 0 ? a_columns : 1) || ldb < (b_columns > 0 ? b_columns : 1) ||
        ldc < (n > 0 ? n : 1)) {
        return report(message, message_capacity, -2, "the matrix dimensions or leading dimensions are invalid");
    }
    if (m == 0 || n == 0) return 0;
    if ((a_rows * a_columns > 0 && a == nullptr) || (b_rows * b_columns > 0 && b == nullptr) || c == nullptr) {
        return report(message, message_capacity, -2, "a matrix pointer is null");
    }
    double *a_balanced = nullptr;
    double *b_balanced = nullptr;
    try {
        Field field(static_cast<Field::Residu_t>(prime));
        if (k == 0) {
            if (!beta_one) {
                for (int64_t r = 0; r < m; ++r) std::memset(c + r * ldc, 0, sizeof(double) * static_cast<size_t>(n));
            }
            return 0;
        }
        a_balanced = balanced_copy(prime, a_rows, a_columns, a, lda);
        b_balanced = balanced_copy(prime, b_rows, b_columns, b, ldb);
        if (beta_one) to_balanced(prime, m, n, c, ldc);
        FFLAS::fgemm(field, transpose_a ? FFLAS::FflasTrans : FFLAS::FflasNoTrans,
                     transpose_b ? FFLAS::FflasTrans : FFLAS::FflasNoTrans, static_cast<size_t>(m),
                     static_cast<size_t>(n), static_cast<size_t>(k), field.one, a_balanced,
                     static_cast<size_t>(a_columns), b_balanced, static_cast<size_t>(b_columns),
                     beta_one ? field.one : field.zero, c, static_cast<size_t>(ldc));
        to_canonical(prime, m, n, c, ldc);
        FFLAS::fflas_delete(a_balanced);
        FFLAS::fflas_delete(b_balanced);
        return 0;
    } catch (const std::bad_alloc &) {
        FFLAS::fflas_delete(a_balanced);
        FFLAS::fflas_delete(b_balanced);
        return report(message, message_capacity, -3, "out of memory in FFLAS::fgemm");
    } catch (const std::exception &error) {
        FFLAS::fflas_delete(a_balanced);
        FFLAS::fflas_delete(b_balanced);
        return report(message, message_capacity, -4, error.what());
    } catch (...) {
        FFLAS::fflas_delete(a_balanced);
        FFLAS::fflas_delete(b_balanced);
        return report(message, message_capacity, -5, "FFLAS::fgemm threw an unknown exception");
    }
}
