// MARK: - The choices a BFD measurement is made under

/// Which function of the parameters the Jacobian is taken of, per input sample.
///
/// Each variant is f_θ(x) followed by a per-sample map with Jacobian M_i (d × d):
/// - `logits`: z = f_θ(x), M_i = I. The theory's f_θ. Row cap n·d.
/// - `softmax`: p = softmax(z), M_i = diag(p_i) − p_i p_iᵀ. The paper's code default. Every
///   M_i annihilates the all-ones vector, so the row cap is n·(d − 1); when p_i saturates
///   towards a one-hot vector M_i → 0 and the spectrum loses its gap.
/// - `centred`: C·z with C = I − 11ᵀ/d (each sample's outputs projected onto the complement
///   of the all-ones vector). diag(p) − ppᵀ = C·(diag(p) − ppᵀ)·C is invertible on 1⊥ when
///   every p_k > 0, so this variant has exactly the softmax variant's rank, without its
///   saturation. Row cap n·(d − 1).
public enum OutputVariant: String, CaseIterable, Sendable, Codable {
    case logits
    case softmax
    case centred

    /// The largest rank the variant's n·d × P Jacobian can have from its rows alone:
    /// n·d for logits, n·(d − 1) for softmax and centred.
    public func rowCap(sampleCount n: Int, outputSize d: Int) -> Int {
        switch self {
        case .logits: return n * d
        case .softmax, .centred: return n * (d - 1)
        }
    }
}

/// How the singular spectrum of J is obtained.
public enum BFDMethod: String, CaseIterable, Sendable, Codable {
    /// Eigenvalues of the (conditioned) Gram matrix K̃ = J̃J̃ᵀ, built layer by layer without
    /// forming J (or of J̃ᵀJ̃ when that is smaller). Fast; resolves singular values down to
    /// about √(m·eps)·σ_1.
    case gram
    /// The same Gram matrix, without a spectrum: the rank is certified by counting
    /// eigenvalues above two thresholds (LDLᵀ inertia, dsytrf), at the method's floor and
    /// 1e3 above it in σ. Equal counts prove a gap of at least 1e3 with the rank on its upper
    /// side; unequal counts say no clear rank exists there. About n³/3 flops per count, no
    /// eigensolver.
    case gramInertia = "gram_inertia"
    /// Singular values of the explicit float64 J (m × P) by dgesdd. Slow (O(m·P·min(m, P))
    /// time, O(m·P) memory); resolves down to about max(m, P)·eps·σ_1.
    case jacobian

    /// The method for rank-only work such as the CFFD estimate, which needs certified ranks and
    /// no spectra: ``gramInertia`` in place of ``gram`` (a fraction of an eigensolver's cost on
    /// large batches), any other method unchanged.
    public var withoutSpectrum: BFDMethod { self == .gram ? .gramInertia : self }
}

/// Which rule turns a singular spectrum into one headline rank (all three are always
/// computed and kept in ``RankEvidence``).
public enum RankRule: String, CaseIterable, Sendable, Codable {
    /// The cut with the largest ratio σ_r/σ_(r+1) among cuts above the method's floor.
    case gap
    /// numpy.linalg.matrix_rank's default: σ > σ_1·max(m, P)·eps.
    case numpy
    /// σ > max(τ, floor)·σ_1 for a user-given τ (raised to the method's resolution floor).
    case relative
}

/// The factor that carries each layer's inputs in the Gram route (DESIGN.md §3).
///
/// Layer l's block of K is (Δ_l Δ_lᵀ) ∘ (G_l ⊗ 1_(d×d)) with Ã_l = [A_l, 1] the layer's
/// inputs with a column of ones:
/// - `plain`: G_l = Ã_l Ã_lᵀ = A_l A_lᵀ + 1. Then K = J Jᵀ exactly, and its spectrum is J's
///   squared.
/// - `projector`: G_l = Q_l Q_lᵀ, the orthogonal projector onto the column space of Ã_l
///   (Q_l from pivoted QR, Ã_l = Q_l·R_l·Πᵀ with R_l of full row rank). This is J multiplied
///   on the right by an invertible change of basis inside each layer's parameter block
///   (J̃ = J·T with T block diagonal), so rank(K̃) = rank(J) while the input data's own
///   decaying spectrum no longer squeezes K. The spectrum is J̃'s, not J's.
public enum GramConditioning: String, CaseIterable, Sendable, Codable {
    case projector
    case plain
}

/// Which Gram product the numerical route forms (``GramMatrix/Side``): rank(J̃J̃ᵀ) = rank(J̃ᵀJ̃)
/// = rank(J) and the two share their nonzero eigenvalues, so the choice changes cost and
/// rounding, not the rank being measured.
///
/// - `auto`: the smaller of the two, m × m when m ≤ P̃, else P̃ × P̃; with
///   ``BFDMethod/gramInertia`` the never-formed block Schur count first where it applies.
/// - `rows`: K̃ = J̃J̃ᵀ (m × m) always.
/// - `parameters`: J̃ᵀJ̃ (P̃ × P̃) always, accumulated over blocks of samples.
public enum GramSideChoice: String, CaseIterable, Sendable, Codable {
    case auto
    case rows
    case parameters

    /// The side this choice forms for a J̃ with `rows` rows and `conditionedParameterCount`
    /// columns (block Schur aside).
    public func resolved(rows m: Int, conditionedParameterCount: Int) -> GramMatrix.Side {
        switch self {
        case .auto: return m > conditionedParameterCount ? .parameters : .rows
        case .rows: return .rows
        case .parameters: return .parameters
        }
    }
}

/// Invalid input to a geometry computation.
public enum GeometryError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A flat buffer whose length does not match the architecture and batch size.
    case shapeMismatch(what: String, expected: Int, actual: Int)
    /// A value outside its meaningful range (named, with the reason).
    case invalidArgument(String)

    public var description: String {
        switch self {
        case let .shapeMismatch(what, expected, actual):
            return "\(what) has \(actual) elements but \(expected) were expected"
        case let .invalidArgument(reason):
            return "invalid argument: \(reason)"
        }
    }
}
