import CGSL

/// A reproducible stream of random numbers: GSL's MT19937 generator seeded from a user seed
/// and a stream index.
///
/// Every Monte Carlo sample, SDE path or kernel block is a work item with its own stream
/// `RandomStream(seed: seed, stream: index)`, so results do not depend on how work items are
/// spread over threads, processes or MPI ranks. The 32-bit MT seed is SplitMix64(seed, index)
/// (Steele, Lea & Flood 2014), which decorrelates neighbouring indices.
public final class RandomStream {
  private let rng: OpaquePointer
  public let seed: UInt64
  public let stream: UInt64

  public init(seed: UInt64, stream: UInt64 = 0) {
    GSL.prepare()
    self.seed = seed
    self.stream = stream
    rng = OpaquePointer(gsl_rng_alloc(cgsl_rng_mt19937())!)
    gsl_rng_set(UnsafeMutablePointer(rng), UInt(RandomStream.mix(seed, stream) & 0xFFFF_FFFF))
  }

  deinit { gsl_rng_free(UnsafeMutablePointer(rng)) }

  /// SplitMix64 applied to the seed, then to the stream index mixed in.
  static func mix(_ seed: UInt64, _ stream: UInt64) -> UInt64 {
    func splitmix(_ x: UInt64) -> UInt64 {
      var z = x &+ 0x9E37_79B9_7F4A_7C15
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    return splitmix(splitmix(seed) ^ splitmix(stream &+ 0x632B_E59B_D9B4_E019))
  }

  /// A standard normal draw (GSL's ziggurat).
  @inline(__always)
  public func gaussian() -> Double {
    gsl_ran_gaussian_ziggurat(UnsafeMutablePointer(rng), 1)
  }

  /// A uniform draw in `[0, 1)`.
  @inline(__always)
  public func uniform() -> Double {
    gsl_rng_uniform(UnsafeMutablePointer(rng))
  }

  /// Fills `buffer` with `N(0, std²)` draws.
  public func fillGaussian(_ buffer: UnsafeMutableBufferPointer<Double>, std: Double = 1) {
    let r = UnsafeMutablePointer<gsl_rng>(rng)
    for k in buffer.indices { buffer[k] = std * gsl_ran_gaussian_ziggurat(r, 1) }
  }

  /// `count` draws from `N(0, std²)`.
  public func gaussians(_ count: Int, std: Double = 1) -> [Double] {
    [Double](unsafeUninitializedCapacity: count) { buffer, initialized in
      fillGaussian(buffer, std: std)
      initialized = count
    }
  }

  /// `count` uniform draws in `[0, 1)`.
  public func uniforms(_ count: Int) -> [Double] {
    (0..<count).map { _ in uniform() }
  }
}
