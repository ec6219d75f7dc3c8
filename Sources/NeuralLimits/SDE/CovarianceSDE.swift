/// A stochastic differential equation for the `m × m` covariance `V` of `m` tokens (or inputs)
/// of a deep network in the proportional depth-and-width limit, in network time `t = ℓ/n`
/// (layer over width; depth `d = T·n`):
///
///     dV = b(V)·dt + dM,   Cov(dM^{αβ}, dM^{δω}) = Σ(V)^{αβ,δω}·dt
///
/// (Li, Nica & Roy 2022, *The Neural Covariance SDE*; Noci, Li, Li et al. 2023, *The Shaped
/// Transformer*). The diffusion is given as a *noise map*: standard Gaussian draws `g` become an
/// increment `N(V, g)`, linear in `g`, whose covariance is exactly `Σ(V)` — for `Σ_lin` that is
/// `R·Z·Rᵀ` with `R·Rᵀ = V` (O(m³)), never the square root of an `m² × m²` covariance (O(m⁶)).
/// Euler–Maruyama (`EulerMaruyama`) then steps `V ← V + b(V)·dt + N(V, g)·√dt`.
public protocol CovarianceSDE: Sendable {
  /// How the model is named in reports, with its parameters.
  var description: String { get }

  /// The number of standard Gaussian draws one increment of an `m × m` state consumes.
  func gaussianCount(tokens m: Int) -> Int

  /// Writes `b(V)` (symmetric, `m × m`, row-major) into `drift`.
  func drift(_ v: UnsafePointer<Double>, tokens m: Int, into drift: UnsafeMutablePointer<Double>,
             workspace: SDEWorkspace)

  /// The closed form of `Σ(V)`: entry `(α·m + β, δ·m + ω)` is `Σ^{αβ,δω}` (`m² × m²`). The
  /// reference for the noise map and the explicit-covariance path (`ExplicitNoiseSDE`).
  func diffusion(_ v: Matrix) -> Matrix

  /// Writes the increment `N(V, g)` per unit time (symmetric, covariance `Σ(V)`) into `noise`.
  /// `root` is a square root of `V` (`root·rootᵀ = V`; lower triangular when `triangular`).
  func noise(_ v: UnsafePointer<Double>, root: UnsafePointer<Double>, triangular: Bool, tokens m: Int,
             gaussians g: UnsafePointer<Double>, into noise: UnsafeMutablePointer<Double>, workspace: SDEWorkspace)
}

/// Scratch buffers of one path, allocated once per worker so that steps allocate nothing.
public final class SDEWorkspace {
  public let tokens: Int
  /// `m × m` scratch matrices for the models' own use (`a`…`e`, `vector`) and the engine's;
  /// the `m` eigenvalues.
  let a, b, c, d, e, root, drift, noise, vector, eigenvalues: UnsafeMutablePointer<Double>
  let gaussians: UnsafeMutablePointer<Double>
  let gaussianCount: Int

  init(tokens m: Int, gaussianCount: Int) {
    tokens = m
    self.gaussianCount = gaussianCount
    let size = m * m
    a = .allocate(capacity: size)
    b = .allocate(capacity: size)
    c = .allocate(capacity: size)
    d = .allocate(capacity: size)
    e = .allocate(capacity: size)
    vector = .allocate(capacity: size)
    root = .allocate(capacity: size)
    drift = .allocate(capacity: size)
    noise = .allocate(capacity: size)
    eigenvalues = .allocate(capacity: m)
    gaussians = .allocate(capacity: max(gaussianCount, 1))
  }

  deinit {
    for p in [a, b, c, d, e, root, drift, noise, vector, eigenvalues, gaussians] { p.deallocate() }
  }
}
