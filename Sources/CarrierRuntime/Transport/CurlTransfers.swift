import CLibCurl
import CarrierCore

/// The transfers running on one libcurl multi handle, each tagged with what its caller needs back.
///
/// Not thread-safe: one thread owns it and makes every call (``CurlMultiLoop``'s worker thread, or the thread
/// running a ``BatchSender``). Only ``wakeUp()`` may be called from another thread, as libcurl allows.
/// Finished easy handles are kept (up to `maxIdleHandles`) and reused, which keeps their options set; the
/// connections themselves live in the multi handle's pool.
final class CurlTransfers<Tag> {
    /// The `CURLM *`; owned by this object.
    private let multi: UnsafeMutableRawPointer
    /// The sockets and timer of `multi` when it runs many transfers; outlives `multi` (its cleanup still removes
    /// sockets). `nil`: driven by `curl_multi_perform`/`curl_multi_poll` (see
    /// ``CurlSocketEvents/worthwhileFromTransfers``).
    private let events: CurlSocketEvents?
    private let maxIdleHandles: Int
    /// Transfers inside the multi handle, by easy handle.
    private var active: [UnsafeMutableRawPointer: (handle: CurlEasyHandle, tag: Tag)] = [:]
    /// Handles ready for reuse.
    private var idle: [CurlEasyHandle] = []

    /// Where requests may go; every handle gets it.
    private let policy: OutboundPolicy

    /// Returns `nil` when libcurl cannot be set up.
    init?(maxInFlight: Int, maxConnections: Int, policy: OutboundPolicy) {
        self.policy = policy
        guard CurlGlobal.initialized else { return nil }
        var events: CurlSocketEvents?
        if maxInFlight >= CurlSocketEvents.worthwhileFromTransfers {
            guard let watcher = CurlSocketEvents() else { return nil }
            events = watcher
        }
        guard let multi = curl_multi_init() else { return nil }
        _ = CLibCurl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, max(1, maxConnections))
        events?.attach(to: multi)
        self.multi = multi
        self.events = events
        self.maxIdleHandles = max(1, min(maxInFlight, maxConnections))
    }

    deinit {
        for easy in active.keys { _ = curl_multi_remove_handle(multi, easy) }
        active.removeAll()
        idle.removeAll()
        curl_multi_cleanup(multi)
    }

    /// Transfers started and not yet finished.
    var count: Int { active.count }

    /// Starts a transfer for `request`. Returns why it could not start (nothing then runs for `tag`).
    func start(_ request: HTTPRequest, timeouts: Timeouts, tag: Tag) -> TransportError? {
        guard let handle = idle.popLast() ?? CurlEasyHandle(policy: policy) else {
            return TransportError(curlCode: 2, kind: .other, message: "curl_easy_init failed")
        }
        if let error = handle.configure(for: request, timeouts: timeouts) {
            handle.clear()
            idle.append(handle)
            return error
        }
        let added = curl_multi_add_handle(multi, handle.easy)
        guard added == CURLM_OK else {
            handle.clear()
            let message = String(cString: curl_multi_strerror(added))
            return TransportError(curlCode: 0, kind: .other, message: "curl_multi_add_handle: \(message)")
        }
        active[handle.easy] = (handle, tag)
        return nil
    }

    /// Moves the transfers that can go forward (new ones, ready sockets, due timers) as far as they can go
    /// without blocking.
    func perform() {
        if let events {
            events.drive(multi)
        } else {
            var running: Int32 = 0
            _ = curl_multi_perform(multi, &running)
        }
    }

    /// Blocks until a transfer has something to do, ``wakeUp()`` is called, or `timeoutMs` passes.
    func wait(timeoutMs: Int32) {
        if let events {
            events.wait(timeoutMs: timeoutMs)
        } else {
            _ = curl_multi_poll(multi, nil, 0, timeoutMs, nil)
        }
    }

    /// Ends a ``wait(timeoutMs:)`` early; the one call allowed from any thread.
    func wakeUp() {
        if let events {
            events.wakeUp()
        } else {
            _ = curl_multi_wakeup(multi)
        }
    }

    /// Hands every finished transfer's tag and outcome to `body`, in the order libcurl reports them.
    func collectFinished(_ body: (Tag, Result<HTTPResponse, TransportError>) -> Void) {
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(multi, &remaining) {
            // The message is only valid until the next libcurl call: read it completely first.
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
            let code = message.pointee.data.result
            guard let (tag, result) = finish(easy, outcome: { $0.result(for: code) }) else { continue }
            body(tag, result)
        }
    }

    /// Stops the first running transfer whose tag satisfies `matches`; returns its tag.
    func abort(where matches: (Tag) -> Bool) -> Tag? {
        guard let easy = active.first(where: { matches($0.value.tag) })?.key else { return nil }
        return finish(easy, outcome: { _ in .failure(.cancelled) })?.tag
    }

    /// Stops every running transfer and returns their tags.
    func abortAll() -> [Tag] {
        Array(active.keys).compactMap { finish($0, outcome: { _ in .failure(.shutDown) })?.tag }
    }

    /// Takes the transfer on `easy` out of the multi handle and keeps its handle for reuse.
    private func finish(
        _ easy: UnsafeMutableRawPointer, outcome: (CurlEasyHandle) -> Result<HTTPResponse, TransportError>
    ) -> (tag: Tag, result: Result<HTTPResponse, TransportError>)? {
        guard let (handle, tag) = active.removeValue(forKey: easy) else { return nil }
        _ = curl_multi_remove_handle(multi, easy)
        let result = outcome(handle)
        handle.clear()
        if idle.count < maxIdleHandles { idle.append(handle) }
        return (tag, result)
    }
}
