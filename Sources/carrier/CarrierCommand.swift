import ArgumentParser
import NIOCore
import NIOPosix

@main
struct CarrierCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "carrier",
        abstract: "Compile carrier definitions and run messaging adapters built from them.",
        version: "0.1.0",
        subcommands: [
            BuildCommand.self, CheckCommand.self, TestCommand.self, LintCommand.self, RenderCommand.self,
            SendCommand.self, InboundCommand.self, SegmentsCommand.self, ServeCommand.self, BenchCommand.self,
        ]
    )

    static func main() async {
        // `serve` runs its async work on the HTTP server's event loops: a request's handler, its database wait and
        // its reply then stay on one thread instead of hopping to Swift's cooperative pool and back.
        if CommandLine.arguments.dropFirst().first == "serve" {
            NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        }
        await main(nil)
    }
}
