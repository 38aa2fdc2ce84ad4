public import CarrierCore
public import CarrierRuntime
import Crypto
import Foundation
import Synchronization

/// A ``CarrierGateway`` whose adapter table can be replaced while the service runs (`SIGHUP`, `POST /admin/reload`).
///
/// Each call takes the table current when it starts and keeps it to the end: a send renders, goes out and is
/// classified by one table, a webhook is verified and normalized by one, even when a reload lands in between. A
/// table that does not load (a definition with errors) is refused and the current one keeps serving.
///
/// Each table gets its own transport from `makeTransport` (the outbound policy allows the hosts its definitions
/// name); the previous table's transport shuts down when the last call holding it returns.
public final class ReloadableGateway: CarrierGateway {
    /// Loads the table again: compiles the carriers directory or reads the table file.
    public typealias Loader = @Sendable () throws(TableLoadFailure) -> LoadedTable
    public typealias TransportFactory = @Sendable (AdapterTable) -> any HTTPTransport

    private let loader: Loader
    private let makeTransport: TransportFactory
    private let current: Mutex<Snapshot>
    /// One reload at a time (a signal and a request together).
    private let reloading = Mutex<Void>(())

    /// Loads the first table.
    /// - Throws: ``TableLoadFailure`` when it does not load.
    public init(loader: @escaping Loader, makeTransport: @escaping TransportFactory) throws(TableLoadFailure) {
        self.loader = loader
        self.makeTransport = makeTransport
        current = Mutex(Self.snapshot(try loader(), makeTransport: makeTransport))
    }

    private static func snapshot(_ loaded: LoadedTable, makeTransport: TransportFactory) -> Snapshot {
        let transport = makeTransport(loaded.table)
        return Snapshot(
            gateway: AdapterGateway(table: loaded.table, transport: transport),
            info: TableInfo(loaded, loadedAt: Date().timeIntervalSince1970))
    }

    /// The table serving now.
    public var info: TableInfo { current.withLock { $0.info } }

    /// Loads the table again and, when it loads, serves it from the next call on.
    /// - Returns: the new table's description.
    /// - Throws: ``TableLoadFailure`` (the current table stays).
    @discardableResult
    public func reload() throws(TableLoadFailure) -> TableInfo {
        try reloading.withLock { _ throws(TableLoadFailure) in
            let next = Self.snapshot(try loader(), makeTransport: makeTransport)
            current.withLock { $0 = next }
            return next.info
        }
    }

    private var gateway: AdapterGateway { current.withLock { $0.gateway } }

    public var carrierIds: [String] { info.carriers }

    public func secretSettings(carrier: String) -> Set<String> { gateway.secretSettings(carrier: carrier) }

    public func signsWebhooks(carrier: String, settings: [String: String]) -> Bool {
        gateway.signsWebhooks(carrier: carrier, settings: settings)
    }

    public func supportsTemplates(carrier: String) -> Bool { gateway.supportsTemplates(carrier: carrier) }

    public func segments(for body: String, carrier: String) -> Int { gateway.segments(for: body, carrier: carrier) }

    public func sendPolicy(carrier: String) -> CarrierSendPolicy { gateway.sendPolicy(carrier: carrier) }

    public func problems(of message: OutboundMessage, carrier: String) -> [MessageError] {
        gateway.problems(of: message, carrier: carrier)
    }

    public func channelProblems(carrier: String, channel: String, address: String, settings: [String: String])
        -> [MessageError]
    {
        gateway.channelProblems(carrier: carrier, channel: channel, address: address, settings: settings)
    }

    public func send(_ message: OutboundMessage, carrier: String, settings: [String: String]) async -> SendResult {
        let gateway = gateway
        return await gateway.send(message, carrier: carrier, settings: settings)
    }

    public func normalize(
        _ request: HTTPRequest, carrier: String, settings: [String: String], publicURL: String
    ) throws(InboundFailure) -> InboundResult {
        try gateway.normalize(request, carrier: carrier, settings: settings, publicURL: publicURL)
    }

    private struct Snapshot: Sendable {
        var gateway: AdapterGateway
        var info: TableInfo
    }
}

/// A table just loaded, with where it came from.
public struct LoadedTable: Sendable {
    public var table: AdapterTable
    /// `carriers/` or `adapters.json`, for `GET /admin/table`.
    public var source: String
    /// When the table was built: the compile time, or the file's modification time for a compiled file.
    public var builtAt: Double

    public init(table: AdapterTable, source: String, builtAt: Double) {
        self.table = table
        self.source = source
        self.builtAt = builtAt
    }
}

/// What `GET /admin/table` shows of the table serving now.
public struct TableInfo: Sendable, Codable, Equatable {
    /// The first 16 hex digits of the SHA-256 of the table's JSON: equal tables have equal versions.
    public var version: String
    public var formatVersion: Int
    public var carriers: [String]
    public var source: String
    public var builtAt: Double
    public var loadedAt: Double

    init(_ loaded: LoadedTable, loadedAt: Double) {
        let bytes = (try? loaded.table.encoded()) ?? Data()
        version = SHA256.hash(data: bytes).prefix(8).map { String(format: "%02x", $0) }.joined()
        formatVersion = loaded.table.formatVersion
        carriers = loaded.table.ids
        source = loaded.source
        builtAt = loaded.builtAt
        self.loadedAt = loadedAt
    }
}

/// Why a table did not load: the diagnostics, one line each (`file:line:col: error: ... [code]`).
public struct TableLoadFailure: Error, Sendable, Equatable {
    public var diagnostics: [String]

    public init(diagnostics: [String]) {
        self.diagnostics = diagnostics
    }
}
