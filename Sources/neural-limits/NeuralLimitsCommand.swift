import ArgumentParser
import Foundation
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
    subcommands: [CompareCommand.self, KernelCommand.self, PosteriorCommand.self, SDECommand.self, ShapeCommand.self,
                  SignalPropCommand.self, TableCommand.self, LayersCommand.self, Doctor.self])

  /// Runs the command; every error is one line on standard error with exit code 2
  /// (`--help` and `--version` exit 0).
  static func main() {
    relaunchForThisCPU()
    AtomicFile.installInterruptCleanup()
    do {
      var command = try parseAsRoot()
      try command.run()
    } catch let error as NeuralLimitsError {
      fail("\(error)")
    } catch {
      let code = exitCode(for: error)
      if code == .success {
        do {
          try StandardOutput.write(Data((fullMessage(for: error) + "\n").utf8))
        } catch {
          fail("\(error)")
        }
        Foundation.exit(0)
      }
      let message = fullMessage(for: error)
      let line = message.split(separator: "\n").first.map(String.init) ?? message
      fail(line.hasPrefix("Error: ") ? String(line.dropFirst(7)) : line)
    }
  }

  static func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("neural-limits: \(message)\n".utf8))
    Foundation.exit(2)
  }
}
