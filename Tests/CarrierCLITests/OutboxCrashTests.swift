import CarrierTestSupport
import Foundation
import Synchronization
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `carrier serve` as a child process killed with SIGKILL while its outbox holds messages being retried: after a
/// restart every accepted message is sent.
@Suite(.timeLimit(.minutes(2)))
struct OutboxCrashTests {
    /// The carrier: 500 until `up`, then 200 with a fresh id.
    final class Carrier: Sendable {
        let up = Mutex(false)
        let counter = Mutex(0)

        func answer(_ request: RecordedRequest) -> MockResponse {
            guard up.withLock({ $0 }) else { return .json(#"{"error":{"code":"DOWN"}}"#, status: 500) }
            let n = counter.withLock { value -> Int in
                value += 1
                return value
            }
            return .json(#"{"id":"p\#(n)"}"#, status: 200)
        }
    }

    /// A running `carrier serve`.
    struct Service: Sendable {
        let process: ChildProcess
        let port: Int
        var apiKey = "crash-key"

        static func start(arguments: [String], apiKey: String = "crash-key") throws -> Service {
            let process = try ChildProcess(arguments: ["serve"] + arguments, error: .null)
            // "carrier serve listening on http://127.0.0.1:PORT (...)"
            var text = ""
            guard let handle = process.standardOutput else { throw CrashTestError.didNotStart("no output") }
            while !text.contains("\n") {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                text += String(decoding: chunk, as: UTF8.self)
            }
            guard let range = text.range(of: "127.0.0.1:"),
                let port = Int(text[range.upperBound...].prefix { $0.isNumber })
            else {
                process.terminate()
                throw CrashTestError.didNotStart(text)
            }
            return Service(process: process, port: port, apiKey: apiKey)
        }

        func call(_ method: String, _ path: String, json: [String: Any]? = nil) async throws -> (Int, [String: Any]) {
            var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
            request.httpMethod = method
            request.setValue(apiKey, forHTTPHeaderField: "x-api-key")
            if let json {
                request.httpBody = try JSONSerialization.data(withJSONObject: json)
                request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            }
            let session = URLSession(configuration: .ephemeral)
            defer { session.finishTasksAndInvalidate() }
            let (data, response) = try await session.data(for: request)
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            return (status, (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:])
        }

        func kill9() {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    enum CrashTestError: Error { case didNotStart(String) }

    @Test func everyAcceptedMessageIsSentAfterAKillDuringRetries() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("carrier-crash-\(UUID())")
        let carriers = directory.appendingPathComponent("carriers/acme")
        try FileManager.default.createDirectory(at: carriers, withIntermediateDirectories: true)
        try MultiInstanceTests.writeAcme(to: carriers)

        // 500 first; 200 once it is up (after the kill).
        let behaviour = Carrier()
        let carrier = try MockCarrierServer { behaviour.answer($0) }
        let configuration: [String: Any] = [
            "host": "127.0.0.1", "port": 0, "databasePath": directory.appendingPathComponent("db.sqlite").path,
            "apiKeys": ["literal:crash-key": ["account": "a", "scopes": ["messaging", "admin"]]],
            "channels": [
                [
                    "id": "c", "account": "a", "channel": "sms", "provider": "acme", "address": "+15550000001",
                    "settings": ["base_url": carrier.baseURL],
                ]
            ],
            "carrierHosts": ["127.0.0.1"], "allowPrivateCarrierTargets": true,
            "sendWaitMs": 100, "maxSendAttempts": 1000, "retryBaseDelaySeconds": 0.2, "retryMaxDelaySeconds": 0.5,
        ]
        let configPath = directory.appendingPathComponent("config.json")
        try JSONSerialization.data(withJSONObject: configuration).write(to: configPath)
        let arguments = [
            "--config", configPath.path, "--carriers", directory.appendingPathComponent("carriers").path,
            "--log-level", "warning",
        ]

        let first = try Service.start(arguments: arguments)
        var ids: [String] = []
        for n in 0..<40 {
            let (status, body) = try await first.call(
                "POST", "/send", json: ["channelId": "c", "to": "+1555000\(1000 + n)", "body": "crash \(n)"])
            #expect(status == 202, "the carrier answers 500: accepted and queued")
            ids.append(try #require(body["messageId"] as? String))
        }
        try await Task.sleep(nanoseconds: 300_000_000)  // retries in flight
        first.kill9()
        let refusedBeforeRestart = carrier.requests.count
        behaviour.up.withLock { $0 = true }

        let second = try Service.start(arguments: arguments)
        defer { second.process.terminate() }
        let deadline = Date().addingTimeInterval(30)
        var pending = Set(ids)
        while !pending.isEmpty && Date() < deadline {
            for id in pending {
                let (_, message) = try await second.call("GET", "/messages/\(id)")
                if message["status"] as? String == "sent" { pending.remove(id) }
            }
            if !pending.isEmpty { try await Task.sleep(nanoseconds: 100_000_000) }
        }
        #expect(pending.isEmpty, "every accepted message reaches sent after the restart; left: \(pending)")

        // The 200s the carrier gave, per message: more than one would be a message delivered twice.
        var accepted: [String: Int] = [:]
        for request in carrier.requests.dropFirst(refusedBeforeRestart) {
            let json = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any]
            accepted[json?["ref"] as? String ?? "?", default: 0] += 1
        }
        let twice = accepted.values.filter { $0 > 1 }.count
        print("crash test: 40 accepted, \(refusedBeforeRestart) refused attempts before the kill, "
            + "\(40 - pending.count) sent after the restart, \(twice) delivered twice")
        #expect(Set(accepted.keys) == Set(ids), "each message reached the carrier after the restart")
        #expect(twice == 0, "the kill fell while the carrier answered 500: nothing was accepted twice")
        try? FileManager.default.removeItem(at: directory)
    }
}
