// CZlib: zlib for reading gzip-compressed IDX files. Only the Datasets target imports it.
#ifndef GEODIM_CZLIB_SHIM_H
#define GEODIM_CZLIB_SHIM_H
#include <zlib.h>
#endif
