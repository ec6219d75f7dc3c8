import Foundation
import Testing
@testable import NeuralLimits

@Suite("table rows of posterior predictives")
struct PosteriorTableTests {
  @Test("A mode × noise sweep on the toy: each row's entries and metrics are PosteriorStudy's, written to full precision")
  func rowsAreTheLibrarys() throws {
    let folder = temporaryFolder()
    try """
      name: modes
      command: posterior
      grid:
        mode: [nngp, ntkgp, ensemble]
        noise: [0.01, 0.1]
      quantities: [theory.nll, 'cov[100,100]', 'mean[7,0]']
      """.write(toFile: folder + "/modes.yaml", atomically: true, encoding: .utf8)
    let (termination, stderr) = try CommandLineTool().run(["table", "--config", folder + "/modes.yaml", "--out", folder, "--quiet"])
    try #require(termination == .exited(0), "\(stderr)")
    let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/modes.json"))) as! [String: Any]
    let rows = json["rows"] as! [[String: Any]]
    #expect(rows.count == 6)
    let network = try ArchitectureParser.parse(ToyRegression.architecture)
    for (k, (mode, noise)) in [PredictiveMode.nngp, .ntkgp, .ensemble].flatMap({ m in [0.01, 0.1].map { (m, $0) } }).enumerated() {
      let study = try PosteriorStudy(network, data: ToyRegression.data(), settings: .init(mode: mode, noise: .absolute(noise)))
      let values = rows[k]
      #expect(abs((values["theory.nll"] as! NSNumber).doubleValue - study.metrics!.theory.negativeLogLikelihood)
                <= 1e-12 * study.metrics!.theory.negativeLogLikelihood, "\(values)")
      #expect(abs((values["cov[100,100]"] as! NSNumber).doubleValue - study.predictive.covariance[100, 100]) <= 1e-12, "\(values)")
      #expect(abs((values["mean[7,0]"] as! NSNumber).doubleValue - study.predictive.mean[7, 0]) <= 1e-12, "\(values)")
    }
  }

  @Test("Refused before any work: an ensemble quantity without simulate, time with simulate, an index beyond the test inputs",
        arguments: [("quantities: [verdict]", "verdict: needs simulate: true"),
                    ("parameters: {simulate: true, time: 3}\nquantities: [mean_max_abs_z]", "with simulate the time is the ensemble's steps"),
                    ("quantities: ['mean[201,0]']", "test input 201 is beyond the 201 test inputs")])
  func refused(_ body: String, _ message: String) throws {
    let folder = temporaryFolder()
    try "name: bad\ncommand: posterior\ngrid:\n  mode: [nngp]\n\(body)\n".write(toFile: folder + "/bad.yaml", atomically: true, encoding: .utf8)
    let (termination, stderr) = try CommandLineTool().run(["table", "--config", folder + "/bad.yaml", "--out", folder + "/out"])
    #expect(termination == .exited(2))
    #expect(stderr.contains(message) && stderr.filter { $0 == "\n" }.count == 1, "\(stderr)")
    #expect(!FileManager.default.fileExists(atPath: folder + "/out"))
  }
}
