/// One decoded fixture file: shared settings and its cases.
public struct FixtureFile: Sendable, Hashable {
    public var path: String
    /// The carrier the cases test: the file's `carrier`, or the directory's carrier id.
    public var carrier: String
    public var settings: [String: String]
    public var publicBaseUrl: String?
    public var cases: [FixtureCase]
}

/// One fixture case: input and expectation, with where it was written.
public struct FixtureCase: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case outbound, response, inbound
    }

    public var name: String
    public var source: String?
    public var kind: Kind
    /// The file's settings with the case's own merged over them.
    public var settings: [String: String]
    /// `file:line:col` of the case.
    public var origin: String
    /// outbound: the canonical message.
    public var message: PayloadValue?
    /// response: the carrier's answer; inbound: the recorded request.
    public var http: HTTPExchange?
    /// inbound: the clock, in epoch seconds.
    public var now: Int?
    public var expect: [String: PayloadValue]

    /// A recorded HTTP request or response.
    public struct HTTPExchange: Sendable, Hashable {
        public var method: String?
        public var url: String?
        public var status: Int?
        public var headers: [(name: String, value: String)]
        public var body: String

        public static func == (a: Self, b: Self) -> Bool {
            a.method == b.method && a.url == b.url && a.status == b.status && a.body == b.body
                && a.headers.map(\.name) == b.headers.map(\.name) && a.headers.map(\.value) == b.headers.map(\.value)
        }

        public func hash(into h: inout Hasher) {
            h.combine(method)
            h.combine(url)
            h.combine(status)
            h.combine(body)
        }
    }
}
