import CarrierTestSupport
import Dispatch
import Foundation

/// Runs the built `carrier` binary and captures its exit status, stdout and stderr.
struct CLIRun {
    var status: Int32
    var stdout: String
    var stderr: String
}

enum CLI {
    /// The `carrier` executable next to the test bundle (`.build/debug/carrier`).
    static var binary: URL {
        var dir = Bundle.main.bundleURL
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("carrier")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return repositoryRoot.appendingPathComponent(".build/debug/carrier")
    }

    /// Runs `carrier` with `arguments` in `directory` (default: the repository root).
    ///
    /// The wait for the child runs on a Dispatch thread: blocking one of the cooperative pool's threads (two on a
    /// 2-core machine) for the seconds a `carrier test` takes stalled every other test of a parallel run, long enough
    /// for PostgreSQL tests to miss their 10 s connect deadline on a loaded machine.
    static func run(_ arguments: [String], in directory: URL = repositoryRoot, stdin: String? = nil) async throws
        -> CLIRun
    {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try runBlocking(arguments, in: directory, stdin: stdin) })
            }
        }
    }

    private static func runBlocking(_ arguments: [String], in directory: URL, stdin: String?) throws -> CLIRun {
        let process = try ChildProcess(arguments: arguments, directory: directory, input: .pipe)
        if let stdin { process.standardInput?.write(Data(stdin.utf8)) }
        try process.standardInput?.close()
        let outData = process.standardOutput?.readDataToEndOfFile() ?? Data()
        let errData = process.standardError?.readDataToEndOfFile() ?? Data()
        process.waitUntilExit()
        return CLIRun(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }
}
