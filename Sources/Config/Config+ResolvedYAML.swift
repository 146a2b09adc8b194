/// The resolved config as YAML: every key with its value, defaults filled in, in schema order.
extension ExperimentConfig {
    /// Every leaf key with its value written as YAML flow text, in schema order; `null` for an
    /// unset nullable key (of `checkpoints`, only the form in use is listed).
    public var resolvedValues: [(key: String, value: String)] {
        ExperimentConfig.keyTable.compactMap { entry in entry.encode(self).map { (key: entry.path, value: $0) } }
    }

    /// The full resolved config as YAML, every default filled in, in schema order, with lists
    /// in flow style (`hidden: [30, 30, 30]`).
    ///
    /// `parse(yaml:source:overrides:)` reads it back to an equal config (checked here: a config
    /// that fails validation or does not round-trip throws). Numbers are written exactly
    /// (shortest round-tripping decimal), so the text is also what YAML 1.1 readers such as
    /// PyYAML read as the same values. This is what a run stores as its `config.yaml`.
    public func resolvedYAML() throws(ConfigError) -> String {
        var lines = ["# geodim experiment config, resolved: every key, defaults filled in"]
        var section = ""
        for (key, value) in resolvedValues {
            let schemaKey = ExperimentConfig.schemaKey(key)
            let parent = schemaKey?.parent ?? ""
            if parent != section {
                section = parent
                if !parent.isEmpty { lines.append(parent + ":") }
            }
            let indent = parent.isEmpty ? "" : "  "
            lines.append(indent + String(schemaKey?.name ?? Substring(key)) + ": " + value)
        }
        let yaml = lines.joined(separator: "\n") + "\n"

        let source = "resolved config of \(name)"
        let reread = try ExperimentConfig.parse(yaml: yaml, source: source)
        guard reread == self else {
            let keys = differences(from: reread).joined(separator: ", ")
            throw ConfigError(
                kind: .invalidValue, source: source, key: differences(from: reread).first,
                problem: "does not read back to the same config (differs at \(keys))",
                hint: "this is a bug in geodim's config writer")
        }
        return yaml
    }
}
