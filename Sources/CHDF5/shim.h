// CHDF5: the HDF5 C library. Only the HDF5 target imports this module.
// HDF5's type and property constants are macros over globals that Swift cannot import;
// each is exposed through a static inline getter (which keeps H5open() semantics).
#ifndef GEODIM_CHDF5_SHIM_H
#define GEODIM_CHDF5_SHIM_H
#include <hdf5.h>
#include <hdf5_hl.h>

static inline hid_t geodim_H5T_NATIVE_DOUBLE(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t geodim_H5T_NATIVE_FLOAT(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t geodim_H5T_NATIVE_INT64(void) { return H5T_NATIVE_INT64; }
static inline hid_t geodim_H5T_NATIVE_INT32(void) { return H5T_NATIVE_INT32; }
static inline hid_t geodim_H5T_NATIVE_UINT8(void) { return H5T_NATIVE_UINT8; }
static inline hid_t geodim_H5T_C_S1(void) { return H5T_C_S1; }
static inline hid_t geodim_H5P_FILE_ACCESS(void) { return H5P_FILE_ACCESS; }
static inline hid_t geodim_H5P_FILE_CREATE(void) { return H5P_FILE_CREATE; }
static inline hid_t geodim_H5P_DATASET_CREATE(void) { return H5P_DATASET_CREATE; }
static inline hid_t geodim_H5P_LINK_CREATE(void) { return H5P_LINK_CREATE; }
static inline hid_t geodim_H5P_DEFAULT(void) { return H5P_DEFAULT; }
static inline unsigned geodim_H5F_ACC_TRUNC(void) { return H5F_ACC_TRUNC; }
static inline unsigned geodim_H5F_ACC_EXCL(void) { return H5F_ACC_EXCL; }
static inline unsigned geodim_H5F_ACC_RDONLY(void) { return H5F_ACC_RDONLY; }
static inline unsigned geodim_H5F_ACC_RDWR(void) { return H5F_ACC_RDWR; }
static inline unsigned geodim_H5F_ACC_SWMR_READ(void) { return H5F_ACC_SWMR_READ; }
static inline unsigned geodim_H5F_ACC_SWMR_WRITE(void) { return H5F_ACC_SWMR_WRITE; }
static inline hsize_t geodim_H5S_UNLIMITED(void) { return H5S_UNLIMITED; }
static inline size_t geodim_H5T_VARIABLE(void) { return H5T_VARIABLE; }
static inline hid_t geodim_H5S_ALL(void) { return H5S_ALL; }
static inline hid_t geodim_H5E_DEFAULT(void) { return H5E_DEFAULT; }
static inline H5F_libver_t geodim_H5F_LIBVER_LATEST(void) { return H5F_LIBVER_LATEST; }
static inline hid_t geodim_H5FD_SEC2(void) { return H5FD_SEC2; }

#endif
