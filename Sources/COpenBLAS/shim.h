// COpenBLAS: OpenBLAS's CBLAS plus the LAPACK routines geodim calls (Fortran ABI).
// No stable API: only the Linalg target imports this module.
#ifndef GEODIM_COPENBLAS_SHIM_H
#define GEODIM_COPENBLAS_SHIM_H
#include <stddef.h>
#include <cblas.h>

// LAPACK (gfortran ABI): arguments by pointer, column-major, 32-bit integers,
// one hidden trailing size_t length per CHARACTER argument.

// Symmetric eigenvalues (divide and conquer).
void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda,
             double *w, double *work, const int *lwork, int *iwork, const int *liwork,
             int *info, size_t jobz_len, size_t uplo_len);
void dsyevd_2stage_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda,
             double *w, double *work, const int *lwork, int *iwork, const int *liwork,
             int *info, size_t jobz_len, size_t uplo_len);
// Singular values (divide and conquer).
void dgesdd_(const char *jobz, const int *m, const int *n, double *a, const int *lda,
             double *s, double *u, const int *ldu, double *vt, const int *ldvt,
             double *work, const int *lwork, int *iwork, int *info, size_t jobz_len);
// Bunch-Kaufman LDL^T factorisation of a symmetric matrix.
void dsytrf_(const char *uplo, const int *n, double *a, const int *lda, int *ipiv,
             double *work, const int *lwork, int *info, size_t uplo_len);
// Cholesky factorisation of a symmetric positive definite matrix.
void dpotrf_(const char *uplo, const int *n, double *a, const int *lda, int *info, size_t uplo_len);
// QR with column pivoting, and forming Q.
void dgeqp3_(const int *m, const int *n, double *a, const int *lda, int *jpvt, double *tau,
             double *work, const int *lwork, int *info);
void dgeqrf_(const int *m, const int *n, double *a, const int *lda, double *tau,
             double *work, const int *lwork, int *info);
void dorgqr_(const int *m, const int *n, const int *k, double *a, const int *lda,
             const double *tau, double *work, const int *lwork, int *info);
// Machine parameters.
double dlamch_(const char *cmach, size_t cmach_len);

// OpenBLAS extras.
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
char *openblas_get_config(void);
char *openblas_get_corename(void);

#endif
