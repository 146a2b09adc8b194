import Yams

/// One `dotted.key=value` override from the command line, e.g. `optimizer.lr=0.05`,
/// `model.hidden=[10,10]`, `bfd.train_samples=null` or `checkpoints={every: 10}`.
///
/// The value is read as YAML (a scalar, a flow sequence or a flow mapping); an empty value is
/// null. The key must be a key of the schema, a leaf or a whole section; setting a section
/// replaces it.
struct ConfigOverride: Equatable {
    /// The override as given.
    let text: String
    /// The dotted key it sets.
    let key: String
    /// The value it sets.
    let value: Node

    /// An override built from a value already composed (a sweep point's), with `text` as it
    /// should appear in messages and in `overrides.txt`.
    init(key: String, value: Node, text: String) {
        self.key = key
        self.value = value
        self.text = text
    }

    /// Parses one override; a missing `=`, an unknown key or a malformed value is an error
    /// naming the override.
    init(_ text: String, source: String) throws(ConfigError) {
        self.text = text
        guard let equals = text.firstIndex(of: "=") else {
            throw ConfigError(
                kind: .malformedOverride, source: source, location: "override \"\(text)\"",
                problem: "expected dotted.key=value",
                hint: "e.g. optimizer.lr=0.05 or model.hidden=[10,10]")
        }
        key = text[..<equals].trimmingWhitespace()
        let valueText = text[text.index(after: equals)...].trimmingWhitespace()
        guard !key.isEmpty else {
            throw ConfigError(
                kind: .malformedOverride, source: source, location: "override \"\(text)\"",
                problem: "no key before '='", hint: "e.g. optimizer.lr=0.05")
        }
        guard ExperimentConfig.schemaKey(key) != nil else {
            let suggestions = KeySuggestion.suggestions(for: key)
            throw ConfigError(
                kind: .unknownKey, source: source, key: key,
                problem: "unknown key in override \"\(text)\"",
                hint: KeySuggestion.hint(for: key, suggestions: suggestions),
                suggestion: suggestions.first)
        }
        let location = "override \"\(text.count > 60 ? String(text.prefix(60)) + "…" : text)\""
        try ConfigYAMLLimits.checkText(valueText, source: source, location: location)
        do {
            value = try Yams.compose(yaml: valueText) ?? Node("null")
            try ConfigYAMLLimits.checkExpansion(value, source: source, location: location)
        } catch let error as ConfigError {
            throw error
        } catch {
            throw ConfigError(
                kind: .malformedOverride, source: source, key: key,
                problem: "value \"\(valueText)\" of override \"\(text)\" is not valid YAML",
                hint: "quote strings with special characters, write lists as [a, b]")
        }
    }
}

extension Substring {
    fileprivate func trimmingWhitespace() -> String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
