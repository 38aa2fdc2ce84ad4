public import Foundation
import Synchronization

/// The compiled form of every carrier definition: the contract between the compiler and the runtime.
///
/// Serialized as JSON with sorted keys, so the same definitions always give the same bytes.
///
/// A table read with ``decode(_:)`` is opened lazily: loading scans the bytes once to find each adapter and its
/// id, and an adapter is decoded the first time it is asked for. A service with a catalog of a thousand carriers
/// and a handful of channels thus never pays for the rest. ``adapters`` decodes everything.
public struct AdapterTable: Sendable, Hashable, Codable {
    /// Bumped whenever the JSON shape changes incompatibly; a runtime refuses any other version.
    ///
    /// 2: a variant's `when` may be an object (`all`, `any`, `value` with `equals`/`in`), and templates may use the
    /// `utf16be` filter, neither of which a version 1 runtime reads.
    public static let currentFormatVersion = 2

    public let formatVersion: Int
    /// The adapter ids, sorted.
    public let ids: [String]
    private let store: AdapterStore

    public init(adapters: [Adapter]) {
        let sorted = adapters.sorted { $0.id < $1.id }
        formatVersion = AdapterTable.currentFormatVersion
        ids = sorted.map(\.id)
        store = AdapterStore(decoded: Dictionary(sorted.map { ($0.id, $0) }) { first, _ in first })
    }

    private init(formatVersion: Int, ids: [String], store: AdapterStore) {
        self.formatVersion = formatVersion
        self.ids = ids
        self.store = store
    }

    /// Every adapter, sorted by id (decodes any not decoded yet).
    public var adapters: [Adapter] { ids.compactMap(adapter) }

    /// Decodes every adapter now, so that a damaged table fails at start instead of on first use.
    @discardableResult
    public func decodeAll() throws(AdapterTableError) -> [Adapter] {
        var all: [Adapter] = []
        for id in ids { if let a = try loadAdapter(id) { all.append(a) } }
        return all
    }

    /// The adapter with this id, decoded on first use; nil when there is none.
    public func adapter(_ id: String) -> Adapter? {
        try? loadAdapter(id)
    }

    /// The adapter with this id; throws when its entry in a lazily opened table does not decode.
    public func loadAdapter(_ id: String) throws(AdapterTableError) -> Adapter? {
        try store.adapter(id)
    }

    // MARK: - Encoding

    enum CodingKeys: String, CodingKey { case formatVersion, adapters }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let version = try c.decode(Int.self, forKey: .formatVersion)
        var table = AdapterTable(adapters: try c.decode([Adapter].self, forKey: .adapters))
        table = AdapterTable(formatVersion: version, ids: table.ids, store: table.store)
        self = table
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(formatVersion, forKey: .formatVersion)
        try c.encode(adapters, forKey: .adapters)
    }

    public static func == (a: AdapterTable, b: AdapterTable) -> Bool {
        a.formatVersion == b.formatVersion && a.ids == b.ids && a.adapters == b.adapters
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(formatVersion)
        hasher.combine(ids)
    }

    /// Encodes the table as deterministic JSON (sorted keys, no escaped slashes, trailing newline).
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        var data = try encoder.encode(self)
        data.append(0x0A)
        return data
    }

    /// Opens a table, refusing an unknown `formatVersion` with ``AdapterTableError``.
    ///
    /// The bytes are scanned once (structure, `formatVersion`, each adapter's id and extent); adapters are decoded
    /// when first asked for.
    public static func decode(_ data: Data) throws(AdapterTableError) -> AdapterTable {
        let bytes = [UInt8](data)
        let index = try AdapterTableIndex.scan(bytes)
        guard let version = index.formatVersion else {
            throw AdapterTableError(code: "bad-adapter-table", message: "not an adapter table: no formatVersion")
        }
        guard version == currentFormatVersion else {
            throw AdapterTableError(
                code: "unsupported-format-version",
                message:
                    "adapter table formatVersion \(version) is not supported (this runtime reads version \(currentFormatVersion)); rebuild it with this version of `carrier build`"
            )
        }
        let ids = index.entries.map(\.id).sorted()
        let ranges = Dictionary(index.entries.map { ($0.id, $0.range) }) { first, _ in first }
        guard ranges.count == index.entries.count else {
            throw AdapterTableError(code: "bad-adapter-table", message: "adapter table has a duplicate adapter id")
        }
        return AdapterTable(formatVersion: version, ids: ids, store: AdapterStore(source: bytes, ranges: ranges))
    }
}

/// A table that cannot be loaded.
public struct AdapterTableError: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: String
    public var message: String

    public var description: String { "\(message) [\(code)]" }
}

/// The adapters of one table: decoded ones, and the raw bytes of those not decoded yet.
///
/// Shared by copies of the table (reference semantics); `decoded` is protected by its `Mutex`.
final class AdapterStore: Sendable {
    private let source: [UInt8]
    private let ranges: [String: Range<Int>]
    private let decoded: Mutex<[String: Adapter]>

    init(decoded: [String: Adapter]) {
        source = []
        ranges = [:]
        self.decoded = Mutex(decoded)
    }

    init(source: [UInt8], ranges: [String: Range<Int>]) {
        self.source = source
        self.ranges = ranges
        decoded = Mutex([:])
    }

    func adapter(_ id: String) throws(AdapterTableError) -> Adapter? {
        if let hit = decoded.withLock({ $0[id] }) { return hit }
        guard let range = ranges[id] else { return nil }
        let adapter: Adapter
        do {
            adapter = try JSONDecoder().decode(Adapter.self, from: Data(source[range]))
        } catch {
            throw AdapterTableError(code: "bad-adapter-table", message: "adapter '\(id)' does not decode: \(error)")
        }
        decoded.withLock { $0[id] = adapter }
        return adapter
    }
}
