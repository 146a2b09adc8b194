/// Which data set four MNIST-format IDX files hold: a known one, whose shapes, class count
/// and canonical checksums are built in, or any other (`generic`), taken on its declared
/// class count with no checksum.
///
/// Every kind has the layout of MNIST: `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`,
/// `t10k-images-idx3-ubyte` and `t10k-labels-idx1-ubyte` (each optionally `.gz`), unsigned
/// bytes, labels in 0..<classCount.
public enum IDXDataset: Sendable, Equatable, CustomStringConvertible {
    /// LeCun, Cortes & Burges' handwritten digits: 60,000 + 10,000 images of 28 × 28, 10 classes.
    case mnist
    /// Zalando's Fashion-MNIST (Xiao, Rasul & Vollgraf 2017): the same shapes, 10 classes of
    /// clothing. Debian's `dataset-fashion-mnist` installs it in /usr/share/datasets/fashion-mnist.
    case fashionMNIST
    /// Any four IDX files: images of any one shape after the sample count (n × h × w, or
    /// n × f), labels in 0..<classCount, no checksum.
    case generic(classCount: Int)

    /// The data sets whose checksums are built in.
    public static let known: [IDXDataset] = [.mnist, .fashionMNIST]

    /// The name the config and the log use: `mnist`, `fashion_mnist` or `idx`.
    public var name: String {
        switch self {
        case .mnist: return "mnist"
        case .fashionMNIST: return "fashion_mnist"
        case .generic: return "idx"
        }
    }

    /// The name people use: MNIST, Fashion-MNIST, or "an IDX data set".
    public var description: String {
        switch self {
        case .mnist: return "MNIST"
        case .fashionMNIST: return "Fashion-MNIST"
        case .generic(let classes): return "an IDX data set of \(classes) classes"
        }
    }

    /// The number of classes: labels lie in 0..<classCount.
    public var classCount: Int {
        switch self {
        case .mnist, .fashionMNIST: return 10
        case .generic(let classes): return classes
        }
    }

    /// The sizes of an image (28 × 28 for the known sets); nil when any shape is accepted.
    public var imageShape: [Int]? {
        switch self {
        case .mnist, .fashionMNIST: return [28, 28]
        case .generic: return nil
        }
    }

    /// The SHA-256 of each file's uncompressed contents, for the known sets.
    public var canonicalSHA256: [MNIST.File: String]? {
        switch self {
        case .mnist: return MNIST.canonicalSHA256
        case .fashionMNIST:
            // Of the files Debian's dataset-fashion-mnist ships (upstream's, recompressed).
            return [
                .trainImages: "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
                .trainLabels: "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
                .testImages: "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
                .testLabels: "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
            ]
        case .generic: return nil
        }
    }

    /// The known data set whose `file` has the checksum `sha256`, if any.
    public static func identify(_ file: MNIST.File, sha256: String) -> IDXDataset? {
        known.first { $0.canonicalSHA256?[file] == sha256 }
    }
}

extension IDXDataset {
    /// The data set a config or log names (`mnist`, `fashion_mnist`, `idx`); an `idx` set
    /// takes `classCount` classes. Unknown names read as MNIST, the only data set of older logs.
    public init(name: String, classCount: Int) {
        switch name {
        case "fashion_mnist": self = .fashionMNIST
        case "idx": self = .generic(classCount: classCount)
        default: self = .mnist
        }
    }
}
