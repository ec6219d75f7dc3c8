// OpenBLAS's CBLAS (plus openblas_get_config & co.) and LAPACKE.
#define LAPACK_COMPLEX_STRUCTURE
#include <cblas.h>
#include <lapacke.h>
