import Foundation

/// Signal-propagation diagnostics of a token kernel (He et al. 2023, §2; Noci et al. 2022 on rank
/// collapse), averaged over the sequences of a state: each sequence's own `m × m` block `Σ`
///
/// - mean diagonal `mean_a Σ_aa` and, per position `a`, `Σ_aa` (under causal masking the diagonal
///   depends on the position: uniform-causal attention from `Σ₀ = I` gives `1/a`);
/// - mean off-diagonal correlation `mean_{a≠b} Σ_ab/√(Σ_aa·Σ_bb)` (→ 1 under rank collapse);
/// - effective rank `exp(−Σ_k p_k·log p_k)`, `p_k = λ_k/Σλ` the normalised eigenvalues (Roy &
///   Vetterli 2007): `m` for `Σ ∝ I`, 1 for a rank-one kernel.
public struct TokenKernelSummary: Sendable, Equatable {
  public let meanDiagonal: Double
  public let meanCorrelation: Double
  public let effectiveRank: Double
  /// `Σ_aa` per position, averaged over sequences.
  public let diagonal: [Double]

  /// The summary of the sequences' own blocks of a symmetric `Nm × Nm` kernel.
  public init(_ kernel: Matrix, tokens m: Int) throws {
    guard kernel.rows == kernel.columns, m >= 1, kernel.rows % m == 0, kernel.rows > 0 else {
      throw NeuralLimitsError.dimensionMismatch("a \(kernel.rows) × \(kernel.columns) kernel is not whole sequences of \(m) tokens")
    }
    let sequences = kernel.rows / m
    var diagonal = [Double](repeating: 0, count: m)
    var correlation = 0.0, rank = 0.0
    for s in 0..<sequences {
      var block = Matrix(rows: m, columns: m)
      for a in 0..<m { for b in 0..<m { block[a, b] = kernel[s * m + a, s * m + b] } }
      for a in 0..<m { diagonal[a] += block[a, a] / Double(sequences) }
      correlation += (m > 1 ? TokenCovariance.meanCorrelation(block) : 1) / Double(sequences)
      rank += try TokenKernelSummary.effectiveRank(block) / Double(sequences)
    }
    self.diagonal = diagonal
    meanDiagonal = diagonal.reduce(0, +) / Double(m)
    meanCorrelation = correlation
    effectiveRank = rank
  }

  public init(meanDiagonal: Double, meanCorrelation: Double, effectiveRank: Double, diagonal: [Double]) {
    self.meanDiagonal = meanDiagonal
    self.meanCorrelation = meanCorrelation
    self.effectiveRank = effectiveRank
    self.diagonal = diagonal
  }

  /// `exp` of the entropy of the normalised eigenvalues (negative rounding clipped to 0).
  static func effectiveRank(_ v: Matrix) throws -> Double {
    let values = try SymmetricEigen(v).values.map { max($0, 0) }
    let total = values.reduce(0, +)
    guard total > 0 else { return 0 }
    let entropy = values.reduce(0.0) { h, l in l > 0 ? h - (l / total) * log(l / total) : h }
    return exp(entropy)
  }
}
