import GRDB
import GRDBSQLite

/// A GRDB-prepared statement driven through SQLite's C API: values bound one by one, no `StatementArguments`.
///
/// Only for the few statements every webhook and send runs inside the writer's transaction, where building
/// GRDB's argument arrays and value boxes cost about as much as SQLite's own work. The statement comes from GRDB's
/// per-connection cache (so schema changes still invalidate it) and is reset after each use.
struct DirectStatement {
    private let handle: OpaquePointer
    private var index: Int32 = 0

    /// The cached statement for `sql` on `db`, ready for binding from the first parameter.
    init(_ db: Database, sql: String) throws {
        handle = try db.cachedStatement(sql: sql).sqliteStatement
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    /// Binds the next parameter.
    mutating func bind(_ value: String?) {
        index += 1
        guard var text = value else {
            sqlite3_bind_null(handle, index)
            return
        }
        let (handle, index) = (handle, index)
        text.withUTF8 { text in
            _ = text.withMemoryRebound(to: CChar.self) {
                sqlite3_bind_text(handle, index, $0.baseAddress, Int32($0.count), Self.transient)
            }
        }
    }

    mutating func bind(_ value: Double?) {
        index += 1
        if let value { sqlite3_bind_double(handle, index, value) } else { sqlite3_bind_null(handle, index) }
    }

    mutating func bind(_ value: Int?) {
        index += 1
        if let value { sqlite3_bind_int64(handle, index, Int64(value)) } else { sqlite3_bind_null(handle, index) }
    }

    /// Runs the statement to its first row. Returns false when it produced none.
    /// - Throws: `DatabaseError` with SQLite's code and message.
    func step() throws -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let code:
            let message = String(cString: sqlite3_errmsg(sqlite3_db_handle(handle)))
            sqlite3_reset(handle)
            throw DatabaseError(
                resultCode: ResultCode(rawValue: code), message: message, sql: String(cString: sqlite3_sql(handle)))
        }
    }

    /// Runs a statement that returns no rows (insert, update) and resets it.
    func execute() throws {
        _ = try step()
        reset()
    }

    /// Runs a query and resets it. Returns whether it produced a row (an existence check).
    func hasRow() throws -> Bool {
        defer { reset() }
        return try step()
    }

    /// Column `column` of the current row as text.
    func text(_ column: Int32) -> String? {
        guard let bytes = sqlite3_column_text(handle, column) else { return nil }
        // By length, not up to the first NUL: a body may hold U+0000.
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    /// Column `column` of the current row as a number (0 when NULL).
    func double(_ column: Int32) -> Double {
        sqlite3_column_double(handle, column)
    }

    /// Column `column` of the current row as a number, nil when NULL.
    func optionalDouble(_ column: Int32) -> Double? {
        sqlite3_column_type(handle, column) == SQLITE_NULL ? nil : sqlite3_column_double(handle, column)
    }

    /// Column `column` of the current row as an integer, nil when NULL.
    func int(_ column: Int32) -> Int? {
        sqlite3_column_type(handle, column) == SQLITE_NULL ? nil : Int(sqlite3_column_int64(handle, column))
    }

    /// Finishes this use of the statement (the cache keeps it prepared for the next one).
    func reset() {
        sqlite3_reset(handle)
    }

    /// SQLite copies the bound bytes (they live only during the `withUTF8` call).
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}
