import CarrierTestSupport
import Foundation
import Testing

/// `carrier inbound` on a recorded request, through the built binary and the bundled Sinch definition.
@Suite struct InboundCommandTests {
    func write(_ request: String) throws -> URL {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("req-\(UUID().uuidString).json")
        try request.write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    @Test func printsOneEventPerLine() async throws {
        let body =
            #"{\"id\":\"m1\",\"from\":\"12067799294\",\"to\":\"18444651185\",\"body\":\"STOP\",\"type\":\"mo_text\",\"received_at\":\"2016-03-30T19:33:06Z\"}"#
        let file = try write(
            #"{"method": "POST", "url": "/in", "headers": {"Content-Type": "application/json"}, "body": "\#(body)"}"#)
        let run = try await CLI.run(["inbound", "--carrier", "sinch", "--request", file.path])
        #expect(run.status == 0, "\(run.stderr)")
        let event = try #require(
            try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(event["type"] as? String == "message.received")
        let data = try #require(event["data"] as? [String: Any])
        #expect(data["from"] as? String == "+12067799294")
        #expect(data["optOut"] as? String == "stop")
        #expect(data["timestamp"] as? String == "2016-03-30T19:33:06Z")
    }

    @Test func aRejectedRequestIsExit1WithItsCode() async throws {
        let file = try write(
            #"{"method": "POST", "url": "/in", "headers": {"Content-Type": "application/json"}, "body": "{\"type\":"}"#)
        let run = try await CLI.run(["inbound", "--carrier", "sinch", "--request", file.path])
        #expect(run.status == 1)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.contains("[bad-json]"))
        #expect(run.stderr.contains("HTTP 400"))
    }
}
