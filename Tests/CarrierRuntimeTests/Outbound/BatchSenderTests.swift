import CarrierCore
import CarrierTestSupport
import Foundation
import Testing

@testable import CarrierRuntime

/// The bulk send path against a mock carrier on 127.0.0.1: same rules as `Sender`, on the calling thread.
@Suite(.timeLimit(.minutes(1)))
struct BatchSenderTests {
    static let settings = ["api_key": SenderTests.secret]

    func run(
        _ messages: [OutboundMessage], table: AdapterTable, baseURL: String, concurrency: Int = 4
    ) -> [Int: SendResult] {
        var settings = Self.settings
        settings["base_url"] = baseURL
        var results: [Int: SendResult] = [:]
        BatchSender(table: table, concurrency: concurrency, maxRetryDelay: 0.05).send(
            messages, carrier: "acme", settings: settings
        ) { index, result in
            #expect(results[index] == nil, "one result per message")
            results[index] = result
        }
        return results
    }

    static func messages(_ count: Int) -> [OutboundMessage] {
        (0..<count).map {
            OutboundMessage(to: "+1555123\(String(format: "%04d", $0))", from: "+15550000001", body: "Hi")
        }
    }

    @Test func everyMessageGetsItsOwnResultAtItsIndex() throws {
        let mock = try MockCarrierServer { request in
            // The id echoes the recipient, so each result can be matched to its message.
            let to = request.bodyText.split(separator: "\"")[3]
            return .json(#"{"id":"m\#(to)"}"#, status: 202)
        }
        defer { mock.stop() }
        let messages = Self.messages(40)
        let results = run(messages, table: try SenderTests.table(), baseURL: mock.baseURL)
        #expect(results.count == 40)
        for (i, message) in messages.enumerated() {
            #expect(results[i]?.outcome == .ok)
            #expect(results[i]?.providerMessageId == "m\(message.to)")
            #expect(results[i]?.segments == 1)
        }
        #expect(mock.requests.count == 40)
        #expect(mock.requests.allSatisfy { $0.header("Authorization") == "Bearer \(SenderTests.secret)" })
        #expect(Set(mock.requests.map(\.connection)).count <= 4, "connections are reused")
    }

    @Test func invalidMessagesAreRefusedWithoutARequest() throws {
        let mock = try MockCarrierServer { _ in .json(#"{"id":"x"}"#) }
        defer { mock.stop() }
        var messages = Self.messages(3)
        messages[1].to = "12345"
        let results = run(messages, table: try SenderTests.table(), baseURL: mock.baseURL)
        #expect(results[1]?.outcome == .permanent)
        #expect(results[1]?.errorCode == "invalid-to")
        #expect(results[0]?.outcome == .ok && results[2]?.outcome == .ok)
        #expect(mock.requests.count == 2)
    }

    @Test func throttledIsRetriedAndPermanentIsNot() throws {
        let calls = Counter()
        let mock = try MockCarrierServer { request in
            if request.bodyText.contains("+15551230001") {
                return .json(#"{"error":{"code":"BAD_TO","message":"bad number"}}"#, status: 400)
            }
            return calls.next() == 1
                ? .json(#"{"error":{"code":"THROTTLED"}}"#, status: 429, headers: [("Retry-After", "0")])
                : .json(#"{"id":"m-ok"}"#)
        }
        defer { mock.stop() }
        let results = run(Self.messages(2), table: try SenderTests.table(), baseURL: mock.baseURL, concurrency: 1)
        #expect(results[0]?.outcome == .ok)
        #expect(results[0]?.providerMessageId == "m-ok")
        #expect(results[1]?.outcome == .permanent)
        #expect(results[1]?.errorCode == "BAD_TO")
        #expect(mock.requests.count == 3, "the throttled message twice, the rejected one once")
    }

    @Test func serverErrorsEndRetryableAfterTheRetries() throws {
        let mock = try MockCarrierServer { _ in .json(#"{"error":{"code":"DOWN"}}"#, status: 503) }
        defer { mock.stop() }
        let results = run(Self.messages(2), table: try SenderTests.table(maxRetries: 2), baseURL: mock.baseURL)
        #expect(results.values.allSatisfy { $0.outcome == .retryable && $0.httpStatus == 503 })
        #expect(mock.requests.count == 6, "each message: one attempt and two retries")
    }

    @Test func transportFailuresAreRetryableWithTheCurlCode() throws {
        let results = run(
            Self.messages(2), table: try SenderTests.table(maxRetries: 0), baseURL: "http://127.0.0.1:1")
        #expect(results.count == 2)
        #expect(results.values.allSatisfy { $0.outcome == .retryable && $0.errorCode == "transport-connect" })
        #expect(results.values.allSatisfy { $0.curlCode == 7 })
    }

    @Test func unknownCarrierRefusesEveryMessage() throws {
        var results: [Int: SendResult] = [:]
        BatchSender(table: try SenderTests.table()).send(Self.messages(3), carrier: "nope", settings: [:]) {
            results[$0] = $1
        }
        #expect(results.count == 3)
        #expect(results.values.allSatisfy { $0.errorCode == "unknown-carrier" })
    }

    @Test func rateLimitSpacesTheSends() throws {
        let yaml = """
            formatVersion: 1
            id: acme
            name: Acme
            channels: [sms]
            limits: { ratePerSecond: 20 }
            settings:
              base_url: { type: url }
            send:
              url: "{{ settings.base_url }}/messages"
              format: json
              body: { to: "{{ message.to }}" }
            response:
              messageId: id
            """
        let table = try #require(
            compileAdapterTable([InputFile(path: "acme/carrier.yaml", bytes: Array(yaml.utf8))]).table)
        let mock = try MockCarrierServer { _ in .json(#"{"id":"x"}"#) }
        defer { mock.stop() }
        let start = ContinuousClock.now
        let results = run(Self.messages(30), table: table, baseURL: mock.baseURL, concurrency: 8)
        let elapsed = ContinuousClock.now - start
        #expect(results.values.allSatisfy { $0.outcome == .ok })
        // A burst of 20, then 10 more at 20 a second: at least half a second in all.
        #expect(elapsed >= .milliseconds(450), "\(elapsed)")
        #expect(mock.requests.count == 30)
    }
}
