import CarrierTestSupport
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
    static func run(_ arguments: [String], in directory: URL = repositoryRoot, stdin: String? = nil) throws -> CLIRun {
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
