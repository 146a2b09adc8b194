import Datasets
import Foundation
import Yams

/// A grid of runs: a base config plus, under the top-level key `sweep`, a list of values for
/// each of some dotted keys. Every combination is one point (the first key varies slowest):
///
///     sweep:
///       model.hidden: [[5, 5, 5], [10, 10, 10], [30, 30, 30]]
///       seed: [0, 1]
///
/// is 6 points, `model.hidden=[5, 5, 5] seed=0`, `model.hidden=[5, 5, 5] seed=1`, …
///
/// A swept key is any key of the schema, a leaf or a whole section (`checkpoints: [{every:
/// 5}, {epochs: [0, 40]}]`), except `name` and `logging.runs_directory`, which place the
/// outputs. Each value is applied to the base config as a `key=value` override would be, and
/// every point is validated before anything runs.
///
/// The points' run directories are `<runs_directory>/<name>/sweep-<id>/point-<i>`, where `<id>`
/// is 8 hex digits of a SHA-256 of the resolved base config and the grid (ignoring `threads`).
/// The same config and overrides therefore name the same directories from any machine or job
/// (a Slurm array needs no coordination), and an edited config starts a new sweep directory
/// instead of mixing with finished points. `sweep.json` there ties the points together.
public struct SweepPlan: Sendable {
    /// The top-level config key holding the grid.
    public static let sweepKey = "sweep"

    /// The config file, as given.
    public let source: String
    /// The base config (command-line overrides applied, no sweep values).
    public let base: ExperimentConfig
    /// The command-line overrides, as given.
    public let overrides: [String]
    /// The swept keys, in the order the config lists them.
    public let keys: [String]
    /// Each key's values as YAML flow text, in order.
    public let values: [[String]]
    public let points: [SweepPoint]
    /// 8 hex digits naming the sweep.
    public let identity: String
    /// `<runs_directory>/<name>/sweep-<identity>`.
    public let directory: String

    public var indexPath: String { directory + "/sweep.json" }

    /// One point of the grid.
    public struct SweepPoint: Sendable {
        public let index: Int
        /// (key, value as YAML flow text) for each swept key.
        public let assignments: [(key: String, value: String)]
        /// The command-line overrides followed by this point's `key=value`s.
        public let overrides: [String]
        public let config: ExperimentConfig
        /// The point's run directory.
        public let directory: String
        /// The values as plain JSON-compatible values (numbers, strings, lists), for sweep.json.
        public let jsonValues: [String: any Sendable]

        /// `key=value key=value`.
        public var label: String { assignments.map { "\($0.key)=\($0.value)" }.joined(separator: " ") }
    }

    /// Reads a sweep config: the base config (with `overrides`) and the grid, validating the
    /// grid and every point.
    ///
    /// - Parameter axes: `--set key=v1,v2,…` axes (``SweepAxis``): each replaces the values of
    ///   its key under `sweep:`, or adds the key; with axes the config needs no `sweep:`.
    public static func load(path: String, overrides: [String], axes: [String] = []) throws -> SweepPlan {
        let text = try ExperimentConfig.readText(path: path)
        return try parse(yaml: text, source: path, overrides: overrides, axes: axes)
    }

    /// ``load(path:overrides:axes:)`` on YAML text; `source` names the config in errors.
    public static func parse(yaml: String, source: String, overrides: [String], axes axisTexts: [String] = []) throws -> SweepPlan {
        var document = try ConfigDocument(yaml: yaml, source: source)
        let axes = try axisTexts.map { try SweepAxis($0, source: source) }
        let grid = document.removeTopLevel(sweepKey)?.value
        guard grid != nil || !axes.isEmpty else {
            throw SweepError(
                source: source, problem: "the config has no top-level `sweep` mapping",
                hint: "add e.g. sweep: {seed: [0, 1, 2]}, give axes with --set seed=0,1,2, or run a single config with geodim train")
        }
        var applied: [ConfigOverride] = []
        for text in overrides {
            let override = try ConfigOverride(text, source: source)
            try document.apply(override)
            applied.append(override)
        }
        let base = try ExperimentConfig.decode(document, applied: applied)
        let (keys, nodes) = try gridEntries(grid, axes: axes, source: source, overrides: applied)
        let values = nodes.map { $0.map(ConfigYAMLText.flow) }
        let count = nodes.reduce(1) { $0 * $1.count }
        guard count <= 100_000 else {
            throw SweepError(source: source, problem: "the grid has \(count) points, more than 100000", hint: nil)
        }

        let identity = try Self.identity(base: base, keys: keys, values: values)
        let directory = base.logging.runsDirectory + "/" + base.name + "/sweep-" + identity
        let digits = max(3, String(max(count - 1, 0)).count)
        var points: [SweepPoint] = []
        for index in 0..<count {
            // Mixed radix, first key slowest.
            var choice = [Int](repeating: 0, count: keys.count)
            var rest = index
            for k in keys.indices.reversed() {
                choice[k] = rest % nodes[k].count
                rest /= nodes[k].count
            }
            var pointDocument = document
            pointDocument.source = source + " (sweep point \(index))"
            var pointOverrides = applied
            var assignments: [(key: String, value: String)] = []
            var json: [String: any Sendable] = [:]
            for k in keys.indices {
                let node = nodes[k][choice[k]]
                let override = ConfigOverride(key: keys[k], value: node, text: keys[k] + "=" + values[k][choice[k]])
                try pointDocument.apply(override)
                pointOverrides.append(override)
                assignments.append((keys[k], values[k][choice[k]]))
                json[keys[k]] = jsonValue(node)
            }
            let config = try ExperimentConfig.decode(pointDocument, applied: pointOverrides)
            let name = "point-" + String(repeating: "0", count: max(0, digits - String(index).count)) + String(index)
            points.append(SweepPoint(
                index: index, assignments: assignments, overrides: overrides + assignments.map { "\($0.key)=\($0.value)" },
                config: config, directory: directory + "/" + name, jsonValues: json))
        }
        return SweepPlan(
            source: source, base: base, overrides: overrides, keys: keys, values: values, points: points,
            identity: identity, directory: directory)
    }

    /// The grid's keys and value lists, checked: the config's `sweep:` (if any), then the
    /// command line's axes, each replacing its key's list or adding the key.
    private static func gridEntries(
        _ grid: Node?, axes: [SweepAxis], source: String, overrides: [ConfigOverride]
    ) throws -> ([String], [[Node]]) {
        var keys: [String] = []
        var nodes: [[Node]] = []
        if let grid {
            guard let mapping = grid.mapping, !mapping.isEmpty || !axes.isEmpty else {
                throw SweepError(
                    source: source, problem: "expected a mapping of dotted keys to lists of values, found \(ConfigYAMLText.describe(grid))",
                    hint: "e.g. sweep: {model.hidden: [[10], [30]], seed: [0, 1]}")
            }
            for (keyNode, value) in mapping {
                let key = keyNode.scalar?.string ?? ConfigYAMLText.describe(keyNode)
                try checkSweptKey(key, existing: keys, source: source, overrides: overrides)
                guard let sequence = value.sequence, !sequence.isEmpty else {
                    throw SweepError(
                        source: source, problem: "\(key): expected a non-empty list of values, found \(ConfigYAMLText.describe(value))",
                        hint: value.sequence == nil ? "write the values as a list, e.g. [\(ConfigYAMLText.describe(value))]" : nil)
                }
                keys.append(key)
                nodes.append(Array(sequence))
            }
        }
        for (position, axis) in axes.enumerated() {
            if axes[..<position].contains(where: { $0.key == axis.key }) {
                throw SweepError(
                    source: source, problem: "--set \(axis.key) is given twice", hint: "give each axis once: --set \(axis.key)=a,b")
            }
            if let index = keys.firstIndex(of: axis.key) {
                nodes[index] = axis.values  // --set shrinks or changes the config's list
                continue
            }
            try checkSweptKey(axis.key, existing: keys, source: source, overrides: overrides)
            keys.append(axis.key)
            nodes.append(axis.values)
        }
        return (keys, nodes)
    }

    /// A key may be swept: it is in the schema, does not place the outputs, is not swept
    /// already (itself or a section around or inside it) and is not also overridden.
    private static func checkSweptKey(
        _ key: String, existing keys: [String], source: String, overrides: [ConfigOverride]
    ) throws {
        guard ExperimentConfig.schemaKey(key) != nil else {
            let suggestions = KeySuggestion.suggestions(for: key)
            throw SweepError(
                source: source, problem: "\(key): unknown key",
                hint: KeySuggestion.hint(for: key, suggestions: suggestions))
        }
        guard key != "name" && key != "logging.runs_directory" else {
            throw SweepError(
                source: source, problem: "\(key) cannot be swept: it places the outputs",
                hint: "each point already gets its own run directory")
        }
        if let clash = keys.first(where: { $0 == key || $0.hasPrefix(key + ".") || key.hasPrefix($0 + ".") }) {
            throw SweepError(
                source: source, problem: "\(key) is swept twice (also as \(clash))", hint: "list each key once")
        }
        if let override = overrides.first(where: { $0.key == key || $0.key.hasPrefix(key + ".") || key.hasPrefix($0.key + ".") }) {
            throw SweepError(
                source: source, problem: "\(key) is swept, so the override \"\(override.text)\" would be ignored",
                hint: "drop the override, or change the list with --set \(key)=…")
        }
    }

    /// 8 hex digits of SHA-256 over the resolved base config (with `threads` set to 1, since a
    /// job may pick its thread count) and the grid.
    private static func identity(base: ExperimentConfig, keys: [String], values: [[String]]) throws -> String {
        var normalized = base
        normalized.threads = 1
        var text = try normalized.resolvedYAML() + "sweep:\n"
        for (key, list) in zip(keys, values) { text += "  \(key): [" + list.joined(separator: ", ") + "]\n" }
        return String(SHA256.hexDigest(of: Array(text.utf8)).prefix(8))
    }

    /// A node as a JSON-compatible value: integers, numbers, booleans, null, strings, lists,
    /// dictionaries.
    private static func jsonValue(_ node: Node) -> any Sendable {
        switch node {
        case .scalar:
            if ConfigYAMLText.isNull(node) { return NSNull() }
            if let value = ConfigYAMLText.int(node) { return value }
            if let value = ConfigYAMLText.double(node), value.isFinite { return value }
            if let value = ConfigYAMLText.bool(node) { return value }
            return node.scalar?.string ?? ""
        case .sequence(let sequence):
            return sequence.map(jsonValue)
        case .mapping(let mapping):
            var dictionary: [String: any Sendable] = [:]
            for (key, value) in mapping { dictionary[key.scalar?.string ?? ""] = jsonValue(value) }
            return dictionary
        }
    }

    // MARK: - The index file

    /// `sweep.json`: the sweep's identity, grid, base config and points (each with its
    /// directory, relative to the sweep directory, overrides and values).
    public func indexJSON() throws -> Data {
        let object: [String: Any] = [
            "format": "geodim-sweep",
            "format_version": 1,
            "name": base.name,
            "identity": identity,
            "config_file": source,
            "overrides": overrides,
            "keys": keys,
            "values": Dictionary(uniqueKeysWithValues: zip(keys, values)),
            "base_config_yaml": try base.resolvedYAML(),
            "points": points.map { point -> [String: Any] in
                [
                    "index": point.index,
                    "directory": (point.directory as NSString).lastPathComponent,
                    "overrides": point.assignments.map { "\($0.key)=\($0.value)" },
                    "label": point.label,
                    "values": point.jsonValues,
                ]
            },
        ]
        return try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    }
}
