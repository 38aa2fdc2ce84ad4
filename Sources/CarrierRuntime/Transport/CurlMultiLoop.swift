import CLibCurl
import CarrierCore
import Foundation

/// One queued request and the continuation of the task waiting for it.
struct CurlJob {
    let id: UInt64
    let request: HTTPRequest
    let timeouts: Timeouts
    let continuation: CheckedContinuation<Result<HTTPResponse, TransportError>, Never>
}

/// Owns a libcurl multi handle and the dedicated thread that drives all transfers on it.
///
/// Other threads only touch the queue (``enqueue(_:)``, ``cancel(_:)``, ``shutdown()``) under `lock`,
/// and wake the thread with `curl_multi_wakeup`, the one multi call libcurl allows from any thread.
/// Everything else (easy handles, the multi handle's transfers) is used only on the worker thread.
///
/// `@unchecked Sendable`: the queue state is protected by `lock`; the worker-only state is never
/// touched from another thread.
final class CurlMultiLoop: @unchecked Sendable {
    private enum State {
        case running
        case stopping
        case stopped
    }

    /// The `CURLM *`; `nil` when libcurl could not be set up (every request then fails).
    private let multi: UnsafeMutableRawPointer?
    private let maxInFlight: Int
    private let maxIdleHandles: Int

    private let lock = NSCondition()
    /// Protected by `lock`.
    private var state: State = .running
    /// Protected by `lock`. Requests not yet handed to libcurl, oldest first.
    private var pending: [CurlJob] = []
    /// Protected by `lock`. Ids whose tasks were cancelled, to be dropped by the worker.
    private var cancelled: Set<UInt64> = []
    /// Protected by `lock`.
    private var nextID: UInt64 = 0
    /// Protected by `lock`. True once the worker thread has exited.
    private var finished = false
    /// Protected by `lock`.
    private var worker: Thread?

    /// Worker thread only: transfers inside the multi handle, by easy handle.
    private var active: [UnsafeMutableRawPointer: (handle: CurlEasyHandle, job: CurlJob)] = [:]
    /// Worker thread only: handles ready for reuse.
    private var idle: [CurlEasyHandle] = []

    init(maxInFlight: Int, maxConnections: Int) {
        self.maxInFlight = max(1, maxInFlight)
        self.maxIdleHandles = max(1, min(maxInFlight, maxConnections))
        if CurlGlobal.initialized, let multi = curl_multi_init() {
            _ = CLibCurl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, max(1, maxConnections))
            self.multi = multi
        } else {
            self.multi = nil
        }
        guard multi != nil else {
            state = .stopped
            finished = true
            return
        }
        let thread = Thread { [self] in run() }
        thread.name = "CurlTransport"
        worker = thread
        thread.start()
    }

    /// Returns a fresh id for a job.
    func makeID() -> UInt64 {
        lock.withLock {
            nextID += 1
            return nextID
        }
    }

    /// Queues `job`, or resumes it at once with an error when the transport is not running.
    func enqueue(_ job: CurlJob) {
        let accepted: Bool = lock.withLock {
            guard state == .running, let multi else { return false }
            pending.append(job)
            _ = curl_multi_wakeup(multi)
            return true
        }
        if !accepted {
            let error =
                multi == nil
                ? TransportError(curlCode: 2, kind: .other, message: "libcurl could not be initialized")
                : TransportError.shutDown
            job.continuation.resume(returning: .failure(error))
        }
    }

    /// Asks the worker to abort the job `id` (queued or in flight) and resume it with a cancellation error.
    func cancel(_ id: UInt64) {
        lock.withLock {
            guard state == .running, let multi else { return }
            cancelled.insert(id)
            _ = curl_multi_wakeup(multi)
        }
    }

    /// Stops the worker thread: queued and in-flight requests fail with a shut-down error.
    ///
    /// Blocks until the thread has exited, unless called on the worker thread itself.
    func shutdown() {
        let worker: Thread? = lock.withLock {
            if state == .running, let multi {
                state = .stopping
                _ = curl_multi_wakeup(multi)
            }
            return self.worker
        }
        guard let worker, worker != Thread.current else { return }
        lock.withLock {
            while !finished { lock.wait() }
        }
    }

    // MARK: Worker thread

    private func run() {
        guard let multi else { return }
        while true {
            let (jobs, cancelledIDs, stopping) = takeWork()
            if stopping { break }
            for id in cancelledIDs { abort(id, multi: multi) }
            for job in jobs { start(job, multi: multi) }

            var running: Int32 = 0
            _ = curl_multi_perform(multi, &running)
            collectCompletions(multi: multi)
            _ = curl_multi_poll(multi, nil, 0, 1000, nil)
        }
        tearDown(multi: multi)
    }

    /// Takes as many queued jobs as there are free transfer slots, and the cancellation requests.
    private func takeWork() -> (jobs: [CurlJob], cancelled: Set<UInt64>, stopping: Bool) {
        lock.withLock {
            if state != .running { return ([], [], true) }
            var ids = cancelled
            cancelled = []
            // Cancelled jobs still in the queue never reach libcurl.
            var dropped: [CurlJob] = []
            if !ids.isEmpty {
                dropped = pending.filter { ids.contains($0.id) }
                pending.removeAll { ids.contains($0.id) }
                for job in dropped { ids.remove(job.id) }
            }
            let free = max(0, maxInFlight - active.count)
            let jobs = Array(pending.prefix(free))
            pending.removeFirst(jobs.count)
            for job in dropped { job.continuation.resume(returning: .failure(.cancelled)) }
            return (jobs, ids, false)
        }
    }

    private func start(_ job: CurlJob, multi: UnsafeMutableRawPointer) {
        guard let handle = idle.popLast() ?? CurlEasyHandle() else {
            job.continuation.resume(
                returning: .failure(TransportError(curlCode: 2, kind: .other, message: "curl_easy_init failed")))
            return
        }
        if let error = handle.configure(for: job.request, timeouts: job.timeouts) {
            handle.clear()
            idle.append(handle)
            job.continuation.resume(returning: .failure(error))
            return
        }
        let added = curl_multi_add_handle(multi, handle.easy)
        guard added == CURLM_OK else {
            handle.clear()
            let message = String(cString: curl_multi_strerror(added))
            job.continuation.resume(
                returning: .failure(
                    TransportError(curlCode: 0, kind: .other, message: "curl_multi_add_handle: \(message)")))
            return
        }
        active[handle.easy] = (handle, job)
    }

    private func collectCompletions(multi: UnsafeMutableRawPointer) {
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(multi, &remaining) {
            // The message is only valid until the next libcurl call: read it completely first.
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
            let code = message.pointee.data.result
            finish(easy, multi: multi) { handle in handle.result(for: code) }
        }
    }

    private func abort(_ id: UInt64, multi: UnsafeMutableRawPointer) {
        guard let easy = active.first(where: { $0.value.job.id == id })?.key else { return }
        finish(easy, multi: multi) { _ in .failure(.cancelled) }
    }

    /// Takes the transfer on `easy` out of the multi handle, resumes its caller and keeps the handle for reuse.
    private func finish(
        _ easy: UnsafeMutableRawPointer, multi: UnsafeMutableRawPointer,
        outcome: (CurlEasyHandle) -> Result<HTTPResponse, TransportError>
    ) {
        guard let (handle, job) = active.removeValue(forKey: easy) else { return }
        _ = curl_multi_remove_handle(multi, easy)
        let result = outcome(handle)
        handle.clear()
        if idle.count < maxIdleHandles { idle.append(handle) }
        job.continuation.resume(returning: result)
    }

    private func tearDown(multi: UnsafeMutableRawPointer) {
        for easy in Array(active.keys) {
            finish(easy, multi: multi) { _ in .failure(.shutDown) }
        }
        idle.removeAll()
        let leftovers: [CurlJob] = lock.withLock {
            // From here on no thread calls curl_multi_wakeup (state is no longer `.running`).
            state = .stopped
            let jobs = pending
            pending = []
            cancelled = []
            return jobs
        }
        for job in leftovers { job.continuation.resume(returning: .failure(.shutDown)) }
        _ = curl_multi_cleanup(multi)
        lock.withLock {
            finished = true
            lock.broadcast()
        }
    }
}
