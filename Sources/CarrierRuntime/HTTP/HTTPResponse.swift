import CarrierCore

/// An HTTP response: what a carrier answered to a send, or the reply we give a carrier's webhook.
public struct HTTPResponse: Sendable, Hashable, Codable {
    public var status: Int
    public var headers: [HTTPHeader]
    public var body: [UInt8]

    public init(status: Int, headers: [HTTPHeader] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}
