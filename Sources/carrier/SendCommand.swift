import ArgumentParser
import CarrierCore
import CarrierRuntime
import Foundation

struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send one message, or many from a JSON-lines file, through a carrier.",
        discussion: """
            Prints one JSON result per message on stdout ({carrier, outcome, providerMessageId, errorCode, ...}) and,
            for --file, a progress line on stderr.

            Exit codes: 0 every message accepted, 1 a permanent failure, 75 a temporary failure remained after
            retries, 64 bad command line.
            """)

    @OptionGroup var runtime: RuntimeOptions

    @Option(name: .long, help: ArgumentHelp("One canonical message (JSON).", valueName: "file"))
    var message: String?

    @Option(name: .long, help: ArgumentHelp("Canonical messages, one JSON object per line.", valueName: "file"))
    var file: String?

    @Option(name: .long, help: "Messages in flight at once.")
    var concurrency: Int = 16

    @Flag(name: .customLong("no-retry"), help: "Do not retry temporary failures.")
    var noRetry = false

    func validate() throws {
        if (message == nil) == (file == nil) { throw ValidationError("give exactly one of --message or --file") }
        if concurrency < 1 { throw ValidationError("--concurrency must be at least 1") }
    }

    func run() async throws {
        MemoryTuning.applyForServers()
        let (table, adapter, settings) = try runtime.load()
        var messages: [(line: Int, message: OutboundMessage)] = []
        if let message { messages = [(1, try MessageFile.read(message))] }
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ValidationError("cannot read \(file)")
            }
            let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            for (i, line) in lines.enumerated()
            where !line.isEmpty {
                do {
                    messages.append((i + 1, try JSONDecoder().decode(OutboundMessage.self, from: Data(line.utf8))))
                } catch {
                    throw ValidationError("\(file):\(i + 1): not a canonical message")
                }
            }
        }
        let outcomes = await sendAll(messages, table: table, carrier: adapter.id, settings: settings)
        if outcomes.contains(.permanent) { throw ExitCode.failure }
        if outcomes.contains(.retryable) { throw ExitCode(75) }
    }

    /// Sends on a thread of its own (``BatchSender`` blocks its caller) and prints each result as it arrives:
    /// for --file with the message's line number, and a progress line on stderr.
    private func sendAll(
        _ messages: [(line: Int, message: OutboundMessage)], table: AdapterTable, carrier: String,
        settings: [String: String]
    ) async -> Set<SendResult.Outcome> {
        let batch = BatchSender(table: table, concurrency: concurrency)
        let showProgress = file != nil
        let retries = !noRetry
        return await withCheckedContinuation { continuation in
            let thread = Thread {
                let start = Date()
                var outcomes: Set<SendResult.Outcome> = []
                var done = 0
                batch.send(messages.lazy.map(\.message), carrier: carrier, settings: settings, retries: retries) {
                    index, result in
                    outcomes.insert(result.outcome)
                    if showProgress {
                        JSONLines.print(NumberedResult(line: messages[index].line, result: result))
                    } else {
                        JSONLines.print(result)
                    }
                    done += 1
                    if showProgress, done % 1000 == 0 || done == messages.count {
                        let rate = Double(done) / max(0.001, Date().timeIntervalSince(start))
                        FileHandle.standardError.write(Data("\rsent \(done)/\(messages.count) (\(Int(rate))/s)".utf8))
                    }
                }
                if showProgress { FileHandle.standardError.write(Data("\n".utf8)) }
                continuation.resume(returning: outcomes)
            }
            thread.name = "carrier-send"
            thread.start()
        }
    }
}

/// A result of `send --file`: the send result's fields plus the line of the message in the file.
private struct NumberedResult: Encodable {
    let line: Int
    let result: SendResult

    private enum Key: String, CodingKey { case line }

    func encode(to encoder: any Encoder) throws {
        try result.encode(to: encoder)
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(line, forKey: .line)
    }
}
