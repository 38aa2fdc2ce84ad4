import CarrierCore
import CarrierRuntime
import CarrierService
import CarrierTestSupport
import Foundation
import Testing

/// Carriers that sign nothing get a token in their webhook URL; the service keeps that token sealed with the secrets
/// key, so the delivery-report URL it gives the carrier with each send carries it, and works.
@Suite(.timeLimit(.minutes(1)))
struct DeliveryReportURLTests {
    static let publicBase = "https://carrier.example.com"

    @Test func anUnsignedCarrierIsAskedForReportsAtItsTokenURL() async throws {
        let mock = try MockCarrierServer { _ in .json("0: Accepted for delivery", status: 202) }
        let path = try TestServer.temporaryDatabasePath()
        let inputs = [
            InputFile(
                path: "carriers/kannel/carrier.yaml",
                bytes: [UInt8](
                    try Data(contentsOf: repositoryRoot.appendingPathComponent("carriers/kannel/carrier.yaml"))))
        ]
        let table = try #require(compileAdapterTable(inputs).table)
        let configuration = ServiceConfiguration(
            host: "127.0.0.1", port: 0, databasePath: path, publicBaseURL: Self.publicBase,
            apiKeys: ["literal:" + TestServer.key: .init(account: "acct-1", scopes: ["messaging", "admin"])],
            secretsKey: "literal:" + TestServer.secretsKey, carrierHosts: ["127.0.0.1"],
            allowPrivateCarrierTargets: true)
        try await TestServer.running(
            gateway: AdapterGateway(table: table, transport: try CurlTransport()), databasePath: path,
            configuration: configuration
        ) { server in
            let created = try await server.call(
                "POST", "/channels",
                json: [
                    "id": "kn1", "channel": "sms", "provider": "kannel", "address": "+15550000001",
                    "settings": ["send_url": mock.baseURL + "/cgi-bin/sendsms", "username": "u", "password": "pw-123"],
                ])
            #expect(created.status == 201, "\(created.text)")
            let token = try #require(created.json["inboundToken"] as? String)

            let sent = try await server.send(["channelId": "kn1", "to": "+15551230000", "body": "report me"])
            #expect(sent.status == 200, "\(sent.text)")
            let request = try #require(mock.requests.first)
            let query = URLComponents(string: "http://x" + request.path)?.queryItems ?? []
            let reportURL = try #require(query.first { $0.name == "dlr-url" }?.value)
            #expect(
                reportURL.hasPrefix("\(Self.publicBase)/inbound/acct-1/kn1/\(token)?"),
                "the carrier gets the channel's full webhook URL, token included: \(reportURL)")

            // That URL is accepted: the carrier's report marks the message delivered.
            let id = try #require(sent.json["messageId"] as? String)
            let local = String(reportURL.dropFirst(Self.publicBase.count)).replacingOccurrences(of: "%d", with: "1")
            let report = try await server.call("GET", local, apiKey: nil)
            #expect(report.status == 200, "\(report.text)")
            try await server.waitForMessage(id) { $0["status"] as? String == "delivered" }
            // A wrong token is still refused.
            let forged = local.replacingOccurrences(of: token, with: String(repeating: "x", count: token.count))
            #expect(try await server.call("GET", forged, apiKey: nil).status == 401)
        }
    }
}
