import ArgumentParser
import CarrierCore
import CarrierRuntime
import CarrierService
import Foundation
import Logging

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the messaging service: send, inbound webhooks, opt-outs, conversations, delivery status.",
        discussion: """
            With no flags: compiles ./carriers, opens ./carrier.sqlite, and listens on 127.0.0.1:8080. --database
            postgres://... (or databaseURL) runs on PostgreSQL instead, shared by any number of instances.
            A JSON config file (--config) holds host, port, databasePath or databaseURL, publicBaseURL, apiKeys, secretsKey, channels,
            carrierHosts and the limits; flags override it. Stops gracefully on SIGINT/SIGTERM.

            Unknown keys are errors; every key can be set by a CARRIER_SERVE_* environment variable (see README).
            SIGHUP reloads the carriers (a table with errors is refused and the old one keeps serving).

            Exit codes: 0 stopped cleanly (or --check-config passed), 1 start-up failure (bad definitions, database,
            port in use), 64 bad command line or configuration.
            """)

    @Option(name: .long, help: ArgumentHelp("JSON configuration file.", valueName: "file"))
    var config: String?

    @Option(name: .long, help: "Address to listen on.")
    var host: String?

    @Option(name: .long, help: "Port to listen on (0 picks a free one).")
    var port: Int?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "SQLite database file, or a postgres:// URL shared by several instances.", valueName: "file-or-url"))
    var database: String?

    @Option(name: .long, help: ArgumentHelp("Directory of carrier definitions to compile at start.", valueName: "dir"))
    var carriers: String = "carriers"

    @Option(
        name: .long, help: ArgumentHelp("A compiled adapter table to load instead of --carriers.", valueName: "file"))
    var table: String?

    @Option(name: .customLong("public-url"), help: "Base URL carriers call (used to check webhook signatures).")
    var publicURL: String?

    @Option(
        name: .customLong("api-key"),
        help: ArgumentHelp(
            "An API key with messaging and admin scopes on account 'default'; env:NAME reads it from the environment.",
            valueName: "key"))
    var apiKeys: [String] = []

    @Option(
        name: .customLong("secrets-key"),
        help: ArgumentHelp(
            "The key that encrypts secret channel settings given through the API (64 hex digits or base64 of 32 bytes), as env:NAME, file:/path or literal:value.",
            valueName: "reference"))
    var secretsKey: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info (one line per request), notice, warning, error.")
    var logLevel: String = "info"

    @Option(name: .customLong("log-format"), help: "text (one line per record) or json (one JSON object per line).")
    var logFormat: String = "text"

    @Flag(
        name: .customLong("check-config"),
        help: "Validate the configuration (file, environment, flags) and the carriers, then exit without serving.")
    var checkConfig = false

    func validate() throws {
        if Logger.Level(rawValue: logLevel) == nil { throw ValidationError("unknown --log-level '\(logLevel)'") }
        if !["text", "json"].contains(logFormat) { throw ValidationError("unknown --log-format '\(logFormat)'") }
    }

    func run() async throws {
        let configuration = try loadConfiguration()
        let transportConfiguration = configuration
        let gateway: ReloadableGateway
        do {
            gateway = try ReloadableGateway(loader: makeLoader()) { table in
                CurlTransport(
                    maxInFlight: transportConfiguration.carrierConcurrency,
                    maxConnections: transportConfiguration.carrierConcurrency,
                    policy: .service(table: table, configuration: transportConfiguration))
            }
        } catch {
            FileHandle.standardError.write(Data(error.diagnostics.map { $0 + "\n" }.joined().utf8))
            throw ExitCode.failure
        }
        // Configured channels are checked against their definitions (exit 64, every problem named).
        let channelProblems = configuration.channelProblems(gateway: gateway)
        if !channelProblems.isEmpty {
            throw ValidationError("invalid channels: " + channelProblems.joined(separator: "; "))
        }
        if checkConfig {
            let info = gateway.info
            print(
                "configuration OK: \(info.carriers.count) carriers (table \(info.version)), listening would be on "
                    + "\(configuration.host):\(configuration.port), database \(configuration.databaseDescription)")
            return
        }
        MemoryTuning.applyForServers()
        let json = logFormat == "json"
        LoggingSystem.bootstrap { label -> any LogHandler in
            LineLogHandler(label: label, format: json ? .json : .text)
        }
        var logger = Logger(label: "carrier.serve")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        if configuration.apiKeys.isEmpty {
            logger.warning(
                "no API keys configured: the API answers 401 until you pass --api-key or a config file with apiKeys")
        }
        let service = MessagingService(
            configuration: configuration, gateway: gateway, logger: logger, structuredLog: json)
        let host = configuration.host
        let carriers = gateway.info.carriers.count
        let database = configuration.databaseDescription
        defer { LogSink.standardError.flush() }
        try await service.runWithSignals { port in
            FileHandle.standardOutput.write(
                Data(
                    "carrier serve listening on http://\(host):\(port) (\(carriers) carriers, database \(database))\n"
                        .utf8))
        }
    }

    /// The file, then `CARRIER_SERVE_*` variables, then flags; any problem is printed and exits 64.
    private func loadConfiguration() throws -> ServiceConfiguration {
        var file: Data?
        if let config {
            guard let data = FileManager.default.contents(atPath: config) else {
                throw ValidationError("cannot read \(config)")
            }
            file = data
        }
        var configuration: ServiceConfiguration
        do {
            configuration = try ConfigurationLoader.load(
                file: file, path: config ?? "configuration", environment: ProcessInfo.processInfo.environment)
        } catch {
            FileHandle.standardError.write(Data(error.problems.map { $0 + "\n" }.joined().utf8))
            throw ExitCode(64)
        }
        if let host { configuration.host = host }
        if let port { configuration.port = port }
        if let database {
            if DatabaseMaintenance.isPostgresURL(database) {
                configuration.databaseURL = database
            } else {
                configuration.databasePath = database
            }
        }
        if let publicURL { configuration.publicBaseURL = publicURL }
        if let secretsKey { configuration.secretsKey = secretsKey }
        for key in apiKeys {
            configuration.apiKeys[key] = .init(account: "default", scopes: ["messaging", "admin"])
        }
        if !configuration.problems.isEmpty {
            let lines = configuration.problems.map { "command line: error: \($0) [invalid-value]\n" }
            FileHandle.standardError.write(Data(lines.joined().utf8))
            throw ExitCode(64)
        }
        return configuration
    }

    /// Loads the table the way it was given: the compiled file again, or the carriers directory compiled again.
    private func makeLoader() -> ReloadableGateway.Loader {
        let tablePath = table
        let carriers = carriers
        return { () throws(TableLoadFailure) -> LoadedTable in
            if let tablePath {
                guard let data = FileManager.default.contents(atPath: tablePath) else {
                    throw TableLoadFailure(diagnostics: ["\(tablePath): error: cannot read the table"])
                }
                do {
                    let table = try AdapterTable.decode(data)
                    _ = try table.decodeAll()
                    let modified =
                        (try? FileManager.default.attributesOfItem(atPath: tablePath)[.modificationDate])
                        as? Date
                    return LoadedTable(
                        table: table, source: tablePath,
                        builtAt: (modified ?? Date()).timeIntervalSince1970)
                } catch {
                    throw TableLoadFailure(diagnostics: ["\(tablePath): error: \(error)"])
                }
            }
            let files: [InputFile]
            do { files = try InputCollector.collect([carriers]) } catch {
                throw TableLoadFailure(diagnostics: ["\(carriers): error: \(error)"])
            }
            let result = compileAdapterTable(files)
            let errors = result.diagnostics.filter { $0.severity == .error }
            guard let table = result.table, errors.isEmpty else {
                throw TableLoadFailure(diagnostics: errors.map { $0.rendered(source: nil) })
            }
            return LoadedTable(table: table, source: carriers, builtAt: Date().timeIntervalSince1970)
        }
    }
}
