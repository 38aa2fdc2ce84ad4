import Foundation

/// The database the service tests run on: SQLite by default, PostgreSQL with `CARRIER_TEST_BACKEND=postgres`
/// (`.ci/run` runs the service suite once on each).
enum TestBackend: String, CaseIterable, Sendable {
    case sqlite
    case postgres

    static let current: TestBackend =
        ProcessInfo.processInfo.environment["CARRIER_TEST_BACKEND"].flatMap(TestBackend.init(rawValue:)) ?? .sqlite
}
