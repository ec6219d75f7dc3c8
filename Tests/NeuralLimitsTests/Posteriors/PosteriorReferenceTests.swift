import Foundation
import Testing
@testable import NeuralLimits

/// One case of `Data/reference/posteriors.json`: neural-tangents 0.6.5's kernels and predictives
/// (`gp_inference`, `gradient_descent_mse_ensemble`) in float64.
struct PosteriorReferenceCase: CustomTestStringConvertible, Sendable {
  struct Predictive: Sendable {
    let mode: PredictiveMode
    /// `nil`: t = ∞.
    let time: Double?
    let mean: Matrix
    let covariance: Matrix
  }

  let name: String
  let arch: String
  let noise: DiagonalNoise
  let learningRate: Double
  let data: RegressionData
  let kernels: PredictiveKernels
  let predictives: [Predictive]
  var testDescription: String { name }

  static let all: [PosteriorReferenceCase] = {
    let url = repositoryRoot.appendingPathComponent("Data/reference/posteriors.json")
    let root = try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    return (root["cases"] as! [[String: Any]]).map { c in
      func matrix(_ value: Any?) -> Matrix { try! Matrix((value as! [[NSNumber]]).map { $0.map(\.doubleValue) }) }
      let noise = c["noise"] as! [String: Double]
      func blocks(_ kind: String) -> KernelBlocks {
        try! KernelBlocks(train: matrix(c["train_\(kind)"]), testTrain: matrix(c["test_train_\(kind)"]), test: matrix(c["test_\(kind)"]))
      }
      return PosteriorReferenceCase(
        name: c["name"] as! String, arch: c["arch"] as! String,
        noise: noise["absolute"].map { .absolute($0) } ?? .scaled(noise["scaled"]!),
        learningRate: c["learning_rate"] as! Double,
        data: try! RegressionData(trainInputs: matrix(c["x_train"]), trainTargets: matrix(c["y_train"]), testInputs: matrix(c["x_test"])),
        kernels: try! PredictiveKernels(nngp: blocks("nngp"), ntk: blocks("ntk")),
        predictives: (c["predictives"] as! [[String: Any]]).map { p in
          Predictive(mode: PredictiveMode(rawValue: p["mode"] as! String)!, time: p["time"] as? Double,
                     mean: matrix(p["mean"]), covariance: matrix(p["cov"]))
        })
    }
  }()
}

/// `max |ours − theirs| / max |theirs|`.
func relativeError(_ ours: Matrix, _ theirs: Matrix) -> Double {
  ours.maxAbsDifference(theirs) / theirs.elements.reduce(0) { max($0, abs($1)) }
}

@Suite("Predictives against neural-tangents 0.6.5")
struct PosteriorReferenceTests {
  @Test("Closed forms on neural-tangents' kernels: mean and covariance to 1e-8 relative, every mode and time",
        arguments: PosteriorReferenceCase.all)
  func closedForms(_ reference: PosteriorReferenceCase) throws {
    for mode in PredictiveMode.allCases {
      let posterior = try Posterior(kernels: reference.kernels, targets: reference.data.trainTargets, mode: mode,
                                    noise: reference.noise, learningRate: reference.learningRate)
      let trajectory = try posterior.trajectory()  // one eigen-decomposition for every finite time
      for expected in reference.predictives where expected.mode == mode {
        let ours = try expected.time.map(trajectory.predictive(at:)) ?? posterior.predictive()
        let errors = (relativeError(ours.mean, expected.mean), relativeError(ours.covariance, expected.covariance))
        #expect(errors.0 < 1e-8 && errors.1 < 1e-8, "\(mode) at t = \(expected.time ?? .infinity): \(errors)")
      }
    }
  }

  @Test("End to end from the architecture with NeuralLimits' own kernels, to 1e-8 relative",
        arguments: PosteriorReferenceCase.all)
  func endToEnd(_ reference: PosteriorReferenceCase) throws {
    let network = try ArchitectureParser.parse(reference.arch)
    for expected in reference.predictives {
      let posterior = try Posterior(network, data: reference.data, mode: expected.mode, noise: reference.noise,
                                    learningRate: reference.learningRate)
      let ours = try posterior.predictive(at: expected.time ?? .infinity)
      let errors = (relativeError(ours.mean, expected.mean), relativeError(ours.covariance, expected.covariance))
      #expect(errors.0 < 1e-8 && errors.1 < 1e-8, "\(expected.mode) at t = \(expected.time ?? .infinity): \(errors)")
    }
  }
}
