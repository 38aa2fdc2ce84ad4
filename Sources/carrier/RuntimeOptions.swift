import ArgumentParser
import CarrierCore
import CarrierRuntime
import Foundation

/// Options of the commands that run adapters: where the table comes from, and the channel settings.
struct RuntimeOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Carrier id.", valueName: "id"))
    var carrier: String

    @Option(
        name: .long, help: ArgumentHelp("A compiled adapter table (default: compile --carriers).", valueName: "file"))
    var table: String?

    @Option(name: .long, help: ArgumentHelp("Directory of carrier definitions to compile.", valueName: "dir"))
    var carriers: String = "carriers"

    @Option(
        name: .long,
        help: ArgumentHelp(
            "JSON object of channel settings; values may be env:NAME, file:PATH or literal:VALUE.", valueName: "file"))
    var settings: String?

    /// Loads the table and the adapter, and the resolved settings.
    func load() throws -> (table: AdapterTable, adapter: Adapter, settings: [String: String]) {
        let table: AdapterTable
        if let path = self.table {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ValidationError("cannot read \(path)")
            }
            do { table = try AdapterTable.decode(data); try table.decodeAll() } catch {
                throw RuntimeFailure("\(error)")
            }
        } else {
            let result = compileAdapterTable(try InputCollector.collect([carriers]))
            DiagnosticPrinter(format: .text).print(result.diagnostics.filter { $0.severity == .error }, sources: [])
            guard let t = result.table else { throw ExitCode.failure }
            table = t
        }
        guard let adapter = table.adapter(carrier) else {
            throw ValidationError(
                "unknown carrier '\(carrier)'; known: \(table.adapters.map(\.id).joined(separator: ", "))")
        }
        var values: [String: String] = [:]
        if let path = settings {
            guard let data = FileManager.default.contents(atPath: path),
                let object = try? JSONDecoder().decode([String: String].self, from: data)
            else { throw ValidationError("\(path) is not a JSON object of strings") }
            do { values = try resolveSettingValues(object) } catch { throw RuntimeFailure("\(error)") }
        }
        return (table, adapter, values)
    }
}

/// A failure printed as `error: ...` with exit code 1.
struct RuntimeFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// JSON output on stdout: one compact line per value, sorted keys.
enum JSONLines {
    static func print(_ value: some Encodable) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        if let data = try? encoder.encode(value) {
            FileHandle.standardOutput.write(data + Data("\n".utf8))
        }
    }
}
