import Testing
@Test func DatasetsTestsPlaceholder() { #expect(Bool(true)) }
