import ArgumentParser
import CarrierCore
import CarrierRuntime
import Foundation

struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run the recorded fixtures of carrier definitions.",
        discussion: """
            Compiles the definitions, then runs every case in carriers/<id>/fixtures/*.yaml: outbound messages must
            render to the expected request, recorded responses must classify as expected, recorded webhooks must
            normalize to the expected events. Prints a diff for each failure and a closing `N passed, N failed` line.

            Exit codes: 0 all passed, 1 a failure or a definition/fixture error, 64 bad command line.
            """)

    @OptionGroup var options: DefinitionOptions

    @Option(name: .long, help: "Run only cases whose carrier/file/name contains this text.")
    var filter: String?

    @Option(name: .long, help: ArgumentHelp("Also write a JUnit XML report.", valueName: "file"))
    var junit: String?

    func run() throws {
        let summary = try FixtureRun(options: options, filter: filter).run()
        if let junit { try JUnitReport(outcomes: summary.outcomes).write(to: junit) }
        if summary.failed { throw ExitCode.failure }
    }
}

struct LintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Check definitions and run their fixtures: the one command for CI.",
        discussion:
            "Same as `carrier check` followed by `carrier test`. Exit codes: 0 clean, 1 any error or failure, 64 bad command line."
    )

    @OptionGroup var options: DefinitionOptions

    @Option(name: .long, help: ArgumentHelp("Also write a JUnit XML report.", valueName: "file"))
    var junit: String?

    func run() throws {
        let summary = try FixtureRun(options: options, filter: nil).run()
        if let junit { try JUnitReport(outcomes: summary.outcomes).write(to: junit) }
        if summary.failed { throw ExitCode.failure }
    }
}
