import ArgumentParser
import Foundation
import NeuralLimits

/// `neural-limits layers`: every layer of the architecture language with its parameters.
struct LayersCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "layers", abstract: "List every layer of the architecture language with its parameters.")

  func run() throws {
    var text = ""
    for entry in LayerCatalogue.entries {
      text += "\(entry.usage)\n    \(entry.summary)\n"
      for p in entry.parameters {
        text += "    \(p.name): \(p.domain)\(p.defaultValue.map { ", default \($0)" } ?? ", optional") — \(p.summary)\n"
      }
    }
    text += """
      residual(CHAIN, scale=S)
          x + S·CHAIN(x); S is a number, 1/sqrt(L) or decreasing(alpha=A) (block l of L: l^-A)
      parallel(CHAIN, CHAIN, ...)
          the sum of the branches (each should start with a dense layer)
      (CHAIN) * N
          N copies in series, each with its own parameters
      (CHAIN) * inf
          the limit N → ∞ (CHAIN: residuals with scale=1/sqrt(L)), an ODE; kernels only

      """
    try StandardOutput.write(Data(text.utf8))
  }
}
