import Foundation

/// Reading a config: YAML text → overrides → strict key check → typed decode → validation.
extension ExperimentConfig {
    /// Reads, overrides, checks and validates the config file at `path`.
    ///
    /// - Parameters:
    ///   - path: the YAML file, relative to the current directory or absolute.
    ///   - overrides: `dotted.key=value` strings applied in order, later ones winning.
    /// - Throws: the first ``ConfigError`` found, naming `path`.
    public static func load(path: String, overrides: [String] = []) throws(ConfigError) -> ExperimentConfig {
        try parse(yaml: try readText(path: path), source: path, overrides: overrides)
    }

    /// The text of the config file at `path`; a missing file, a directory or a file that is not
    /// UTF-8 text is a ``ConfigError/Kind/unreadableFile`` error saying which.
    static func readText(path: String) throws(ConfigError) -> String {
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        guard exists else {
            throw ConfigError(
                kind: .unreadableFile, source: path, problem: "no such file",
                hint: "paths are relative to \(FileManager.default.currentDirectoryPath)")
        }
        guard !isDirectory.boolValue else {
            throw ConfigError(
                kind: .unreadableFile, source: path, problem: "is a directory, not a config file",
                hint: "give the YAML file, e.g. configs/quick.yaml")
        }
        // Read at most one byte past the limit, so that a huge file or a device such as
        // /dev/zero is refused instead of filling the memory.
        let data: Data
        do {
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw ConfigError(
                    kind: .unreadableFile, source: path, problem: "cannot open the file",
                    hint: "check its permissions")
            }
            defer { try? handle.close() }
            data = try handle.read(upToCount: ConfigYAMLLimits.maximumBytes + 1) ?? Data()
        } catch let error as ConfigError {
            throw error
        } catch {
            throw ConfigError(kind: .unreadableFile, source: path, problem: "cannot read the file: \(error.localizedDescription)")
        }
        guard data.count <= ConfigYAMLLimits.maximumBytes else {
            throw ConfigError(
                kind: .unreadableFile, source: path,
                problem: "is larger than the \(ConfigYAMLLimits.maximumBytes) bytes a config may have",
                hint: "a config is a few keys of YAML; is this the right file?")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(kind: .unreadableFile, source: path, problem: "cannot read the file as UTF-8 text")
        }
        return text
    }

    /// Parses a config from YAML text, applies `overrides`, checks every key against the schema,
    /// decodes with defaults for absent keys, and validates.
    ///
    /// The steps, each reporting its first problem as a one-line ``ConfigError``:
    /// 1. YAML syntax (the error gives the line and column);
    /// 2. the overrides, in order: each must be `dotted.key=value` with a key of the schema,
    ///    and its value (YAML: `0.05`, `[10, 10]`, `null`, `{every: 10}`) replaces the value at
    ///    that key, creating missing sections;
    /// 3. every key, in document order, must belong to the schema (an unknown one is reported
    ///    with the nearest valid key) and appear once;
    /// 4. every value must have its key's type, in schema order;
    /// 5. ranges and consistency (``validate(source:)``).
    ///
    /// An error about a value that an override set says so.
    ///
    /// - Parameter source: the file name the errors name.
    public static func parse(
        yaml: String, source: String, overrides: [String] = []
    ) throws(ConfigError) -> ExperimentConfig {
        var document = try ConfigDocument(yaml: yaml, source: source)
        var applied: [ConfigOverride] = []
        for text in overrides {
            let override = try ConfigOverride(text, source: source)
            try document.apply(override)
            applied.append(override)
        }
        return try decode(document, applied: applied)
    }

    /// Checks, decodes and validates a document to which `applied` overrides have been
    /// applied (steps 3–5 of ``parse(yaml:source:overrides:)``).
    static func decode(_ document: ConfigDocument, applied: [ConfigOverride]) throws(ConfigError) -> ExperimentConfig {
        let source = document.source
        do {
            let reader = ConfigReader(source: source, values: try document.checkedValues())
            let config = try ExperimentConfig(reading: reader)
            try config.validate(source: source)
            return config
        } catch {
            throw error.attributed(to: applied)
        }
    }
}

extension ConfigError {
    /// This error, noting the last of `overrides` that set its key or a section containing it.
    func attributed(to overrides: [ConfigOverride]) -> ConfigError {
        guard override == nil, let key else { return self }
        let setter = overrides.last {
            key == $0.key || key.hasPrefix($0.key + ".") || $0.key.hasPrefix(key + ".")
        }
        guard let setter else { return self }
        var error = self
        error.override = setter.text
        return error
    }
}
