import Testing
@testable import NeuralLimits

/// Attention's derivatives against central differences, layer by layer and through networks of
/// sequences (2 sequences of 3 tokens, width 4), for every variant.
@Suite("Attention derivatives: input and parameter VJP, parameter JVP, per-sequence NTK")
struct AttentionDerivativeTests {
  /// E-SPA's `D` and `B` with random logits on top (not in the language: `espa` fixes `W_Q = 0`).
  static let signalPropagationWithLogits = "espa with q_std=1.2"

  static let variants = [
    "attention(keys=3, q_std=1.3)",
    "attention(causal=true, q_std=1.1, tau0=0.5)",
    "attention(q_std=0)",
    "attention(q_std=0, causal=true, v_std=1.3)",
    "shaped_attention(keys=3, q_std=2, tau0=0.05)",
    "shaped_attention(causal=true, q_std=1.5, tau0=0.05)",
    "value_skipinit(alpha=0.8, beta=0.6, q_std=1.2)",
    "value_skipinit(alpha=0.8, beta=0.6)",
    "espa(gamma_final=0.2, causal=true, layer=2, depth=4)",
    "uspa(rho_final=0.6, layer=1, depth=2)",
    signalPropagationWithLogits,
    "attention(keys=3, q_std=1.3, heads=2)",
    "shaped_attention(causal=true, q_std=1.5, tau0=0.05, heads=3)",
    "value_skipinit(alpha=0.8, beta=0.6, heads=2)",
  ]

  static func layer(_ spec: String) throws -> Attention {
    if spec == signalPropagationWithLogits {
      return Attention(name: "espa", alpha: 0, beta: 1, gamma: 0, shapedTemperature: false, tau0: 0.5, causal: true,
                       queryStd: 1.2, pattern: .signalPropagation(.exponential(gammaFinal: 0.2), layer: 2, depth: 4))
    }
    return try #require(try ArchitectureParser.parse(spec).graph.primitives.first as? Attention)
  }

  /// One attention layer on 2 sequences of 3 tokens of width 4, with parameters drawn once.
  struct Fixture {
    let layer: Attention
    let x = try! Matrix(rows: 6, columns: 4, elements: RandomStream(seed: 21).gaussians(24))
    let theta: [Double]

    init(_ spec: String) throws {
      let layer = try AttentionDerivativeTests.layer(spec)
      var theta = [Double](repeating: 0, count: layer.parameterCount(inputWidth: 4, outputWidth: 4))
      theta.withUnsafeMutableBufferPointer { layer.initialize($0, inputWidth: 4, outputWidth: 4, random: RandomStream(seed: 22)) }
      self.layer = layer
      self.theta = theta
    }

    /// The output and cache at input `x` and parameters `theta`.
    func forward(_ x: Matrix, _ theta: [Double]) -> (output: Matrix, cache: [Double]) {
      var cache: [Double] = []
      let y = theta.withUnsafeBufferPointer {
        layer.forward(x, parameters: $0, outputWidth: 4, tokens: 3, random: RandomStream(seed: 0), cache: &cache)
      }
      return (y, cache)
    }

    /// `⟨g_c, Y⟩` for seed `c` of cotangents with `copies` seeds per row.
    static func pairing(_ g: Matrix, copies: Int, seed c: Int, _ y: Matrix) -> Double {
      var sum = 0.0
      for row in 0..<y.rows { for u in 0..<y.columns { sum += g[row * copies + c, u] * y[row, u] } }
      return sum
    }

    /// Seeds `c` of `g` (rows `y·copies + c`) as a `batch × width` matrix.
    static func seed(_ g: Matrix, copies: Int, _ c: Int) -> Matrix {
      var out = Matrix(rows: g.rows / copies, columns: g.columns)
      for row in 0..<out.rows { for u in 0..<g.columns { out[row, u] = g[row * copies + c, u] } }
      return out
    }
  }

  @Test("∂X (input VJP, two seeds per row) matches central differences to 1e-6", arguments: variants)
  func inputVJP(_ spec: String) throws {
    let f = try Fixture(spec)
    let (y, cache) = f.forward(f.x, f.theta)
    let g = try Matrix(rows: 12, columns: 4, elements: RandomStream(seed: 23).gaussians(48))
    let exact = f.theta.withUnsafeBufferPointer {
      f.layer.backward(g, input: f.x, output: y, parameters: $0, cache: cache, copies: 2)
    }
    for c in 0..<2 {
      let numeric = TrainingFixtures.centralDifferences(at: f.x.elements) { e in
        Fixture.pairing(g, copies: 2, seed: c, f.forward(try! Matrix(rows: 6, columns: 4, elements: e), f.theta).output)
      }
      let seed = Fixture.seed(exact, copies: 2, c).elements
      #expect(TrainingFixtures.relativeError(seed, numeric) <= 1e-6, "\(spec) seed \(c)")
    }
  }

  @Test("∂W^Q, ∂W^K, ∂W^V (parameter VJP over two seeds) match central differences to 1e-6, W^Q and W^K on their own",
        arguments: variants)
  func parameterVJP(_ spec: String) throws {
    let f = try Fixture(spec)
    let (y, cache) = f.forward(f.x, f.theta)
    let g = try Matrix(rows: 12, columns: 4, elements: RandomStream(seed: 24).gaussians(48))
    var exact = [Double](repeating: 0, count: f.theta.count)
    f.theta.withUnsafeBufferPointer { p in
      exact.withUnsafeMutableBufferPointer {
        f.layer.parameterGradient(g, input: f.x, output: y, parameters: p, cache: cache, copies: 2, into: $0)
      }
    }
    let numeric = TrainingFixtures.centralDifferences(at: f.theta) { t in
      let y = f.forward(f.x, t).output
      return Fixture.pairing(g, copies: 2, seed: 0, y) + Fixture.pairing(g, copies: 2, seed: 1, y)
    }
    #expect(TrainingFixtures.relativeError(exact, numeric) <= 1e-6, "\(spec)")
    // Each head's W^Q, W^K (before its 4 × 4 W^V).
    let each = f.theta.count / f.layer.heads, qk = each - 16
    #expect((qk == 0) == (f.layer.queryStd == 0))
    let logits = f.theta.indices.filter { $0 % each < qk }
    if qk > 0 {
      #expect(TrainingFixtures.relativeError(logits.map { exact[$0] }, logits.map { numeric[$0] }) <= 1e-6, "\(spec): W^Q, W^K")
    }
  }

  @Test("Ẏ (parameter JVP) matches (Y(θ + hv) − Y(θ − hv))/2h to 1e-6", arguments: variants)
  func parameterJVP(_ spec: String) throws {
    let f = try Fixture(spec)
    let (y, cache) = f.forward(f.x, f.theta)
    let v = RandomStream(seed: 25).gaussians(f.theta.count)
    let exact = f.theta.withUnsafeBufferPointer { p in
      v.withUnsafeBufferPointer { f.layer.parameterTangent($0, input: f.x, output: y, parameters: p, cache: cache) }
    }
    let h = 1e-5
    let shifted = { (sign: Double) in f.forward(f.x, zip(f.theta, v).map { $0 + sign * h * $1 }).output }
    let numeric = (1 / (2 * h)) * (shifted(1) - shifted(-1))
    #expect(TrainingFixtures.relativeError(exact.elements, numeric.elements) <= 1e-6, "\(spec)")
  }

  // MARK: networks of sequences

  /// A network of sequences of 4 tokens (`sequenceInputs`), width 5, two outputs.
  static func network(_ arch: String) throws -> FiniteNetwork {
    try FiniteNetwork(try ArchitectureParser.parse(arch).graph, inputWidth: 3, width: 5, readoutWidth: 2, tokens: 4)
  }

  static let networks = [
    "dense(b_std=0.1) -> attention(q_std=1.2, causal=true) -> relu -> dense(b_std=0.2)",
    "dense -> residual(layernorm -> shaped_attention(tau0=0.1) -> dense, scale=0.7) -> tanh -> dense",
    "(dense -> espa(gamma_final=0.2, causal=true)) * 2 -> dense",
    "dense -> value_skipinit(alpha=0.8, beta=0.6, q_std=1) -> gelu -> attention(q_std=0) -> dense",
    "dense -> attention(q_std=1, heads=3) -> erf -> dense",
  ]

  @Test("The empirical NTK per sequence equals J·J'ᵀ/n_out from one gradient per output, to 1e-12", arguments: networks)
  func ntkIsJacobianGram(_ arch: String) throws {
    let network = try Self.network(arch)
    #expect(network.cotangentLayout == CotangentLayout(outputs: 2, tokens: 4))
    let theta = network.initialize(random: RandomStream(seed: 31))
    let kernels = theta.withUnsafeBufferPointer {
      EmpiricalKernels(network, parameters: $0, batch: sequenceInputs, random: RandomStream(seed: 0), ntk: true)
    }
    let j = TrainingFixtures.jacobian(network, parameters: theta, sequenceInputs)
    var expected = Matrix(rows: 8, columns: 8)
    for x in 0..<8 {
      for x2 in 0..<8 {
        for a in 0..<2 { for c in 0..<j.columns { expected[x, x2] += j[x * 2 + a, c] * j[x2 * 2 + a, c] / 2 } }
      }
    }
    let ntk = try #require(kernels.ntk)
    #expect(ntk.maxAbsDifference(expected) <= 1e-12 * expected.elements.map(abs).max()!, "\(arch)")
  }

  @Test("Loss gradients and J·v through attention match central differences to 1e-6", arguments: networks)
  func networkDerivatives(_ arch: String) throws {
    let network = try Self.network(arch)
    let theta = network.initialize(random: RandomStream(seed: 32))
    let y = TrainingFixtures.targets(rows: 8, columns: 2, loss: .meanSquaredError)
    let random = { RandomStream(seed: 0) }
    let exact = try network.lossGradient(sequenceInputs, targets: y, loss: .meanSquaredError, parameters: theta, random: random())
    let numeric = TrainingFixtures.centralDifferences(at: theta) { p in
      var residual = Matrix(rows: 0, columns: 0)
      return Loss.meanSquaredError.evaluate(try! network.outputs(sequenceInputs, parameters: p, random: random()), targets: y,
                                            gradient: &residual)
    }
    #expect(TrainingFixtures.relativeError(exact.gradient, numeric) <= 1e-6, "\(arch): gradient")
    let v = RandomStream(seed: 33).gaussians(network.parameterCount)
    let jv = try network.jacobianVectorProduct(sequenceInputs, parameters: theta, tangent: v, random: random())
    let h = 1e-5
    let shifted = { (sign: Double) in
      try network.outputs(sequenceInputs, parameters: zip(theta, v).map { $0 + sign * h * $1 }, random: random())
    }
    let moved = (1 / (2 * h)) * (try shifted(1) - shifted(-1))
    #expect(TrainingFixtures.relativeError(jv.elements, moved.elements) <= 1e-6, "\(arch): J·v")
  }

  @Test("Networks without token mixing keep the per-row cotangents, whatever the token count")
  func perRowFastPath() throws {
    #expect(try Self.network("dense -> relu -> layernorm -> dense").cotangentLayout == CotangentLayout(outputs: 2))
  }

  @Test("The Trainer lowers the loss of a small attention network on sequences")
  func trains() throws {
    let network = try Self.network("dense -> residual(shaped_attention(causal=true) -> dense, scale=0.7) -> relu -> dense")
    let y = TrainingFixtures.targets(rows: 8, columns: 2, loss: .meanSquaredError)
    let run = try Trainer(network: network, inputs: sequenceInputs, targets: y, settings: TrainingSettings(learningRate: 0.2))
      .train(from: network.initialize(random: RandomStream(seed: 34)), steps: 200, random: RandomStream(seed: 0))
    #expect(run.losses.last! < 0.5 * run.losses.first!, "\(run.losses.first!) → \(run.losses.last!)")
    #expect(zip(run.losses, run.losses.dropFirst()).allSatisfy { $1 <= $0 })
  }
}
