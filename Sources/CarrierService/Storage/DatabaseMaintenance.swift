import Foundation
import GRDB
public import Logging
import PostgresNIO

/// `carrier db`: migrating a database without serving, and moving an SQLite database to PostgreSQL.
public enum DatabaseMaintenance {
    /// Whether `database` is a PostgreSQL URL (else an SQLite file path).
    public static func isPostgresURL(_ database: String) -> Bool { PostgresLocation.isURL(database) }

    /// The database as it may be printed: a URL without its password, or the path.
    public static func describe(_ database: String) -> String {
        (try? PostgresLocation(url: database))?.redacted ?? database
    }

    /// Runs the migrations `database` lacks (a postgres:// URL or an SQLite path).
    /// - Returns: the identifiers of the migrations applied now.
    public static func migrate(database: String, logger: Logger) async throws -> [String] {
        do {
            return try await migrateOrThrow(database: database, logger: logger)
        } catch let error as ServiceError {
            throw DatabaseMaintenanceError.database(error.message)
        }
    }

    private static func migrateOrThrow(database: String, logger: Logger) async throws -> [String] {
        if isPostgresURL(database) {
            let postgres = try await PostgresServiceDatabase.open(url: database, migrate: false, logger: logger)
            defer { postgres.close() }
            return try await PostgresSchema.migrate(postgres)
        }
        let before = try appliedSQLiteMigrations(path: database)
        let pool = try ServiceDatabase.open(path: database)
        let after = try await pool.read { db in try ServiceDatabase.migrator.appliedIdentifiers(db) }
        try pool.close()
        // In the order they ran (the identifiers do not sort that way: `v10-...` before `v2-...`).
        return ServiceDatabase.migrator.migrations.filter { after.contains($0) && !before.contains($0) }
    }

    private static func appliedSQLiteMigrations(path: String) throws -> Set<String> {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        return try queue.read { db in try ServiceDatabase.migrator.appliedIdentifiers(db) }
    }

    /// Copies every row of the SQLite database at `path` (migrated first) into the PostgreSQL database at `url`
    /// (migrated first), in one transaction: all rows or none. The target must hold no data yet.
    /// - Returns: the rows copied per table, in copy order.
    /// - Throws: ``DatabaseMaintenanceError`` when the target is not empty, and database errors.
    public static func copy(fromSQLite path: String, toPostgres url: String, logger: Logger) async throws
        -> [(table: String, rows: Int)]
    {
        do {
            return try await copyOrThrow(fromSQLite: path, toPostgres: url, logger: logger)
        } catch let error as ServiceError {
            throw DatabaseMaintenanceError.database(error.message)
        }
    }

    private static func copyOrThrow(fromSQLite path: String, toPostgres url: String, logger: Logger) async throws
        -> [(table: String, rows: Int)]
    {
        guard FileManager.default.fileExists(atPath: path) else { throw DatabaseMaintenanceError.noSource(path) }
        let source = try ServiceDatabase.open(path: path)
        defer { try? source.close() }
        let target = try await PostgresServiceDatabase.open(url: url, logger: logger)
        defer { target.close() }
        return try await target.transaction { connection in
            for table in PostgresSchema.tables {
                let rows = try await connection.query(
                    PostgresQuery(unsafeSQL: "SELECT 1 FROM \(table) LIMIT 1"), logger: logger)
                for try await _ in rows { throw DatabaseMaintenanceError.targetNotEmpty(table) }
            }
            var copied: [(table: String, rows: Int)] = []
            for table in PostgresSchema.tables {
                let types = try await columnTypes(table, connection, logger: logger)
                let rows = try source.read { db in try Row.fetchAll(db, sql: "SELECT * FROM \(table)") }
                for row in rows {
                    var columns: [String] = []
                    var bindings = PostgresBindings()
                    for column in row.columnNames {
                        guard let type = types[column] else { throw DatabaseMaintenanceError.unknownColumn(table, column) }
                        columns.append(column)
                        try bind(row[column], type: type, into: &bindings)
                    }
                    let placeholders = (1...columns.count).map { "$\($0)" }.joined(separator: ", ")
                    try await connection.query(
                        PostgresQuery(
                            unsafeSQL:
                                "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES (\(placeholders))",
                            binds: bindings), logger: logger)
                }
                if types["id"] == "bigint", !rows.isEmpty {
                    // Serial ids continue after the copied ones.
                    try await connection.query(
                        PostgresQuery(
                            unsafeSQL:
                                "SELECT setval(pg_get_serial_sequence('\(table)', 'id'), (SELECT max(id) FROM \(table)))"
                        ), logger: logger)
                }
                copied.append((table, rows.count))
            }
            return copied
        }
    }

    /// The PostgreSQL type of each column of `table` (`text`, `double precision`, `bigint`, `boolean`).
    private static func columnTypes(_ table: String, _ connection: PostgresConnection, logger: Logger) async throws
        -> [String: String]
    {
        var types: [String: String] = [:]
        let rows = try await connection.query(
            "SELECT column_name::text, data_type::text FROM information_schema.columns WHERE table_name = \(table)",
            logger: logger)
        for try await (column, type) in rows.decode((String, String).self) { types[column] = type }
        return types
    }

    /// Binds an SQLite value as the target column's type (SQLite keeps booleans as 0 and 1).
    private static func bind(_ value: DatabaseValue, type: String, into bindings: inout PostgresBindings) throws {
        if value.isNull {
            bindings.appendNull()
            return
        }
        switch type {
        case "boolean":
            bindings.append((Int64.fromDatabaseValue(value) ?? 0) != 0)
        case "bigint":
            guard let number = Int64.fromDatabaseValue(value) else { throw DatabaseMaintenanceError.badValue(type) }
            bindings.append(Int(number))
        case "double precision":
            guard let number = Double.fromDatabaseValue(value) else { throw DatabaseMaintenanceError.badValue(type) }
            bindings.append(number)
        default:
            guard let text = String.fromDatabaseValue(value) else { throw DatabaseMaintenanceError.badValue(type) }
            bindings.append(text)
        }
    }
}

/// Why `carrier db` failed.
public enum DatabaseMaintenanceError: Error, CustomStringConvertible {
    case noSource(String)
    case targetNotEmpty(String)
    case unknownColumn(String, String)
    case badValue(String)
    case database(String)

    public var description: String {
        switch self {
        case .noSource(let path): "no SQLite database at \(path)"
        case .targetNotEmpty(let table):
            "the target database already holds data (table \(table)); copy into an empty database"
        case .unknownColumn(let table, let column): "the target has no column \(table).\(column)"
        case .badValue(let type): "a value that is not a \(type)"
        case .database(let message): message
        }
    }
}
