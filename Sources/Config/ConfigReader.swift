import Yams

/// Typed reads of the values of a checked config document, by dotted key.
///
/// A key that is absent takes its default; a required key that is absent is a
/// ``ConfigError/Kind/missingKey`` error; a value of the wrong type is a
/// ``ConfigError/Kind/wrongType`` error naming the key, the expected type and the value found.
/// Only keys documented as nullable accept `null`.
struct ConfigReader {
    /// The config's file name, for errors.
    let source: String
    /// The leaf values present in the document, by dotted key.
    let values: [String: Node]

    // MARK: - Generic reads

    /// The value at `key` converted by `convert`, or `defaultValue` if the key is absent.
    func value<T>(
        _ key: String, expected: String, default defaultValue: T, _ convert: (Node) -> T?
    ) throws(ConfigError) -> T {
        guard let node = values[key] else { return defaultValue }
        return try converted(node, key: key, expected: expected, convert)
    }

    /// The value at `key` converted by `convert`; absent is an error with `hint`.
    func required<T>(
        _ key: String, expected: String, hint: String, _ convert: (Node) -> T?
    ) throws(ConfigError) -> T {
        guard let node = values[key] else {
            throw ConfigError(
                kind: .missingKey, source: source, key: key, problem: "required key is missing",
                hint: hint)
        }
        return try converted(node, key: key, expected: expected, convert)
    }

    /// The value at `key` converted by `convert`, `nil` for an explicit `null`, or
    /// `defaultValue` if the key is absent.
    func nullable<T>(
        _ key: String, expected: String, default defaultValue: T?, _ convert: (Node) -> T?
    ) throws(ConfigError) -> T? {
        guard let node = values[key] else { return defaultValue }
        if ConfigYAMLText.isNull(node) { return nil }
        return try converted(node, key: key, expected: expected + " or null", convert)
    }

    private func converted<T>(
        _ node: Node, key: String, expected: String, _ convert: (Node) -> T?
    ) throws(ConfigError) -> T {
        if let value = convert(node) { return value }
        let isNull = ConfigYAMLText.isNull(node)
        throw ConfigError(
            kind: .wrongType, source: source, key: key,
            problem: "expected \(expected), found \(ConfigYAMLText.describe(node))",
            hint: isNull ? "remove the key to use its default" : nil)
    }

    // MARK: - Choices

    /// The choice at `key`, or `defaultValue` if absent; a spelling outside the set is an
    /// ``ConfigError/Kind/invalidValue`` error listing the allowed ones.
    func choice<E: ConfigChoice>(_ key: String, default defaultValue: E) throws(ConfigError) -> E {
        guard let node = values[key] else { return defaultValue }
        return try choice(node, key: key)
    }

    /// The choice at `key`; absent is an error with `hint`.
    func requiredChoice<E: ConfigChoice>(_ key: String, as type: E.Type = E.self) throws(ConfigError) -> E {
        guard let node = values[key] else {
            throw ConfigError(
                kind: .missingKey, source: source, key: key, problem: "required key is missing",
                hint: "one of " + E.allowedSpellings.joined(separator: ", "))
        }
        return try choice(node, key: key)
    }

    /// The list of choices at `key`, or `defaultValue` if absent.
    func choices<E: ConfigChoice>(_ key: String, default defaultValue: [E]) throws(ConfigError) -> [E] {
        guard let node = values[key] else { return defaultValue }
        let allowed = E.allowedSpellings.joined(separator: ", ")
        guard let sequence = node.sequence else {
            throw ConfigError(
                kind: .wrongType, source: source, key: key,
                problem: "expected a list of \(allowed), found \(ConfigYAMLText.describe(node))",
                hint: node.scalar != nil ? "write a list, e.g. [\(node.scalar?.string ?? "")]" : nil)
        }
        var items: [E] = []
        for (position, item) in sequence.enumerated() {
            guard let spelling = ConfigYAMLText.string(item), let value = E(rawValue: spelling) else {
                throw unknownChoice(
                    item, key: key, allowed: E.allowedSpellings, what: "item \(position + 1)")
            }
            items.append(value)
        }
        return items
    }

    private func choice<E: ConfigChoice>(_ node: Node, key: String) throws(ConfigError) -> E {
        guard let spelling = ConfigYAMLText.string(node), let value = E(rawValue: spelling) else {
            throw unknownChoice(node, key: key, allowed: E.allowedSpellings, what: nil)
        }
        return value
    }

    private func unknownChoice(
        _ node: Node, key: String, allowed: [String], what: String?
    ) -> ConfigError {
        let found = ConfigYAMLText.describe(node)
        let near = ConfigYAMLText.string(node).flatMap {
            KeySuggestion.closeMatches(to: $0, among: allowed).first
        }
        return ConfigError(
            kind: node.scalar == nil ? .wrongType : .invalidValue, source: source, key: key,
            problem: "expected one of \(allowed.joined(separator: ", ")), found \(found)"
                + (what.map { " at \($0)" } ?? ""),
            hint: near.map { "did you mean \($0)?" })
    }
}
