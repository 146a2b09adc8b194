import Yams

/// How config values are written as YAML text and read back from YAML scalars.
///
/// Reading is deliberately stricter than YAML 1.1: a number must be a plain (unquoted)
/// scalar, booleans are `true`/`false`, null is `null`, `~` or nothing. So `lr: "0.1"` and
/// `enabled: yes` are type errors rather than silent surprises. Writing produces text that
/// both this reader and YAML 1.1 readers (PyYAML) take for the same value: floats always carry a
/// `.` and a signed exponent (`1.0e-07`), strings that would read as something else are quoted.
enum ConfigYAMLText {
    // MARK: - Reading scalars

    /// The text of a plain (unquoted) scalar, or nil for quoted scalars and collections.
    static func plainText(_ node: Node) -> String? {
        guard let scalar = node.scalar, scalar.style == .plain || scalar.style == .any else {
            return nil
        }
        return scalar.string
    }

    /// Whether a node is YAML null: `null`, `Null`, `NULL`, `~` or an empty plain value.
    static func isNull(_ node: Node) -> Bool {
        guard let text = plainText(node) else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(text)
    }

    /// A plain scalar read as a decimal integer (`_` between digits allowed: `60_000`).
    static func int(_ node: Node) -> Int? {
        guard let text = plainText(node) else { return nil }
        return Int(integerDigits(text) ?? "")
    }

    /// A plain scalar read as a non-negative 64-bit integer.
    static func uint64(_ node: Node) -> UInt64? {
        guard let text = plainText(node), let digits = integerDigits(text) else { return nil }
        return UInt64(digits.hasPrefix("+") ? String(digits.dropFirst()) : digits)
    }

    /// A plain scalar read as a number: decimal, scientific, or `.inf`, `-.inf`, `.nan`.
    static func double(_ node: Node) -> Double? {
        guard let text = plainText(node) else { return nil }
        switch text {
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .infinity
        case "-.inf", "-.Inf", "-.INF": return -.infinity
        case ".nan", ".NaN", ".NAN": return .nan
        default: break
        }
        let stripped = text.filter { $0 != "_" }
        guard !stripped.isEmpty, text.first != "_",
            stripped.allSatisfy({ "0123456789+-.eE".contains($0) }),
            stripped.contains(where: \.isNumber)
        else { return nil }
        return Double(stripped)
    }

    /// A plain scalar read as `true` or `false` (any capitalisation YAML allows).
    static func bool(_ node: Node) -> Bool? {
        switch plainText(node) {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: return nil
        }
    }

    /// Any non-null scalar read as a string (plain `quick`, quoted `"quick"`, or `001`).
    static func string(_ node: Node) -> String? {
        guard let scalar = node.scalar, !isNull(node) else { return nil }
        return scalar.string
    }

    /// A sequence read item by item; nil if it is not a sequence or any item does not read.
    static func list<T>(_ node: Node, _ item: (Node) -> T?) -> [T]? {
        guard let sequence = node.sequence else { return nil }
        var items: [T] = []
        for element in sequence {
            guard let value = item(element) else { return nil }
            items.append(value)
        }
        return items
    }

    /// The value a node holds, for messages: numbers, booleans and null bare, strings in
    /// double quotes (`"big"`), lists in flow style, mappings in braces.
    static func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar):
            if isNull(node) { return "null" }
            if double(node) != nil || bool(node) != nil { return scalar.string }
            return quoted(scalar.string)
        case .sequence(let sequence):
            let items = sequence.map(describe)
            let shown = items.prefix(8).joined(separator: ", ")
            return "[" + shown + (items.count > 8 ? ", ... (\(items.count) items)" : "") + "]"
        case .mapping(let mapping):
            let keys = mapping.keys.map { $0.scalar?.string ?? describe($0) }
            return "a mapping {" + keys.map { $0 + ": ..." }.joined(separator: ", ") + "}"
        }
    }

    /// Digits of an optionally signed decimal integer with `_` between digits removed, or nil.
    private static func integerDigits(_ text: String) -> String? {
        var body = Substring(text)
        var sign = ""
        if let first = body.first, first == "-" || first == "+" {
            sign = first == "-" ? "-" : ""
            body = body.dropFirst()
        }
        guard let first = body.first, first.isASCII, first.isNumber,
            body.allSatisfy({ ($0.isASCII && $0.isNumber) || $0 == "_" })
        else { return nil }
        return sign + body.filter { $0 != "_" }
    }

    // MARK: - Writing values

    /// A node as one line of YAML flow text that composes back to the same values:
    /// `0.05`, `[30, 30]`, `{every: 10}`, `"a b"` (non-plain scalars double-quoted).
    static func flow(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar):
            return plainText(node) ?? quoted(scalar.string)
        case .sequence(let sequence):
            return "[" + sequence.map(flow).joined(separator: ", ") + "]"
        case .mapping(let mapping):
            return "{" + mapping.map { flow($0.key) + ": " + flow($0.value) }.joined(separator: ", ") + "}"
        }
    }

    /// A number as YAML text that round-trips exactly: the shortest decimal that reads back
    /// to the same `Double`, always with a `.` and, if any, a signed exponent (`1.0e-07`).
    static func written(_ value: Double) -> String {
        if value.isNaN { return ".nan" }
        if value.isInfinite { return value < 0 ? "-.inf" : ".inf" }
        var text = "\(value)"
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            var mantissa = String(text[..<e])
            var exponent = String(text[text.index(after: e)...])
            if !mantissa.contains(".") { mantissa += ".0" }
            if !exponent.hasPrefix("-") && !exponent.hasPrefix("+") { exponent = "+" + exponent }
            text = mantissa + "e" + exponent
        } else if !text.contains(".") {
            text += ".0"
        }
        return text
    }

    /// A number for messages: integral values without a fraction (`0`, `680`), others as
    /// ``written(_:)-(Double)`` writes them (`-0.1`, `1.0e-07`).
    static func short(_ value: Double) -> String {
        if value.isFinite, value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
        return written(value)
    }

    /// A string as YAML text: plain when it cannot be read as anything else, otherwise in
    /// double quotes with `\` and `"` and control characters escaped.
    static func written(_ value: String) -> String {
        let safeFirst = value.first.map { $0.isLetter || $0 == "_" || $0 == "/" || $0 == "." } ?? false
        let safeRest = value.allSatisfy {
            $0.isASCII && ($0.isLetter || $0.isNumber || "._/-".contains($0))
        }
        let ambiguous: Set<String> = [
            "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~",
            ".inf", ".nan", "+.inf", "-.inf",
        ]
        if safeFirst && safeRest && !ambiguous.contains(value.lowercased()) {
            return value
        }
        return quoted(value)
    }

    /// A string in YAML double quotes.
    static func quoted(_ value: String) -> String {
        var text = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\t": text += "\\t"
            case "\r": text += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    text += "\\x" + String(scalar.value, radix: 16).leftPadded(to: 2)
                } else {
                    text.unicodeScalars.append(scalar)
                }
            }
        }
        return text + "\""
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
