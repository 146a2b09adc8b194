// MARK: - The passes over memory outside the GEMMs, vectorised by hand.
//
// Plain loops such as `x[i] = x[i] < 0 ? 0 : x[i]` compile, inside generic functions
// specialised with @_specialize, to a conditional store behind an unpredictable branch
// (about 4 ns an element on random signs, measured). These kernels use SIMD16<Float> and
// SIMD8<Double> (64 bytes a step) with lane-wise selects instead; the generic layer
// functions dispatch to them on the concrete type, which the specialiser folds away. Each
// computes, element by element, the same values as the scalar loop written next to it (the
// tail), additions in the same order.

@inline(__always)
func asFloat<S>(_ p: UnsafeMutablePointer<S>) -> UnsafeMutablePointer<Float> {
    UnsafeMutableRawPointer(p).assumingMemoryBound(to: Float.self)
}

@inline(__always)
func asFloat<S>(_ p: UnsafePointer<S>) -> UnsafePointer<Float> {
    UnsafeRawPointer(p).assumingMemoryBound(to: Float.self)
}

@inline(__always)
func asDouble<S>(_ p: UnsafeMutablePointer<S>) -> UnsafeMutablePointer<Double> {
    UnsafeMutableRawPointer(p).assumingMemoryBound(to: Double.self)
}

@inline(__always)
func asDouble<S>(_ p: UnsafePointer<S>) -> UnsafePointer<Double> {
    UnsafeRawPointer(p).assumingMemoryBound(to: Double.self)
}

// MARK: Float

/// x ← max(x, 0) in place, NaN kept.
func reluLanes(_ x: UnsafeMutablePointer<Float>, count: Int) {
    typealias V = SIMD16<Float>
    let raw = UnsafeMutableRawPointer(x)
    var i = 0
    while i + V.scalarCount <= count {
        let v = raw.loadUnaligned(fromByteOffset: i * 4, as: V.self)
        raw.storeBytes(of: v.replacing(with: 0, where: v .< 0), toByteOffset: i * 4, as: V.self)
        i += V.scalarCount
    }
    while i < count {
        let v = x[i]
        x[i] = v < 0 ? 0 : v
        i += 1
    }
}

/// dx ← dx ⊙ 1[y > 0] in place.
func reluMaskLanes(_ dx: UnsafeMutablePointer<Float>, output y: UnsafePointer<Float>, count: Int) {
    typealias V = SIMD16<Float>
    let d = UnsafeMutableRawPointer(dx)
    let o = UnsafeRawPointer(y)
    var i = 0
    while i + V.scalarCount <= count {
        let g = d.loadUnaligned(fromByteOffset: i * 4, as: V.self)
        let mask = o.loadUnaligned(fromByteOffset: i * 4, as: V.self) .> 0
        d.storeBytes(of: V.zero.replacing(with: g, where: mask), toByteOffset: i * 4, as: V.self)
        i += V.scalarCount
    }
    while i < count {
        let g = dx[i]
        dx[i] = y[i] > 0 ? g : 0
        i += 1
    }
}

/// dx ← dx ⊙ 1[y > 0] and dbias ← Σ_rows dx (masked), rows in order; dx, y (rows, width).
func reluMaskBiasLanes(
    _ dx: UnsafeMutablePointer<Float>, output y: UnsafePointer<Float>, dbias: UnsafeMutablePointer<Float>,
    rows: Int, width: Int
) {
    typealias V = SIMD16<Float>
    dbias.update(repeating: 0, count: width)
    let vectorWidth = width - width % V.scalarCount
    let b = UnsafeMutableRawPointer(dbias)
    for row in 0..<rows {
        let dRow = dx + row * width
        let yRow = y + row * width
        let d = UnsafeMutableRawPointer(dRow)
        let o = UnsafeRawPointer(yRow)
        var j = 0
        while j < vectorWidth {
            let g = V.zero.replacing(
                with: d.loadUnaligned(fromByteOffset: j * 4, as: V.self),
                where: o.loadUnaligned(fromByteOffset: j * 4, as: V.self) .> 0)
            d.storeBytes(of: g, toByteOffset: j * 4, as: V.self)
            b.storeBytes(of: b.loadUnaligned(fromByteOffset: j * 4, as: V.self) + g, toByteOffset: j * 4, as: V.self)
            j += V.scalarCount
        }
        while j < width {
            let v = dRow[j]
            let g = yRow[j] > 0 ? v : 0
            dRow[j] = g
            dbias[j] += g
            j += 1
        }
    }
}

/// sums ← Σ_rows x, rows in order; x (rows, columns).
func columnSumLanes(_ x: UnsafePointer<Float>, rows: Int, columns: Int, into sums: UnsafeMutablePointer<Float>) {
    typealias V = SIMD16<Float>
    sums.update(repeating: 0, count: columns)
    let vectorWidth = columns - columns % V.scalarCount
    let s = UnsafeMutableRawPointer(sums)
    for row in 0..<rows {
        let r = x + row * columns
        let raw = UnsafeRawPointer(r)
        var j = 0
        while j < vectorWidth {
            s.storeBytes(
                of: s.loadUnaligned(fromByteOffset: j * 4, as: V.self) + raw.loadUnaligned(fromByteOffset: j * 4, as: V.self),
                toByteOffset: j * 4, as: V.self)
            j += V.scalarCount
        }
        while j < columns {
            sums[j] += r[j]
            j += 1
        }
    }
}

// MARK: Double (the same kernels, eight lanes)

/// x ← max(x, 0) in place, NaN kept.
func reluLanes(_ x: UnsafeMutablePointer<Double>, count: Int) {
    typealias V = SIMD8<Double>
    let raw = UnsafeMutableRawPointer(x)
    var i = 0
    while i + V.scalarCount <= count {
        let v = raw.loadUnaligned(fromByteOffset: i * 8, as: V.self)
        raw.storeBytes(of: v.replacing(with: 0, where: v .< 0), toByteOffset: i * 8, as: V.self)
        i += V.scalarCount
    }
    while i < count {
        let v = x[i]
        x[i] = v < 0 ? 0 : v
        i += 1
    }
}

/// dx ← dx ⊙ 1[y > 0] in place.
func reluMaskLanes(_ dx: UnsafeMutablePointer<Double>, output y: UnsafePointer<Double>, count: Int) {
    typealias V = SIMD8<Double>
    let d = UnsafeMutableRawPointer(dx)
    let o = UnsafeRawPointer(y)
    var i = 0
    while i + V.scalarCount <= count {
        let g = d.loadUnaligned(fromByteOffset: i * 8, as: V.self)
        let mask = o.loadUnaligned(fromByteOffset: i * 8, as: V.self) .> 0
        d.storeBytes(of: V.zero.replacing(with: g, where: mask), toByteOffset: i * 8, as: V.self)
        i += V.scalarCount
    }
    while i < count {
        let g = dx[i]
        dx[i] = y[i] > 0 ? g : 0
        i += 1
    }
}

/// dx ← dx ⊙ 1[y > 0] and dbias ← Σ_rows dx (masked), rows in order; dx, y (rows, width).
func reluMaskBiasLanes(
    _ dx: UnsafeMutablePointer<Double>, output y: UnsafePointer<Double>, dbias: UnsafeMutablePointer<Double>,
    rows: Int, width: Int
) {
    typealias V = SIMD8<Double>
    dbias.update(repeating: 0, count: width)
    let vectorWidth = width - width % V.scalarCount
    let b = UnsafeMutableRawPointer(dbias)
    for row in 0..<rows {
        let dRow = dx + row * width
        let yRow = y + row * width
        let d = UnsafeMutableRawPointer(dRow)
        let o = UnsafeRawPointer(yRow)
        var j = 0
        while j < vectorWidth {
            let g = V.zero.replacing(
                with: d.loadUnaligned(fromByteOffset: j * 8, as: V.self),
                where: o.loadUnaligned(fromByteOffset: j * 8, as: V.self) .> 0)
            d.storeBytes(of: g, toByteOffset: j * 8, as: V.self)
            b.storeBytes(of: b.loadUnaligned(fromByteOffset: j * 8, as: V.self) + g, toByteOffset: j * 8, as: V.self)
            j += V.scalarCount
        }
        while j < width {
            let v = dRow[j]
            let g = yRow[j] > 0 ? v : 0
            dRow[j] = g
            dbias[j] += g
            j += 1
        }
    }
}

/// sums ← Σ_rows x, rows in order; x (rows, columns).
func columnSumLanes(_ x: UnsafePointer<Double>, rows: Int, columns: Int, into sums: UnsafeMutablePointer<Double>) {
    typealias V = SIMD8<Double>
    sums.update(repeating: 0, count: columns)
    let vectorWidth = columns - columns % V.scalarCount
    let s = UnsafeMutableRawPointer(sums)
    for row in 0..<rows {
        let r = x + row * columns
        let raw = UnsafeRawPointer(r)
        var j = 0
        while j < vectorWidth {
            s.storeBytes(
                of: s.loadUnaligned(fromByteOffset: j * 8, as: V.self) + raw.loadUnaligned(fromByteOffset: j * 8, as: V.self),
                toByteOffset: j * 8, as: V.self)
            j += V.scalarCount
        }
        while j < columns {
            sums[j] += r[j]
            j += 1
        }
    }
}
