extension MNIST {
    /// The SHA-256 of each canonical file's uncompressed contents (facts of the data set,
    /// as listed in data/mnist/README.md; the MD5 sums there match LeCun's originals).
    public static let canonicalSHA256: [File: String] = [
        .trainImages: "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        .trainLabels: "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        .testImages: "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        .testLabels: "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    ]
}
