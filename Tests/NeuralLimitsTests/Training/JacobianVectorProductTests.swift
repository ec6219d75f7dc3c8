import Testing
@testable import NeuralLimits

@Suite("Jacobian–vector products in the parameters")
struct JacobianVectorProductTests {
  @Test("J_θ(x)·v matches the central difference (f(θ + hv) − f(θ − hv))/2h to 1e-6 of its largest entry",
        arguments: [
          "dense(w_std=1.3, b_std=0.2) -> erf -> dense(w_std=0.9, b_std=0.1)",
          "dense(b_std=0.1, parameterization=standard, width=5) -> gelu -> dense(parameterization=standard, b_std=0.3)",
          "dense -> tanh -> residual(dense -> sin -> dense, scale=0.7) -> layernorm -> dense",
          "dense -> parallel(dense -> relu, dense -> exp(b=0.3)) -> dense",
          "dense -> dropout(rate=0.3) -> softplus -> dense(b_std=0.2)",
        ])
  func matchesFiniteDifferences(_ arch: String) throws {
    let network = try TrainingFixtures.network(arch)
    let x = TrainingFixtures.x
    let theta = network.initialize(random: RandomStream(seed: 11))
    let v = RandomStream(seed: 12).gaussians(network.parameterCount)
    let masks = { RandomStream(seed: 5, stream: 1) }
    let exact = try network.jacobianVectorProduct(x, parameters: theta, tangent: v, random: masks())
    let h = 1e-5
    let shifted = { (sign: Double) in
      try network.outputs(x, parameters: zip(theta, v).map { $0 + sign * h * $1 }, random: masks())
    }
    let numeric = (1 / (2 * h)) * (try shifted(1) - shifted(-1))
    #expect(exact.rows == x.rows && exact.columns == 2)
    #expect(TrainingFixtures.relativeError(exact.elements, numeric.elements) <= 1e-6, "\(exact) vs \(numeric)")
  }

  @Test("⟨u, J·v⟩ = ⟨Jᵀ·u, v⟩: the JVP and the parameter gradient are adjoint to round-off")
  func adjoint() throws {
    let network = try TrainingFixtures.network("dense(b_std=0.3) -> gelu -> dense -> layernorm -> dense(b_std=0.1)")
    let x = TrainingFixtures.x
    let theta = network.initialize(random: RandomStream(seed: 1))
    let v = RandomStream(seed: 2).gaussians(network.parameterCount)
    let u = try Matrix(rows: x.rows, columns: 2, elements: RandomStream(seed: 3).gaussians(x.rows * 2))
    let jv = try network.jacobianVectorProduct(x, parameters: theta, tangent: v, random: RandomStream(seed: 4))
    var records: [FiniteNetwork.Record] = []
    var jtu = [Double](repeating: 0, count: network.parameterCount)
    theta.withUnsafeBufferPointer { p in
      _ = network.forward(x, parameters: p, random: RandomStream(seed: 4), records: &records)
      jtu.withUnsafeMutableBufferPointer { network.accumulateGradient(u, parameters: p, records: records, into: $0) }
    }
    let left = zip(u.elements, jv.elements).reduce(0) { $0 + $1.0 * $1.1 }
    let right = zip(jtu, v).reduce(0) { $0 + $1.0 * $1.1 }
    #expect(abs(left - right) <= 1e-12 * abs(left), "\(left) vs \(right)")
  }

  @Test("A tangent in the readout only moves the outputs by the readout's forward map of the tangent")
  func readoutTangent() throws {
    let network = try TrainingFixtures.network("dense -> relu -> dense(b_std=0.4)")
    let x = TrainingFixtures.x
    let theta = network.initialize(random: RandomStream(seed: 1))
    let readout = try #require(network.readoutParameters)
    var v = [Double](repeating: 0, count: network.parameterCount)
    for k in readout { v[k] = Double(k % 7) - 3 }
    // f is linear in the readout: f(θ + v) − f(θ) = J·v exactly.
    let jv = try network.jacobianVectorProduct(x, parameters: theta, tangent: v, random: RandomStream(seed: 0))
    let moved = try network.outputs(x, parameters: zip(theta, v).map(+), random: RandomStream(seed: 0))
      - network.outputs(x, parameters: theta, random: RandomStream(seed: 0))
    #expect(jv.maxAbsDifference(moved) <= 1e-13 * moved.elements.map(abs).max()!)
  }

  /// A layer without derivatives (none of the library's layers lacks them; a user's may).
  struct NoBackward: PrimitiveLayer {
    var specification: String { "no_backward" }
    var hasBackward: Bool { false }
    func forward(_ input: Matrix, parameters: UnsafeBufferPointer<Double>, outputWidth: Int, tokens: Int,
                 random: RandomStream, cache: inout [Double]) -> Matrix { input }
    func backward(_ cotangent: Matrix, input: Matrix, output: Matrix, parameters: UnsafeBufferPointer<Double>,
                  cache: [Double], copies: Int) -> Matrix { preconditionFailure("no backward pass") }
    func sampleForward(_ input: Matrix, outputWidth: Int, tokens: Int, random: RandomStream, into output: inout Matrix,
                       scratch: SamplingScratch) { output = input }
  }

  @Test("Networks with a layer that has no backward pass are refused, naming the layer")
  func refusesLayersWithoutBackward() throws {
    let network = try FiniteNetwork(.serial([Dense().graph, NoBackward().graph, Dense().graph]), inputWidth: 3, width: 5,
                                    readoutWidth: 2)
    let x = TrainingFixtures.x, theta = network.initialize(random: RandomStream(seed: 1))
    let message = "no_backward has no backward pass yet, so a network containing it cannot be"
    #expect(throws: NeuralLimitsError.architecture("\(message) differentiated")) {
      try network.jacobianVectorProduct(x, parameters: theta, tangent: theta, random: RandomStream(seed: 0))
    }
    let y = Matrix(rows: x.rows, columns: 2)
    #expect(throws: NeuralLimitsError.architecture("\(message) trained")) {
      try network.lossGradient(x, targets: y, loss: .meanSquaredError, parameters: theta, random: RandomStream(seed: 0))
    }
    #expect(throws: NeuralLimitsError.architecture("\(message) trained")) {
      try Trainer(network: network, inputs: x, targets: y, settings: TrainingSettings(learningRate: 0.1))
    }
    #expect(try network.outputs(x, parameters: theta, random: RandomStream(seed: 0)).rows == x.rows)
  }
}
