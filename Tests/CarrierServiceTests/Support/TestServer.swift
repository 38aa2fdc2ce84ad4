import CarrierCore
import CarrierService
import Dispatch
import Foundation
import GRDB
import Logging
import Synchronization
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A real service on 127.0.0.1 with a free port and an SQLite file in a temporary directory, or a fresh PostgreSQL
/// database of its own when the suite runs on PostgreSQL (``TestBackend``).
struct TestServer {
    static let key = "test-key-all"
    static let messagingKey = "test-key-messaging"
    static let adminKey = "test-key-admin"
    static let signature = "sig-secret"
    /// The AES key for secret settings given through the API (a test value, 32 bytes in hex).
    static let secretsKey = String(repeating: "0f", count: 32)

    let port: Int
    let databasePath: String
    /// The PostgreSQL database when the suite runs on PostgreSQL (then `databasePath` is only its key).
    var databaseURL: String? = nil
    let task: Task<Void, any Error>

    /// PostgreSQL databases by the SQLite path a test chose: a test that restarts a server on the same path gets the
    /// same database back.
    private static let postgresDatabases = Mutex<[String: String]>([:])

    static func configuration(databasePath: String) -> ServiceConfiguration {
        ServiceConfiguration(
            host: "127.0.0.1", port: 0, databasePath: databasePath, publicBaseURL: "https://carrier.example.com",
            apiKeys: [
                "literal:" + key: .init(account: "acct-1", scopes: ["messaging", "admin"]),
                messagingKey: .init(account: "acct-1", scopes: ["messaging"]),
                adminKey: .init(account: "acct-1", scopes: ["admin"]),
            ],
            channels: [
                .init(
                    id: "ch-sms", account: "acct-1", channel: "sms", provider: "fake", address: "+15550000001",
                    settings: ["signingSecret": "literal:" + signature, "region": "eu"]),
                .init(
                    id: "ch-wa", account: "acct-1", channel: "whatsapp", provider: "fake-wa", address: "+15550000002",
                    settings: ["signingSecret": signature]),
            ],
            maxSendAttempts: 3, retryBaseDelaySeconds: 0.01, retryMaxDelaySeconds: 0.05,
            secretsKey: "literal:" + secretsKey, carrierHosts: ["127.0.0.1"], allowPrivateCarrierTargets: true)
    }

    /// Returns a fresh SQLite path in a new temporary directory.
    static func temporaryDatabasePath() throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "carrier-service-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent("carrier.sqlite").path
    }

    static func start(
        gateway: any CarrierGateway, databasePath: String, configuration: ServiceConfiguration? = nil
    ) async throws -> TestServer {
        var logger = Logger(label: "carrier-service-tests")
        logger.logLevel = .warning
        var configuration = configuration ?? Self.configuration(databasePath: databasePath)
        if TestBackend.current == .postgres, configuration.databaseURL == nil {
            // Hundreds of servers run at once in the suite: a few connections each.
            configuration.databaseConnections = 4
            let key = configuration.databasePath
            if let known = postgresDatabases.withLock({ $0[key] }) {
                configuration.databaseURL = known
            } else {
                let url = try await PostgresTestCluster.freshDatabaseURL()
                postgresDatabases.withLock { $0[key] = url }
                configuration.databaseURL = url
            }
        }
        let service = MessagingService(configuration: configuration, gateway: gateway, logger: logger)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let task = Task {
            defer { continuation.finish() }
            try await service.run { port in continuation.yield(port) }
        }
        for await port in ports {
            return TestServer(
                port: port, databasePath: databasePath, databaseURL: configuration.databaseURL, task: task)
        }
        _ = try await task.value
        throw TestServerError.didNotStart
    }

    /// Starts a server with `gateway` and `configuration`, runs `body`, and stops the server even when `body` throws.
    static func running<T>(
        gateway: any CarrierGateway, databasePath: String, configuration: ServiceConfiguration,
        _ body: (TestServer) async throws -> T
    ) async throws -> T {
        let server = try await start(gateway: gateway, databasePath: databasePath, configuration: configuration)
        do {
            let value = try await body(server)
            await server.stop()
            return value
        } catch {
            await server.stop()
            throw error
        }
    }

    /// Starts a server, runs `body`, and stops the server even when `body` throws.
    static func with<T>(
        gateway: FakeGateway = FakeGateway(), databasePath: String? = nil,
        _ body: (TestServer) async throws -> T
    ) async throws -> T {
        let server = try await start(gateway: gateway, databasePath: databasePath ?? temporaryDatabasePath())
        do {
            let value = try await body(server)
            await server.stop()
            return value
        } catch {
            await server.stop()
            throw error
        }
    }

    /// Runs one SQL statement on the server's database (the SQLite file, or PostgreSQL through `psql`) and returns
    /// the first column of each row as text: for tests that age rows or look at what is stored.
    @discardableResult
    func sql(_ statement: String) async throws -> [String] {
        if let databaseURL {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("sql-\(UUID().uuidString)")
            try Data(statement.utf8).write(to: file.appendingPathExtension("sql"))
            defer {
                try? FileManager.default.removeItem(at: file.appendingPathExtension("sql"))
                try? FileManager.default.removeItem(at: file.appendingPathExtension("out"))
            }
            let command = "psql '\(databaseURL)' -v ON_ERROR_STOP=1 -qAt -f '\(file.path).sql' > '\(file.path).out' 2>&1"
            // On a Dispatch thread: a blocking call must not hold one of the cooperative pool's few threads.
            let status = await withCheckedContinuation { continuation in
                DispatchQueue.global().async { continuation.resume(returning: system(command)) }
            }
            let output = (try? String(contentsOf: file.appendingPathExtension("out"), encoding: .utf8)) ?? ""
            guard status == 0 else { throw TestServerError.sql(output) }
            return output.split(separator: "\n").map { String($0.split(separator: "|").first ?? "") }
        }
        let queue = try DatabaseQueue(path: databasePath)
        defer { try? queue.close() }
        return try await queue.write { db in
            try Row.fetchAll(db, sql: statement).map { row in
                row.count > 0 ? (row[0] as DatabaseValue).description.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) : ""
            }
        }
    }

    func stop() async {
        task.cancel()
        _ = await task.result
    }

    struct Answer {
        var status: Int
        var data: Data
        var headers: [String: String]

        /// The body as a JSON object (empty when it is not one).
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:] }
        var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
        var text: String { String(decoding: data, as: UTF8.self) }
    }

    /// Sends one HTTP request with the all-scopes API key unless `apiKey` says otherwise.
    @discardableResult
    func call(
        _ method: String, _ path: String, json: [String: Any]? = nil, body: Data? = nil,
        apiKey: String? = TestServer.key, headers: [String: String] = [:]
    ) async throws -> Answer {
        let url = try #require(URL(string: "http://127.0.0.1:\(port)\(path)"))
        var request = URLRequest(url: url)
        request.httpMethod = method
        if let apiKey { request.setValue(apiKey, forHTTPHeaderField: "x-api-key") }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let json {
            request.httpBody = try JSONSerialization.data(withJSONObject: json)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        } else if let body {
            request.httpBody = body
        }
        let session = URLSession(configuration: .ephemeral)
        defer { session.finishTasksAndInvalidate() }
        let (data, response) = try await session.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        var fields: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            if let name = name as? String, let value = value as? String { fields[name.lowercased()] = value }
        }
        return Answer(status: http.statusCode, data: data, headers: fields)
    }

    /// Posts a signed test webhook to `/inbound/{account}/{channel}`.
    @discardableResult
    func webhook(
        _ channel: String, _ payload: [String: Any], signature: String = TestServer.signature,
        account: String = "acct-1"
    ) async throws -> Answer {
        try await call(
            "POST", "/inbound/\(account)/\(channel)", json: payload, apiKey: nil,
            headers: ["X-Test-Signature": signature])
    }

    func send(_ payload: [String: Any], headers: [String: String] = [:], apiKey: String? = TestServer.key) async throws
        -> Answer
    {
        try await call("POST", "/send", json: payload, apiKey: apiKey, headers: headers)
    }

    func message(_ id: String) async throws -> [String: Any] {
        let answer = try await call("GET", "/messages/\(id)")
        #expect(answer.status == 200)
        return answer.json
    }

    /// Polls `GET /messages/{id}` until `condition` holds (the dispatcher works in the background); records a
    /// failure naming the last state when `seconds` pass first.
    @discardableResult
    func waitForMessage(
        _ id: String, seconds: Double = 10, sourceLocation: Testing.SourceLocation = #_sourceLocation,
        until condition: ([String: Any]) -> Bool
    ) async throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(seconds)
        var last: [String: Any] = [:]
        while Date() < deadline {
            last = try await message(id)
            if condition(last) { return last }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        Issue.record("message \(id) never reached the expected state: \(last)", sourceLocation: sourceLocation)
        return last
    }
}

enum TestServerError: Error {
    case didNotStart
    case sql(String)
}
