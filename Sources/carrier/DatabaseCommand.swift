import ArgumentParser
import CarrierService
import Foundation
import Logging

/// `carrier db`: database maintenance without serving.
struct DatabaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Migrate a database, or move an SQLite database to PostgreSQL.",
        subcommands: [MigrateCommand.self, CopyCommand.self])

    struct MigrateCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "migrate",
            abstract: "Apply the migrations a database lacks, without serving (exit 0 also when there were none).",
            discussion: "Exit codes: 0 migrated (or already current), 1 the database cannot be opened or migrated.")

        @Option(
            name: .long,
            help: ArgumentHelp(
                "An SQLite file, or postgres://user[:password]@host[:port]/database[?sslmode=...].",
                valueName: "file-or-url"))
        var database: String

        func run() async throws {
            do {
                let applied = try await DatabaseMaintenance.migrate(database: database, logger: quietLogger())
                let name = DatabaseMaintenance.describe(database)
                print(
                    applied.isEmpty
                        ? "\(name): already current"
                        : "\(name): applied \(applied.joined(separator: ", "))")
            } catch {
                FileHandle.standardError.write(Data("carrier db migrate: error: \(error)\n".utf8))
                throw ExitCode.failure
            }
        }
    }

    struct CopyCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "copy",
            abstract: "Copy every row of an SQLite database into an empty PostgreSQL database (one transaction).",
            discussion: """
                Stop the service first: rows written during the copy are not copied. The target is migrated first and
                must hold no data. Exit codes: 0 copied, 1 a database error or a target that is not empty, 64 bad
                arguments.
                """)

        @Option(name: .long, help: ArgumentHelp("The SQLite file.", valueName: "file"))
        var from: String

        @Option(name: .long, help: ArgumentHelp("The PostgreSQL URL.", valueName: "url"))
        var to: String

        func validate() throws {
            if DatabaseMaintenance.isPostgresURL(from) { throw ValidationError("--from is an SQLite file") }
            if !DatabaseMaintenance.isPostgresURL(to) { throw ValidationError("--to is a postgres:// URL") }
        }

        func run() async throws {
            do {
                let copied = try await DatabaseMaintenance.copy(
                    fromSQLite: from, toPostgres: to, logger: quietLogger())
                for (table, rows) in copied where rows > 0 { print("\(table): \(rows) rows") }
                let total = copied.reduce(0) { $0 + $1.rows }
                print("copied \(total) rows from \(from) to \(DatabaseMaintenance.describe(to))")
            } catch {
                FileHandle.standardError.write(Data("carrier db copy: error: \(error)\n".utf8))
                throw ExitCode.failure
            }
        }
    }
}

private func quietLogger() -> Logger {
    var logger = Logger(label: "carrier.db")
    logger.logLevel = .warning
    return logger
}
