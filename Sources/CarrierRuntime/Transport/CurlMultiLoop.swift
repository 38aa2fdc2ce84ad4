import CarrierCore
import Foundation

/// One queued request and the continuation of the task waiting for it.
struct CurlJob {
    let id: UInt64
    let request: HTTPRequest
    let timeouts: Timeouts
    let continuation: CheckedContinuation<Result<HTTPResponse, TransportError>, Never>
}

/// Drives a set of ``CurlTransfers`` on a dedicated thread for requests coming from any task.
///
/// Other threads only touch the queue (``enqueue(_:)``, ``cancel(_:)``, ``shutdown()``) under `lock`,
/// and wake the thread with ``CurlTransfers/wakeUp()``, the one multi call libcurl allows from any thread.
/// The transfers themselves are used only on the worker thread.
///
/// `@unchecked Sendable`: the queue state is protected by `lock`; the worker-only state is never
/// touched from another thread.
final class CurlMultiLoop: @unchecked Sendable {
    private enum State {
        case running
        case stopping
        case stopped
    }

    /// `nil` when libcurl could not be set up (every request then fails). Used on the worker thread only,
    /// apart from `wakeUp()`.
    private let transfers: CurlTransfers<CurlJob>?
    private let maxInFlight: Int

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
    /// Protected by `lock`. True while the worker waits (or is about to) with nothing queued: only then does a new
    /// job need to wake it. A busy worker takes new jobs on its next round, without the wake-up's two system calls.
    private var idle = false

    init(maxInFlight: Int, maxConnections: Int, policy: OutboundPolicy) {
        self.maxInFlight = max(1, maxInFlight)
        transfers = CurlTransfers(maxInFlight: maxInFlight, maxConnections: maxConnections, policy: policy)
        guard transfers != nil else {
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
            guard state == .running, let transfers else { return false }
            pending.append(job)
            if idle {
                idle = false
                transfers.wakeUp()
            }
            return true
        }
        if !accepted {
            let error =
                transfers == nil
                ? TransportError(curlCode: 2, kind: .other, message: "libcurl could not be initialized")
                : TransportError.shutDown
            job.continuation.resume(returning: .failure(error))
        }
    }

    /// Asks the worker to abort the job `id` (queued or in flight) and resume it with a cancellation error.
    func cancel(_ id: UInt64) {
        lock.withLock {
            guard state == .running, let transfers else { return }
            cancelled.insert(id)
            transfers.wakeUp()
        }
    }

    /// Stops the worker thread: queued and in-flight requests fail with a shut-down error.
    ///
    /// Blocks until the thread has exited, unless called on the worker thread itself.
    func shutdown() {
        let worker: Thread? = lock.withLock {
            if state == .running, let transfers {
                state = .stopping
                transfers.wakeUp()
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
        guard let transfers else { return }
        while true {
            let (jobs, cancelledIDs, stopping) = takeWork(running: transfers.count)
            if stopping { break }
            for id in cancelledIDs {
                transfers.abort { $0.id == id }?.continuation.resume(returning: .failure(.cancelled))
            }
            for job in jobs {
                if let error = transfers.start(job.request, timeouts: job.timeouts, tag: job) {
                    job.continuation.resume(returning: .failure(error))
                }
            }
            transfers.perform()
            transfers.collectFinished { job, result in job.continuation.resume(returning: result) }
            // Jobs queued meanwhile start after a look at the sockets; at capacity they wait for a transfer to end.
            let startable = lock.withLock {
                idle = pending.isEmpty || transfers.count >= maxInFlight
                return !idle
            }
            transfers.wait(timeoutMs: startable ? 0 : 1000)
            lock.withLock { idle = false }
        }
        tearDown(transfers)
    }

    /// Takes as many queued jobs as there are free transfer slots, and the cancellation requests.
    private func takeWork(running: Int) -> (jobs: [CurlJob], cancelled: Set<UInt64>, stopping: Bool) {
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
            let free = max(0, maxInFlight - running)
            let jobs = Array(pending.prefix(free))
            pending.removeFirst(jobs.count)
            for job in dropped { job.continuation.resume(returning: .failure(.cancelled)) }
            return (jobs, ids, false)
        }
    }

    private func tearDown(_ transfers: CurlTransfers<CurlJob>) {
        for job in transfers.abortAll() { job.continuation.resume(returning: .failure(.shutDown)) }
        let leftovers: [CurlJob] = lock.withLock {
            // From here on no thread calls wakeUp (state is no longer `.running`).
            state = .stopped
            let jobs = pending
            pending = []
            cancelled = []
            return jobs
        }
        for job in leftovers { job.continuation.resume(returning: .failure(.shutDown)) }
        lock.withLock {
            finished = true
            lock.broadcast()
        }
    }
}
