import ArgumentParser
import NeuralLimits

@main
struct NeuralLimitsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "neural-limits",
    abstract: "Infinite-width and infinite-depth theory of neural networks: limiting kernels, and theory vs finite-width simulation.",
    discussion: """
      Architectures are written in a small language, e.g.
        '(dense(w_std=1.5, b_std=0.05) -> relu) * 10 -> dense(w_std=1.5, b_std=0.05)'
      Run 'neural-limits layers' for every layer and its parameters.
      Errors are one line on standard error, with exit code 2.
      """,
    version: neuralLimitsVersion,
    subcommands: [Doctor.self])
}
