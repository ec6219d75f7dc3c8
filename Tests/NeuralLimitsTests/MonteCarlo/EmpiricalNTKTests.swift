import Testing
@testable import NeuralLimits

@Suite("Empirical NTK against a finite-difference Jacobian")
struct EmpiricalNTKTests {
  /// `J·Jᵀ/n_out` with `J` from central differences over every parameter (h = 1e-5).
  func finiteDifferenceNTK(_ network: FiniteNetwork, _ parameters: [Double], _ x: Matrix, seed: UInt64) -> Matrix {
    func outputs(_ p: [Double]) -> Matrix {
      var records: [FiniteNetwork.Record] = []
      return p.withUnsafeBufferPointer {
        network.forward(x, parameters: $0, random: RandomStream(seed: seed, stream: 1), records: &records)
      }
    }
    let h = 1e-5
    var ntk = Matrix(rows: x.rows, columns: x.rows)
    for k in parameters.indices {
      var plus = parameters, minus = parameters
      plus[k] += h
      minus[k] -= h
      let df = (1 / (2 * h)) * (outputs(plus) - outputs(minus))
      for i in 0..<x.rows { for j in 0..<x.rows { for a in 0..<df.columns { ntk[i, j] += df[i, a] * df[j, a] } } }
    }
    return (1 / Double(network.outputWidth)) * ntk
  }

  @Test("Exact empirical NTK matches J·Jᵀ/n_out to 1e-6 relative", arguments: [
    "dense(w_std=1.3, b_std=0.2) -> erf -> dense(w_std=0.9, b_std=0.1)",
    "dense(b_std=0.1, parameterization=standard, width=5) -> gelu -> dense(parameterization=standard, b_std=0.3)",
    "dense -> tanh -> residual(dense -> sin -> dense, scale=0.7) -> layernorm -> dense",
    "dense -> parallel(dense -> gelu, dense -> exp(b=0.3)) -> dense",
    "dense -> dropout(rate=0.3) -> softplus -> dense",
    "dense(b_std=0.2) -> relu -> dense -> leaky_relu(alpha=0.2) -> dense",
    "dense -> monomial(degree=3) -> dense -> rectified_monomial(degree=2) -> dense",
    "dense -> shaped_relu(c=1) -> dense -> swish -> dense",
    "dense -> rbf -> dense -> sigmoid_like -> dense -> cos -> dense",
    "dense -> identity -> sign -> dense(b_std=0.5)",
    "dense -> layernorm -> abs -> dense",
  ])
  func matchesFiniteDifferences(_ arch: String) throws {
    let network = try FiniteNetwork(try ArchitectureParser.parse(arch).graph, inputWidth: 3, width: 5, readoutWidth: 2)
    let x = try Matrix([[1, 0.5, -0.3], [0.2, -1, 0.8], [-0.7, 0.4, 0.1], [0.3, 0.3, 1.2]])
    let parameters = network.initialize(random: RandomStream(seed: 11))
    let exact = parameters.withUnsafeBufferPointer {
      EmpiricalKernels(network, parameters: $0, batch: x, random: RandomStream(seed: 5, stream: 1), ntk: true).ntk!
    }
    let numeric = finiteDifferenceNTK(network, parameters, x, seed: 5)
    let scale = numeric.elements.map(abs).max()!
    #expect(exact.maxAbsDifference(numeric) <= 1e-6 * scale, "\(exact) vs \(numeric)")
  }
}
