/// Building a config from checked YAML values: every key of ``ExperimentConfig/keyTable``, in
/// schema order, from the document or from its default. Ranges are checked afterwards by
/// ``ExperimentConfig/validate(source:)``.
extension ExperimentConfig {
    init(reading reader: ConfigReader) throws(ConfigError) {
        self.init()
        for entry in ExperimentConfig.keyTable { try entry.decode(reader, &self) }
    }
}
