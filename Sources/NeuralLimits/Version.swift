/// The toolkit's version, printed by `neural-limits --version`.
public let neuralLimitsVersion = "0.1.0"
