/// The input kernel of neural-tangents, `Σ₀ = x1·x2ᵀ/d`, made a row segment at a time where a
/// fused pass needs it (`KernelEvaluator`), for an NTK-only request whose NNGP is not stored
/// (`KernelState.storesNNGP`).
struct InputGram: Sendable {
  /// Above this many features the segments cost more than storing the NNGP saves: each tile
  /// reads `d` rows of `x2ᵀ`, from L2 only while `d` is small (measured on 4,000 inputs: the
  /// whole NNGP and NTK 5% slower at d = 10 than by one BLAS pass, 15% at d = 30, 50% at d = 100).
  static let widest = 16

  /// `n1 × d`.
  let x1: Matrix
  /// `n2 × d` (`x1` when not given).
  let x2: Matrix
  /// `x2ᵀ`, `d × n2`: the entries of a row segment are consecutive.
  let x2Transposed: Matrix

  init(_ x1: Matrix, _ x2: Matrix?) {
    self.x1 = x1
    self.x2 = x2 ?? x1
    x2Transposed = self.x2.transposed
  }

  /// `out[e] = (Σₖ x1[i, k]·x2[start + e, k])·(1/d)` for `e < count`, summed over `k` in order
  /// (so that `Σ₀(x, x')` and `Σ₀(x', x)` are the same number), scaled as BLAS's `α = 1/d`.
  func segment(row i: Int, from start: Int, count: Int, into out: UnsafeMutablePointer<Double>) {
    let d = x1.columns, n2 = x2Transposed.columns, scale = 1 / Double(d)
    x1.elements.withUnsafeBufferPointer { p1 in
      x2Transposed.elements.withUnsafeBufferPointer { p2 in
        let row = p1.baseAddress! + i * d, columns = UnsafeRawPointer(p2.baseAddress! + start)
        // Eight entries at a time, summed in registers over the features.
        var e = 0
        while e + 8 <= count {
          var sum = columns.loadUnaligned(fromByteOffset: 8 * e, as: SIMD8<Double>.self) * row[0]
          for k in 1..<d { sum += columns.loadUnaligned(fromByteOffset: 8 * (k * n2 + e), as: SIMD8<Double>.self) * row[k] }
          UnsafeMutableRawPointer(out + e).storeBytes(of: sum * scale, as: SIMD8<Double>.self)
          e += 8
        }
        let scalar = columns.assumingMemoryBound(to: Double.self)
        for e in e..<count {
          var sum = scalar[e] * row[0]
          for k in 1..<d { sum += scalar[k * n2 + e] * row[k] }
          out[e] = sum * scale
        }
      }
    }
  }
}
