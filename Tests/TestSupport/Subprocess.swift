import Foundation

/// The result of running a program to completion.
public struct ProgramResult: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
}

/// Runs `executable` with `arguments` in `directory`, waits, and returns its exit status and
/// output. Standard input is closed so a program that tries to read it cannot hang.
public func runProgram(
    _ executable: String, _ arguments: [String], directory: String? = nil, environment: [String: String]? = nil
) throws -> ProgramResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    if let environment { process.environment = environment }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    // Read both pipes concurrently with the process so a full pipe never blocks it.
    let group = DispatchGroup()
    nonisolated(unsafe) var outData = Data(), errData = Data()
    group.enter()
    DispatchQueue.global().async { outData = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
    group.enter()
    DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
    process.waitUntilExit()
    group.wait()
    return ProgramResult(
        status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
        stderr: String(decoding: errData, as: UTF8.self))
}

/// The built `geodim` executable: next to the running test bundle, else in the package's
/// release or debug build folder.
public func geodimExecutable() throws -> String {
    let bundleFolder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    let candidates = [
        bundleFolder.appendingPathComponent("geodim").path,
        bundleFolder.deletingLastPathComponent().appendingPathComponent("geodim").path,
        packageRoot().appendingPathComponent(".build/release/geodim").path,
        packageRoot().appendingPathComponent(".build/debug/geodim").path,
    ]
    for path in candidates where FileManager.default.isExecutableFile(atPath: path) { return path }
    throw TestSupportError("the geodim executable was not found (looked in \(candidates)); build it first: swift build -c release")
}

/// A fresh empty temporary directory, unique to the caller.
public func makeTemporaryDirectory(_ label: String) throws -> String {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("geodim-\(label)-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// An error raised by a test helper, with a message.
public struct TestSupportError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
