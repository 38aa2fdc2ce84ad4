import ArgumentParser

@main
struct CarrierCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "carrier",
        abstract: "Compile carrier definitions and run messaging adapters built from them.",
        version: "0.1.0",
        subcommands: [
            BuildCommand.self, CheckCommand.self, TestCommand.self, LintCommand.self, RenderCommand.self,
            SendCommand.self, InboundCommand.self, SegmentsCommand.self, ServeCommand.self, BenchCommand.self,
            DatabaseCommand.self,
        ]
    )
}
