import Foundation
import Yams

/// One axis of a sweep given on the command line, `--set key=v1,v2,…` (Hydra's multirun
/// style): the dotted key and its values, each read as YAML like an override's value.
///
/// Values are separated by the commas outside brackets, braces and quotes, so
/// `model.hidden=[10,10],[30,30]` is two values and `model.hidden=[10,10]` one. An axis
/// replaces the values of the same key under the config's `sweep:` (to shrink or change a
/// grid), or adds a key to it (last); a config without `sweep:` becomes a sweep.
struct SweepAxis {
    /// The `--set` text as given.
    let text: String
    /// The dotted key.
    let key: String
    /// The values, composed, in order.
    let values: [Node]

    /// Parses `key=v1,v2,…`; a missing `=`, an unknown key, no value or a malformed one is an
    /// error naming the axis.
    init(_ text: String, source: String) throws {
        self.text = text
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
            throw SweepError(
                source: source, problem: "--set \(text): expected dotted.key=value1,value2,…",
                hint: "e.g. --set seed=0,1,2 --set optimizer.lr=0.01,0.1")
        }
        key = String(text[..<equals]).trimmingCharacters(in: .whitespaces)
        guard ExperimentConfig.schemaKey(key) != nil else {
            let suggestions = KeySuggestion.suggestions(for: key)
            throw SweepError(
                source: source, problem: "--set \(text): \(key) is not a config key",
                hint: KeySuggestion.hint(for: key, suggestions: suggestions))
        }
        let items = Self.split(String(text[text.index(after: equals)...]))
        guard !items.isEmpty, items.allSatisfy({ !$0.isEmpty }) else {
            throw SweepError(
                source: source, problem: "--set \(text): expected one or more values separated by commas, found an empty one",
                hint: "e.g. --set \(key)=a,b")
        }
        var values: [Node] = []
        for item in items {
            let location = "--set \(key)"
            try ConfigYAMLLimits.checkText(item, source: source, location: location)
            let node: Node
            do {
                node = try Yams.compose(yaml: item) ?? Node("null")
            } catch {
                throw SweepError(
                    source: source, problem: "--set \(text): value \"\(item)\" is not valid YAML",
                    hint: "quote strings with special characters, write lists as [a, b]")
            }
            try ConfigYAMLLimits.checkExpansion(node, source: source, location: location)
            values.append(node)
        }
        self.values = values
    }

    /// `text` cut at the commas outside `[]`, `{}` and quotes, each piece trimmed.
    static func split(_ text: String) -> [String] {
        var pieces: [String] = []
        var current = ""
        var depth = 0
        var quote: Character? = nil
        for character in text {
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if character == "[" || character == "{" {
                depth += 1
            } else if character == "]" || character == "}" {
                depth = max(0, depth - 1)
            } else if character == "," && depth == 0 {
                pieces.append(current.trimmingCharacters(in: .whitespaces))
                current = ""
                continue
            }
            current.append(character)
        }
        pieces.append(current.trimmingCharacters(in: .whitespaces))
        return pieces
    }
}
