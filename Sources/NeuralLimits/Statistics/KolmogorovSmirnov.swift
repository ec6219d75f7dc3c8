import Foundation

/// The two-sample Kolmogorov–Smirnov test: `D = sup_x |F₁(x) − F₂(x)|` between the empirical
/// distribution functions of two independent samples, and its p-value from Kolmogorov's limiting
/// distribution `Q(λ) = 2 Σ_{k≥1} (−1)^{k−1} e^{−2k²λ²}` at `λ = (√nₑ + 0.12 + 0.11/√nₑ)·D`,
/// `nₑ = n₁n₂/(n₁ + n₂)` (Stephens 1970; accurate for `nₑ ≥ 4`).
public struct KolmogorovSmirnov: Sendable {
  public let statistic: Double
  public let pValue: Double
  public let sizes: (Int, Int)

  /// Throws when a sample has fewer than 2 values or a value is not finite.
  public init(_ a: [Double], _ b: [Double]) throws {
    guard a.count >= 2, b.count >= 2 else {
      throw NeuralLimitsError.invalidArgument("a Kolmogorov–Smirnov test needs at least 2 values per sample, got \(a.count) and \(b.count)")
    }
    guard (a + b).allSatisfy(\.isFinite) else { throw NeuralLimitsError.invalidArgument("Kolmogorov–Smirnov samples must be finite") }
    let x = a.sorted(), y = b.sorted()
    var i = 0, j = 0, d = 0.0
    let na = Double(x.count), nb = Double(y.count)
    while i < x.count && j < y.count {
      let v = min(x[i], y[j])
      while i < x.count && x[i] == v { i += 1 }
      while j < y.count && y[j] == v { j += 1 }
      d = max(d, abs(Double(i) / na - Double(j) / nb))
    }
    statistic = d
    sizes = (x.count, y.count)
    let ne = na * nb / (na + nb)
    pValue = KolmogorovSmirnov.survival((ne.squareRoot() + 0.12 + 0.11 / ne.squareRoot()) * d)
  }

  /// `Q(λ) = P(K > λ)` for Kolmogorov's distribution.
  static func survival(_ lambda: Double) -> Double {
    guard lambda > 0.2 else { return 1 }
    var sum = 0.0, sign = 1.0
    for k in 1...100 {
      let term = exp(-2 * Double(k * k) * lambda * lambda)
      sum += sign * term
      if term < 1e-18 { break }
      sign = -sign
    }
    return min(max(2 * sum, 0), 1)
  }
}
