import Foundation

/// The drift the shaped ReLU `σ_s(x) = s₊max(x, 0) + s₋min(x, 0)`, `s± = 1 + c±/√n`, adds to the
/// covariance per unit of `t = ℓ/n` (Li, Nica & Roy 2022; *The Shaped Transformer*, Eq. 6):
///
///     b_ReLU^{αβ}(V) = ν(ρ^{αβ})·√(V^{αα}V^{ββ}),   ν(ρ) = (c₊ − c₋)²/(2π)·(√(1 − ρ²) − ρ·arccos ρ),
///
/// with `ρ^{αβ} = V^{αβ}/√(V^{αα}V^{ββ})`; `ν(1) = 0`, so the diagonal has no drift. It is the
/// `1/n` part of the layer's arc-cosine kernel map (`PiecewiseLinear`): with slopes `s±` the map
/// `√(q1q2)·[(s₊ − s₋)²/(2π)·(sin θ − θ cos θ) + (s₊² + s₋²)/2·cos θ]`, times the `c` of the
/// following `√(c/n)·W`, is `V^{αβ} + ν(ρ)√(V^{αα}V^{ββ})/n`. (An appendix of the paper prints a
/// variant of ν that does not match simulations; this is Eq. 6.)
public struct ShapedReLUDrift: Sendable, Equatable {
  public let cPlus: Double
  public let cMinus: Double

  public init(cPlus: Double, cMinus: Double) {
    self.cPlus = cPlus
    self.cMinus = cMinus
  }

  /// `ν(ρ)` for `ρ` clamped to `[−1, 1]`.
  public func nu(_ rho: Double) -> Double {
    let r = min(max(rho, -1), 1)
    let d = cPlus - cMinus
    return d * d / (2 * Double.pi) * (((1 - r) * (1 + r)).squareRoot() - r * ArcCosine.evaluate(r))
  }

  /// Adds `scale·b_ReLU(V)` to `drift` (both `m × m`).
  func add(_ v: UnsafePointer<Double>, tokens m: Int, scale: Double, to drift: UnsafeMutablePointer<Double>) {
    for i in 0..<m {
      for j in (i + 1)..<max(m, i + 1) {
        let root = (max(v[i * m + i], 0) * max(v[j * m + j], 0)).squareRoot()
        let b = root > 0 ? scale * nu(v[i * m + j] / root) * root : 0
        drift[i * m + j] += b
        drift[j * m + i] += b
      }
    }
  }
}

/// The shaped ReLU MLP `X_{ℓ+1} = σ_s(X_ℓ)·√(c/n)·W_ℓ`, `c⁻¹ = (s₊² + s₋²)/2` (*The Shaped
/// Transformer*, Eq. 6): `dV = b_ReLU(V)·dt + Σ_lin(V)^{1/2}·dB`.
public struct ShapedMLPSDE: CovarianceSDE {
  public let relu: ShapedReLUDrift

  public init(cPlus: Double, cMinus: Double) { relu = ShapedReLUDrift(cPlus: cPlus, cMinus: cMinus) }

  public var description: String { "shaped ReLU MLP (c+ = \(relu.cPlus), c- = \(relu.cMinus))" }

  public func gaussianCount(tokens m: Int) -> Int { LinearNoise.gaussianCount(tokens: m) }

  public func diffusion(_ v: Matrix) -> Matrix { LinearNoise.covariance(v, scale: 1) }

  public func drift(_ v: UnsafePointer<Double>, tokens m: Int, into drift: UnsafeMutablePointer<Double>,
                    workspace: SDEWorkspace) {
    drift.update(repeating: 0, count: m * m)
    relu.add(v, tokens: m, scale: 1, to: drift)
  }

  public func noise(_ v: UnsafePointer<Double>, root: UnsafePointer<Double>, triangular: Bool, tokens m: Int,
                    gaussians g: UnsafePointer<Double>, into noise: UnsafeMutablePointer<Double>, workspace: SDEWorkspace) {
    LinearNoise.apply(root: root, triangular: triangular, tokens: m, gaussians: g, scale: 1, into: noise, workspace: workspace)
  }
}
