import CarrierTestSupport
import Foundation
import Testing

@testable import CarrierService

/// The service's HTTP/1.1 behaviour on the wire, checked byte for byte with a raw socket.
@Suite(.timeLimit(.minutes(1)))
struct HTTPWireTests {
    static let confirm = #"{"ids":[]}"#

    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        try await TestServer.with { server in
            let socket = try #require(RawSocket(port: server.port))
            socket.send(
                "GET /health HTTP/1.1\r\nHost: x\r\n\r\nGET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            var all = ""
            for _ in 0..<10 where all.components(separatedBy: "HTTP/1.1 ").count - 1 < 3 {
                all += await socket.received(until: "\"ok\"}", timeout: 5).text
            }
            // Bodies have no trailing newline, so a status line starts right after the previous body.
            let statuses = all.components(separatedBy: "HTTP/1.1 ").dropFirst().map {
                "HTTP/1.1 " + ($0.components(separatedBy: "\r\n").first ?? "")
            }
            #expect(statuses == ["HTTP/1.1 200 OK", "HTTP/1.1 404 Not Found", "HTTP/1.1 200 OK"])
        }
    }

    @Test func aFastReplyWaitsForTheSlowerOneBeforeIt() async throws {
        // The send takes 300 ms at the carrier; /health behind it on the same connection is ready at once.
        let gateway = FakeGateway(beforeReturn: { _ in try? await Task.sleep(for: .milliseconds(300)) })
        try await TestServer.with(gateway: gateway) { server in
            let socket = try #require(RawSocket(port: server.port))
            let send = #"{"channelId":"ch-sms","to":"+15550001111","body":"hi"}"#
            socket.send(
                "POST /send HTTP/1.1\r\nHost: x\r\nx-api-key: \(TestServer.key)\r\n"
                    + "Content-Type: application/json\r\nContent-Length: \(send.utf8.count)\r\n\r\n\(send)"
                    + "GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            let text = await socket.received(until: #"{"status":"ok"}"#, timeout: 30).text
            let sendReply = try #require(text.range(of: "\"messageId\""))
            let healthReply = try #require(text.range(of: #"{"status":"ok"}"#))
            #expect(sendReply.lowerBound < healthReply.lowerBound)
        }
    }

    @Test func manyPipelinedRequestsAreAllAnswered() async throws {
        // More than the handler lets wait at once: reading pauses and resumes as replies go out.
        let count = HTTPConnectionHandler.maxPipelined * 3
        try await TestServer.with { server in
            let socket = try #require(RawSocket(port: server.port))
            socket.send(String(repeating: "GET /health HTTP/1.1\r\nHost: x\r\n\r\n", count: count))
            var text = ""
            for _ in 0..<50 where text.components(separatedBy: "HTTP/1.1 200 OK").count - 1 < count {
                text += await socket.received(until: #"{"status":"ok"}"#, timeout: 5).text
            }
            #expect(text.components(separatedBy: "HTTP/1.1 200 OK").count - 1 == count)
        }
    }

    @Test func requestsAfterConnectionCloseAreNotAnswered() async throws {
        try await TestServer.with { server in
            let socket = try #require(RawSocket(port: server.port))
            socket.send(
                "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                    + "GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n")
            let (text, closed) = await socket.received(timeout: 5)
            #expect(text.components(separatedBy: "HTTP/1.1 ").count - 1 == 1)
            #expect(!text.contains("404"))
            #expect(closed)
        }
    }

    @Test func expectContinueGetsAGoAheadBeforeTheBody() async throws {
        try await TestServer.with { server in
            let socket = try #require(RawSocket(port: server.port))
            socket.send(
                "POST /replies/confirm HTTP/1.1\r\nHost: x\r\nx-api-key: \(TestServer.key)\r\n"
                    + "Content-Type: application/json\r\nContent-Length: \(Self.confirm.utf8.count)\r\n"
                    + "Expect: 100-continue\r\n\r\n")
            let interim = await socket.received(until: "\r\n\r\n", timeout: 30).text
            #expect(interim.hasPrefix("HTTP/1.1 100 Continue\r\n"))
            socket.send(Self.confirm)
            let final = await socket.received(until: "\"confirmed\":0", timeout: 30).text
            #expect(final.hasPrefix("HTTP/1.1 200 OK\r\n"))
        }
    }

    @Test func aReplyCannotSetItsOwnFraming() async throws {
        try await TestServer.with { server in
            let answer = try await server.webhook(
                "ch-sms", ["type": "mo", "from": "+447700900123", "text": "x", "replyContentLength": "999"])
            #expect(answer.status == 200)
            #expect(answer.text == "OK")
            #expect(answer.headers["content-length"] == "2")
        }
    }

    @Test func malformedRequestGets400AndTheConnectionCloses() async throws {
        try await TestServer.with { server in
            let socket = try #require(RawSocket(port: server.port))
            socket.send("NONSENSE\r\n\r\n")
            let (text, closed) = await socket.received(timeout: 5)
            #expect(text.hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
            #expect(closed)
        }
    }

    @Test func connectionCloseIsHonoured() async throws {
        try await TestServer.with { server in
            let socket = try #require(RawSocket(port: server.port))
            socket.send("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            let (text, closed) = await socket.received(timeout: 5)
            #expect(text.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(text.lowercased().contains("connection: close"))
            #expect(closed)
        }
    }

    @Test func idleConnectionsCloseButARequestInFlightIsNotCutOff() async throws {
        let path = try TestServer.temporaryDatabasePath()
        var configuration = TestServer.configuration(databasePath: path)
        configuration.idleTimeoutSeconds = 0.2
        let gateway = FakeGateway { _ in try? await Task.sleep(for: .milliseconds(600)) }
        let server = try await TestServer.start(gateway: gateway, databasePath: path, configuration: configuration)

        let idle = try #require(RawSocket(port: server.port))
        let (nothing, closed) = await idle.received(timeout: 3)
        #expect(nothing.isEmpty)
        #expect(closed)

        // The send waits 0.6 s at the carrier, three idle periods: the connection must stay open for its answer.
        let answer = try await server.send(["channelId": "ch-sms", "to": "+447700900123", "body": "slow"])
        #expect(answer.status == 200)
        await server.stop()
    }
}
