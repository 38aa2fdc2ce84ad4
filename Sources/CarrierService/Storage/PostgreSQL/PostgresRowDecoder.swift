import Foundation
import PostgresNIO

/// Decodes a ``SnakeCaseRecord`` (a Codable row type) from a PostgreSQL row, by snake_case column name, the way
/// GRDB decodes it from SQLite: scalars from their columns, lists and maps from JSON text.
struct PostgresRowDecoder: Decoder {
    let row: PostgresRandomAccessRow
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    /// Decodes every row of `rows` as `T`.
    static func decode<T: Decodable>(_ type: T.Type, _ rows: PostgresRowSequence) async throws -> [T] {
        var records: [T] = []
        for try await row in rows { records.append(try T(from: PostgresRowDecoder(row: row.makeRandomAccess()))) }
        return records
    }

    /// Decodes the first row of `rows` as `T`, or nil when there is none.
    static func first<T: Decodable>(_ type: T.Type, _ rows: PostgresRowSequence) async throws -> T? {
        for try await row in rows { return try T(from: PostgresRowDecoder(row: row.makeRandomAccess())) }
        return nil
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(Columns<Key>(row: row, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        throw DecodingError.typeMismatch(
            [Any].self, .init(codingPath: codingPath, debugDescription: "a row is decoded by column name"))
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        throw DecodingError.typeMismatch(
            Any.self, .init(codingPath: codingPath, debugDescription: "a row is decoded by column name"))
    }

    private struct Columns<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let row: PostgresRandomAccessRow
        var codingPath: [any CodingKey]
        var allKeys: [Key] {
            row.compactMap { Key(stringValue: ColumnNames.codingKey(forColumn: $0.columnName).stringValue) }
        }

        private func cell(_ key: Key) throws -> PostgresCell {
            let column = ColumnNames.column(for: key.stringValue)
            guard row.contains(column) else {
                throw DecodingError.keyNotFound(
                    key, .init(codingPath: codingPath, debugDescription: "no column \(column)"))
            }
            return row[column]
        }

        func contains(_ key: Key) -> Bool { row.contains(ColumnNames.column(for: key.stringValue)) }

        func decodeNil(forKey key: Key) throws -> Bool { try cell(key).bytes == nil }

        func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try cell(key).decode(Bool.self) }
        func decode(_ type: String.Type, forKey key: Key) throws -> String { try cell(key).decode(String.self) }
        func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try cell(key).decode(Double.self) }
        func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try cell(key).decode(Int.self) }
        func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try cell(key).decode(Int64.self) }

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            let cell = try cell(key)
            // Lists and maps are JSON text in their column, as GRDB writes them.
            let text = try cell.decode(String.self)
            return try JSONDecoder().decode(T.self, from: Data(text.utf8))
        }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
            -> KeyedDecodingContainer<NestedKey>
        {
            throw DecodingError.typeMismatch(
                type, .init(codingPath: codingPath + [key], debugDescription: "nested values are JSON text"))
        }

        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            throw DecodingError.typeMismatch(
                [Any].self, .init(codingPath: codingPath + [key], debugDescription: "nested values are JSON text"))
        }

        func superDecoder() throws -> any Decoder { PostgresRowDecoder(row: row, codingPath: codingPath) }
        func superDecoder(forKey key: Key) throws -> any Decoder {
            PostgresRowDecoder(row: row, codingPath: codingPath + [key])
        }
    }
}
