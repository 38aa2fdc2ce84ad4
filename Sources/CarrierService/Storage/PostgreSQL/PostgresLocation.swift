import Foundation
import PostgresNIO

/// Where a PostgreSQL database is: parsed from a `postgres://user:password@host:port/database?sslmode=...` URL.
///
/// The password never appears in a description or an error: URLs are logged and echoed as ``redacted``.
struct PostgresLocation: Sendable, Equatable {
    var host: String
    var port: Int
    var username: String
    var password: String?
    var database: String
    /// `disable`, `prefer` (the default: TLS when the server offers it) or `require`.
    var sslMode: String

    /// Whether `text` names a PostgreSQL database rather than an SQLite file.
    static func isURL(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// Parses a URL; throws ``ServiceError`` `invalid-database-url` naming what is wrong (never the password).
    init(url text: String) throws(ServiceError) {
        guard Self.isURL(text), let components = URLComponents(string: text) else {
            throw Self.invalid("expected postgres://user[:password]@host[:port]/database")
        }
        guard let host = components.host, !host.isEmpty else { throw Self.invalid("the URL names no host") }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else { throw Self.invalid("the URL names no database") }
        guard let user = components.user, !user.isEmpty else { throw Self.invalid("the URL names no user") }
        var sslMode = "prefer"
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let value = item.value, ["disable", "prefer", "require"].contains(value) else {
                    throw Self.invalid("sslmode must be disable, prefer or require")
                }
                sslMode = value
            default:
                throw Self.invalid("unknown URL parameter '\(item.name)' (only sslmode is known)")
            }
        }
        self.host = host
        self.port = components.port ?? 5432
        self.username = user.removingPercentEncoding ?? user
        self.password = components.password.map { $0.removingPercentEncoding ?? $0 }
        self.database = database.removingPercentEncoding ?? database
        self.sslMode = sslMode
    }

    /// The URL without its password, for logs and errors.
    var redacted: String {
        "postgres://\(username)\(password == nil ? "" : ":***")@\(host):\(port)/\(database)?sslmode=\(sslMode)"
    }

    /// The same server, another database (tests and `carrier db` create and drop throwaway ones).
    func database(_ name: String) -> PostgresLocation {
        var copy = self
        copy.database = name
        return copy
    }

    func clientConfiguration(maximumConnections: Int) -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS =
            switch sslMode {
            case "disable": .disable
            case "require": .require(.makeClientConfiguration())
            default: .prefer(.makeClientConfiguration())
            }
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: tls)
        configuration.options.maximumConnections = maximumConnections
        configuration.options.minimumConnections = 1
        configuration.options.connectTimeout = .seconds(5)
        return configuration
    }

    private static func invalid(_ reason: String) -> ServiceError {
        ServiceError(status: 400, code: "invalid-database-url", message: "database URL: \(reason)")
    }
}
