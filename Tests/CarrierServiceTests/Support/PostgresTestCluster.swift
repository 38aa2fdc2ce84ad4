import CarrierTestSupport

/// A fresh PostgreSQL database for a service test (``PostgresTestServer`` starts or finds the server).
enum PostgresTestCluster {
    static func freshDatabaseURL() async throws -> String {
        try await PostgresTestServer.freshDatabaseURL()
    }
}
