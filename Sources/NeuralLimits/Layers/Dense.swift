/// How a dense layer's weights are scaled (neural-tangents' `parameterization`).
public enum Parameterization: String, Sendable, CaseIterable {
  /// `z = (w/√n_in)·W·h + b·β` with `W, β ~ N(0, 1)` (Jacot et al. 2018).
  case ntk
  /// `z = W·h + β` with `W ~ N(0, w²/n_in)`, `β ~ N(0, b²)` (Sohl-Dickstein et al. 2020).
  case standard
}

/// A fully connected layer.
///
/// Kernel map (both parameterizations share the NNGP):
/// - `Σ' = w²Σ + b²`;
/// - NTK parameterization: `Θ' = Σ' + w²Θ`;
/// - standard parameterization: `Θ' = n_in·Σ + w²Θ + 1[bias]`, where `n_in` is the input width.
///
/// `b_std = 0` means the layer has no bias (so no `+1` in the standard NTK). `width` is the
/// output width; without it the layer has the network's hidden width (infinite on the kernel side).
public struct Dense: PointwiseKernel {
  public let wStd: Double
  public let bStd: Double
  public let parameterization: Parameterization
  public let width: Int?

  public init(wStd: Double = 1, bStd: Double = 0, parameterization: Parameterization = .ntk, width: Int? = nil) {
    self.wStd = wStd
    self.bStd = bStd
    self.parameterization = parameterization
    self.width = width
  }

  var hasBias: Bool { bStd != 0 }

  public var specification: String {
    var parts = ["w_std=\(wStd)", "b_std=\(bStd)"]
    if parameterization != .ntk { parts.append("parameterization=\(parameterization.rawValue)") }
    if let width { parts.append("width=\(width)") }
    return "dense(\(parts.joined(separator: ", ")))"
  }

  public func outputWidth(_ context: LayerContext) throws -> Int? {
    if parameterization == .standard && context.inputWidth == nil {
      throw NeuralLimitsError.architecture(
        "dense(parameterization=standard) needs the width of its input: give the dense layer before it a width=")
    }
    return width ?? context.hiddenWidth
  }

  /// A dense layer's outputs are Gaussian in the limit whatever its input (central limit over
  /// the input width, or Gaussian weights on a fixed input).
  public func outputIsGaussian(inputIsGaussian: Bool) -> Bool { true }

  /// The map reads neither variances nor features.
  public var readsInputVariances: Bool { false }

  public func transform(_ tile: KernelTile, context: LayerContext) {
    let w2 = wStd * wStd, b2 = bStd * bStd
    let nngp = tile.nngp
    if let ntk = tile.ntk {
      switch parameterization {
      case .ntk:
        for e in 0..<tile.count {
          let s = w2 * nngp[e] + b2
          ntk[e] = s + w2 * ntk[e]
          nngp[e] = s
        }
      case .standard:
        let nIn = Double(context.inputWidth ?? 0), bias: Double = hasBias ? 1 : 0
        for e in 0..<tile.count {
          ntk[e] = nIn * nngp[e] + w2 * ntk[e] + bias
          nngp[e] = w2 * nngp[e] + b2
        }
      }
    } else {
      for e in 0..<tile.count { nngp[e] = w2 * nngp[e] + b2 }
    }
  }

  // MARK: finite width

  /// Forward multipliers of the stored weights and biases, and their initial standard deviations.
  private func scales(inputWidth: Int) -> (weight: Double, bias: Double, weightStd: Double, biasStd: Double) {
    let w = wStd / Double(inputWidth).squareRoot()
    switch parameterization {
    case .ntk: return (w, bStd, 1, 1)
    case .standard: return (1, 1, w, bStd)
    }
  }

  public func parameterCount(inputWidth: Int, outputWidth: Int) -> Int {
    outputWidth * inputWidth + (hasBias ? outputWidth : 0)
  }

  /// Weights `W` (`outputWidth × inputWidth`, row-major), then biases.
  public func initialize(_ parameters: UnsafeMutableBufferPointer<Double>, inputWidth: Int, outputWidth: Int,
                         random: RandomStream) {
    let s = scales(inputWidth: inputWidth)
    let weights = outputWidth * inputWidth
    random.fillGaussian(UnsafeMutableBufferPointer(rebasing: parameters[0..<weights]), std: s.weightStd)
    if hasBias {
      random.fillGaussian(UnsafeMutableBufferPointer(rebasing: parameters[weights...]), std: s.biasStd)
    }
  }

  public func forward(_ input: Matrix, parameters: UnsafeBufferPointer<Double>, outputWidth: Int, tokens: Int,
                      random: RandomStream, cache: inout [Double]) -> Matrix {
    affine(input, parameters: parameters, outputWidth: outputWidth)
  }

  /// `ω·h·Wᵀ + β_s·β` with `ω, β_s` the forward multipliers (`scales`).
  private func affine(_ input: Matrix, parameters: UnsafeBufferPointer<Double>, outputWidth: Int) -> Matrix {
    let s = scales(inputWidth: input.columns)
    var z = Matrix(rows: input.rows, columns: outputWidth)
    BLAS.gemm(input, weights: parameters.baseAddress!, rows: outputWidth, columns: input.columns, transposeW: true,
              alpha: s.weight, into: &z)
    if hasBias {
      let bias = parameters.baseAddress! + outputWidth * input.columns
      z.elements.withUnsafeMutableBufferPointer { pz in
        for i in 0..<input.rows { for j in 0..<outputWidth { pz[i * outputWidth + j] += s.bias * bias[j] } }
      }
    }
    return z
  }

  public func backward(_ cotangent: Matrix, input: Matrix, output: Matrix, parameters: UnsafeBufferPointer<Double>,
                       cache: [Double], copies: Int) -> Matrix {
    let s = scales(inputWidth: input.columns)
    var g = Matrix(rows: cotangent.rows, columns: input.columns)
    BLAS.gemm(cotangent, weights: parameters.baseAddress!, rows: output.columns, columns: input.columns, transposeW: false,
              alpha: s.weight, into: &g)
    return g
  }

  /// `∂/∂W = ω·Gᵀ·H` and `∂/∂β = β_s·Σ_rows G`, with `G` the cotangents summed over the copies
  /// of each input (`batch × outputWidth`) and `H` the input.
  public func parameterGradient(_ cotangent: Matrix, input: Matrix, output: Matrix, parameters: UnsafeBufferPointer<Double>,
                                cache: [Double], copies: Int, into gradient: UnsafeMutableBufferPointer<Double>) {
    let s = scales(inputWidth: input.columns)
    let g = copies == 1 ? cotangent : cotangent.summedPerInput(copies: copies)
    BLAS.gemm(transposed: g, input, alpha: s.weight, beta: 1, intoWeights: gradient.baseAddress!)
    guard hasBias else { return }
    let bias = gradient.baseAddress! + output.columns * input.columns
    g.elements.withUnsafeBufferPointer { pg in
      for i in 0..<g.rows { for j in 0..<g.columns { bias[j] += s.bias * pg[i * g.columns + j] } }
    }
  }

  /// The layer is linear in `(W, β)`, so its tangent is the forward map with `tangent` as parameters.
  public func parameterTangent(_ tangent: UnsafeBufferPointer<Double>, input: Matrix, output: Matrix,
                               parameters: UnsafeBufferPointer<Double>, cache: [Double]) -> Matrix {
    affine(input, parameters: tangent, outputWidth: output.columns)
  }

  /// `(w/√n_in)·h·W + b·β` with `W`, `β` fresh standard Gaussians (either parameterization:
  /// the law is the same), `h·W` drawn without forming `W` (`GaussianProduct`).
  public func sampleForward(_ input: Matrix, outputWidth: Int, tokens: Int, random: RandomStream, into output: inout Matrix,
                            scratch: SamplingScratch) {
    GaussianProduct.sample(input, outputWidth: outputWidth, scale: wStd / Double(input.columns).squareRoot(),
                           random: random, into: &output, scratch: scratch)
    guard hasBias else { return }
    output.elements.withUnsafeMutableBufferPointer { out in
      for j in 0..<outputWidth {
        let beta = bStd * random.gaussian()
        for i in 0..<input.rows { out[i * outputWidth + j] += beta }
      }
    }
  }

  /// `Σₐ gₐ(x)·gₐ(x') ∘ (ω²·h(x)·h(x') + β²·1[bias])` with `ω, β` the forward multipliers, per
  /// row or summed over the rows of a sequence pair (`CotangentLayout.accumulate`).
  public func accumulateNTK(_ cotangent: Matrix, input: Matrix, output: Matrix, parameters: UnsafeBufferPointer<Double>,
                            cache: [Double], layout: CotangentLayout, into ntk: inout Matrix) {
    let s = scales(inputWidth: input.columns)
    var features = BLAS.gram(input, alpha: s.weight * s.weight)
    if hasBias {
      let bias = s.bias * s.bias
      for k in features.elements.indices { features.elements[k] += bias }
    }
    layout.accumulate(signal: cotangent, features: features, into: &ntk)
  }
}
