// CModularShim: a C interface over FFLAS-FFPACK's dense linear algebra modulo a word-size prime.
// No stable API: only the ModularLinalg target imports this module (the C quarantine rule).
//
// Every matrix is row-major doubles holding canonical residues in [0, p), with a leading
// dimension (the stride between rows, ≥ the column count). The prime must be odd and below
// 2^26 (Givaro's ModularBalanced<double> bound); callers check primality. Each function
// returns 0 on success (or a rank ≥ 0) and a negative code on failure, with a message copied
// into `message` (at most message_capacity bytes, NUL-terminated). C++ exceptions never cross
// this boundary.
#ifndef GEODIM_CMODULARSHIM_H
#define GEODIM_CMODULARSHIM_H
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The largest prime the shim accepts (exclusive): 2^26.
#define GEODIM_MODULAR_PRIME_LIMIT 67108864.0

/// Rank of the (rows, columns) matrix modulo p, by FFPACK's PLUQ. Overwrites the matrix.
/// Returns the rank (≥ 0), or a negative code.
int64_t geodim_modular_rank(double prime, int64_t rows, int64_t columns, double *matrix, int64_t leading,
                            char *message, size_t message_capacity);

/// C ← op(A)·op(B) + beta·C modulo p, with op(X) = X or Xᵀ (transpose_a / transpose_b ≠ 0) and
/// beta ∈ {0, 1}. op(A) is (m, k), op(B) is (k, n), C is (m, n). Returns 0 or a negative code.
int64_t geodim_modular_gemm(double prime, int transpose_a, int transpose_b, int64_t m, int64_t n, int64_t k,
                            const double *a, int64_t lda, const double *b, int64_t ldb, int beta_one,
                            double *c, int64_t ldc, char *message, size_t message_capacity);

#ifdef __cplusplus
}
#endif
#endif
