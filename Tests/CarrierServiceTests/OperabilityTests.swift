import CarrierRuntime
import CarrierTestSupport
import Foundation
import NIOHTTP1
import Testing

@testable import CarrierCore
@testable import CarrierService

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The operator's side: the route table against `openapi/carrier.yaml`, `/metrics`, `/ready`, the operator scope.
@Suite(.timeLimit(.minutes(1)))
struct OperabilityTests {
    static let operatorKey = "test-key-operator"

    /// The (method, path) pairs of `openapi/carrier.yaml`.
    static func documentedRoutes() throws -> Set<String> {
        let url = repositoryRoot.appendingPathComponent("openapi/carrier.yaml")
        let bytes = try [UInt8](Data(contentsOf: url))
        let (root, diagnostics) = YAMLReader.read(bytes, file: "openapi/carrier.yaml")
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        guard case .mapping(let top) = try #require(root).kind,
            let paths = top.first(where: { $0.key.scalar == "paths" })?.value, case .mapping(let entries) = paths.kind
        else {
            Issue.record("openapi/carrier.yaml has no paths")
            return []
        }
        var routes: Set<String> = []
        let methods: Set<String> = ["get", "put", "post", "delete", "patch", "head", "options", "trace"]
        for entry in entries {
            guard let path = entry.key.scalar, case .mapping(let operations) = entry.value.kind else { continue }
            for operation in operations {
                if let method = operation.key.scalar, methods.contains(method) {
                    routes.insert("\(method.uppercased()) \(path)")
                }
            }
        }
        return routes
    }

    @Test func everyRouteInTheCodeIsInTheDocumentAndTheReverse() throws {
        let code = Set(Route.allCases.map { "\($0.spec.method.rawValue) \($0.spec.template)" })
        let document = try Self.documentedRoutes()
        #expect(code.subtracting(document).sorted() == [], "routes missing from openapi/carrier.yaml")
        #expect(document.subtracting(code).sorted() == [], "documented routes the service does not have")
        #expect(code.count == Route.allCases.count, "two routes share a method and template")
    }

    @Test func theRouteTableDecidesRoutingNotFoundAndMethodNotAllowed() {
        #expect(Route.match(method: .GET, path: "/messages/m1/attempts") == .found(.messageAttempts, ["m1"]))
        #expect(Route.match(method: .POST, path: "/inbound/a/c/t") == .found(.inboundTokenPost, ["a", "c", "t"]))
        #expect(Route.match(method: .DELETE, path: "/send") == .methodNotAllowed)
        #expect(Route.match(method: .GET, path: "/messages/m1/nope") == .notFound)
        #expect(Route.match(method: .GET, path: "/") == .notFound)
    }

    /// Every route of the table answers over real HTTP with something other than the router's own 404/405.
    @Test func everyRouteOfTheTableIsServed() async throws {
        try await TestServer.with { server in
            for route in Route.allCases {
                let path = route.spec.template.replacingOccurrences(
                    of: #"\{[A-Za-z]+\}"#, with: "x", options: .regularExpression)
                let method = route.spec.method.rawValue
                let answer = try await server.call(method, path, body: method == "GET" ? nil : Data("{}".utf8))
                #expect(answer.status != 405, "\(route)")
                #expect(answer.errorCode != "not-found", "\(route) answered the router's not-found")
            }
        }
    }

    /// One operation of `openapi/carrier.yaml`: its `x-scopes`, and whether `security: []` makes it anonymous.
    struct DocumentedOperation {
        var method: String
        var path: String
        var scopes: Set<String>?
        var anonymous: Bool
    }

    static func documentedOperations() throws -> [DocumentedOperation] {
        let url = repositoryRoot.appendingPathComponent("openapi/carrier.yaml")
        let (root, _) = YAMLReader.read(try [UInt8](Data(contentsOf: url)), file: "openapi/carrier.yaml")
        guard case .mapping(let top) = try #require(root).kind,
            case .mapping(let paths) = top.first(where: { $0.key.scalar == "paths" })?.value.kind
        else { return [] }
        var operations: [DocumentedOperation] = []
        for path in paths {
            guard let template = path.key.scalar, case .mapping(let methods) = path.value.kind else { continue }
            for method in methods {
                guard let name = method.key.scalar, name != "parameters", case .mapping(let fields) = method.value.kind
                else { continue }
                let field = { (key: String) in fields.first(where: { $0.key.scalar == key })?.value }
                var scopes: Set<String>?
                if case .sequence(let items) = field("x-scopes")?.kind { scopes = Set(items.compactMap(\.scalar)) }
                var anonymous = false
                if case .sequence(let items) = field("security")?.kind { anonymous = items.isEmpty }
                operations.append(
                    .init(method: name.uppercased(), path: template, scopes: scopes, anonymous: anonymous))
            }
        }
        return operations
    }

    /// The document's `x-scopes` and `security: []` are what the service enforces: every key lacking a listed scope
    /// gets 403 `forbidden`, every key holding them all gets past the check, no key gets 401 `unauthorized`, and an
    /// anonymous operation never asks for a key.
    @Test func theDocumentedScopesAreTheOnesEnforced() async throws {
        let path = try TestServer.temporaryDatabasePath()
        var configuration = TestServer.configuration(databasePath: path)
        configuration.apiKeys[Self.operatorKey] = .init(account: "ops", scopes: ["operator"])
        // The calls without a key below are wrong keys on purpose; the limiter is not what this test is about.
        configuration.maxAuthFailuresPerMinute = 1_000_000
        let server = try await TestServer.start(
            gateway: FakeGateway(), databasePath: path, configuration: configuration)
        defer { Task { await server.stop() } }
        let keys: [(key: String, scopes: Set<String>)] = [
            (TestServer.key, ["messaging", "admin"]), (TestServer.messagingKey, ["messaging"]),
            (TestServer.adminKey, ["admin"]), (Self.operatorKey, ["operator"]),
        ]
        let operations = try Self.documentedOperations()
        #expect(operations.count == Route.allCases.count)
        for operation in operations {
            let target = operation.path.replacingOccurrences(
                of: #"\{[A-Za-z]+\}"#, with: "x", options: .regularExpression)
            let body = operation.method == "GET" ? nil : Data("{}".utf8)
            let label = "\(operation.method) \(operation.path)"
            let anonymous = try await server.call(operation.method, target, body: body, apiKey: nil)
            if operation.anonymous {
                #expect(operation.scopes == nil, "\(label) is anonymous but lists scopes")
                #expect(anonymous.errorCode != "unauthorized", "\(label) asked for a key")
                continue
            }
            #expect(anonymous.status == 401 && anonymous.errorCode == "unauthorized", "\(label) without a key")
            let scopes = try #require(operation.scopes, "\(label) has no x-scopes")
            for (key, held) in keys {
                let answer = try await server.call(operation.method, target, body: body, apiKey: key)
                if scopes.isSubset(of: held) {
                    #expect(![401, 403].contains(answer.status), "\(label) refused a key with \(held.sorted())")
                } else {
                    #expect(
                        answer.status == 403 && answer.errorCode == "forbidden",
                        "\(label) let a key with \(held.sorted()) through")
                }
            }
        }
        await server.stop()
    }

    static func value(of sample: String, in exposition: String) -> Double? {
        for line in exposition.split(separator: "\n") where line.hasPrefix(sample + " ") {
            return Double(line.dropFirst(sample.count + 1))
        }
        return nil
    }

    @Test func metricsMoveAfterASendAndAnInboundAndCarryNoNumberBodyOrSecret() async throws {
        try await TestServer.with { server in
            let before = try await server.call("GET", "/metrics", apiKey: nil)
            #expect(before.status == 200)
            #expect(before.headers["content-type"]?.hasPrefix("text/plain") == true)

            let sent = try await server.send(["channelId": "ch-sms", "to": "+15557654321", "body": "Secret body 42"])
            #expect(sent.status == 200)
            let mo = try await server.webhook(
                "ch-sms", ["type": "mo", "from": "+15559876543", "to": "+15550000001", "text": "STOP", "id": "mo-1"])
            #expect(mo.status == 200)
            let status = try await server.webhook(
                "ch-sms",
                ["type": "status", "id": sent.json["providerMessageId"] as? String ?? "", "status": "delivered"])
            #expect(status.status == 200)
            let refused = try await server.webhook(
                "ch-sms", ["type": "mo", "from": "+1", "text": "x"], signature: "wrong")
            #expect(refused.status == 401)

            let text = try await server.call("GET", "/metrics", apiKey: nil).text
            let expectations: [(String, Double)] = [
                (#"carrier_http_requests_total{route="/send",method="POST",status="200"}"#, 1),
                (#"carrier_http_requests_total{route="/inbound/{account}/{channel}",method="POST",status="200"}"#, 2),
                (#"carrier_http_requests_total{route="/inbound/{account}/{channel}",method="POST",status="401"}"#, 1),
                (#"carrier_http_requests_total{route="/metrics",method="GET",status="200"}"#, 1),
                (#"carrier_messages_total{channel="sms",direction="outbound",status="queued"}"#, 1),
                (#"carrier_messages_total{channel="sms",direction="outbound",status="sent"}"#, 1),
                (#"carrier_messages_total{channel="sms",direction="outbound",status="delivered"}"#, 1),
                (#"carrier_messages_total{channel="sms",direction="inbound",status="received"}"#, 1),
                (#"carrier_opt_outs_total{channel="sms",action="stop"}"#, 1),
                (#"carrier_send_attempts_total{carrier="fake",outcome="ok"}"#, 1),
                (#"carrier_send_duration_seconds_count{carrier="fake"}"#, 1),
                (#"carrier_inbound_rejected_total{code="bad-signature"}"#, 1),
                (#"carrier_outbox_depth"#, 0),
            ]
            for (sample, expected) in expectations {
                #expect(Self.value(of: sample, in: text) == expected, "\(sample)")
            }
            #expect((Self.value(of: "carrier_db_commit_duration_seconds_count", in: text) ?? 0) >= 3)
            #expect((Self.value(of: "carrier_db_commit_batch_size_count", in: text) ?? 0) >= 3)
            #expect(text.contains("carrier_http_request_duration_seconds_bucket{"))
            #expect(text.contains("carrier_outbox_oldest_due_age_seconds"))

            // Nothing a customer sent or a secret: numbers, bodies, keys, signing secrets, the secrets key.
            for forbidden in [
                "+1555", "15557654321", "15559876543", "Secret body", "STOP", TestServer.key, TestServer.messagingKey,
                TestServer.signature, TestServer.secretsKey, "acct-1", "ch-sms", "mo-1",
            ] {
                #expect(!text.contains(forbidden), "metrics contain '\(forbidden)'")
            }
        }
    }

    @Test func readyReportsTheDatabaseTheTableAndTheDispatcher() async throws {
        try await TestServer.with { server in
            let health = try await server.call("GET", "/health", apiKey: nil)
            #expect(health.status == 200)
            let ready = try await server.call("GET", "/ready", apiKey: nil)
            #expect(ready.status == 200)
            #expect(ready.json["status"] as? String == "ready")
            #expect(ready.json["dispatcher"] as? String == "running")
            #expect(ready.json["carriers"] as? Int == 2)
        }
    }

    @Test func readyIsNotReadyWithoutCarriersAndSaysWhenTheDispatcherIsOff() async throws {
        let path = try TestServer.temporaryDatabasePath()
        var configuration = TestServer.configuration(databasePath: path)
        configuration.channels = []
        configuration.dispatcher = false
        let empty = try ReloadableGateway(
            loader: { () throws(TableLoadFailure) in
                LoadedTable(table: AdapterTable(adapters: []), source: "none", builtAt: 0)
            }, makeTransport: { _ in CurlTransport() })
        let server = try await TestServer.start(gateway: empty, databasePath: path, configuration: configuration)
        let ready = try await server.call("GET", "/ready", apiKey: nil)
        #expect(ready.status == 503)
        #expect(ready.errorCode == "not-ready")
        let failing = ((ready.json["error"] as? [String: Any])?["errors"] as? [[String: Any]])?
            .compactMap { $0["attribute"] as? String }
        #expect(failing == ["table"])
        await server.stop()

        let other = try TestServer.temporaryDatabasePath()
        var withoutDispatcher = TestServer.configuration(databasePath: other)
        withoutDispatcher.dispatcher = false
        let apiOnly = try await TestServer.start(
            gateway: FakeGateway(), databasePath: other, configuration: withoutDispatcher)
        let answer = try await apiOnly.call("GET", "/ready", apiKey: nil)
        #expect(answer.status == 200)
        #expect(answer.json["dispatcher"] as? String == "disabled")
        await apiOnly.stop()
    }

    @Test func anAccountAdminCannotReloadTheOperatorsCarriers() async throws {
        let path = try TestServer.temporaryDatabasePath()
        var configuration = TestServer.configuration(databasePath: path)
        configuration.apiKeys[Self.operatorKey] = .init(account: "ops", scopes: ["operator"])
        let server = try await TestServer.start(
            gateway: FakeGateway(), databasePath: path, configuration: configuration)
        defer { Task { await server.stop() } }
        for key in [TestServer.adminKey, TestServer.key, TestServer.messagingKey] {
            let reload = try await server.call("POST", "/admin/reload", apiKey: key)
            #expect(reload.status == 403 && reload.errorCode == "forbidden")
            let table = try await server.call("GET", "/admin/table", apiKey: key)
            #expect(table.status == 403)
        }
        #expect(try await server.call("POST", "/admin/reload", apiKey: nil).status == 401)
        // The operator key passes the scope check; this gateway's table is fixed.
        let reload = try await server.call("POST", "/admin/reload", apiKey: Self.operatorKey)
        #expect(reload.status == 409 && reload.errorCode == "not-reloadable")
        // ... and an operator key is no messaging key.
        #expect(try await server.call("GET", "/channels", apiKey: Self.operatorKey).status == 403)
        await server.stop()
    }

    @Test func aSeparateMetricsListenerTakesMetricsOffTheMainOne() async throws {
        let path = try TestServer.temporaryDatabasePath()
        var configuration = TestServer.configuration(databasePath: path)
        // A fixed free port: bind one, note it, let it go. Another test's listener may take it meanwhile (tests run
        // in parallel): then another port.
        var started: (server: TestServer, metricsPort: Int)?
        for _ in 0..<5 where started == nil {
            let probe = try MockCarrierServer(port: 0) { _ in .json("{}", status: 200) }
            let metricsPort = probe.port
            probe.stop()
            configuration.metricsAddress = "127.0.0.1:\(metricsPort)"
            do {
                let server = try await TestServer.start(
                    gateway: FakeGateway(), databasePath: path, configuration: configuration)
                started = (server, metricsPort)
            } catch where "\(error)".contains("Address already in use") {
                continue
            }
        }
        let (server, metricsPort) = try #require(started)
        let main = try await server.call("GET", "/metrics", apiKey: nil)
        #expect(main.status == 404)
        let (data, response) = try await URLSession.shared.data(
            from: try #require(URL(string: "http://127.0.0.1:\(metricsPort)/metrics")))
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        #expect(String(decoding: data, as: UTF8.self).contains("carrier_http_requests_total"))
        let (_, other) = try await URLSession.shared.data(
            from: try #require(URL(string: "http://127.0.0.1:\(metricsPort)/health")))
        #expect((other as? HTTPURLResponse)?.statusCode == 404)
        await server.stop()
    }
}
