import Foundation

/// Why a run or a measurement was refused before it started: a size that overflows 64-bit
/// integers, a log chunk HDF5 cannot store, or more memory than the machine has. Each is one
/// line naming what to change; nothing has been written when it is thrown.
public enum PreflightError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `key`'s `value` makes `quantity` overflow a 64-bit integer.
    case overflow(key: String, value: String, quantity: String, hint: String, override: String?)
    /// `key`'s `value` asks the log for a chunk of `bytes` bytes, beyond HDF5's limit.
    case chunkTooLarge(key: String, value: String, problem: String, hint: String, override: String?)
    /// The estimated peak exceeds the memory available.
    case insufficientMemory(needed: Int, available: MachineMemory, breakdown: String, hint: String)
    /// The memory override variable holds something other than a byte count.
    case badMemoryOverride(variable: String, value: String)

    public var description: String {
        switch self {
        case let .overflow(key, value, quantity, hint, override):
            return "\(key): \(value) makes \(quantity) overflow a 64-bit integer"
                + Self.setBy(override) + " (hint: \(hint))"
        case let .chunkTooLarge(key, value, problem, hint, override):
            return "\(key): \(value) \(problem)" + Self.setBy(override) + " (hint: \(hint))"
        case let .insufficientMemory(needed, available, breakdown, hint):
            return "not enough memory: the estimated peak is \(formatBytes(needed)) (\(breakdown)), "
                + "and \(formatBytes(available.bytes)) is available (\(available.source)) "
                + "(hint: \(hint); or run anyway with --ignore-memory-check)"
        case let .badMemoryOverride(variable, value):
            return "\(variable)=\"\(value)\" is not a whole number of bytes >= 1 "
                + "(hint: e.g. \(variable)=17179869184 for 16 GiB)"
        }
    }

    private static func setBy(_ override: String?) -> String {
        override.map { "; set by override \"\($0)\"" } ?? ""
    }

    /// The last of `overrides` (`dotted.key=value`) that set `key`, a section holding it, or a
    /// key inside it.
    static func override(setting key: String, in overrides: [String]) -> String? {
        overrides.last { text in
            let setting = String(text.prefix { $0 != "=" }).trimmingCharacters(in: .whitespaces)
            return setting == key || key.hasPrefix(setting + ".") || setting.hasPrefix(key + ".")
        }
    }
}

/// `bytes` in binary units, e.g. "318.0 GiB", "512 MiB", "12 KiB".
public func formatBytes(_ bytes: Int) -> String {
    let value = Double(bytes)
    let units: [(String, Double)] = [("PiB", 0x1p50), ("TiB", 0x1p40), ("GiB", 0x1p30)]
    for (unit, size) in units where value >= size {
        return String(format: "%.1f %@", value / size, unit)
    }
    if value >= 0x1p20 { return String(format: "%.0f MiB", value / 0x1p20) }
    return String(format: "%.0f KiB", (value / 0x1p10).rounded(.up))
}
