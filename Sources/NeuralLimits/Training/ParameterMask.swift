/// Which parameters training moves; the rest stay exactly at their starting values.
public enum ParameterMask: Sendable, Equatable {
  /// Every parameter.
  case all
  /// The readout only (the final dense layer's weights and bias, `FiniteNetwork.readoutParameters`):
  /// training a linear model on the fixed random features of the layers below.
  case readout
  /// The given index ranges of the flat parameter buffer (`FiniteNetwork.parameterBlocks` says
  /// which layer holds which).
  case ranges([Range<Int>])

  /// The trainable ranges of `network`'s buffer, sorted and disjoint, and per primitive whether
  /// any of its parameters is trainable (the backward walk skips the others' gradients).
  func resolve(in network: FiniteNetwork) throws -> (ranges: [Range<Int>], layers: [Bool]) {
    let ranges: [Range<Int>]
    switch self {
    case .all:
      ranges = [0..<network.parameterCount]
    case .readout:
      guard let readout = network.readoutParameters else {
        throw NeuralLimitsError.architecture("readout-only training needs a network that ends in a dense layer")
      }
      ranges = [readout]
    case .ranges(let given):
      if let outside = given.first(where: { $0.lowerBound < 0 || $0.upperBound > network.parameterCount }) {
        throw NeuralLimitsError.invalidArgument(
          "parameter range \(outside) lies outside the network's \(network.parameterCount) parameters")
      }
      ranges = given.filter { !$0.isEmpty }.sorted { $0.lowerBound < $1.lowerBound }.reduce(into: []) { merged, r in
        if let last = merged.last, r.lowerBound <= last.upperBound {
          merged[merged.count - 1] = last.lowerBound..<max(last.upperBound, r.upperBound)
        } else {
          merged.append(r)
        }
      }
    }
    let layers = network.parameterBlocks.map { block in ranges.contains { $0.overlaps(block.range) } }
    return (ranges, layers)
  }
}
