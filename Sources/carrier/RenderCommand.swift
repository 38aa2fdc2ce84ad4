import ArgumentParser
import CarrierCore
import CarrierRuntime
import Foundation

struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Print the HTTP request a message would be sent as, with secrets redacted.",
        discussion: "Exit codes: 0 rendered, 1 invalid message or render error, 64 bad command line.")

    @OptionGroup var runtime: RuntimeOptions

    @Option(name: .long, help: ArgumentHelp("Canonical message (JSON); - for stdin.", valueName: "file"))
    var message: String

    func run() throws {
        let (_, adapter, settings) = try runtime.load()
        let m = try MessageFile.read(message)
        if let problem = validateMessage(m, adapter: adapter).first {
            JSONLines.print(problem)
            throw ExitCode.failure
        }
        do {
            let request = try renderRequest(for: m, adapter: adapter, settings: settings)
            let shown = redact(request, secrets: secretValues(of: adapter, settings: settings))
            var out = "\(shown.method) \(shown.url)\n"
            for h in shown.headers { out += "\(h.name): \(h.value)\n" }
            out += "\n" + String(decoding: shown.body, as: UTF8.self) + "\n"
            FileHandle.standardOutput.write(Data(out.utf8))
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }
}

enum MessageFile {
    static func read(_ path: String) throws -> OutboundMessage {
        let data =
            path == "-" ? FileHandle.standardInput.readDataToEndOfFile() : FileManager.default.contents(atPath: path)
        guard let data else { throw ValidationError("cannot read \(path)") }
        do { return try JSONDecoder().decode(OutboundMessage.self, from: data) } catch {
            throw ValidationError("\(path) is not a canonical message: \(error)")
        }
    }
}
