import Foundation
import PostgresNIO

/// Encodes a ``SnakeCaseRecord`` as the columns and bound values of one PostgreSQL row, the way GRDB writes it to
/// SQLite: scalars as themselves, lists and maps as JSON text, nil as NULL.
struct PostgresRowEncoder {
    /// Column names in the record's order.
    private(set) var columns: [String] = []
    private(set) var bindings = PostgresBindings()

    init<T: Encodable>(_ record: T) throws {
        let sink = Sink()
        try record.encode(to: RowEncoder(sink: sink))
        columns = sink.columns
        bindings = sink.bindings
    }

    /// `INSERT INTO table (columns) VALUES ($1, ...)`, plus `suffix` (an ON CONFLICT clause, RETURNING, ...).
    static func insert<T: Encodable>(_ record: T, into table: String, suffix: String = "") throws -> PostgresQuery {
        let row = try PostgresRowEncoder(record)
        let placeholders = (1...row.columns.count).map { "$\($0)" }.joined(separator: ", ")
        return PostgresQuery(
            unsafeSQL: "INSERT INTO \(table) (\(row.columns.joined(separator: ", "))) VALUES (\(placeholders)) \(suffix)",
            binds: row.bindings)
    }

    /// `INSERT ... ON CONFLICT (conflict) DO UPDATE SET` every column but the conflict's and `keeping`'s.
    static func upsert<T: Encodable>(
        _ record: T, into table: String, conflict: [String], keeping: [String] = [], suffix: String = ""
    ) throws -> PostgresQuery {
        let row = try PostgresRowEncoder(record)
        let sets = row.columns.filter { !conflict.contains($0) && !keeping.contains($0) }
            .map { "\($0) = EXCLUDED.\($0)" }
        let placeholders = (1...row.columns.count).map { "$\($0)" }.joined(separator: ", ")
        return PostgresQuery(
            unsafeSQL: """
                INSERT INTO \(table) (\(row.columns.joined(separator: ", "))) VALUES (\(placeholders))
                ON CONFLICT (\(conflict.joined(separator: ", "))) DO UPDATE SET \(sets.joined(separator: ", ")) \(suffix)
                """, binds: row.bindings)
    }

    /// `UPDATE table SET every column but the keys WHERE the keys match`.
    static func update<T: Encodable>(_ record: T, in table: String, keys: [String]) throws -> PostgresQuery {
        let row = try PostgresRowEncoder(record)
        var sets: [String] = []
        var conditions: [String] = []
        for (index, column) in row.columns.enumerated() {
            if keys.contains(column) {
                conditions.append("\(column) = $\(index + 1)")
            } else {
                sets.append("\(column) = $\(index + 1)")
            }
        }
        return PostgresQuery(
            unsafeSQL: "UPDATE \(table) SET \(sets.joined(separator: ", ")) WHERE \(conditions.joined(separator: " AND "))",
            binds: row.bindings)
    }

    private final class Sink {
        var columns: [String] = []
        var bindings = PostgresBindings()
    }

    private struct RowEncoder: Encoder {
        let sink: Sink
        var codingPath: [any CodingKey] = []
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            KeyedEncodingContainer(Columns<Key>(sink: sink))
        }

        func unkeyedContainer() -> any UnkeyedEncodingContainer {
            preconditionFailure("a record is encoded by column name")
        }

        func singleValueContainer() -> any SingleValueEncodingContainer {
            preconditionFailure("a record is encoded by column name")
        }
    }

    private struct Columns<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let sink: Sink
        var codingPath: [any CodingKey] { [] }

        private func column(_ key: Key) { sink.columns.append(ColumnNames.column(for: key.stringValue)) }

        mutating func encodeNil(forKey key: Key) throws {
            column(key)
            sink.bindings.appendNull()
        }
        mutating func encode(_ value: Bool, forKey key: Key) throws {
            column(key)
            sink.bindings.append(value)
        }
        mutating func encode(_ value: String, forKey key: Key) throws {
            column(key)
            sink.bindings.append(value)
        }
        mutating func encode(_ value: Double, forKey key: Key) throws {
            column(key)
            sink.bindings.append(value)
        }
        mutating func encode(_ value: Int, forKey key: Key) throws {
            column(key)
            sink.bindings.append(value)
        }
        mutating func encode(_ value: Int64, forKey key: Key) throws {
            column(key)
            sink.bindings.append(value)
        }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            column(key)
            let encoder = JSONEncoder()
            // The text GRDB writes for SQLite: keys sorted, slashes as they are (media URLs stay readable).
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            sink.bindings.append(String(decoding: try encoder.encode(value), as: UTF8.self))
        }
        // Optionals write NULL rather than leaving the column out, so an UPDATE clears it.
        mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws {
            if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
        }
        mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws {
            if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
        }
        mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws {
            if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
        }
        mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws {
            if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
        }
        mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws {
            if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
        }
        mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
            if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
            -> KeyedEncodingContainer<NestedKey>
        {
            preconditionFailure("nested values are encoded as JSON text")
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            preconditionFailure("nested values are encoded as JSON text")
        }
        mutating func superEncoder() -> any Encoder { RowEncoder(sink: sink) }
        mutating func superEncoder(forKey key: Key) -> any Encoder { RowEncoder(sink: sink) }
    }
}
