import Testing
@Test func GeometryTestsPlaceholder() { #expect(Bool(true)) }
