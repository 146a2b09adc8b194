/// Sizes computed from user-given dimensions, with overflow reported instead of trapped, and
/// the named buffers a memory estimate adds up.
///
/// Every count a run derives from its config (parameter counts, layer products, matrix
/// orders, byte counts) goes through ``checkedProduct(_:)`` and ``checkedSum(_:)`` before the
/// code that allocates with plain (trapping) arithmetic runs, so a width such as
/// 9,223,372,036,854,775,807 becomes a ``SizeOverflow`` naming the quantity, never a trap.

/// a · b · …, or nil when the product does not fit in `Int` (or a factor is negative).
public func checkedProduct(_ factors: [Int]) -> Int? {
    var product = 1
    for factor in factors {
        guard factor >= 0 else { return nil }
        let (next, overflow) = product.multipliedReportingOverflow(by: factor)
        if overflow { return nil }
        product = next
    }
    return product
}

/// a + b + …, or nil when the sum does not fit in `Int` (or a term is negative).
public func checkedSum(_ terms: [Int]) -> Int? {
    var sum = 0
    for term in terms {
        guard term >= 0 else { return nil }
        let (next, overflow) = sum.addingReportingOverflow(term)
        if overflow { return nil }
        sum = next
    }
    return sum
}

/// A size that does not fit in a 64-bit integer: the quantity and the factors that made it.
public struct SizeOverflow: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was being sized, e.g. "J (m × P doubles)".
    public let quantity: String
    /// The factors (or terms) whose product (or sum) overflowed.
    public let factors: [Int]

    public init(quantity: String, factors: [Int]) {
        self.quantity = quantity
        self.factors = factors
    }

    public var description: String {
        "\(quantity): \(factors.map(String.init).joined(separator: " × ")) overflows a 64-bit integer"
    }
}

/// One buffer of a memory estimate: `count` elements of `elementBytes` bytes each, named for
/// the reader ("K (m × m)", "gradient").
public struct MemoryBuffer: Sendable, Equatable {
    /// What it holds.
    public let name: String
    /// Elements.
    public let count: Int
    /// Bytes per element.
    public let elementBytes: Int
    /// count · elementBytes.
    public let bytes: Int

    /// A buffer of product(`factors`) elements; throws when the element count or the byte
    /// count overflows.
    public init(_ name: String, _ factors: [Int], elementBytes: Int) throws(SizeOverflow) {
        guard let count = checkedProduct(factors) else { throw SizeOverflow(quantity: name, factors: factors) }
        guard let bytes = checkedProduct([count, elementBytes]) else {
            throw SizeOverflow(quantity: name + " in bytes", factors: factors + [elementBytes])
        }
        self.name = name
        self.count = count
        self.elementBytes = elementBytes
        self.bytes = bytes
    }
}

/// Buffers live at the same moment: the memory at one point of a computation.
public struct MemoryPhase: Sendable, Equatable {
    /// When, e.g. "Gram matrix (rows)".
    public let name: String
    public let buffers: [MemoryBuffer]
    /// Σ bytes.
    public let bytes: Int

    public init(_ name: String, _ buffers: [MemoryBuffer]) throws(SizeOverflow) {
        guard let bytes = checkedSum(buffers.map(\.bytes)) else {
            throw SizeOverflow(quantity: "the buffers of \(name) in bytes", factors: buffers.map(\.bytes))
        }
        self.name = name
        self.buffers = buffers
        self.bytes = bytes
    }

    /// The largest buffer, for messages.
    public var largest: MemoryBuffer? { buffers.max { $0.bytes < $1.bytes } }
}

/// The phases of a computation; its peak is the largest phase.
public struct MemoryModel: Sendable, Equatable {
    /// What is modelled, e.g. "gram on test (n = 100)".
    public let label: String
    public let phases: [MemoryPhase]

    public init(_ label: String, phases: [MemoryPhase]) {
        self.label = label
        self.phases = phases
    }

    /// The phase with the most bytes live (the first of equals).
    public var peak: MemoryPhase? {
        phases.reduce(nil) { best, phase in best.map { $0.bytes >= phase.bytes ? $0 : phase } ?? phase }
    }

    /// Bytes at the peak (0 when there are no phases).
    public var peakBytes: Int { peak?.bytes ?? 0 }
}
