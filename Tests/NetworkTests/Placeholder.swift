import Testing
@Test func NetworkTestsPlaceholder() { #expect(Bool(true)) }
