import Foundation

/// Tailored Activation Transformation for leaky ReLUs (Zhang et al. 2022, *Deep Learning without
/// Shortcuts: Shaping the Kernel with Tailored Rectifiers*, §4; dks's `TAT` method for
/// `leaky_relu`): the transformed activation `φ̂(x) = output_scale·leaky_relu(x; negative_slope)`,
/// with
/// - `output_scale = √(2/(1 + α²))`, so that `Q(1) = 1` (`E[φ̂(z)²] = s²(1 + α²)/2`), and
/// - `negative_slope = α` such that the largest `C_f(0)` over the subnetworks `f` of the network,
///   every nonlinear layer's local map being the leaky-ReLU C map (`LocalMaps`), equals `η`.
///
/// `C_f(0)` falls from its ReLU value (`α = 0`) to 0 (`α = 1`, a linear network), so `α` is
/// found by Brent's method on `[0, 1]`; when even ReLU gives less than `η` (a shallow network
/// cannot be made that nonlinear) there is no solution and the error says so, as dks's does.
/// The papers' default is `η = 0.9`.
public enum TAT {
  /// dks's names: `negative_slope`, `output_scale`.
  public struct LeakyReLUParameters: Sendable, Equatable {
    public let negativeSlope: Double
    public let outputScale: Double
  }

  /// The leaky ReLU of slope `α`, scaled to `Q(1) = 1`.
  public static func leakyReLU(negativeSlope alpha: Double, specification: String? = nil) -> PiecewiseLinear {
    let s = (2 / (1 + alpha * alpha)).squareRoot()
    return PiecewiseLinear(a: s * alpha, b: s, specification: specification)
  }

  /// `max_f C_f(0)` over the subnetworks of `network` with leaky-ReLU slope `α` at every nonlinear layer.
  public static func maximalCValueAtZero(negativeSlope alpha: Double, network: GlobalMap) throws -> Double {
    let maps = try LocalMaps(leakyReLU(negativeSlope: alpha))
    return try network.evaluate(from: 0) { _, c in try maps.cMap(c) }.subnetworks
  }

  /// Solves `max_f C_f(0) = η` for the negative slope.
  public static func solve(eta: Double, network: GlobalMap) throws -> LeakyReLUParameters {
    guard eta > 0, eta < 1 else { throw NeuralLimitsError.invalidArgument("TAT needs eta in (0, 1), got \(eta)") }
    let relu = try maximalCValueAtZero(negativeSlope: 0, network: network)
    guard relu >= eta else {
      throw NeuralLimitsError.invalidArgument(String(
        format: "TAT has no solution: even ReLU (negative_slope 0) gives C_f(0) = %.6g < eta = %g with %d nonlinear layers; use a smaller eta or a deeper network",
        relu, eta, network.nonlinearLayers))
    }
    let alpha = try RootFinding.brent({ (try? maximalCValueAtZero(negativeSlope: $0, network: network)).map { $0 - eta } ?? .nan },
                                      lower: 0, upper: 1, absoluteTolerance: 1e-15, relativeTolerance: 1e-15)
    return LeakyReLUParameters(negativeSlope: alpha, outputScale: (2 / (1 + alpha * alpha)).squareRoot())
  }

  /// `solve` for the plain network of `depth` nonlinear layers.
  public static func solve(eta: Double, depth: Int) throws -> LeakyReLUParameters {
    try solve(eta: eta, network: GlobalMap.chain(depth: depth, activation: ReLU()))
  }
}
