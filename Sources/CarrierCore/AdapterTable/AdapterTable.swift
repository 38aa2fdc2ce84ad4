public import Foundation

/// The compiled form of every carrier definition: the contract between the compiler and the runtime.
///
/// Serialized as JSON with sorted keys, so the same definitions always give the same bytes.
public struct AdapterTable: Sendable, Hashable, Codable {
    /// Bumped whenever the JSON shape changes incompatibly; a runtime refuses any other version.
    public static let currentFormatVersion = 1

    public var formatVersion: Int
    /// Sorted by id.
    public var adapters: [Adapter]

    public init(adapters: [Adapter]) {
        self.formatVersion = AdapterTable.currentFormatVersion
        self.adapters = adapters.sorted { $0.id < $1.id }
    }

    /// The adapter with this id.
    public func adapter(_ id: String) -> Adapter? {
        adapters.first { $0.id == id }
    }

    /// Encodes the table as deterministic JSON (sorted keys, no escaped slashes, trailing newline).
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        var data = try encoder.encode(self)
        data.append(0x0A)
        return data
    }

    /// Decodes a table, refusing an unknown `formatVersion` with ``AdapterTableError``.
    public static func decode(_ data: Data) throws(AdapterTableError) -> AdapterTable {
        struct VersionProbe: Decodable { var formatVersion: Int? }
        let probe: VersionProbe
        do {
            probe = try JSONDecoder().decode(VersionProbe.self, from: data)
        } catch {
            throw AdapterTableError(code: "bad-adapter-table", message: "not an adapter table: \(error)")
        }
        guard let version = probe.formatVersion else {
            throw AdapterTableError(code: "bad-adapter-table", message: "not an adapter table: no formatVersion")
        }
        guard version == currentFormatVersion else {
            throw AdapterTableError(
                code: "unsupported-format-version",
                message:
                    "adapter table formatVersion \(version) is not supported (this runtime reads version \(currentFormatVersion)); rebuild it with this version of `carrier build`"
            )
        }
        do {
            return try JSONDecoder().decode(AdapterTable.self, from: data)
        } catch {
            throw AdapterTableError(code: "bad-adapter-table", message: "adapter table does not decode: \(error)")
        }
    }
}

/// A table that cannot be loaded.
public struct AdapterTableError: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: String
    public var message: String

    public var description: String { "\(message) [\(code)]" }
}
