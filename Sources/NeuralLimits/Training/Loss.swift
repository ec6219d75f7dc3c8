import Foundation

/// A training loss over all `|y| = N·k` targets (`N` inputs, `k` outputs), normalised by their
/// number as neural-tangents normalises it (`predict.gradient_descent_mse`'s
/// `0.5·mean((f − y)²)`; the cross-entropy `−mean(log_softmax(f)·y)` of `predict.gradient_descent`'s
/// example), so that gradient descent with rate `η` follows neural-tangents' time: with MSE the
/// linearised outputs decay as `exp(−η·t·Θ/|y|)` after `t` steps (see `Trainer`).
public enum Loss: String, Sendable, CaseIterable {
  /// `L = ‖f − y‖²/(2|y|)`, `∂L/∂f = (f − y)/|y|`.
  case meanSquaredError
  /// `L = −Σₓ Σₐ yₐ(x)·log softmax(f(x))ₐ / |y|`, targets non-negative (one-hot or soft labels),
  /// `∂L/∂fₐ = (softmax(f)ₐ·Σ_b y_b − yₐ)/|y|`; `log softmax` as `fₐ − m − log Σ_b e^{f_b − m}`,
  /// `m = max_b f_b`, which neither overflows nor underflows to `log 0`.
  case softmaxCrossEntropy

  /// Throws unless `targets` fit this loss (finite; non-negative for cross-entropy).
  func validate(targets y: Matrix) throws {
    try y.validateFinite("targets")
    if self == .softmaxCrossEntropy, let negative = y.elements.first(where: { $0 < 0 }) {
      throw NeuralLimitsError.invalidArgument(
        "softmax cross-entropy needs non-negative targets (probabilities), found \(negative)")
    }
  }

  /// `L(f, y)`, writing `∂L/∂f` into `gradient` (reshaped to `f`'s shape; its storage is reused).
  func evaluate(_ f: Matrix, targets y: Matrix, gradient: inout Matrix) -> Double {
    gradient.reshape(rows: f.rows, columns: f.columns)
    let count = Double(f.elements.count), k = f.columns
    var total = 0.0
    f.elements.withUnsafeBufferPointer { pf in
      y.elements.withUnsafeBufferPointer { py in
        gradient.elements.withUnsafeMutableBufferPointer { pg in
          switch self {
          case .meanSquaredError:
            for e in pf.indices {
              let r = pf[e] - py[e]
              total += r * r
              pg[e] = r / count
            }
            total /= 2
          case .softmaxCrossEntropy:
            for x in 0..<f.rows {
              let row = x * k
              var largest = -Double.infinity, mass = 0.0
              for a in 0..<k {
                largest = max(largest, pf[row + a])
                mass += py[row + a]
              }
              var partition = 0.0
              for a in 0..<k { partition += exp(pf[row + a] - largest) }
              let logPartition = log(partition)
              for a in 0..<k {
                let logSoftmax = pf[row + a] - largest - logPartition
                if py[row + a] != 0 { total -= py[row + a] * logSoftmax }
                pg[row + a] = (exp(logSoftmax) * mass - py[row + a]) / count
              }
            }
          }
        }
      }
    }
    return total / count
  }
}
