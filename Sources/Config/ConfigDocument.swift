import Yams

/// A config's YAML tree between parsing and decoding: composed from text, changed by
/// overrides, then checked key by key against the schema.
struct ConfigDocument {
    /// The config's file name, for errors.
    var source: String
    /// The top-level mapping.
    private(set) var root: Node

    /// Parses YAML text; malformed YAML is an error naming the line and column, and the top
    /// level must be a mapping (an empty document is an empty mapping). Text too large, nested
    /// too deeply or expanding too far through aliases is refused (``ConfigYAMLLimits``).
    init(yaml: String, source: String) throws(ConfigError) {
        self.source = source
        try ConfigYAMLLimits.checkText(yaml, source: source)
        let composed: Node?
        do {
            composed = try Yams.compose(yaml: yaml)
        } catch {
            throw Self.malformed(error, yaml: yaml, source: source)
        }
        if let composed { try ConfigYAMLLimits.checkExpansion(composed, source: source) }
        guard let composed, !ConfigYAMLText.isNull(composed) else {
            root = Node([(Node, Node)]())
            return
        }
        guard composed.mapping != nil else {
            throw ConfigError(
                kind: .wrongType, source: source, location: "top level",
                problem: "expected a mapping of keys, found \(ConfigYAMLText.describe(composed))",
                hint: "a config starts with keys such as name:, model:, training:")
        }
        root = composed
    }

    /// Removes the top-level key `name` and returns its key and value nodes, if present.
    mutating func removeTopLevel(_ name: String) -> (key: Node, value: Node)? {
        guard let mapping = root.mapping,
              let index = mapping.firstIndex(where: { $0.key.scalar?.string == name })
        else { return nil }
        let pair = mapping[index]
        var pairs = mapping.map { ($0.key, $0.value) }
        pairs.removeAll { $0.0.scalar?.string == name }
        root = Node(pairs, mapping.tag, mapping.style)
        return (pair.key, pair.value)
    }

    // MARK: - Overrides

    /// Sets the value at the override's dotted key, creating missing intermediate sections.
    mutating func apply(_ override: ConfigOverride) throws(ConfigError) {
        let path = override.key.split(separator: ".").map(String.init)
        root = try setting(override.value, at: path[...], in: root, parent: "", override: override)
    }

    private func setting(
        _ value: Node, at path: ArraySlice<String>, in node: Node, parent: String,
        override: ConfigOverride
    ) throws(ConfigError) -> Node {
        guard let name = path.first else { return value }
        let here = parent.isEmpty ? name : parent + "." + name
        var pairs: [(Node, Node)]
        var tag = Tag.implicit
        var style = Node.Mapping.Style.any
        if let mapping = node.mapping {
            pairs = mapping.map { ($0.key, $0.value) }
            tag = mapping.tag
            style = mapping.style
        } else if ConfigYAMLText.isNull(node) {
            pairs = []
        } else {
            throw ConfigError(
                kind: .wrongType, source: source, key: parent,
                problem: "cannot set \(override.key): \(parent) is \(ConfigYAMLText.describe(node)), "
                    + "not a mapping",
                hint: "fix \(parent) in the file", override: override.text)
        }
        if let index = pairs.firstIndex(where: { $0.0.scalar?.string == name }) {
            let child = try setting(
                value, at: path.dropFirst(), in: pairs[index].1, parent: here, override: override)
            pairs[index].1 = child
        } else {
            let child = try setting(
                value, at: path.dropFirst(), in: Node("null"), parent: here, override: override)
            pairs.append((Node(name), child))
        }
        return Node(pairs, tag, style)
    }

    // MARK: - Checking against the schema

    /// The leaf values by dotted key, after checking every key against the schema in document
    /// order: an unknown key is an error suggesting the nearest valid one, a key given twice
    /// is an error, and a section must be a mapping (or empty).
    func checkedValues() throws(ConfigError) -> [String: Node] {
        var values: [String: Node] = [:]
        try collect(root, section: "", into: &values)
        return values
    }

    private func collect(_ node: Node, section: String, into values: inout [String: Node])
        throws(ConfigError)
    {
        guard let mapping = node.mapping else { return }
        var seen: Set<String> = []
        for (keyNode, value) in mapping {
            let name = keyNode.scalar?.string ?? ConfigYAMLText.describe(keyNode)
            let path = section.isEmpty ? name : section + "." + name
            if section.isEmpty && name == SweepPlan.sweepKey {
                throw ConfigError(
                    kind: .invalidValue, source: source, key: path,
                    problem: "this config describes a sweep (a grid of runs), which geodim train does not run",
                    hint: "list its points with geodim sweep \(source) --list; run one with --index i, or all with geodim sweep \(source)")
            }
            guard let key = ExperimentConfig.schemaKey(path) else {
                let suggestions = KeySuggestion.suggestions(for: path)
                throw ConfigError(
                    kind: .unknownKey, source: source, key: path, problem: "unknown key",
                    hint: KeySuggestion.hint(for: path, suggestions: suggestions),
                    suggestion: suggestions.first)
            }
            guard seen.insert(name).inserted else {
                throw ConfigError(
                    kind: .duplicateKey, source: source, key: path,
                    problem: "key given twice" + (keyNode.mark.map { " (again at line \($0.line))" } ?? ""),
                    hint: "keep one of them")
            }
            if key.isSection {
                if value.mapping != nil {
                    try collect(value, section: path, into: &values)
                } else if !ConfigYAMLText.isNull(value) {
                    let children = ExperimentConfig.childNames(of: path).map { path + "." + $0 }
                    throw ConfigError(
                        kind: .wrongType, source: source, key: path,
                        problem: "expected a mapping of keys, found \(ConfigYAMLText.describe(value))",
                        hint: "its keys are " + children.joined(separator: ", "))
                }
            } else {
                values[path] = value
            }
        }
    }

    // MARK: - Malformed YAML

    private static func malformed(_ error: any Error, yaml: String, source: String) -> ConfigError {
        let hint = "check the indentation (spaces, not tabs) and that each key is followed by ': '"
        guard let yamlError = error as? YamlError else {
            return ConfigError(
                kind: .malformedYAML, source: source, problem: "malformed YAML: \(error)", hint: hint)
        }
        var location: String?
        var problem: String
        var context: YamlError.Context?
        switch yamlError {
        case let .scanner(ctx, text, mark, _), let .parser(ctx, text, mark, _),
            let .composer(ctx, text, mark, _):
            location = "line \(mark.line), column \(mark.column)"
            problem = text
            context = ctx
        case let .reader(text, offset, _, _):
            problem = text
            if let offset {
                let prefix = yaml.prefix(offset)
                let line = prefix.filter(\.isNewline).count + 1
                let column = prefix.count - (prefix.lastIndex(where: \.isNewline).map {
                    prefix.distance(from: prefix.startIndex, to: $0) + 1
                } ?? 0) + 1
                location = "line \(line), column \(column)"
            }
        default:
            problem = "\(yamlError)"
        }
        if let context {
            problem += " (\(context.text) at line \(context.mark.line), column \(context.mark.column))"
        }
        return ConfigError(
            kind: .malformedYAML, source: source, location: location,
            problem: "malformed YAML: " + problem, hint: hint)
    }
}
