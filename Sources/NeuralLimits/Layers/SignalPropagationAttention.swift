import Foundation

/// E-SPA and U-SPA (He, Martens, Zhang et al. 2023, *Deep Transformers without Shortcuts:
/// Modifying Self-attention for Faithful Signal Propagation*): attention matrices, fixed at
/// initialisation (`W_Q = 0`), chosen so that the token kernel of layer `l` of `L` is a target
///
/// - E-SPA: `Σ_l = exp(−γ_l·|i − j|)`, with `1 − e^{−2γ_l} = (1 − e^{−2γ_L})^{l/L}` (so `γ_0 = ∞`,
///   `Σ_0 = I`). Source: the public PyTorch reimplementation `AttentionWithoutShortcutsLayer`
///   (`calculate_gamma_l`: `γ_l = −½·log(1 − α_L^{2l/L})`, `α_L² = 1 − e^{−2γ_L}`, default
///   `γ_L = 0.005`, the paper's value). The paper's own section on the schedule could not be read
///   here (only its abstract and introduction are in the searchable corpora; no official code
///   exists), so this is checked against the reimplementation, not the text. Its meaning:
///   `exp(−γ|i−j|)` is an AR(1) kernel whose Cholesky factor has diagonal `(1, α, …, α)`,
///   `α² = 1 − e^{−2γ}`, so `log det Σ_l = (m − 1)·log α_l²` falls linearly in `l` — every layer
///   removes the same log-volume (each `A_l` has the same determinant `α_L^{(m−1)/L}`);
/// - U-SPA: `Σ_l = (1 − ρ_l)·I + ρ_l·11ᵀ`, with `1 − ρ_l = (1 − ρ_L)^{l/L}` (`ρ_0 = 0`; default
///   `ρ_L = 0.8`, the paper's). Not found in any source: chosen by the same rule —
///   `log det Σ_l = (m − 1)·log(1 − ρ_l) + log(1 + (m − 1)ρ_l)`, whose first term is linear in `l`
///   under this schedule and dominates for long sequences.
///
/// `A_l = L_l·L_{l−1}⁻¹` with `L` the Cholesky factors (causal: lower triangular, so token `i`
/// sees tokens `1…i`), or `A_l = Σ_l^{1/2}·Σ_{l−1}^{−1/2}` with symmetric square roots
/// (non-causal); either way `A_l·Σ_{l−1}·A_lᵀ = Σ_l`. The layer realises `A_l` as
/// `D·softmax(M + B)` (location-dependent rescaling `D` = the row sums, bias `B_ij = log(A_ij/D_i)`),
/// which needs `A_ij ≥ 0` on the visible entries; a negative entry is reported and refused.
public enum SignalPropagationAttention: Sendable, Equatable {
  case exponential(gammaFinal: Double)
  case uniform(rhoFinal: Double)

  /// The name in the architecture language.
  public var name: String {
    switch self {
    case .exponential: return "espa"
    case .uniform: return "uspa"
    }
  }

  /// The target `Σ_l` for `m` tokens, layer `l` of `L` (`l = 0`: the identity).
  public func target(layer l: Int, depth L: Int, tokens m: Int) -> Matrix {
    var sigma = Matrix.identity(m)
    guard l > 0 else { return sigma }
    let fraction = Double(l) / Double(L)
    switch self {
    case .exponential(let gammaL):
      let gamma = -0.5 * log(1 - pow(1 - exp(-2 * gammaL), fraction))
      for i in 0..<m { for j in 0..<m { sigma[i, j] = exp(-gamma * Double(abs(i - j))) } }
    case .uniform(let rhoL):
      let rho = 1 - pow(1 - rhoL, fraction)
      for i in 0..<m { for j in 0..<m where i != j { sigma[i, j] = rho } }
    }
    return sigma
  }

  /// `A_l` (see the type's documentation). Throws when a target is not positive definite (a
  /// final correlation of 1).
  public func matrix(layer l: Int, depth L: Int, tokens m: Int, causal: Bool) throws -> Matrix {
    let current = target(layer: l, depth: L, tokens: m), previous = target(layer: l - 1, depth: L, tokens: m)
    do {
      if causal {
        let lower = try Cholesky(previous).lower
        // A = L_l·L_{l−1}⁻¹, i.e. Aᵀ solves L_{l−1}ᵀ·Aᵀ = L_lᵀ: solve by forward substitution on rows.
        return try Self.solveRight(try Cholesky(current).lower, lower)
      }
      let inverseRoot = try SymmetricEigen(previous).reconstruct { 1 / $0.squareRoot() }
      return try current.symmetricSquareRoot() * inverseRoot
    } catch {
      throw NeuralLimitsError.invalidArgument(
        "\(name): the target kernel of layer \(l) of \(L) is not positive definite for \(m) tokens; choose a final correlation below 1")
    }
  }

  /// `X` with `X·T = B` for a lower-triangular `T` (row by row, back substitution over columns).
  static func solveRight(_ b: Matrix, _ t: Matrix) throws -> Matrix {
    let m = t.rows
    var x = Matrix(rows: b.rows, columns: m)
    for i in 0..<b.rows {
      for j in stride(from: m - 1, through: 0, by: -1) {
        var sum = b[i, j]
        for k in (j + 1)..<max(m, j + 1) { sum -= x[i, k] * t[k, j] }
        x[i, j] = sum / t[j, j]
      }
    }
    return x
  }

  /// `max |A_l·Σ_{l−1}·A_lᵀ − Σ_l|`, the check that `A_l` reproduces its target.
  public func reproductionError(layer l: Int, depth L: Int, tokens m: Int, causal: Bool) throws -> Double {
    let a = try matrix(layer: l, depth: L, tokens: m, causal: causal)
    let image = a * target(layer: l - 1, depth: L, tokens: m) * a.transposed
    return image.maxAbsDifference(target(layer: l, depth: L, tokens: m))
  }
}

/// The input-independent part of an attention layer for `m` tokens: the location-dependent
/// rescaling `D` (one factor per query token) and additive bias `B` of *Deep Transformers without
/// Shortcuts*, `A(X) = D·softmax(X·W_Q·W_Kᵀ·Xᵀ/√d_k + M + B)`.
public enum AttentionPattern: Sendable, Equatable {
  /// `D = I`, `B = 0`.
  case plain
  /// E-SPA or U-SPA at layer `l` of `L` (both `nil` until a repetition `* L` places the layer).
  case signalPropagation(SignalPropagationAttention, layer: Int?, depth: Int?)
  /// A given matrix `A` (`m × m`, entries ≥ 0 where visible), realised as `D`, `B`; `file`: where
  /// it was read from (`fixed_attention(file=…)`).
  case fixed(Matrix, file: String? = nil)

  /// `(D, B)` for `m` tokens; `B` is `−∞` where `A` vanishes. Throws when the pattern cannot be
  /// realised (unplaced E-SPA/U-SPA, wrong size, a negative entry).
  func rescalingAndBias(tokens m: Int, causal: Bool, layer name: String) throws -> (d: [Double], b: Matrix) {
    let a: Matrix
    switch self {
    case .plain:
      return ([Double](repeating: 1, count: m), Matrix(rows: m, columns: m))
    case .signalPropagation(let spa, let l, let L):
      guard let l, let L else {
        throw NeuralLimitsError.architecture(
          "\(name) needs its layer and depth: write it inside a repetition ('(\(spa.name)(...) -> ...) * 12') or give layer= and depth=")
      }
      a = try spa.matrix(layer: l, depth: L, tokens: m, causal: causal)
    case .fixed(let given, _):
      guard given.rows == m, given.columns == m else {
        throw NeuralLimitsError.dimensionMismatch("\(name): the attention matrix is \(given.rows) × \(given.columns), the sequences have \(m) tokens")
      }
      a = given
    }
    var d = [Double](repeating: 0, count: m)
    var b = Matrix(rows: m, columns: m, repeating: -.infinity)
    let tolerance = 1e-12
    for i in 0..<m {
      for j in 0..<m where a[i, j] < -tolerance && (!causal || j <= i) {
        throw NeuralLimitsError.invalidArgument(
          "\(name): entrywise positivity fails for \(m) tokens (A[\(i + 1), \(j + 1)] = \(a[i, j])), so no rescaled softmax D·softmax(M + B) realises it")
      }
      for j in 0...(causal ? i : m - 1) { d[i] += max(a[i, j], 0) }
      guard d[i] > 0 else {
        throw NeuralLimitsError.invalidArgument("\(name): row \(i + 1) of the attention matrix has no positive entry for \(m) tokens")
      }
      for j in 0...(causal ? i : m - 1) where a[i, j] > 0 { b[i, j] = log(a[i, j] / d[i]) }
    }
    return (d, b)
  }
}
