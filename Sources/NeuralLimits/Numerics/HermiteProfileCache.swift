import Dispatch
import Foundation

/// The `HermiteProfile`s of one activation, by variance, shared by every copy of the layer and
/// by the evaluator's threads: a layer sees at most `n1 + n2` distinct variances but `n1·n2`
/// entries. Profiles are immutable; a longer one (same grid, same first terms) replaces a
/// shorter one, so results never depend on the order in which entries were computed.
///
/// Memory is about 24 bytes per term (a few hundred terms per variance near `q = 1`, ~9000 at
/// `q = 100` for `tanh`); above `budget` terms the cache is emptied when the next layer input
/// arrives (`prepare`), never during a pass over the entries.
final class HermiteProfileCache: @unchecked Sendable {
  static let budget = 1 << 23

  private let function: @Sendable (Double) -> Double
  private let slope: @Sendable (Double) -> Double
  private let target: Double
  private var profiles: [UInt64: HermiteProfile] = [:]
  private var storedTerms = 0
  private let lock = NSLock()

  init(target: Double, function: @escaping @Sendable (Double) -> Double, slope: @escaping @Sendable (Double) -> Double) {
    self.target = target
    self.function = function
    self.slope = slope
  }

  /// The profile at variance `q` (negative: 0) with at least `terms` terms.
  func profile(_ q: Double, terms: Int = 1) -> HermiteProfile {
    let key = HermiteProfileCache.key(q)
    if let p = lookup(key), p.count >= min(terms, HermiteProfile.maxTerms) { return p }
    let base = lookup(key) ?? HermiteProfile.make(function, slope, variance: Double(bitPattern: key), target: target)
    return store(key, base.extended(to: terms, function, slope))
  }

  /// Computes the profiles of `variances` not yet known, in parallel. With `stopAtMiss`, returns
  /// at the first profile that cannot meet the target (leaving the rest uncomputed).
  func prepare(_ variances: UnsafePointer<Double>, count: Int, stopAtMiss: Bool) -> HermiteProfile? {
    lock.lock()
    if storedTerms > HermiteProfileCache.budget {
      profiles = [:]
      storedTerms = 0
    }
    lock.unlock()
    let keys = Array(Set((0..<count).map { HermiteProfileCache.key(variances[$0]) }))
    let missing = keys.filter { lookup($0) == nil }
    let miss = Box()
    DispatchQueue.concurrentPerform(iterations: missing.count) { i in
      guard !stopAtMiss || miss.value == nil else { return }
      let p = store(missing[i], HermiteProfile.make(function, slope, variance: Double(bitPattern: missing[i]), target: target))
      if !p.meetsTarget { miss.set(p) }
    }
    return miss.value
  }

  /// Non-positive variances are 0 (`-0.0` too); NaN keeps its bits, so it never becomes 0.
  private static func key(_ q: Double) -> UInt64 { (q <= 0 ? 0 : q).bitPattern }

  private func lookup(_ key: UInt64) -> HermiteProfile? {
    lock.lock()
    defer { lock.unlock() }
    return profiles[key]
  }

  /// Keeps the longer of `p` and what is stored; returns it.
  private func store(_ key: UInt64, _ p: HermiteProfile) -> HermiteProfile {
    lock.lock()
    defer { lock.unlock() }
    if let old = profiles[key], old.count >= p.count { return old }
    storedTerms += p.count - (profiles[key]?.count ?? 0)
    profiles[key] = p
    return p
  }

  /// The first profile that misses its target, set from any thread.
  private final class Box: @unchecked Sendable {
    private var stored: HermiteProfile?
    private let lock = NSLock()
    var value: HermiteProfile? {
      lock.lock()
      defer { lock.unlock() }
      return stored
    }
    func set(_ p: HermiteProfile) {
      lock.lock()
      if stored == nil { stored = p }
      lock.unlock()
    }
  }
}
