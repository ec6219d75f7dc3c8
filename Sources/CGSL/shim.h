// The parts of GNU GSL that NeuralLimits uses. No BLAS here: BLAS comes from CLAPACKE, and
// GSL's own gsl_cblas.h would clash with OpenBLAS's cblas.h in the same Swift program.
#include <gsl/gsl_errno.h>
#include <gsl/gsl_version.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_roots.h>
#include <gsl/gsl_vector.h>
#include <gsl/gsl_odeiv2.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sf_erf.h>
#include <gsl/gsl_cdf.h>

// From gsl/gsl_randist.h, which is not included whole because it pulls in gsl_cblas.h.
double gsl_ran_gaussian_ziggurat(const gsl_rng *r, const double sigma);

// From gsl/gsl_multiroots.h, which pulls in gsl_matrix.h and so gsl_cblas.h: the solver and its
// type are opaque here (the linker matches names only), the function struct has GSL's layout.
typedef struct {
  int (*f)(const gsl_vector *x, void *params, gsl_vector *f);
  size_t n;
  void *params;
} gsl_multiroot_function;
extern const void *gsl_multiroot_fsolver_hybrids;
void *gsl_multiroot_fsolver_alloc(const void *type, size_t n);
void gsl_multiroot_fsolver_free(void *solver);
int gsl_multiroot_fsolver_set(void *solver, gsl_multiroot_function *f, const gsl_vector *x);
int gsl_multiroot_fsolver_iterate(void *solver);
gsl_vector *gsl_multiroot_fsolver_root(const void *solver);
gsl_vector *gsl_multiroot_fsolver_f(const void *solver);
int gsl_multiroot_test_residual(const gsl_vector *f, double epsabs);

// GSL's type descriptors are global `const T *` variables, which Swift 6 imports as shared
// mutable state; these accessors hand them over as values.
static inline const gsl_rng_type *cgsl_rng_mt19937(void) { return gsl_rng_mt19937; }
static inline const gsl_integration_fixed_type *cgsl_fixed_hermite(void) { return gsl_integration_fixed_hermite; }
static inline const gsl_root_fsolver_type *cgsl_root_brent(void) { return gsl_root_fsolver_brent; }
static inline const void *cgsl_multiroot_hybrids(void) { return gsl_multiroot_fsolver_hybrids; }
static inline const gsl_odeiv2_step_type *cgsl_step_rk8pd(void) { return gsl_odeiv2_step_rk8pd; }
static inline const char *cgsl_version(void) { return gsl_version; }
