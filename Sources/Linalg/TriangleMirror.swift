/// Copies one strict triangle of a row-major n × n matrix onto the other, in cache-sized
/// tiles (a plain loop reads or writes one of the two with stride n, a cache miss per element).
///
/// `upperToLower`: a[j][i] ← a[i][j] for j > i; otherwise a[i][j] ← a[j][i].
func mirrorTriangle(_ base: UnsafeMutablePointer<Double>, n: Int, upperToLower: Bool) {
    let tile = 64
    for i0 in stride(from: 0, to: n, by: tile) {
        for j0 in stride(from: i0, to: n, by: tile) {
            let iEnd = min(i0 + tile, n), jEnd = min(j0 + tile, n)
            for i in i0..<iEnd {
                for j in max(j0, i + 1)..<max(max(j0, i + 1), jEnd) {
                    if upperToLower {
                        base[j * n + i] = base[i * n + j]
                    } else {
                        base[i * n + j] = base[j * n + i]
                    }
                }
            }
        }
    }
}
