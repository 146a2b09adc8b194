/// Finds the valid key a misspelt or misplaced one was probably meant to be.
///
/// Closeness is the optimal-string-alignment distance (Levenshtein plus adjacent
/// transpositions, so `modle` is one edit from `model`), ignoring case and treating `-` as `_`.
/// A name that a valid key starts with, or that starts a valid key, also counts as close
/// (`lr_rate` → `lr`, `batch` → `batch_size`), and a few common synonyms are known
/// (`learning_rate` → `lr`).
enum KeySuggestion {
    /// Common names for keys that are spelt differently here, by level-local key name.
    static let synonyms: [String: String] = [
        "learning_rate": "lr", "learningrate": "lr", "eta": "lr",
        "widths": "hidden", "layers": "hidden", "hidden_layers": "hidden",
        "hidden_sizes": "hidden", "width": "hidden",
        "initialization": "init", "initialisation": "init", "initializer": "init",
        "wd": "weight_decay", "eps": "epsilon", "optimiser": "optimizer",
    ]

    /// The edit distance between two key names (case-insensitive, `-` equal to `_`).
    static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(normalised(a)), y = Array(normalised(b))
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        // d[i][j]: distance between the first i characters of x and the first j of y.
        var d = [[Int]](repeating: [Int](repeating: 0, count: y.count + 1), count: x.count + 1)
        for i in 0...x.count { d[i][0] = i }
        for j in 0...y.count { d[0][j] = j }
        for i in 1...x.count {
            for j in 1...y.count {
                let cost = x[i - 1] == y[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[x.count][y.count]
    }

    /// The candidates close to `word`, best first (edit-distance matches before prefix matches,
    /// then by distance, then in the candidates' order).
    static func closeMatches(to word: String, among candidates: [String]) -> [String] {
        if let synonym = synonyms[normalised(word)], candidates.contains(synonym) {
            return [synonym]
        }
        let limit = max(1, word.count / 3)
        let w = normalised(word)
        var ranked: [(rank: Int, distance: Int, index: Int, name: String)] = []
        for (index, candidate) in candidates.enumerated() {
            let c = normalised(candidate)
            let d = distance(w, c)
            if d <= limit {
                ranked.append((0, d, index, candidate))
            } else if min(w.count, c.count) >= 2, w.hasPrefix(c) || c.hasPrefix(w) {
                ranked.append((1, d, index, candidate))
            }
        }
        ranked.sort { ($0.rank, $0.distance, $0.index) < ($1.rank, $1.distance, $1.index) }
        return ranked.map(\.name)
    }

    /// The valid dotted keys a key that is not in the schema was probably meant to be, best
    /// first; empty when nothing is close.
    ///
    /// The known leading sections are kept and the first unknown component is matched among
    /// its siblings (`optimizer.lr_rate` → `optimizer.lr`, `optimiser.lr` → `optimizer.lr`); a
    /// name that belongs to another section is found there (`lr` → `optimizer.lr`).
    static func suggestions(for dottedKey: String) -> [String] {
        let parts = dottedKey.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        var parent = ""
        var index = 0
        while index < parts.count, let key = ExperimentConfig.schemaKey(join(parent, parts[index])) {
            if !key.isSection { return [key.path] }  // a leaf with components after it
            parent = key.path
            index += 1
        }
        guard index < parts.count else { return [] }
        let word = parts[index]
        let rest = parts[(index + 1)...]

        if let near = closeMatches(to: word, among: ExperimentConfig.childNames(of: parent)).first {
            return [completed(join(parent, near), rest: rest)]
        }
        // Misplaced: the name of a key in another section.
        let elsewhere = ExperimentConfig.schema.filter { $0.parent != parent }
        var names: [String] = []
        for key in elsewhere where !names.contains(String(key.name)) { names.append(String(key.name)) }
        guard let best = closeMatches(to: word, among: names).first else { return [] }
        let matches = elsewhere.filter { $0.name == best }
        return Array(matches.prefix(3).map { completed($0.path, rest: rest) })
    }

    /// The hint for an unknown key: `did you mean X?`, or the valid keys of its section.
    static func hint(for dottedKey: String, suggestions: [String]) -> String {
        switch suggestions.count {
        case 0:
            let parent = validParent(of: dottedKey)
            let names = ExperimentConfig.childNames(of: parent).joined(separator: ", ")
            return parent.isEmpty
                ? "valid top-level keys: \(names)" : "valid keys under \(parent): \(names)"
        case 1:
            return "did you mean \(suggestions[0])?"
        default:
            return "did you mean "
                + suggestions.dropLast().joined(separator: ", ") + " or \(suggestions[suggestions.count - 1])?"
        }
    }

    /// The longest leading part of a dotted key that is a section of the schema.
    private static func validParent(of dottedKey: String) -> String {
        var parent = ""
        for part in dottedKey.split(separator: ".") {
            guard let key = ExperimentConfig.schemaKey(join(parent, String(part))), key.isSection
            else { break }
            parent = key.path
        }
        return parent
    }

    /// `base` followed by `rest`, when that names a valid key (suggesting deeper if needed).
    private static func completed(_ base: String, rest: ArraySlice<String>) -> String {
        guard !rest.isEmpty else { return base }
        let full = base + "." + rest.joined(separator: ".")
        if ExperimentConfig.schemaKey(full) != nil { return full }
        if ExperimentConfig.schemaKey(base)?.isSection == true,
            let deeper = suggestions(for: full).first
        {
            return deeper
        }
        return base
    }

    private static func join(_ parent: String, _ name: String) -> String {
        parent.isEmpty ? name : parent + "." + name
    }

    private static func normalised(_ name: String) -> String {
        String(name.lowercased().map { $0 == "-" ? "_" : $0 })
    }
}
