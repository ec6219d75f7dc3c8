import Foundation
import Testing
@testable import NeuralLimits

/// The `signalprop` table provider: per block the theory's summaries and the networks' with
/// standard errors; refusals name the line and key.
@Suite("table provider signalprop")
struct SignalPropQuantitiesTests {
  func run(_ yaml: String) throws -> (CommandLineTool.Termination?, String, String) {
    let folder = temporaryFolder()
    try yaml.write(toFile: folder + "/s.yaml", atomically: true, encoding: .utf8)
    let (termination, stderr) = try CommandLineTool().run(["table", "--config", folder + "/s.yaml", "--out", folder, "--quiet"])
    return (termination, stderr, (try? String(contentsOfFile: folder + "/s.csv", encoding: .utf8)) ?? "")
  }

  @Test("Blocks of one network: uniform-causal attention's exact correlation after block 1, the networks within 4 se")
  func rows() throws {
    let (termination, stderr, csv) = try run("""
      command: signalprop
      seed: 5
      parameters: {arch: '(attention(q_std=0, causal=true) -> dense) * 4', tokens: 4, simulate: 'true', width: 64, samples: 32}
      grid: {block: [2, 8]}
      quantities: [blocks, mean_correlation, simulation.mean_correlation, effective_rank, simulation.effective_rank_of_mean_kernel]
      """)
    try #require(termination == .exited(0), "\(stderr)")
    let lines = csv.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { $0.split(separator: ",").map(String.init) }
    let header = lines[0]
    let rows = lines.dropFirst().map { row in
      ["blocks", "mean_correlation", "simulation.mean_correlation", "simulation.mean_correlation_se"].map { Double(row[header.firstIndex(of: $0)!])! }
    }
    #expect(rows.count == 2)
    let first = rows[0]
    #expect(first[0] == 8)
    // Σ = AAᵀ, A uniform-causal: Σ_ab = 1/max(a, b); the mean correlation over the 6 pairs of 4 tokens.
    var total = 0.0
    for a in 1...4 { for b in 1...4 where a != b { total += (1 / Double(max(a, b))) / (1 / Double(a) * 1 / Double(b)).squareRoot() } }
    #expect(abs(first[1] - total / 12) < 1e-12)
    for row in rows { #expect(abs(row[2] - row[1]) < 4 * row[3], "\(row)") }
  }

  @Test("Refusals: a simulated quantity without simulate, a block beyond the network")
  func refusals() throws {
    let (t1, e1, _) = try run("command: signalprop\nparameters: {arch: dense, tokens: 2}\nquantities: [simulation.mean_correlation]\n")
    #expect(t1 == .exited(2) && e1.contains("needs simulate: true") && e1.split(separator: "\n").count == 1, "\(e1)")
    let (t2, e2, _) = try run("command: signalprop\nparameters: {arch: dense -> relu -> dense, tokens: 2, block: 4}\nquantities: [mean_correlation]\n")
    #expect(t2 == .exited(2) && e2.contains("has 3 top-level blocks, not 4"), "\(e2)")
  }
}
