import Dispatch
import Foundation

/// The correlation `ρ = V¹²/√(V¹¹V²²)` of two tokens under the shaped MLP or ResNet SDE: a
/// scalar Itô SDE of its own, exact for any diagonal (Itô's formula on the matrix SDE; the
/// diffusion `Σ_lin` is homogeneous of degree 2 and `b_ReLU^{12}/√(V¹¹V²²)` depends on `ρ` only):
///
///     dρ = [a·ν(ρ) − (σ²/2)·ρ(1 − ρ²)]·dt + σ·(1 − ρ²)·dW,
///
/// `a = 1, σ = 1` for the MLP (*The Shaped Transformer*, the `m = 2` case of Eq. 6) and `a = γ²`,
/// `σ = √2·γ` for the shaped ResNet. The fast special case of `m = 2`: one Gaussian per step.
/// (Attention's drift moves the norms, so its correlation is not autonomous; it has no scalar
/// form.) Euler–Maruyama with `ρ` clamped to `[−1, 1]` after each step; paths as in
/// `EulerMaruyama` (own streams, any thread count).
public struct CorrelationSDE: Sendable {
  public let relu: ShapedReLUDrift
  /// `a`.
  public let driftScale: Double
  /// `σ`.
  public let noiseScale: Double

  /// The MLP's correlation.
  public init(_ model: ShapedMLPSDE) {
    relu = model.relu
    driftScale = 1
    noiseScale = 1
  }

  /// The shaped ResNet's correlation.
  public init(_ model: ShapedResNetSDE) {
    relu = model.relu
    driftScale = model.gamma * model.gamma
    noiseScale = 2.0.squareRoot() * model.gamma
  }

  /// `ρ(T)` of every path from `ρ(0) = rho0`.
  public func simulate(rho0: Double, settings: SDESettings) throws -> [Double] {
    try settings.validate()
    guard (-1...1).contains(rho0) else { throw NeuralLimitsError.invalidArgument("ρ₀ must be in [−1, 1], got \(rho0)") }
    let steps = settings.steps, dt = settings.time / Double(steps), sqrtDt = dt.squareRoot()
    let seed = RandomStream.mix(settings.seed, 0xC0)
    let results = TaskSlots<Double>(count: settings.paths)
    let workers = min(ProcessInfo.processInfo.activeProcessorCount, settings.paths)
    DispatchQueue.concurrentPerform(iterations: workers) { worker in
      for path in stride(from: worker, to: settings.paths, by: workers) {
        let random = RandomStream(seed: seed, stream: UInt64(path))
        var rho = rho0
        for _ in 0..<steps {
          let complement = (1 - rho) * (1 + rho)
          let drift = driftScale * relu.nu(rho) - noiseScale * noiseScale / 2 * rho * complement
          rho += drift * dt + noiseScale * complement * sqrtDt * random.gaussian()
          rho = min(max(rho, -1), 1)
        }
        results.set(path, rho)
      }
    }
    return results.values
  }
}
