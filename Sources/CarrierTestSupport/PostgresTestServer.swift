import Dispatch
import Foundation
import Synchronization

/// The PostgreSQL server tests use: `CARRIER_TEST_POSTGRES_URL` when set (CI starts one), else a throwaway cluster
/// started once per test process with `scripts/pg-throwaway.sh` and stopped at exit. Each caller gets an empty
/// database of its own. No server (PostgreSQL not installed) is an error, never a skip.
package enum PostgresTestServer {
    package enum Failure: Error, CustomStringConvertible {
        case noServer(String)
        case createDatabase(String)

        package var description: String {
            switch self {
            case .noServer(let why): "no PostgreSQL server for the tests: \(why)"
            case .createDatabase(let name): "could not create the test database \(name)"
            }
        }
    }

    private static let startedDirectory = Mutex<String?>(nil)
    private static let base = Mutex<Result<String, Failure>?>(nil)

    /// The URL of the server's `carrier` database, starting the throwaway cluster on first use.
    package static func serverURL() throws(Failure) -> String {
        try base.withLock { cached -> Result<String, Failure> in
            if let cached { return cached }
            let result = start()
            cached = result
            return result
        }.get()
    }

    /// Creates an empty database and returns its URL (`psql`, from Debian's postgresql-client). The blocking work runs
    /// on a Dispatch thread: tests calling this at once would otherwise hold every thread of Swift's cooperative pool
    /// (two on this machine) while `psql` runs, and stall every other test.
    package static func freshDatabaseURL() async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { () throws(Failure) -> String in try freshDatabaseURLBlocking() })
            }
        }
    }

    private static func freshDatabaseURLBlocking() throws(Failure) -> String {
        let server = try serverURL()
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
        guard shell("psql '\(server)' -q -c 'CREATE DATABASE \(name)' >/dev/null") == 0,
            var components = URLComponents(string: server)
        else { throw .createDatabase(name) }
        components.path = "/" + name
        return components.string ?? server
    }

    private static func start() -> Result<String, Failure> {
        if let url = ProcessInfo.processInfo.environment["CARRIER_TEST_POSTGRES_URL"], !url.isEmpty {
            return .success(url)
        }
        let script = repositoryRoot.appendingPathComponent("scripts/pg-throwaway.sh").path
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("carrier-test-pg-\(getpid())")
            .path
        let outputPath = directory + ".url"
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let status = shell("/bin/bash '\(script)' '\(directory)' > '\(outputPath)'")
        let url =
            (try? String(contentsOfFile: outputPath, encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        guard status == 0, url.hasPrefix("postgres://") else {
            return .failure(.noServer("scripts/pg-throwaway.sh failed (status \(status)); install Debian's postgresql"))
        }
        startedDirectory.withLock { $0 = directory }
        atexit {
            guard let directory = PostgresTestServer.startedDirectory.withLock({ $0 }) else { return }
            let script = repositoryRoot.appendingPathComponent("scripts/pg-throwaway.sh").path
            _ = PostgresTestServer.shell("/bin/bash '\(script)' stop '\(directory)' >/dev/null 2>&1")
        }
        return .success(url)
    }

    /// system(), not Foundation's Process: inside the test runner a Process's end was never noticed (the child stayed
    /// a zombie), and at exit Process no longer works at all.
    @discardableResult
    private static func shell(_ command: String) -> Int32 { system(command) }
}
