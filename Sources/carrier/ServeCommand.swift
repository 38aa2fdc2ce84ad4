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
            With no flags: compiles ./carriers, opens ./carrier.sqlite, and listens on 127.0.0.1:8080.
            A JSON config file (--config) holds host, port, databasePath, publicBaseURL, apiKeys, secretsKey, channels,
            carrierHosts and the limits; flags override it. Stops gracefully on SIGINT/SIGTERM.

            Exit codes: 0 stopped cleanly, 1 start-up failure (bad definitions, database, port in use), 64 bad command line.
            """)

    @Option(name: .long, help: ArgumentHelp("JSON configuration file.", valueName: "file"))
    var config: String?

    @Option(name: .long, help: "Address to listen on.")
    var host: String?

    @Option(name: .long, help: "Port to listen on (0 picks a free one).")
    var port: Int?

    @Option(name: .long, help: ArgumentHelp("SQLite database file.", valueName: "file"))
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

    func validate() throws {
        if Logger.Level(rawValue: logLevel) == nil { throw ValidationError("unknown --log-level '\(logLevel)'") }
    }

    func run() async throws {
        MemoryTuning.applyForServers()
        var configuration = ServiceConfiguration()
        if let config {
            guard let data = FileManager.default.contents(atPath: config) else {
                throw ValidationError("cannot read \(config)")
            }
            do { configuration = try JSONDecoder().decode(ServiceConfiguration.self, from: data) } catch {
                throw ValidationError("\(config) is not a valid configuration: \(error)")
            }
        }
        if let host { configuration.host = host }
        if let port { configuration.port = port }
        if let database { configuration.databasePath = database }
        if let publicURL { configuration.publicBaseURL = publicURL }
        if let secretsKey { configuration.secretsKey = secretsKey }
        for key in apiKeys {
            configuration.apiKeys[key] = .init(account: "default", scopes: ["messaging", "admin"])
        }
        if !configuration.problems.isEmpty {
            throw ValidationError("invalid configuration: " + configuration.problems.joined(separator: "; "))
        }
        let table = try loadTable()
        LoggingSystem.bootstrap { LineLogHandler(label: $0) }
        var logger = Logger(label: "carrier.serve")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        if configuration.apiKeys.isEmpty {
            logger.warning(
                "no API keys configured: the API answers 401 until you pass --api-key or a config file with apiKeys")
        }
        let transport = CurlTransport(
            maxInFlight: configuration.carrierConcurrency, maxConnections: configuration.carrierConcurrency,
            policy: .service(table: table, configuration: configuration))
        defer { transport.shutdown() }
        let gateway = AdapterGateway(table: table, transport: transport)
        let channelProblems = configuration.channelProblems(gateway: gateway)
        if !channelProblems.isEmpty {
            throw ValidationError("invalid channels: " + channelProblems.joined(separator: "; "))
        }
        let service = MessagingService(configuration: configuration, gateway: gateway, logger: logger)
        let host = configuration.host
        let carriers = table.adapters.count
        let database = configuration.databasePath
        defer { LogSink.standardError.flush() }
        try await service.runWithSignals { port in
            FileHandle.standardOutput.write(
                Data(
                    "carrier serve listening on http://\(host):\(port) (\(carriers) carriers, database \(database))\n"
                        .utf8))
        }
    }

    private func loadTable() throws -> AdapterTable {
        if let table {
            guard let data = FileManager.default.contents(atPath: table) else {
                throw ValidationError("cannot read \(table)")
            }
            do {
                let table = try AdapterTable.decode(data)
                try table.decodeAll()
                return table
            } catch { throw RuntimeFailure("\(error)") }
        }
        let result = compileAdapterTable(try InputCollector.collect([carriers]))
        DiagnosticPrinter(format: .text).print(result.diagnostics, sources: [])
        guard let table = result.table else { throw ExitCode.failure }
        return table
    }
}
