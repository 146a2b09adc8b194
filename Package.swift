// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "geodim",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "geodim", targets: ["geodim"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
    ],
    targets: [
        // MARK: - C libraries (system-library targets; one shim header each)
        .systemLibrary(
            name: "COpenBLAS", path: "Sources/COpenBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(
            name: "CHDF5", path: "Sources/CHDF5", pkgConfig: "hdf5",
            providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(
            name: "CZlib", path: "Sources/CZlib",
            providers: [.apt(["zlib1g-dev"])]),

        // The one C++ target: a C interface over FFLAS-FFPACK (header-only; Debian's fflas-ffpack
        // and libgivaro-dev). Clang parses Givaro's templates lazily (-fdelayed-template-parsing):
        // two of its uninstantiated templates do not compile under clang's eager two-phase lookup.
        .target(
            name: "CModularShim", path: "Sources/CModularShim",
            cxxSettings: [.unsafeFlags(["-fdelayed-template-parsing", "-Wno-everything"])],
            linkerSettings: [
                .linkedLibrary("givaro"), .linkedLibrary("gmpxx"), .linkedLibrary("gmp"), .linkedLibrary("openblas"),
            ]),

        // MARK: - Wrappers (the only importers of the C libraries)
        .target(name: "Linalg", dependencies: ["COpenBLAS"]),
        .target(name: "ModularLinalg", dependencies: ["CModularShim"]),
        .target(name: "HDF5", dependencies: ["CHDF5"]),

        // MARK: - Library targets
        .target(name: "SeededRandom"),
        .target(name: "Timing"),
        .target(name: "Datasets", dependencies: ["CZlib", "SeededRandom"]),
        .target(name: "Network", dependencies: ["Linalg", "SeededRandom"]),
        .target(name: "Optimizers", dependencies: ["Network"]),
        .target(name: "Geometry", dependencies: ["Linalg", "ModularLinalg", "Network", "SeededRandom", "Timing"]),
        .target(
            name: "Config",
            dependencies: ["Datasets", "Geometry", "Network", .product(name: "Yams", package: "Yams")]),
        .target(
            name: "Runner",
            dependencies: [
                "Config", "Datasets", "Network", "Optimizers", "Geometry", "RunLog", "SeededRandom", "Linalg", "Timing",
                .product(name: "Yams", package: "Yams"),
            ]),
        .target(name: "RunLog", dependencies: ["HDF5"]),
        .target(
            name: "Benchmarks",
            dependencies: ["Linalg", "Network", "Optimizers", "Geometry", "Datasets", "SeededRandom", "Timing"]),
        .target(
            name: "GeodimCLI",
            dependencies: [
                "Config", "Runner", "RunLog", "Geometry", "Datasets", "Network", "Linalg", "Benchmarks",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .executableTarget(name: "geodim", dependencies: ["GeodimCLI"]),

        // MARK: - Tests
        .target(name: "TestSupport", dependencies: ["Linalg", "Network"], path: "Tests/TestSupport"),
        .testTarget(name: "LinalgTests", dependencies: ["Linalg", "TestSupport"]),
        .testTarget(name: "ModularLinalgTests", dependencies: ["ModularLinalg", "TestSupport"]),
        .testTarget(name: "HDF5Tests", dependencies: ["HDF5", "TestSupport"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "SeededRandom", "TestSupport"]),
        .testTarget(name: "NetworkTests", dependencies: ["Network", "Optimizers", "Linalg", "TestSupport"]),
        .testTarget(
            name: "GeometryTests", dependencies: ["Geometry", "Network", "Optimizers", "Linalg", "ModularLinalg", "TestSupport"]),
        .testTarget(name: "RunnerTests", dependencies: ["Config", "Runner", "TestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["TestSupport"]),
    ],
    cxxLanguageStandard: .cxx17
)
