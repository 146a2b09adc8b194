// MARK: - From a singular spectrum to a rank, with the evidence for it

/// A rank decided from a descending singular spectrum, together with everything needed to
/// judge it: the three rules' answers, the gap at the headline cut, and the resolution floor
/// of the method that produced the spectrum.
///
/// Ranks are counts r of leading singular values; the "cut" r sits between σ_r and σ_(r+1)
/// (1-based). Relative quantities are divided by σ_1.
public struct RankEvidence: Sendable, Equatable {
    /// Ratio σ_r/σ_(r+1) at or above which a cut counts as clear.
    public static let clearGapRatio = 1e3

    /// Relative resolution floor of the Gram route: rounding in K is about m·eps·λ_max, so
    /// singular values below about √(m·eps)·σ_1 cannot be resolved through K.
    public static func gramFloor(rows m: Int) -> Double { (Double(max(m, 1)) * Double.ulpOfOne).squareRoot() }

    /// Relative resolution floor of the SVD of an explicit m × P matrix: max(m, P)·eps
    /// (numpy's matrix_rank threshold).
    public static func svdFloor(rows m: Int, columns p: Int) -> Double { Double(max(m, p, 1)) * Double.ulpOfOne }

    /// The singular values σ_1 ≥ σ_2 ≥ … ≥ 0.
    public let spectrum: [Double]
    /// The rule behind `headline`.
    public let rule: RankRule
    /// The reported rank: the one `rule` gives. For the gap rule, when the largest gap is not
    /// clear (ratio < ``clearGapRatio``), the numpy-rule count: the values the method resolves
    /// at all, flagged as not clear.
    public let headline: Int
    /// numpy.linalg.matrix_rank's default, #{σ > σ_1·max(m, P)·eps}, with the threshold
    /// raised to the method's floor where that is higher (the Gram route), since values below
    /// the floor are rounding noise.
    public let numpyRank: Int
    /// The cut r maximising σ_r/σ_(r+1) over cuts with σ_r above the floor; the full length
    /// if no value lies at or below the floor.
    public let gapRank: Int
    /// #{σ > max(τ, floor)·σ_1}: τ is raised to the method's floor, as numpy's threshold is,
    /// since values below the floor are rounding noise (counting them reported ranks above
    /// the row cap: 469–475 of a possible 450 on the Gram route with τ = 1e-10).
    public let relativeRank: Int
    /// τ of the relative rule, as asked for (the count uses ``effectiveRelativeTolerance``).
    public let relativeTolerance: Double
    /// max(τ, floor): the relative threshold the count actually uses.
    public var effectiveRelativeTolerance: Double { max(relativeTolerance, floor) }
    /// σ_r/σ_(r+1) at the headline cut r; +∞ if r is the end of the spectrum or σ_(r+1) = 0.
    public let gapRatio: Double
    /// σ_r/σ_1 at the headline cut (0 if r = 0).
    public let sigmaAbove: Double
    /// σ_(r+1)/σ_1 at the headline cut (0 if r is the end of the spectrum).
    public let sigmaBelow: Double
    /// The method's relative resolution floor (see ``gramFloor(rows:)``, ``svdFloor(rows:columns:)``).
    public let floor: Double
    /// The absolute threshold t with headline = #{σ > t}: σ_1·max(m, P)·eps (numpy), max(τ, floor)·σ_1
    /// (relative), √(σ_r·σ_(r+1)) (gap; floor·σ_1 when the whole spectrum is above the floor).
    public let absoluteTolerance: Double

    /// Whether the headline cut is trustworthy: a gap ≥ ``clearGapRatio`` with σ_r above the
    /// floor (or a zero spectrum with rank 0).
    public var isClear: Bool {
        if headline == 0 { return spectrum.first.map { $0 == 0 } ?? true }
        return gapRatio >= Self.clearGapRatio && sigmaAbove > floor
    }

    /// Whether the numpy, gap and relative rules give different ranks.
    public var rulesDisagree: Bool { !(numpyRank == gapRank && gapRank == relativeRank) }

    /// Decides the rank of a matrix with `rows` × `columns` (m × P, for the numpy rule) from
    /// its descending singular spectrum (negative or unordered input is clamped and sorted).
    ///
    /// `floor` is the producing method's relative resolution floor; `relativeTolerance` is τ.
    public init(
        spectrum values: [Double], rows m: Int, columns p: Int, floor: Double, rule: RankRule,
        relativeTolerance: Double
    ) {
        let sigma = values.map { $0.isNaN ? 0 : max($0, 0) }.sorted(by: >)
        spectrum = sigma
        self.rule = rule
        self.floor = floor
        self.relativeTolerance = relativeTolerance
        let count = sigma.count
        let top = sigma.first ?? 0

        guard top > 0 else {
            headline = 0
            numpyRank = 0
            gapRank = 0
            relativeRank = 0
            gapRatio = .infinity
            sigmaAbove = 0
            sigmaBelow = 0
            absoluteTolerance = 0
            return
        }
        func countAbove(_ threshold: Double) -> Int { sigma.prefix { $0 > threshold }.count }
        // numpy's threshold, never below the method's floor: under the floor (on the Gram
        // route, √(m·eps)·σ_1) the values are rounding noise of K and would be counted.
        let floorAbsolute = floor * top
        let numpyThreshold = max(top * Double(max(m, p)) * Double.ulpOfOne, floorAbsolute)
        numpyRank = countAbove(numpyThreshold)
        relativeRank = countAbove(max(relativeTolerance, floor) * top)

        var gap = count
        if let last = sigma.last, last <= floorAbsolute {
            var bestRatio = -1.0
            for r in 1..<count where sigma[r - 1] > floorAbsolute {
                let ratio = sigma[r] > 0 ? sigma[r - 1] / sigma[r] : .infinity
                if ratio > bestRatio {
                    bestRatio = ratio
                    gap = r
                }
            }
        }
        gapRank = gap

        // Where the largest gap is not clear, no cut is distinguished by the spectrum; the gap
        // rule then reports the count of values the method can resolve at all (above both the
        // floor and numpy's threshold) rather than the position of an insignificant ratio.
        let resolvableThreshold = numpyThreshold
        let gapIsClear = gapRank == count || gapRank == 0
            || (sigma[gapRank] == 0 || sigma[gapRank - 1] / sigma[gapRank] >= Self.clearGapRatio)
        let cut: Int
        switch rule {
        case .gap: cut = gapIsClear ? gapRank : countAbove(resolvableThreshold)
        case .numpy: cut = numpyRank
        case .relative: cut = relativeRank
        }
        headline = cut
        let above = cut > 0 ? sigma[cut - 1] : .infinity
        let below = cut < count ? sigma[cut] : 0
        gapRatio = cut == count || below == 0 ? .infinity : above / below
        sigmaAbove = cut > 0 ? above / top : 0
        sigmaBelow = below / top
        switch rule {
        case .numpy: absoluteTolerance = numpyThreshold
        case .relative: absoluteTolerance = max(relativeTolerance, floor) * top
        case .gap:
            if !gapIsClear {
                absoluteTolerance = resolvableThreshold
            } else {
                absoluteTolerance = cut == count ? floorAbsolute : (cut == 0 ? top : (above * below).squareRoot())
            }
        }
    }

    /// Evidence from eigenvalue counts of the Gram matrix instead of a spectrum
    /// (``BFDMethod/gramInertia``).
    ///
    /// `countAboveFloor` counts singular values above floor·σ_1 and `countAboveClear` those
    /// above ``clearGapRatio``·floor·σ_1. Equal counts prove that no singular value lies
    /// between the two levels: a gap of at least ``clearGapRatio`` with every counted value
    /// above it, so the rank is clear and `gapRatio`, `sigmaAbove` hold those proven bounds
    /// (σ_r/σ_(r+1) ≥ 1e3, σ_r/σ_1 ≥ 1e3·floor, σ_(r+1)/σ_1 ≤ floor). Unequal counts leave the
    /// headline at the resolvable count and mark it not clear (gap NaN). `relativeCount` is
    /// the count above max(τ, floor)·σ_1 when it was computed (else −1).
    public init(
        countAboveFloor: Int, countAboveClear: Int, relativeCount: Int?, sigmaMax: Double, floor: Double,
        rule: RankRule, relativeTolerance: Double
    ) {
        spectrum = []
        self.rule = rule
        self.floor = floor
        self.relativeTolerance = relativeTolerance
        numpyRank = countAboveFloor
        gapRank = countAboveFloor
        relativeRank = relativeCount ?? -1
        let proven = countAboveFloor == countAboveClear
        switch rule {
        case .relative where relativeCount != nil:
            headline = relativeCount ?? countAboveFloor
            absoluteTolerance = max(relativeTolerance, floor) * sigmaMax
        default:
            headline = countAboveFloor
            absoluteTolerance = floor * sigmaMax
        }
        if proven && headline == countAboveFloor {
            gapRatio = Self.clearGapRatio
            sigmaAbove = countAboveFloor > 0 ? Self.clearGapRatio * floor : 0
            sigmaBelow = floor
        } else {
            gapRatio = .nan
            sigmaAbove = .nan
            sigmaBelow = .nan
        }
    }
}
