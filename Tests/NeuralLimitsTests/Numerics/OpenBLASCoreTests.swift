import Testing
@testable import NeuralLimits

@Suite("OpenBLAS core from the CPU's features")
struct OpenBLASCoreTests {
  static let sse = "fpu sse sse2 pni ssse3 sse4_1 sse4_2 popcnt"
  static let avx = sse + " xsave avx"
  static let avx2 = avx + " fma avx2 bmi2"
  static let avx512 = avx2 + " avx512f avx512dq avx512cd avx512bw avx512vl"

  static func cpu(_ vendor: String, _ flags: String) -> CPUFeatures {
    CPUFeatures(vendor: vendor, flags: Set(flags.split(separator: " ").map(String.init)))
  }

  @Test("Features map to the core OpenBLAS 0.3.21 accepts in OPENBLAS_CORETYPE", arguments: [
    ("GenuineIntel", avx512 + " avx512_bf16 avx512_fp16", "SkylakeX"),  // Sapphire/Emerald Rapids
    ("GenuineIntel", avx512, "SkylakeX"),
    ("AuthenticAMD", avx512 + " avx512_bf16", "SkylakeX"),  // Zen 4
    ("GenuineIntel", avx2 + " avx512f avx512cd avx512er avx512pf", "Haswell"),  // Knights Landing: no BW/DQ/VL
    ("GenuineIntel", avx2, "Haswell"),  // also an AVX-512 CPU whose OS masks the AVX-512 flags
    ("AuthenticAMD", avx2, "Zen"),
    ("HygonGenuine", avx2, "Zen"),
    ("CentaurHauls", avx2, "Haswell"),
    ("GenuineIntel", avx + " avx2", "Sandybridge"),  // AVX2 without FMA
    ("GenuineIntel", avx, "Sandybridge"),
    ("AuthenticAMD", avx + " fma4", "Sandybridge"),
  ])
  func mapping(vendor: String, flags: String, core: String) {
    #expect(OpenBLASCore.recommended(for: Self.cpu(vendor, flags)) == core)
  }

  @Test("Without AVX, OpenBLAS's own choice stands")
  func noAVX() {
    #expect(OpenBLASCore.recommended(for: Self.cpu("GenuineIntel", Self.sse)) == nil)
    #expect(Self.cpu("GenuineIntel", Self.sse).vectorExtension == .sse)
  }

  @Test("Generic fallbacks are cores narrower than the CPU; matching detections are kept", arguments: [
    ("Prescott", "GenuineIntel", avx512, true),
    ("prescott", "GenuineIntel", avx512, true),
    ("Core2", "GenuineIntel", avx2, true),
    ("Nehalem", "GenuineIntel", avx, true),
    ("Barcelona", "AuthenticAMD", avx2, true),
    ("Haswell", "GenuineIntel", avx512, true),
    ("SkylakeX", "GenuineIntel", avx512, false),
    ("Cooperlake", "GenuineIntel", avx512, false),
    ("Haswell", "GenuineIntel", avx2, false),
    ("Zen", "GenuineIntel", avx2, false),
    ("Excavator", "AuthenticAMD", avx2, false),
    ("Piledriver", "AuthenticAMD", avx + " fma", false),
    ("Nehalem", "GenuineIntel", sse, false),
    ("Prescott", "GenuineIntel", sse, false),
    ("ARMV8", "GenuineIntel", avx512, false),
    ("Unknown", "GenuineIntel", avx512, false),
  ])
  func fallback(core: String, vendor: String, flags: String, isFallback: Bool) {
    #expect(OpenBLASCore.isFallback(core, on: Self.cpu(vendor, flags)) == isFallback)
  }

  @Test("Restart only on a fallback core, once, and never over the user's OPENBLAS_CORETYPE")
  func relaunchDecision() {
    let cpu = Self.cpu("GenuineIntel", Self.avx512)
    let marker = OpenBLASCoreSelection.detectedCoreVariable
    #expect(OpenBLASCoreSelection.relaunchCore(running: "Prescott", cpu: cpu, environment: ["PATH": "/bin"]) == "SkylakeX")
    #expect(OpenBLASCoreSelection.relaunchCore(running: "Prescott", cpu: cpu, environment: ["OPENBLAS_CORETYPE": "Prescott"]) == nil)
    #expect(OpenBLASCoreSelection.relaunchCore(running: "Prescott", cpu: cpu, environment: ["OPENBLAS_CORETYPE": ""]) == nil)
    #expect(OpenBLASCoreSelection.relaunchCore(running: "Prescott", cpu: cpu, environment: [marker: "Prescott"]) == nil)
    #expect(OpenBLASCoreSelection.relaunchCore(running: "SkylakeX", cpu: cpu, environment: [:]) == nil)
    #expect(OpenBLASCoreSelection.relaunchCore(running: "Prescott", cpu: nil, environment: [:]) == nil)
  }

  @Test("A restart shortens OpenBLAS's idle spinning, unless the user set OPENBLAS_THREAD_TIMEOUT")
  func threadTimeout() {
    #expect(OpenBLASThreadTimeout.restartEnvironment(["PATH": "/bin"]) == ["OPENBLAS_THREAD_TIMEOUT": "20"])
    #expect(OpenBLASThreadTimeout.restartEnvironment(["OPENBLAS_THREAD_TIMEOUT": "28"]).isEmpty)
  }

  @Test("How the running core was chosen, from the environment")
  func choice() {
    let marker = OpenBLASCoreSelection.detectedCoreVariable
    #expect(OpenBLASCoreSelection.choice(environment: [:]) == .detected)
    #expect(OpenBLASCoreSelection.choice(environment: ["OPENBLAS_CORETYPE": "Haswell"]) == .userSet("Haswell"))
    #expect(OpenBLASCoreSelection.choice(environment: ["OPENBLAS_CORETYPE": "SkylakeX", marker: "Prescott"])
      == .corrected(from: "Prescott"))
  }

  @Test("/proc/cpuinfo: the first processor's vendor and flags")
  func parseCPUInfo() throws {
    let text = """
      processor\t: 0
      vendor_id\t: GenuineIntel
      cpu family\t: 6
      model\t\t: 207
      flags\t\t: \(Self.avx512) avx512_bf16
      bugs\t\t: spectre_v1

      processor\t: 1
      vendor_id\t: GenuineIntel
      flags\t\t: fpu
      """
    let cpu = try #require(CPUFeatures.parse(cpuinfo: text))
    #expect(cpu.vendor == "GenuineIntel")
    #expect(cpu.vectorExtension == .avx512)
    #expect(cpu.vectorFlags == ["avx", "avx2", "fma", "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl", "avx512_bf16"])
    #expect(CPUFeatures.parse(cpuinfo: "processor\t: 0\nFeatures\t: fp asimd\n") == nil)
  }
}

@Suite("Tuned binaries chosen at run time")
struct TunedBinaryTests {
  let bin = "/x/.build/release/neural-limits"

  @Test("The portable binary hands over to the widest tuned sibling the CPU can run and that exists")
  func portable() {
    let all: Set<String> = [bin, bin + "-avx2", bin + "-avx512"]
    #expect(TunedBinary.handOver(running: bin, builtFor: .sse, cpu: .avx512, isExecutable: all.contains) == bin + "-avx512")
    #expect(TunedBinary.handOver(running: bin, builtFor: .sse, cpu: .avx2, isExecutable: all.contains) == bin + "-avx2")
    #expect(TunedBinary.handOver(running: bin, builtFor: .sse, cpu: .avx, isExecutable: all.contains) == nil)
    #expect(TunedBinary.handOver(running: bin, builtFor: .sse, cpu: .avx512, isExecutable: [bin, bin + "-avx2"].contains) == bin + "-avx2")
    #expect(TunedBinary.handOver(running: bin, builtFor: .sse, cpu: .avx512, isExecutable: [bin].contains) == nil)
  }

  @Test("A tuned binary stays on a capable CPU and hands back to the portable one elsewhere")
  func tuned() {
    let all: Set<String> = [bin, bin + "-avx512"]
    #expect(TunedBinary.handOver(running: bin + "-avx512", builtFor: .avx512, cpu: .avx512, isExecutable: all.contains) == nil)
    #expect(TunedBinary.handOver(running: bin + "-avx512", builtFor: .avx512, cpu: .avx2, isExecutable: all.contains) == bin)
    #expect(TunedBinary.handOver(running: bin + "-avx512", builtFor: .avx512, cpu: .avx2, isExecutable: { _ in false }) == nil)
  }
}
