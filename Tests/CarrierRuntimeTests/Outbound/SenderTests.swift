import CarrierCore
import CarrierTestSupport
import Foundation
import Testing

@testable import CarrierRuntime

/// The whole send path (validate, render, libcurl, classify, retry) against a mock carrier on 127.0.0.1.
@Suite(.timeLimit(.minutes(1)))
struct SenderTests {
    static let secret = "sk_live_SENDER_SECRET_42"

    static func table(timeoutMs: Int = 2000, maxRetries: Int = 2) throws -> AdapterTable {
        let yaml = """
            formatVersion: 1
            id: acme
            name: Acme
            channels: [sms]
            limits: { timeoutMs: \(timeoutMs), connectTimeoutMs: 500, maxRetries: \(maxRetries) }
            settings:
              api_key: { type: secret }
              base_url: { type: url }
            auth: { type: bearer, token: "{{ settings.api_key }}" }
            send:
              url: "{{ settings.base_url }}/messages"
              format: json
              body: { to: "{{ message.to }}", text: "{{ message.body }}" }
            response:
              messageId: id
              errorCode: error.code
              errorMessage: error.message
              retry: { status: [429, 5xx], codes: ["THROTTLED"] }
            """
        let result = compileAdapterTable([InputFile(path: "acme/carrier.yaml", bytes: Array(yaml.utf8))])
        return try #require(result.table, "\(result.diagnostics)")
    }

    static let message = OutboundMessage(to: "+15551230000", from: "+15550000001", body: "Hi")

    func send(
        table: AdapterTable, baseURL: String, message: OutboundMessage = SenderTests.message
    ) async -> SendResult {
        let transport = CurlTransport()
        defer { transport.shutdown() }
        let sender = Sender(table: table, transport: transport, maxRetryDelay: 0.05)
        return await sender.send(message, carrier: "acme", settings: ["api_key": Self.secret, "base_url": baseURL])
    }

    @Test func okCarriesTheProviderIdAndTheExactRequest() async throws {
        let mock = try MockCarrierServer { _ in .json(#"{"id":"m-1"}"#, status: 202) }
        defer { mock.stop() }
        let result = await send(table: try Self.table(), baseURL: mock.baseURL)
        #expect(result.outcome == .ok)
        #expect(result.providerMessageId == "m-1")
        #expect(result.httpStatus == 202)
        #expect(result.segments == 1)
        let request = try #require(mock.requests.first)
        #expect(request.path == "/messages")
        #expect(request.bodyText == #"{"to":"+15551230000","text":"Hi"}"#)
        #expect(request.header("Authorization") == "Bearer \(Self.secret)")
        #expect(request.header("Content-Type") == "application/json")
    }

    @Test func clientErrorIsPermanentWithTheCarrierCode() async throws {
        let mock = try MockCarrierServer { _ in
            .json(#"{"error":{"code":"BAD_TO","message":"bad number"}}"#, status: 400)
        }
        defer { mock.stop() }
        let result = await send(table: try Self.table(), baseURL: mock.baseURL)
        #expect(result.outcome == .permanent)
        #expect(result.errorCode == "BAD_TO")
        #expect(result.errorMessage == "bad number")
        #expect(result.origin == "acme/carrier.yaml:15:3", "the response rule")
        #expect(mock.requests.count == 1)
    }

    @Test func throttledThenAcceptedIsRetriedHonoringRetryAfter() async throws {
        let calls = Counter()
        let mock = try MockCarrierServer { _ in
            calls.next() == 1
                ? .json(#"{"error":{"code":"THROTTLED"}}"#, status: 429, headers: [("Retry-After", "0")])
                : .json(#"{"id":"m-2"}"#)
        }
        defer { mock.stop() }
        let result = await send(table: try Self.table(), baseURL: mock.baseURL)
        #expect(result.outcome == .ok)
        #expect(result.providerMessageId == "m-2")
        #expect(mock.requests.count == 2)
    }

    @Test func serverErrorsAreRetriedThenReportedRetryable() async throws {
        let mock = try MockCarrierServer { _ in .json(#"{"error":{"code":"DOWN"}}"#, status: 503) }
        defer { mock.stop() }
        let result = await send(table: try Self.table(maxRetries: 2), baseURL: mock.baseURL)
        #expect(result.outcome == .retryable)
        #expect(result.httpStatus == 503)
        #expect(mock.requests.count == 3, "one attempt and two retries")
    }

    @Test func timeoutIsRetryableWithTheCurlCode() async throws {
        let mock = try MockCarrierServer { _ in MockResponse(status: 200, text: "{}", delayMs: 20_000) }
        defer { mock.stop() }
        let result = await send(table: try Self.table(timeoutMs: 200, maxRetries: 0), baseURL: mock.baseURL)
        #expect(result.outcome == .retryable)
        #expect(result.errorCode == "transport-timeout")
        #expect(result.curlCode == 28)
    }

    @Test func refusedConnectionIsRetryable() async throws {
        let mock = try MockCarrierServer { _ in .json("{}") }
        let url = mock.baseURL
        mock.stop()
        let result = await send(table: try Self.table(maxRetries: 0), baseURL: url)
        #expect(result.outcome == .retryable)
        #expect(result.errorCode == "transport-connect")
    }

    @Test func invalidMessageNeverReachesTheNetwork() async throws {
        let mock = try MockCarrierServer { _ in .json(#"{"id":"x"}"#) }
        defer { mock.stop() }
        var bad = Self.message
        bad.to = "12345"
        let result = await send(table: try Self.table(), baseURL: mock.baseURL, message: bad)
        #expect(result.outcome == .permanent)
        #expect(result.errorCode == "invalid-to")
        #expect(mock.requests.isEmpty)
    }

    @Test func noSecretInAnyResultOrError() async throws {
        let mock = try MockCarrierServer { _ in .json(#"{"error":{"code":"E","message":"nope"}}"#, status: 401) }
        defer { mock.stop() }
        let table = try Self.table(maxRetries: 0)
        var printed: [String] = []
        for url in [mock.baseURL, "http://127.0.0.1:1"] {
            let result = await send(table: table, baseURL: url)
            printed.append(String(decoding: try JSONEncoder().encode(result), as: UTF8.self))
            printed.append("\(result)")
        }
        for text in printed { #expect(!text.contains(Self.secret), "\(text)") }
    }
}

/// A thread-safe call counter for mock handlers.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    /// Increments and returns the new value. Protected by `lock`.
    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}
