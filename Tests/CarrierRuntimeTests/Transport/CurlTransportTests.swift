import CarrierCore
import CarrierTestSupport
import Dispatch
import Testing

@testable import CarrierRuntime

#if canImport(Glibc)
    import Glibc
#endif

@Suite(.timeLimit(.minutes(1)))
struct CurlTransportTests {
    let timeouts = Timeouts(connectMs: 2000, totalMs: 10000)
    /// Transfer caps that drive libcurl both ways: polling every transfer, and epoll (``CurlSocketEvents``).
    static let drivers = [CurlTransport.defaultMaxInFlight, CurlSocketEvents.worthwhileFromTransfers * 2]

    private func withServer(
        maxInFlight: Int = CurlTransport.defaultMaxInFlight,
        _ handler: @escaping @Sendable (RecordedRequest) -> MockResponse,
        _ body: (MockCarrierServer, CurlTransport) async throws -> Void
    ) async throws {
        let server = try MockCarrierServer(handler: handler)
        let transport = CurlTransport(maxInFlight: maxInFlight, maxConnections: maxInFlight)
        defer {
            transport.shutdown()
            server.stop()
        }
        try await body(server, transport)
    }

    @Test(arguments: drivers)
    func okWithBodyAndHeaders(maxInFlight: Int) async throws {
        try await withServer(
            maxInFlight: maxInFlight,
            { _ in
                MockResponse(
                    status: 200,
                    headers: [("X-Carrier-Id", "SM123"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")],
                    text: "{\"sid\":\"SM123\"}"
                )
            }
        ) { server, transport in
            let request = HTTPRequest(method: "GET", url: "\(server.baseURL)/status?id=1")
            let response = try await transport.send(request, timeouts: timeouts).get()
            #expect(response.status == 200)
            #expect(response.body == Array("{\"sid\":\"SM123\"}".utf8))
            #expect(response.headers.first(named: "x-carrier-id") == "SM123")
            #expect(response.headers.filter { $0.name == "Set-Cookie" }.map(\.value) == ["a=1", "b=2"])
            #expect(response.headers.first(named: "Content-Length") == "15")
            #expect(server.requests.map(\.path) == ["/status?id=1"])
            #expect(server.requests.first?.method == "GET")
        }
    }

    @Test(arguments: [
        (400, #"{"code":21211,"message":"Invalid 'To' Phone Number"}"#),
        (401, #"{"error":"unauthorized"}"#),
        (422, #"{"errors":[{"field":"to"}]}"#),
    ])
    func clientErrorIsAResponse(status: Int, json: String) async throws {
        try await withServer({ _ in .json(json, status: status) }) { server, transport in
            let request = HTTPRequest(method: "POST", url: "\(server.baseURL)/messages", body: Array("x=1".utf8))
            let response = try await transport.send(request, timeouts: timeouts).get()
            #expect(response.status == status)
            #expect(String(decoding: response.body, as: UTF8.self) == json)
            #expect(response.headers.first(named: "content-type") == "application/json")
        }
    }

    @Test func tooManyRequestsKeepsRetryAfter() async throws {
        try await withServer({ _ in .json("{}", status: 429, headers: [("Retry-After", "7")]) }) { server, transport in
            let response = try await transport.send(
                HTTPRequest(method: "POST", url: server.baseURL + "/"),
                timeouts: timeouts
            )
            .get()
            #expect(response.status == 429)
            #expect(response.headers.first(named: "retry-after") == "7")
        }
    }

    @Test func serverErrorIsAResponse() async throws {
        try await withServer({ _ in MockResponse(status: 500, text: "boom") }) { server, transport in
            let response = try await transport.send(
                HTTPRequest(method: "GET", url: server.baseURL + "/"),
                timeouts: timeouts
            )
            .get()
            #expect(response.status == 500)
            #expect(response.body == Array("boom".utf8))
        }
    }

    @Test(arguments: drivers)
    func slowAnswerTimesOut(maxInFlight: Int) async throws {
        try await withServer(maxInFlight: maxInFlight, { _ in MockResponse(text: "late", delayMs: 20_000) }) {
            server, transport in
            let result = await transport.send(
                HTTPRequest(method: "GET", url: server.baseURL + "/slow"),
                timeouts: Timeouts(connectMs: 1000, totalMs: 300)
            )
            guard case .failure(let error) = result else {
                Issue.record("expected a timeout, got \(result)")
                return
            }
            #expect(error.kind == .timeout)
            #expect(error.curlCode == 28)
            #expect(error.code == "transport-timeout")
        }
    }

    @Test(arguments: drivers)
    func closedPortIsAConnectError(maxInFlight: Int) async throws {
        // A bound socket that does not listen: connecting to its port is refused right away.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        try #require(bound)
        let port = UInt16(bigEndian: address.sin_port)

        let transport = CurlTransport(maxInFlight: maxInFlight, maxConnections: maxInFlight)
        defer { transport.shutdown() }
        let result = await transport.send(
            HTTPRequest(method: "GET", url: "http://127.0.0.1:\(port)/"),
            timeouts: timeouts
        )
        guard case .failure(let error) = result else {
            Issue.record("expected a connect error, got \(result)")
            return
        }
        #expect(error.kind == .connect)
        #expect(error.curlCode == 7)
    }

    @Test(arguments: drivers)
    func tricklingBodyWithinTimeoutSucceeds(maxInFlight: Int) async throws {
        let body = Array("0123456789abcdefghijklmnopqrstuvwxyzABCD".utf8)
        try await withServer(
            maxInFlight: maxInFlight, { _ in MockResponse(body: body, chunkDelayMs: 40, chunkSize: 4) }
        ) { server, transport in
            let response = try await transport.send(
                HTTPRequest(method: "GET", url: server.baseURL + "/"),
                timeouts: Timeouts(connectMs: 1000, totalMs: 8000)
            ).get()
            #expect(response.status == 200)
            #expect(response.body == body)
            #expect(response.headers.first(named: "transfer-encoding") == "chunked")
        }
    }

    @Test(arguments: drivers)
    func manyConcurrentRequestsEachGetTheirOwnResponse(maxInFlight: Int) async throws {
        try await withServer(
            maxInFlight: maxInFlight,
            { request in
                MockResponse(text: "echo:\(request.header("X-Request-Id") ?? "none"):\(request.bodyText)")
            }
        ) { server, transport in
            let results = await withTaskGroup(of: (Int, Result<HTTPResponse, TransportError>).self) { group in
                for index in 0..<200 {
                    group.addTask {
                        let request = HTTPRequest(
                            method: "POST",
                            url: "\(server.baseURL)/send/\(index)",
                            headers: [HTTPHeader("X-Request-Id", "\(index)")],
                            body: Array("body-\(index)".utf8)
                        )
                        return (index, await transport.send(request, timeouts: timeouts))
                    }
                }
                var collected: [Int: Result<HTTPResponse, TransportError>] = [:]
                for await (index, result) in group { collected[index] = result }
                return collected
            }
            #expect(results.count == 200)
            for index in 0..<200 {
                let response = try #require(try results[index]?.get())
                #expect(response.status == 200)
                #expect(String(decoding: response.body, as: UTF8.self) == "echo:\(index):body-\(index)")
            }
            let requests = server.requests
            #expect(requests.count == 200)
            // At most `maxInFlight` transfers run at once, and connections are reused rather than one per request.
            #expect(Set(requests.map(\.connection)).count <= min(maxInFlight, 200))
        }
    }

    @Test func requestArrivesByteExact() async throws {
        let body: [UInt8] = Array(0...255) + Array("{\"text\":\"héllo €\"}".utf8)
        try await withServer({ _ in MockResponse(status: 202) }) { server, transport in
            let headers = [
                HTTPHeader("Authorization", "Basic QUM6c2VjcmV0"),
                HTTPHeader("Content-Type", "application/octet-stream"),
                HTTPHeader("X-Custom", "  spaced value"),
                HTTPHeader("X-Repeated", "1"),
                HTTPHeader("X-Repeated", "2"),
                HTTPHeader("X-Empty", ""),
            ]
            let request = HTTPRequest(
                method: "PUT",
                url: "\(server.baseURL)/v1/m?a=1&b=%20",
                headers: headers,
                body: body
            )
            let response = try await transport.send(request, timeouts: timeouts).get()
            #expect(response.status == 202)

            let received = try #require(server.requests.first)
            #expect(received.method == "PUT")
            #expect(received.path == "/v1/m?a=1&b=%20")
            #expect(received.body == body)
            let sent = received.headers.filter {
                $0.name.hasPrefix("X-") || ["Authorization", "Content-Type"].contains($0.name)
            }
            #expect(
                sent.map(\.name) == [
                    "Authorization", "Content-Type", "X-Custom", "X-Repeated", "X-Repeated", "X-Empty",
                ]
            )
            #expect(
                sent.map(\.value) == ["Basic QUM6c2VjcmV0", "application/octet-stream", "spaced value", "1", "2", ""]
            )
            #expect(received.header("Content-Length") == "\(body.count)")
            #expect(received.header("Accept") == nil)
            #expect(received.header("Expect") == nil)
        }
    }

    @Test func largeBodyIsSentWithoutExpectContinue() async throws {
        let body = (0..<(2 * 1024 * 1024)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try await withServer({ request in MockResponse(text: "\(request.body.count)") }) { server, transport in
            let request = HTTPRequest(method: "POST", url: server.baseURL + "/upload", body: body)
            let response = try await transport.send(request, timeouts: timeouts).get()
            #expect(String(decoding: response.body, as: UTF8.self) == "\(body.count)")
            let received = try #require(server.requests.first)
            #expect(received.header("Expect") == nil)
            #expect(received.body == body)
            // No body-less request gets an invented form content type.
            #expect(received.header("Content-Type") == nil)
        }
    }

    @Test(arguments: drivers)
    func sequentialRequestsReuseOneConnection(maxInFlight: Int) async throws {
        try await withServer(maxInFlight: maxInFlight, { _ in MockResponse(text: "ok") }) { server, transport in
            for index in 0..<5 {
                let request = HTTPRequest(
                    method: "POST",
                    url: "\(server.baseURL)/\(index)",
                    body: Array("n=\(index)".utf8)
                )
                _ = try await transport.send(request, timeouts: timeouts).get()
            }
            #expect(server.requests.map(\.connection) == [0, 0, 0, 0, 0])
        }
    }

    @Test(arguments: ["GET", "DELETE", "PATCH", "HEAD", "OPTIONS"])
    func methodIsSentAsGiven(method: String) async throws {
        try await withServer({ request in MockResponse(text: request.method) }) { server, transport in
            let response = try await transport.send(
                HTTPRequest(method: method, url: server.baseURL + "/m"),
                timeouts: timeouts
            )
            .get()
            #expect(server.requests.first?.method == method)
            #expect(response.body == (method == "HEAD" ? [] : Array(method.utf8)))
        }
    }

    /// Sequential requests reuse one easy handle: nothing of one request (method, body, headers) may leak into the next.
    @Test func reusedHandleStartsEachRequestClean() async throws {
        try await withServer({ request in MockResponse(text: request.method) }) { server, transport in
            let sequence = [
                HTTPRequest(
                    method: "POST", url: server.baseURL + "/a", headers: [HTTPHeader("X-Key", "one")],
                    body: Array("first=1".utf8)),
                HTTPRequest(method: "GET", url: server.baseURL + "/b"),
                HTTPRequest(method: "HEAD", url: server.baseURL + "/c", headers: [HTTPHeader("X-Key", "two")]),
                HTTPRequest(method: "GET", url: server.baseURL + "/d", headers: [HTTPHeader("X-Key", "two")]),
                HTTPRequest(method: "PUT", url: server.baseURL + "/e", body: Array("put".utf8)),
                HTTPRequest(method: "DELETE", url: server.baseURL + "/f"),
                HTTPRequest(method: "POST", url: server.baseURL + "/g", headers: [HTTPHeader("X-Key", "one")]),
            ]
            var bodies: [String] = []
            for request in sequence {
                let response = try await transport.send(request, timeouts: timeouts).get()
                bodies.append(String(decoding: response.body, as: UTF8.self))
            }
            let received = server.requests
            #expect(received.map(\.method) == ["POST", "GET", "HEAD", "GET", "PUT", "DELETE", "POST"])
            #expect(bodies == ["POST", "GET", "", "GET", "PUT", "DELETE", "POST"])
            #expect(received.map(\.bodyText) == ["first=1", "", "", "", "put", "", ""])
            #expect(received.map { $0.header("X-Key") } == ["one", nil, "two", "two", nil, nil, "one"])
            #expect(received.map { $0.header("Content-Length") } == ["7", nil, nil, nil, "3", nil, "0"])
            #expect(Set(received.map(\.connection)) == [0])
        }
    }

    @Test(arguments: drivers)
    func droppedConnectionIsAnError(maxInFlight: Int) async throws {
        try await withServer(maxInFlight: maxInFlight, { _ in .dropConnection }) { server, transport in
            let result = await transport.send(HTTPRequest(method: "GET", url: server.baseURL + "/"), timeouts: timeouts)
            guard case .failure(let error) = result else {
                Issue.record("expected an error, got \(result)")
                return
            }
            #expect(error.curlCode == 52)
            #expect(error.kind == .other)
        }
    }

    @Test func headerInjectionIsRejectedWithoutEchoingTheValue() async throws {
        try await withServer({ _ in MockResponse() }) { server, transport in
            let request = HTTPRequest(
                method: "POST",
                url: server.baseURL + "/",
                headers: [HTTPHeader("Authorization", "Bearer s3cr3t\r\nX-Evil: 1")]
            )
            let result = await transport.send(request, timeouts: timeouts)
            guard case .failure(let error) = result else {
                Issue.record("expected an error, got \(result)")
                return
            }
            #expect(error.kind == .other)
            #expect(error.message.contains("Authorization"))
            #expect(!error.description.contains("s3cr3t"))
            #expect(server.requests.isEmpty)
        }
    }

    @Test func unsupportedSchemeIsAnError() async {
        let transport = CurlTransport()
        defer { transport.shutdown() }
        let result = await transport.send(HTTPRequest(method: "GET", url: "file:///etc/passwd"), timeouts: timeouts)
        guard case .failure(let error) = result else {
            Issue.record("expected an error, got \(result)")
            return
        }
        #expect(error.curlCode == 1)  // CURLE_UNSUPPORTED_PROTOCOL
    }

    @Test func sendAfterShutdownFails() async {
        let transport = CurlTransport()
        transport.shutdown()
        transport.shutdown()
        let result = await transport.send(HTTPRequest(method: "GET", url: "http://127.0.0.1:9/"), timeouts: timeouts)
        #expect(result == .failure(TransportError.shutDown))
    }

    /// The server holds its answer until the send has ended (at most 40 s), so a loaded test run that gets back to this
    /// task late cannot let the answer win the race against the cancellation.
    @Test(arguments: drivers)
    func cancellingTheTaskAbortsTheTransfer(maxInFlight: Int) async throws {
        let sendEnded = DispatchSemaphore(value: 0)
        defer { sendEnded.signal() }
        try await withServer(
            maxInFlight: maxInFlight,
            { _ in
                _ = sendEnded.wait(timeout: .now() + 40)
                return MockResponse(text: "late")
            }
        ) { server, transport in
            let task = Task {
                let request = HTTPRequest(method: "GET", url: server.baseURL + "/")
                return await transport.send(request, timeouts: Timeouts(connectMs: 2000, totalMs: 50_000))
            }
            while server.requests.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
            task.cancel()
            let result = await task.value
            #expect(result == .failure(TransportError.cancelled))
        }
    }

    /// Tasks cancelled while their request is on its way to the transport's queue: each cancellation must win, none
    /// may run its request on (here into its timeout, the server answering only after it). Under a loaded test run
    /// this task may get the thread back only after a request timed out: a send that ended before its task was
    /// cancelled, or within a second after, is not counted.
    @Test(arguments: drivers)
    func cancellingBeforeTheRequestIsQueuedStillCancelsIt(maxInFlight: Int) async throws {
        try await withServer(maxInFlight: maxInFlight, { _ in MockResponse(text: "late", delayMs: 10_000) }) {
            server, transport in
            let slow = Timeouts(connectMs: 2_000, totalMs: 3_000)
            typealias Ended = (result: Result<HTTPResponse, TransportError>, at: ContinuousClock.Instant)
            let ranOn = await withTaskGroup(of: Ended?.self) { group in
                for round in 0..<2_000 {
                    let request = HTTPRequest(method: "GET", url: server.baseURL + "/\(round)")
                    let task = Task { (await transport.send(request, timeouts: slow), ContinuousClock.now) }
                    if round % 2 == 0 { await Task.yield() }
                    task.cancel()
                    let cancelledAt = ContinuousClock.now
                    group.addTask {
                        let ended = await task.value
                        let late = ended.1 - cancelledAt > .seconds(1)
                        return ended.0 != .failure(TransportError.cancelled) && late ? ended : nil
                    }
                }
                var ranOn: [Ended] = []
                for await ended in group { if let ended { ranOn.append(ended) } }
                return ranOn
            }
            #expect(ranOn.isEmpty, "\(ranOn.count) ran on after their cancellation: \(ranOn.prefix(3).map(\.result))")
        }
    }

    @Test func sendAllKeepsRequestOrder() async throws {
        try await withServer({ request in MockResponse(text: request.path) }) { server, transport in
            let requests = (0..<20).map { HTTPRequest(method: "GET", url: "\(server.baseURL)/\($0)") }
            let results = await transport.sendAll(requests, timeouts: timeouts, concurrency: 4)
            let bodies = try results.map { String(decoding: try $0.get().body, as: UTF8.self) }
            #expect(bodies == (0..<20).map { "/\($0)" })
        }
    }
}
