import ArgumentParser
import CarrierCore
import Foundation

struct BuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Compile carrier definitions into one adapter table.",
        discussion: """
            Checks every definition, prints all problems to stderr, and writes the adapter table only when there
            are no errors. The file is rewritten only when its bytes change.

            Exit codes: 0 success, 1 errors in definitions (or warnings with --warnings-as-errors), 64 bad command line.
            """)

    @OptionGroup var options: DefinitionOptions

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("Where to write the table.", valueName: "file"))
    var output: String = "adapters.json"

    func run() throws {
        let result = try options.compile()
        guard !options.failed(result), let table = result.table else { throw ExitCode.failure }
        let data = try table.encoded()
        if FileManager.default.contents(atPath: output) == data {
            FileHandle.standardError.write(Data("\(output) is up to date (\(table.adapters.count) carriers)\n".utf8))
            return
        }
        try data.write(to: URL(fileURLWithPath: output))
        FileHandle.standardError.write(Data("wrote \(output) (\(table.adapters.count) carriers)\n".utf8))
    }
}
