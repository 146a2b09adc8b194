import Yams

/// Bounds on a config's YAML, checked before and after the parser sees it, so that no text can
/// crash or hang it.
///
/// Yams parses nested collections recursively: a document nested a few thousand levels deep
/// (`[[[[…` or a staircase of block mappings) overflows the stack and kills the process. A
/// config needs a handful of levels (section → key → list), so the text is scanned first for
/// its nesting depth, counting flow brackets outside quotes and comments, indentation levels
/// and leading `- ` / `? ` markers; the count is an upper bound on the parser's recursion. After
/// composing, aliases are followed with a budget of nodes, so that a "billion laughs" document
/// (anchors of anchors) is refused instead of being expanded by the key check.
enum ConfigYAMLLimits {
    /// The largest config text accepted, in bytes (configs are a few kilobytes).
    static let maximumBytes = 1 << 20
    /// The deepest nesting of collections accepted.
    static let maximumDepth = 64
    /// The most nodes a composed document may expand to with its aliases followed.
    static let maximumNodes = 200_000

    /// Refuses text that is too large or nested too deeply to parse safely.
    ///
    /// - Parameters:
    ///   - what: the subject for messages, e.g. `nil` for the file or `override "…"`.
    static func checkText(_ yaml: String, source: String, location: String? = nil) throws(ConfigError) {
        let bytes = yaml.utf8.count
        guard bytes <= maximumBytes else {
            throw ConfigError(
                kind: .malformedYAML, source: source, location: location,
                problem: "the YAML is \(bytes) bytes, more than the \(maximumBytes) a config may have",
                hint: "a config is a few keys; is this the right file?")
        }
        let found = nestingDepth(yaml, stoppingAbove: maximumDepth)
        guard found.depth <= maximumDepth else {
            throw ConfigError(
                kind: .malformedYAML, source: source, location: location ?? "line \(found.line)",
                problem: "YAML nested more than \(maximumDepth) levels deep",
                hint: "a config needs a few levels (section, key, list); check the brackets and indentation")
        }
    }

    /// Refuses a composed document whose aliases expand it beyond ``maximumNodes``.
    static func checkExpansion(_ node: Node, source: String, location: String? = nil) throws(ConfigError) {
        var budget = maximumNodes
        guard spend(&budget, on: node) else {
            throw ConfigError(
                kind: .malformedYAML, source: source, location: location,
                problem: "the YAML expands to more than \(maximumNodes) values once its aliases (*name) are followed",
                hint: "write the values out, or use fewer nested anchors")
        }
    }

    /// Walks `node` depth first, one unit of `budget` per node; false once it runs out.
    private static func spend(_ budget: inout Int, on node: Node) -> Bool {
        budget -= 1
        guard budget >= 0 else { return false }
        switch node {
        case .scalar: return true
        case .sequence(let sequence):
            for child in sequence where !spend(&budget, on: child) { return false }
            return true
        case .mapping(let mapping):
            for pair in mapping where !spend(&budget, on: pair.key) || !spend(&budget, on: pair.value) {
                return false
            }
            return true
        }
    }

    /// An upper bound on the collection nesting of `yaml`, and the (1-based) line where it was
    /// reached; the scan stops as soon as the bound exceeds `limit`.
    ///
    /// Per line: the indentation columns of the enclosing block nodes form a stack (a deeper
    /// column pushes, a shallower one pops), each leading `- ` or `? ` opens one more level at
    /// the column after it, and flow brackets `[ {` / `] }` outside quoted scalars and comments
    /// add and remove levels (flow collections may span lines). The sum over-counts rather than
    /// under-counts: brackets inside a block scalar (`|`, `>`) count too.
    static func nestingDepth(_ yaml: String, stoppingAbove limit: Int) -> (depth: Int, line: Int) {
        var columns: [Int] = []  // the block indentation stack
        var flow = 0
        var deepest = 0
        var deepestLine = 1
        var lineNumber = 0
        for line in yaml.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let bytes = Array(line.utf8)
            var index = 0
            while index < bytes.count, bytes[index] == UInt8(ascii: " ") { index += 1 }
            // Blank and comment-only lines do not change the block structure.
            let content = index < bytes.count && bytes[index] != UInt8(ascii: "#") && bytes[index] != UInt8(ascii: "\r")
            if content && flow == 0 {
                while let top = columns.last, top >= index { columns.removeLast() }
                columns.append(index)
                // `- - - x` and `? ` open one more block collection per marker.
                while index + 1 < bytes.count,
                      bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "?"),
                      bytes[index + 1] == UInt8(ascii: " ") {
                    index += 2
                    while index < bytes.count, bytes[index] == UInt8(ascii: " ") { index += 1 }
                    columns.append(index)
                }
            }
            var quote: UInt8? = nil
            var previous = UInt8(ascii: " ")
            while index < bytes.count {
                let byte = bytes[index]
                if let open = quote {
                    if open == UInt8(ascii: "\"") && byte == UInt8(ascii: "\\") {
                        index += 1  // skip the escaped character
                    } else if byte == open {
                        quote = nil
                    }
                } else if byte == UInt8(ascii: "#") && (previous == UInt8(ascii: " ") || previous == UInt8(ascii: "\t")) {
                    break  // a comment runs to the end of the line
                } else if (byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'"))
                            && (previous == UInt8(ascii: " ") || previous == UInt8(ascii: "[")
                                || previous == UInt8(ascii: "{") || previous == UInt8(ascii: ",")
                                || previous == UInt8(ascii: ":")) {
                    quote = byte
                } else if byte == UInt8(ascii: "[") || byte == UInt8(ascii: "{") {
                    flow += 1
                } else if byte == UInt8(ascii: "]") || byte == UInt8(ascii: "}") {
                    flow = max(0, flow - 1)
                }
                let depth = columns.count + flow
                if depth > deepest {
                    deepest = depth
                    deepestLine = lineNumber
                    if deepest > limit { return (deepest, deepestLine) }
                }
                previous = byte
                index += 1
            }
            if columns.count + flow > deepest {
                deepest = columns.count + flow
                deepestLine = lineNumber
                if deepest > limit { return (deepest, deepestLine) }
            }
        }
        return (deepest, deepestLine)
    }
}
