import Foundation

/// One key of the config schema: a section (a mapping of keys) or a leaf (a value).
public struct ConfigKey: Sendable, Equatable {
    /// The dotted path, e.g. `optimizer.lr`.
    public let path: String
    /// Whether the key holds a mapping of further keys.
    public let isSection: Bool
    /// Type, default and meaning in a few words, for `--help`-style listings.
    public let summary: String

    /// The last component of ``path``.
    var name: Substring { path.split(separator: ".").last ?? Substring(path) }
    /// The path of the enclosing section, or `""` at the top level.
    var parent: String {
        guard let dot = path.lastIndex(of: ".") else { return "" }
        return String(path[..<dot])
    }
}

extension ExperimentConfig {
    /// Every key of the schema, sections and leaves, in schema order (the order of
    /// ``resolvedYAML()``), from ``keyTable``.
    public static let schema: [ConfigKey] = keyTable.map(\.key)

    /// The keys a resumed run must keep, from ``keyTable``.
    public static let fixedOnResumeKeys: Set<String> = Set(keyTable.filter(\.fixedOnResume).map(\.path))

    /// The key table as Markdown, one row per key (docs/config-keys.md is this text).
    public static var keysMarkdown: String {
        var lines = [
            "# Config keys",
            "",
            "Every key of a geodim config, generated from the key table (`Sources/Config/ConfigKeys.swift`)",
            "by `geodim keys --markdown`. Each entry reads: allowed values (default): meaning.",
            "",
            "| key | values (default): meaning | fixed on resume |",
            "|---|---|---|",
        ]
        for entry in keyTable {
            let summary = entry.key.summary.replacingOccurrences(of: "|", with: "\\|")
            let path = entry.key.isSection ? "**\(entry.path)**" : "`\(entry.path)`"
            lines.append("| \(path) | \(summary) | \(entry.fixedOnResume ? "yes" : "") |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Every dotted key, sections included, in schema order.
    public static var allKeys: [String] { schema.map(\.path) }

    /// The keys that hold values (no sections), in schema order.
    public static var leafKeys: [String] { schema.filter { !$0.isSection }.map(\.path) }

    /// The schema entry for a dotted path, if there is one.
    static func schemaKey(_ path: String) -> ConfigKey? {
        schema.first { $0.path == path }
    }

    /// The names of the keys directly inside a section (`""` for the top level), in order.
    static func childNames(of section: String) -> [String] {
        schema.filter { $0.parent == section }.map { String($0.name) }
    }
}
