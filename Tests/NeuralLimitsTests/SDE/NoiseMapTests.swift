import Foundation
import Testing
@testable import NeuralLimits

/// The exact covariance of a noise map: it is linear in the Gaussian draws `g`, so
/// `Cov(N^{αβ}, N^{δω}) = Σₖ N(V, eₖ)^{αβ}·N(V, eₖ)^{δω}` over the unit draws `eₖ`.
func noiseCovariance(_ sde: any CovarianceSDE, _ v: Matrix) throws -> Matrix {
  let m = v.rows, count = sde.gaussianCount(tokens: m)
  let workspace = SDEWorkspace(tokens: m, gaussianCount: count)
  var root = try Cholesky(v).lower
  var images: [[Double]] = []
  for k in 0..<count {
    var g = [Double](repeating: 0, count: count)
    g[k] = 1
    var out = [Double](repeating: 0, count: m * m)
    v.elements.withUnsafeBufferPointer { pv in
      root.elements.withUnsafeMutableBufferPointer { pr in
        g.withUnsafeBufferPointer { pg in
          out.withUnsafeMutableBufferPointer { po in
            sde.noise(pv.baseAddress!, root: pr.baseAddress!, triangular: true, tokens: m, gaussians: pg.baseAddress!,
                      into: po.baseAddress!, workspace: workspace)
          }
        }
      }
    }
    images.append(out)
  }
  var covariance = Matrix(rows: m * m, columns: m * m)
  for image in images {
    for a in 0..<(m * m) { for b in 0..<(m * m) { covariance[a, b] += image[a] * image[b] } }
  }
  return covariance
}

/// A random covariance: `G·Gᵀ/k + 0.1·I` for a Gaussian `m × k` matrix `G`.
func randomCovariance(_ m: Int, seed: UInt64) -> Matrix {
  let k = m + 3
  let g = try! Matrix(rows: m, columns: k, elements: RandomStream(seed: seed).gaussians(m * k))
  var v = BLAS.gram(g, alpha: 1 / Double(k))
  for i in 0..<m { v[i, i] += 0.1 }
  return v
}

@Suite("Noise maps of the covariance SDEs")
struct NoiseMapTests {
  @Test("Σ_lin: the noise map's covariance is V^{αδ}V^{βω} + V^{αω}V^{βδ} exactly, on random V", arguments: [2, 3, 5, 8])
  func linear(_ m: Int) throws {
    let v = randomCovariance(m, seed: UInt64(m))
    let covariance = try noiseCovariance(ShapedMLPSDE(cPlus: 0, cMinus: -1), v)
    var worst = 0.0
    for a in 0..<m { for b in 0..<m { for d in 0..<m { for w in 0..<m {
      let exact = v[a, d] * v[b, w] + v[a, w] * v[b, d]
      worst = max(worst, abs(covariance[a * m + b, d * m + w] - exact))
    } } } }
    #expect(worst <= 1e-13, "largest deviation \(worst)")
  }

  @Test("Every model's noise map has exactly its closed-form diffusion covariance, on random V",
        arguments: [2, 3, 5, 7])
  func models(_ m: Int) throws {
    let v = randomCovariance(m, seed: UInt64(100 + m))
    let models: [any CovarianceSDE] = [
      ShapedMLPSDE(cPlus: 0, cMinus: -1), try ShapedResNetSDE(cPlus: 0.5, cMinus: -1, gamma: 0.7),
      try ShapedAttentionSDE(tau0: 0.8, gamma: 0.6), try ShapedAttentionSDE(tau0: 1.3, gamma: 0.9, causal: true),
      try ShapedTransformerSDE(tau0: 0.7, attentionGamma: 0.5, mlpGamma: 0.4, cPlus: 0, cMinus: -1),
      try ShapedTransformerSDE(tau0: 1.1, attentionGamma: 0.8, mlpGamma: 0.3, cPlus: 1, cMinus: -1, causal: true),
    ]
    for model in models {
      let mapped = try noiseCovariance(model, v), exact = model.diffusion(v)
      let scale = exact.elements.map(abs).max()!
      #expect(mapped.maxAbsDifference(exact) <= 1e-12 * scale, "\(model.description): \(mapped.maxAbsDifference(exact))")
    }
  }
}
