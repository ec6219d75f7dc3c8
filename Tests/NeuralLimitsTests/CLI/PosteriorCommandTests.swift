import Foundation
import Testing
@testable import NeuralLimits

@Suite("neural-limits posterior")
struct PosteriorCommandTests {
  /// Training and test inputs with two outputs, as CSV files in a fresh folder; `duplicate`
  /// repeats training input 0 as input 2.
  func writeFiles(duplicate: Bool = false) throws -> String {
    let folder = temporaryFolder()
    let x = randomMatrix(6, 2, seed: 80), y = randomMatrix(6, 2, seed: 81), test = randomMatrix(3, 2, seed: 82)
    var train = x
    if duplicate { for j in 0..<2 { train[2, j] = train[0, j] } }
    try CSV.write(train, to: folder + "/x.csv")
    try CSV.write(y, to: folder + "/y.csv")
    try CSV.write(test, to: folder + "/test.csv")
    return folder
  }

  @Test("Bad settings: one line on stderr, exit 2", arguments: [
    ["--mode", "bayes"], ["--mode", "nngp", "--time", "-1"], ["--mode", "nngp", "--time", "nan"],
    ["--mode", "ensemble", "--learning-rate", "0"], ["--mode", "nngp", "--noise", "-1"],
    ["--mode", "nngp", "--noise", "1", "--noise-scaled", "1"], ["--mode", "nngp", "--train-x", "x.csv"],
    ["--mode", "nngp", "--format", "npy"], ["--mode", "nngp", "--plot", "figure.jpg"], ["--mode", "nngp", "--arch", "dense ->"],
    ["--mode", "nngp", "--noise-scaled", "inf"], ["--mode", "nngp", "--simulate", "--time", "10"],
    ["--mode", "nngp", "--simulate", "--members", "1"], ["--mode", "nngp", "--simulate", "--width", "0"],
    ["--mode", "ntkgp", "--simulate", "--learning-rate", "5"],
    ["--mode", "nngp", "--simulate", "--arch", "dense -> erf -> dense(parameterization=standard)"],
  ])
  func refused(_ arguments: [String]) throws {
    let (termination, stderr) = try CommandLineTool().run(["posterior"] + arguments, timeout: 30)
    #expect(termination == .exited(2), "\(arguments): \(String(describing: termination))")
    #expect(stderr.hasPrefix("neural-limits: ") && stderr.filter { $0 == "\n" }.count == 1, "\(stderr)")
  }

  @Test("The built-in toy: JSON with a flat mean and the library's values (to BLAS rounding: the tool may run another OpenBLAS core)",
        arguments: PredictiveMode.allCases)
  func toy(_ mode: PredictiveMode) throws {
    let folder = temporaryFolder()
    let (termination, stderr) = try CommandLineTool().run(
      ["posterior", "--mode", mode.rawValue, "--time", "50", "--learning-rate", "2", "--out", folder + "/p.json"])
    try #require(termination == .exited(0), "\(stderr)")
    let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/p.json"))) as! [String: Any]
    let mean = (json["mean"] as! [NSNumber]).map(\.doubleValue)
    let covariance = try Matrix((json["cov"] as! [[NSNumber]]).map { $0.map(\.doubleValue) })
    let expected = try Posterior(ArchitectureParser.parse(ToyRegression.architecture), data: ToyRegression.data(), mode: mode,
                                 noise: .absolute(ToyRegression.noiseVariance), learningRate: 2).predictive(at: 50)
    #expect(relativeError(try Matrix(rows: mean.count, columns: 1, elements: mean), expected.mean) < 1e-12)
    #expect(relativeError(covariance, expected.covariance) < 1e-12)
  }

  @Test("Files with two outputs: JSON with M × k mean rows; npy writes mean.npy (M × k) and cov.npy")
  func files() throws {
    let folder = try writeFiles()
    let inputs = ["--train-x", folder + "/x.csv", "--train-y", folder + "/y.csv", "--test-x", folder + "/test.csv"]
    var (termination, stderr) = try CommandLineTool().run(["posterior", "--mode", "ntkgp", "--noise", "0.01"] + inputs,
                                                          stdout: folder + "/p.json")
    try #require(termination == .exited(0), "\(stderr)")
    let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/p.json"))) as! [String: Any]
    #expect((json["mean"] as! [[NSNumber]]).map(\.count) == [2, 2, 2])
    (termination, stderr) = try CommandLineTool().run(
      ["posterior", "--mode", "ensemble", "--noise-scaled", "0.1", "--format", "npy", "--out", folder + "/npy"] + inputs)
    try #require(termination == .exited(0), "\(stderr)")
    #expect(try NPY.read(folder + "/npy/mean.npy").columns == 2)
    #expect(try NPY.read(folder + "/npy/cov.npy").rows == 3)
  }

  @Test("A singular train kernel without noise: a one-line error naming the pivot; a figure needs 1-D inputs")
  func singularAndPlot() throws {
    let folder = try writeFiles(duplicate: true)
    let inputs = ["--train-x", folder + "/x.csv", "--train-y", folder + "/y.csv", "--test-x", folder + "/test.csv"]
    var (termination, stderr) = try CommandLineTool().run(["posterior", "--mode", "nngp"] + inputs)
    #expect(termination == .exited(2) && stderr.contains("pivot") && stderr.filter { $0 == "\n" }.count == 1, "\(stderr)")
    (termination, stderr) = try CommandLineTool().run(["posterior", "--mode", "nngp", "--plot", folder + "/f.svg"] + inputs)
    #expect(termination == .exited(2) && stderr.contains("one-dimensional"), "\(stderr)")
  }

  @Test("--plot draws the toy (figure, data and script)")
  func plot() throws {
    let folder = temporaryFolder()
    let (termination, stderr) = try CommandLineTool().run(["posterior", "--mode", "ntkgp", "--plot", folder + "/toy.svg"])
    try #require(termination == .exited(0), "\(stderr)")
    for suffix in ["", ".dat", ".gp"] {
      #expect(FileManager.default.fileExists(atPath: folder + "/toy.svg" + suffix))
    }
  }

  @Test("--simulate on the toy: the predictive after --steps steps, the ensemble's estimates, verdict and metrics in JSON")
  func simulate() throws {
    let folder = temporaryFolder()
    let (termination, stderr) = try CommandLineTool().run(
      ["posterior", "--mode", "nngp", "--simulate", "--members", "8", "--width", "32", "--steps", "20", "--learning-rate", "0.2",
       "--seed", "3", "--out", folder + "/p.json", "--plot", folder + "/p.svg"])
    try #require(termination == .exited(0), "\(stderr)")
    #expect(stderr.contains("nngp against 8 networks of width 32 after 20 steps"), "\(stderr)")
    let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/p.json"))) as! [String: Any]
    let mean = (json["mean"] as! [NSNumber]).map(\.doubleValue)
    let expected = try Posterior(ArchitectureParser.parse(ToyRegression.architecture), data: ToyRegression.data(), mode: .nngp,
                                 noise: .absolute(ToyRegression.noiseVariance), learningRate: 0.2).trajectory().predictive(afterSteps: 20)
    #expect(relativeError(try Matrix(rows: mean.count, columns: 1, elements: mean), expected.mean) < 1e-12)
    let simulation = json["simulation"] as! [String: Any]
    #expect((simulation["mean"] as! [NSNumber]).count == 201 && (simulation["variance_se"] as! [NSNumber]).count == 201)
    #expect(["agree", "inconclusive", "disagree"].contains(simulation["verdict"] as! String))
    let metrics = json["metrics"] as! [String: [String: NSNumber]]
    #expect(Set(metrics.keys) == ["theory", "simulation"] && metrics["simulation"]!["coverage_95"] != nil)
    #expect(FileManager.default.fileExists(atPath: folder + "/p.svg") && FileManager.default.fileExists(atPath: folder + "/p.svg.gp"))
  }
}
