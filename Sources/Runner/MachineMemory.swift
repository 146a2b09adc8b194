import Foundation
import Network

/// How much memory this process may use: the smallest of the physical memory, the cgroup
/// limits that apply to it, and the `GEODIM_MEMORY_LIMIT_BYTES` override.
///
/// The override is for tests and for clusters whose scheduler grants less than the node has
/// without a cgroup limit the process can see, e.g. under Slurm
/// `GEODIM_MEMORY_LIMIT_BYTES=$((SLURM_MEM_PER_NODE * 1024 * 1024))`. When set it is used as
/// is, even above the physical memory (a node whose swap is meant to be used).
public struct MachineMemory: Sendable, Equatable {
    /// The environment variable that overrides the machine's memory, in bytes.
    public static let overrideVariable = "GEODIM_MEMORY_LIMIT_BYTES"

    /// Bytes this process may use.
    public let bytes: Int
    /// Where ``bytes`` comes from: "physical memory", "cgroup limit", or the variable.
    public let source: String

    public init(bytes: Int, source: String) {
        self.bytes = bytes
        self.source = source
    }

    /// This process's memory: the override when `environment` sets it, else the smaller of
    /// the physical memory (/proc/meminfo's MemTotal, or sysconf) and the cgroup v2
    /// (memory.max) or v1 (memory.limit_in_bytes) limit of this process's cgroup.
    /// Throws when the override is not a whole number of bytes ≥ 1.
    public static func current(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(PreflightError) -> MachineMemory {
        if let text = environment[overrideVariable] {
            guard let bytes = Int(text.trimmingCharacters(in: .whitespaces)), bytes >= 1 else {
                throw PreflightError.badMemoryOverride(variable: overrideVariable, value: text)
            }
            return MachineMemory(bytes: bytes, source: overrideVariable)
        }
        let physical = physicalMemory()
        if let limit = cgroupLimit(), limit < physical {
            return MachineMemory(bytes: limit, source: "cgroup limit")
        }
        return MachineMemory(bytes: physical, source: "physical memory")
    }

    /// The physical memory, without cgroup limits or the override.
    public static var physicalMemoryBytes: Int { physicalMemory() }

    /// MemTotal from /proc/meminfo, else physical pages × page size.
    static func physicalMemory() -> Int {
        if let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8), let total = meminfoTotal(text) {
            return total
        }
        return Int(ProcessInfo.processInfo.physicalMemory)
    }

    /// The smallest finite cgroup memory limit over the files that can apply to this process.
    static func cgroupLimit() -> Int? {
        var candidates = ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"]
        if let text = try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8) {
            candidates += cgroupFiles(selfCgroup: text)
        }
        return candidates.compactMap { path in
            (try? String(contentsOfFile: path, encoding: .utf8)).flatMap(cgroupLimit)
        }.min()
    }

    /// Bytes of `MemTotal:  <n> kB` in /proc/meminfo text.
    public static func meminfoTotal(_ meminfo: String) -> Int? {
        for line in meminfo.split(separator: "\n") where line.hasPrefix("MemTotal:") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 2, let kilobytes = Int(fields[1]) else { return nil }
            let unit = fields.count >= 3 ? fields[2].lowercased() : "kb"
            return unit == "kb" ? checkedProduct([kilobytes, 1024]) : kilobytes
        }
        return nil
    }

    /// The limit in a cgroup memory file: nil for `max` (v2) and for v1's "unlimited" values
    /// (2⁶² bytes and more) or anything that is not a number.
    public static func cgroupLimit(_ text: String) -> Int? {
        let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let bytes = Int(value), bytes > 0, bytes < 1 << 62 else { return nil }
        return bytes
    }

    /// The memory-limit files of this process's own cgroups, from /proc/self/cgroup lines
    /// `0::/path` (v2) and `N:memory:/path` (v1).
    public static func cgroupFiles(selfCgroup text: String) -> [String] {
        var files: [String] = []
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, parts[2] != "/" else { continue }
            if parts[0] == "0" && parts[1].isEmpty {
                files.append("/sys/fs/cgroup\(parts[2])/memory.max")
            } else if parts[1].split(separator: ",").contains("memory") {
                files.append("/sys/fs/cgroup/memory\(parts[2])/memory.limit_in_bytes")
            }
        }
        return files
    }
}
