import Dispatch
import Foundation

/// Turns the given signals into a call to `shutdown` (once per signal delivery) instead of the default exit.
struct ShutdownSignals {
    private let sources: [any DispatchSourceSignal]

    init(signals: [Int32], shutdown: @escaping @Sendable () -> Void) {
        sources = signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler(handler: shutdown)
            source.resume()
            return source
        }
    }

    /// Stops listening (the signals stay ignored until the process exits).
    func cancel() {
        for source in sources { source.cancel() }
    }
}
