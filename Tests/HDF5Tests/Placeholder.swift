import Testing
@Test func HDF5TestsPlaceholder() { #expect(Bool(true)) }
