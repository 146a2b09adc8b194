/// Why a config could not be read, with enough context to fix it: the file, the dotted key (or
/// the line and column, or the override), what is wrong, and a hint.
///
/// ``description`` is one line, `<file>: <dotted.key>: <problem> (hint: ...)`, e.g.
///
///     configs/quick.yaml: optimizer.lr_rate: unknown key (hint: did you mean optimizer.lr?)
///     configs/quick.yaml: training.batch_size: expected an integer, found "big"
///     configs/quick.yaml: optimizer.lr: must be a finite number > 0, found -0.1; set by override "optimizer.lr=-0.1" (hint: the learning rate, e.g. 0.1)
public struct ConfigError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The class of problem.
    public enum Kind: String, Sendable, Equatable {
        /// The file could not be read.
        case unreadableFile
        /// The YAML does not parse; ``ConfigError/location`` has the line and column.
        case malformedYAML
        /// An override is not `dotted.key=value`, or its value is not valid YAML.
        case malformedOverride
        /// A key that is not part of the schema.
        case unknownKey
        /// A key given twice in one mapping.
        case duplicateKey
        /// A required key is absent.
        case missingKey
        /// A value of the wrong type (a string where a number belongs, a scalar for a list, …).
        case wrongType
        /// A value of the right type but outside the allowed set or range, or inconsistent with
        /// another key.
        case invalidValue
    }

    /// The class of problem.
    public var kind: Kind
    /// The config file (or the `source` name given to `parse`).
    public var source: String
    /// The dotted key the problem is about, or `nil` when it is about the file as a whole or
    /// about an override's syntax.
    public var key: String?
    /// Where, when there is no key: `line 3, column 7` or `override "lr"`.
    public var location: String?
    /// What is wrong, naming the value found and what is allowed.
    public var problem: String
    /// How to fix it, when there is something useful to say.
    public var hint: String?
    /// For an unknown key: the nearest valid dotted key, if one is close.
    public var suggestion: String?
    /// The `dotted.key=value` override that set the offending value, if one did.
    public var override: String?

    public init(
        kind: Kind, source: String, key: String? = nil, location: String? = nil,
        problem: String, hint: String? = nil, suggestion: String? = nil, override: String? = nil
    ) {
        self.kind = kind
        self.source = source
        self.key = key
        self.location = location
        self.problem = problem
        self.hint = hint
        self.suggestion = suggestion
        self.override = override
    }

    /// One line: `<file>: <dotted.key>: <problem> (hint: ...)`. Text echoed from the input (a
    /// key, an override, a value inside the problem) is shortened in the middle, so that a
    /// hostile file cannot make the line run to pages.
    public var description: String {
        var line = source + ": "
        if let subject = key ?? location { line += Self.abbreviated(subject, to: 120) + ": " }
        line += Self.abbreviated(problem, to: 800)
        if let override { line += "; set by override \"\(Self.abbreviated(override, to: 120))\"" }
        if let hint { line += " (hint: \(Self.abbreviated(hint, to: 400)))" }
        return line.map { $0.isNewline ? " " : $0 }.reduce(into: "") { $0.append($1) }
    }

    /// `text` if it has at most `limit` characters, else its start and end around " … ".
    static func abbreviated(_ text: String, to limit: Int) -> String {
        guard text.count > limit else { return text }
        let keep = (limit - 3) / 2
        return String(text.prefix(keep)) + " … " + String(text.suffix(keep))
    }
}
