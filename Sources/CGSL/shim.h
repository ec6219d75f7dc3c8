// The parts of GNU GSL that NeuralLimits uses. No BLAS here: BLAS comes from CLAPACKE, and
// GSL's own gsl_cblas.h would clash with OpenBLAS's cblas.h in the same Swift program.
#include <gsl/gsl_errno.h>
#include <gsl/gsl_version.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_roots.h>
#include <gsl/gsl_odeiv2.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sf_erf.h>
#include <gsl/gsl_cdf.h>

// From gsl/gsl_randist.h, which is not included whole because it pulls in gsl_cblas.h.
double gsl_ran_gaussian_ziggurat(const gsl_rng *r, const double sigma);

// GSL's type descriptors are global `const T *` variables, which Swift 6 imports as shared
// mutable state; these accessors hand them over as values.
static inline const gsl_rng_type *cgsl_rng_mt19937(void) { return gsl_rng_mt19937; }
static inline const gsl_integration_fixed_type *cgsl_fixed_hermite(void) { return gsl_integration_fixed_hermite; }
static inline const gsl_root_fsolver_type *cgsl_root_brent(void) { return gsl_root_fsolver_brent; }
static inline const gsl_odeiv2_step_type *cgsl_step_rk8pd(void) { return gsl_odeiv2_step_rk8pd; }
static inline const char *cgsl_version(void) { return gsl_version; }
