import Geometry
import Linalg
import Network
import Testing
import TestSupport

/// Regions seen, kinks and the alignment statistic against independent computations: a dense
/// grid of the naive forward pass, the pre-activation at the kink, and closed forms.
@Suite struct LinearRegionTests {
    /// The activation pattern (every hidden layer) of one input, by the naive twin.
    private func pattern(_ architecture: MLPArchitecture, _ theta: [Double], _ x: Double) -> [Bool] {
        naiveForward(architecture, theta, [x]).pre.dropLast().flatMap { $0.map { $0 > 0 } }
    }

    @Test("regions seen equals the pattern runs a dense grid finds holding a point", arguments: [[1, 9, 1], [1, 7, 5, 1], [1, 40, 1]])
    func regionsAgainstDenseGrid(sizes: [Int]) throws {
        let architecture = MLPArchitecture(inputSize: 1, hiddenWidths: Array(sizes.dropFirst().dropLast()), outputSize: 1)
        var random = TestRandom(seed: 41)
        for trial in 0..<4 {
            let theta = randomParameters(architecture, &random, weightScale: 2, biasScale: 1)
            let n = 8 + 10 * trial
            let points = (0..<n).map { _ in random.uniform(-1.5, 1.5) }
            let statistics = try linearRegionStatistics(
                architecture: architecture, parameters: theta, inputs: points, count: n, tolerance: 1e-3)
            // The grid: 200,001 points over the data's span; a run is a maximal stretch of one
            // pattern; count the runs holding at least one training point (a point sits in the
            // run of the grid cell it falls into).
            let sorted = points.sorted()
            let low = sorted[0], high = sorted[n - 1], cells = 200_000
            var runOfCell: [Int] = []
            var run = 0
            var previous = pattern(architecture, theta, low)
            for c in 0...cells {
                let x = low + (high - low) * Double(c) / Double(cells)
                let current = pattern(architecture, theta, x)
                if current != previous { run += 1 }
                previous = current
                runOfCell.append(run)
            }
            var touched = Set<Int>()
            for x in sorted {
                let cell = Int(((x - low) / (high - low) * Double(cells)).rounded())
                touched.insert(runOfCell[cell])
            }
            // A pattern can recur in a deeper network; the count is of changes between
            // consecutive points, so it can only be at most the runs touched, and equals them
            // when consecutive touched runs differ (always for one hidden layer).
            if sizes.count == 3 {
                #expect(statistics.regionsSeen == touched.count, "\(sizes) trial \(trial)")
            } else {
                #expect(statistics.regionsSeen <= touched.count && statistics.regionsSeen >= 1)
            }
            // Independently for a shallow net: 1 + consecutive pairs with a kink between them.
            if sizes.count == 3 {
                let kinks = statistics.kinks
                let pairs = zip(sorted, sorted.dropFirst()).filter { a, b in kinks.contains { $0 > a && $0 < b } }.count
                #expect(statistics.regionsSeen == pairs + 1)
            }
        }
    }

    @Test("each kink is where its neuron's pre-activation is zero and its sign flips")
    func kinksAreZeros() throws {
        let architecture = MLPArchitecture(inputSize: 1, hiddenWidths: [12], outputSize: 1)
        var random = TestRandom(seed: 5)
        var theta = randomParameters(architecture, &random, weightScale: 1, biasScale: 1)
        theta[architecture.weightOffset(0) + 3] = 0  // a flat neuron has no kink
        let kinks = firstLayerKinks(architecture: architecture, parameters: theta)
        #expect(kinks[3].isNaN)
        for (j, kink) in kinks.enumerated() where j != 3 {
            let at = naiveForward(architecture, theta, [kink]).pre[0][j]
            let left = naiveForward(architecture, theta, [kink - 1e-6]).pre[0][j]
            let right = naiveForward(architecture, theta, [kink + 1e-6]).pre[0][j]
            #expect(abs(at) < 1e-12, "neuron \(j): pre-activation \(at) at its kink")
            #expect(left * right < 0, "neuron \(j) does not switch at its kink")
        }
    }

    @Test("the alignment statistic chains kinks closer than the tolerance")
    func distinctKinks() {
        #expect(distinctValueCount([], tolerance: 0.1) == 0)
        #expect(distinctValueCount([.nan, 0.3], tolerance: 0.1) == 1)
        #expect(distinctValueCount([0, 0.05, 0.1, 0.5, 0.55, 2], tolerance: 0.06) == 3)
        #expect(distinctValueCount([0, 0.05, 0.1, 0.5, 0.55, 2], tolerance: 0.01) == 6)
        #expect(distinctValueCount([1, 1, 1], tolerance: 0) == 1)
    }

    @Test("rank ≤ 2 × regions seen for a 1-hidden-layer network (rows of one region are affine in x)")
    func rankBound() throws {
        let architecture = MLPArchitecture(inputSize: 1, hiddenWidths: [30], outputSize: 1)
        var random = TestRandom(seed: 9)
        for _ in 0..<5 {
            let theta = randomParameters(architecture, &random, weightScale: 1, biasScale: 0.3)
            let n = 25
            let x = (0..<n).map { _ in random.uniform(-1, 1) }
            let regions = try linearRegionStatistics(
                architecture: architecture, parameters: theta, inputs: x, count: n, tolerance: 1e-3).regionsSeen
            let j = naiveJacobian(architecture, theta, x, n: n, .logits)
            let rank = try svdRank(j, rows: n, columns: architecture.parameterCount).rank
            #expect(rank <= 2 * regions, "rank \(rank), regions \(regions)")
        }
    }
}

/// The rank over trained parameters against the explicit Jacobian with only those columns.
@Suite struct TrainedParameterRankTests {
    @Test("equals the SVD rank of J's trained columns, every method", arguments: [[0], [1], [2], [0, 2]])
    func matchesColumnSubset(trained: [Int]) throws {
        let architecture = MLPArchitecture(inputSize: 3, hiddenWidths: [6, 4], outputSize: 2)
        var random = TestRandom(seed: 13)
        let theta = randomParameters(architecture, &random, weightScale: 1, biasScale: 0.2)
        let n = 20
        let x = gaussianInputs(n, 3, &random)
        let j = naiveJacobian(architecture, theta, x, n: n, .logits)
        let columns = trained.flatMap { Array(architecture.weightRange($0)) + Array(architecture.biasRange($0)) }
        let m = n * 2
        var subset = [Double](repeating: 0, count: m * columns.count)
        for r in 0..<m { for (c, column) in columns.enumerated() { subset[r * columns.count + c] = j[r * architecture.parameterCount + column] } }
        let reference = try svdRank(subset, rows: m, columns: columns.count).rank
        let full = try svdRank(j, rows: m, columns: architecture.parameterCount).rank
        for method in [BFDMethod.jacobian, .gram] {
            let result = try trainedParameterRank(
                architecture: architecture, parameters: theta, inputs: x, count: n, variant: .logits, trainedLayers: trained,
                method: method, rule: .gap, relativeTolerance: 1e-10, threads: 1)
            #expect(result.evidence.headline == reference, "\(trained) \(method): \(result.evidence.headline) vs \(reference)")
            #expect(result.evidence.isClear)
            #expect(result.trainedParameterCount == columns.count)
        }
        if trained == [1] { #expect(reference < full, "the restriction should lose rank here (\(reference) vs \(full))") }
    }

    @Test("last layer only of a 1-hidden-layer net: the rank of [relu(w x + b), 1]")
    func lastLayerIsFeatureRank() throws {
        let architecture = MLPArchitecture(inputSize: 1, hiddenWidths: [50], outputSize: 1)
        var random = TestRandom(seed: 21)
        let theta = randomParameters(architecture, &random, weightScale: 1, biasScale: 1)
        for n in [5, 30, 80] {
            let x = (0..<n).map { _ in random.uniform(-1, 1) }
            var features = [Double](repeating: 1, count: n * 51)
            for i in 0..<n {
                for k in 0..<50 {
                    features[i * 51 + k] = max(0, theta[architecture.weightOffset(0) + k] * x[i] + theta[architecture.biasOffset(0) + k])
                }
            }
            let reference = try svdRank(features, rows: n, columns: 51).rank
            let result = try trainedParameterRank(
                architecture: architecture, parameters: theta, inputs: x, count: n, variant: .logits, trainedLayers: [1],
                method: .gram, rule: .gap, relativeTolerance: 1e-10, threads: 1)
            #expect(result.evidence.headline == reference, "n = \(n)")
        }
    }
}
