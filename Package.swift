// swift-tools-version:6.0
import PackageDescription

let package = Package(
  name: "NeuralLimits",
  platforms: [.macOS(.v13)],
  products: [
    .library(name: "NeuralLimits", targets: ["NeuralLimits"]),
    .executable(name: "neural-limits", targets: ["neural-limits"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    // Table configurations (YAML, and JSON as its subset) with line marks for error messages.
    .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
  ],
  targets: [
    // GNU GSL. Deliberately not `pkgConfig: "gsl"`: GSL's pkg-config line adds the slow
    // reference `-lgslcblas`; CLAPACKE links OpenBLAS, whose CBLAS symbols GSL then binds to.
    .systemLibrary(
      name: "CGSL",
      providers: [.apt(["libgsl-dev"])]),
    // LAPACKE and OpenBLAS's CBLAS (kept apart from CGSL: GSL ships its own clashing cblas.h).
    .systemLibrary(
      name: "CLAPACKE",
      pkgConfig: "openblas",
      providers: [.apt(["liblapacke-dev", "libopenblas-dev"])]),
    // The SIGINT/SIGTERM handler that removes pending temporary files (async-signal-safe C).
    .target(name: "CInterrupt"),
    .target(
      name: "NeuralLimits",
      dependencies: ["CGSL", "CLAPACKE", "CInterrupt", .product(name: "Yams", package: "Yams")],
      swiftSettings: [
        // √ without errno: lets the kernel loops (√, ÷, selects) vectorise instead of calling libm.
        .unsafeFlags(["-Xcc", "-fno-math-errno", "-Xllvm", "-force-vector-interleave=4"]),
        .unsafeFlags(["-Ounchecked"], .when(configuration: .release)),
      ]),
    .executableTarget(
      name: "neural-limits",
      dependencies: [
        "NeuralLimits",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),
    // Side-by-side benchmarks against neural-tangents (see Benchmarks/README.md).
    .executableTarget(
      name: "neural-limits-benchmark",
      dependencies: ["NeuralLimits", "CLAPACKE"],
      path: "Benchmarks/Swift"),
    .testTarget(
      name: "NeuralLimitsTests",
      dependencies: ["NeuralLimits"]),
  ]
)
