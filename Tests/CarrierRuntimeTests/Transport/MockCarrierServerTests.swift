import CarrierCore
import CarrierTestSupport
import Testing

/// Talks to ``MockCarrierServer`` with a raw socket, to check framing the transport never produces.
@Suite(.timeLimit(.minutes(1)))
struct MockCarrierServerTests {
    /// Connects, writes `text`, then reads until the server closes the connection.
    private func exchange(port: Int, _ text: String) throws -> String {
        let socket = try #require(RawSocket(port: port))
        try #require(socket.send(text))
        return socket.receive(timeout: 10).text
    }

    @Test func chunkedRequestBodyAndPipelinedRequests() throws {
        let server = try MockCarrierServer { request in MockResponse(text: "got:\(request.bodyText)") }
        defer { server.stop() }
        let wire =
            "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\n"
            + "POST /b?q=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc"
        let answer = try exchange(port: server.port, wire)
        #expect(
            answer
                == "HTTP/1.1 200 OK\r\nContent-Length: 15\r\n\r\ngot:hello world"
                + "HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\ngot:abc"
        )
        let requests = server.requests
        #expect(requests.map(\.path) == ["/a", "/b?q=1"])
        #expect(requests.map(\.bodyText) == ["hello world", "abc"])
        #expect(requests.map(\.connection) == [0, 0])
        #expect(requests.first?.header("transfer-encoding") == "chunked")
    }

    @Test func malformedRequestLineGets400() throws {
        let server = try MockCarrierServer { _ in MockResponse() }
        defer { server.stop() }
        let answer = try exchange(port: server.port, "NONSENSE\r\n\r\n")
        #expect(answer.hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
        #expect(server.requests.isEmpty)
    }

    @Test func closeWithoutResponseSendsNothing() throws {
        let server = try MockCarrierServer { _ in .dropConnection }
        defer { server.stop() }
        let answer = try exchange(port: server.port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(answer.isEmpty)
        #expect(server.requests.count == 1)
    }

    @Test func stopIsIdempotentAndRefusesNewConnections() throws {
        let server = try MockCarrierServer { _ in MockResponse() }
        #expect(server.baseURL == "http://127.0.0.1:\(server.port)")
        server.stop()
        server.stop()
        #expect(RawSocket(port: server.port) == nil)
    }
}
