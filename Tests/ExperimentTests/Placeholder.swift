import Testing
@Test func ExperimentTestsPlaceholder() { #expect(Bool(true)) }
