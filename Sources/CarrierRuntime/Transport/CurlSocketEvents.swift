import CLibCurl
import Glibc

/// The sockets and the timer libcurl asks one multi handle's owner to watch, waited on with epoll.
///
/// `curl_multi_perform` and `curl_multi_poll` visit every transfer and every socket on each call, so with hundreds
/// of requests in flight (a carrier that takes 50 ms to answer) most of the transport's CPU went into finding the
/// few sockets that were ready. With the socket interface libcurl tells the socket callback which sockets to watch
/// and only the transfers whose sockets epoll reports, or whose timers are due, are driven. ``CurlTransfers`` uses
/// this from ``worthwhileFromTransfers`` transfers in flight on.
///
/// Not thread-safe, like ``CurlTransfers`` which owns it: only ``wakeUp()`` may be called from another thread.
final class CurlSocketEvents {
    /// From this many transfers in flight on, ``CurlTransfers`` watches sockets with epoll.
    ///
    /// `curl_multi_perform` and `curl_multi_poll` visit every transfer and socket on each call: cheap for a few
    /// dozen (bulk sends to a fast carrier: 64 in flight, ~18 us of CPU per send on one core against ~22 us with
    /// epoll, whose registrations cost two `epoll_ctl` per transfer), but at 512 in flight (a carrier taking 50 ms)
    /// that scan took a third of the service's CPU.
    static let worthwhileFromTransfers = 128

    private let epoll: Int32
    /// Written by ``wakeUp()``; watched by `epoll` like libcurl's sockets.
    private let wakeUpEvent: Int32
    /// When libcurl wants `curl_multi_socket_action(CURL_SOCKET_TIMEOUT)` called, on the monotonic clock; nil: never.
    private var timerDeadline: UInt64?
    /// What the last ``wait(timeoutMs:)`` found ready: descriptors and their `CURL_CSELECT_*` masks.
    private var readyDescriptors = [Int32](repeating: 0, count: 256)
    private var readyMasks = [Int32](repeating: 0, count: 256)
    private var readyCount = 0
    /// Set by ``attach(to:)``; marks the sockets already watched (`curl_multi_assign`).
    private var multi: UnsafeMutableRawPointer?

    /// Returns `nil` when the kernel refuses an epoll or eventfd descriptor.
    init?() {
        let epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epoll >= 0 else { return nil }
        let wakeUpEvent = CLibCurl_eventfd()
        guard wakeUpEvent >= 0, CLibCurl_epoll_watch(epoll, wakeUpEvent, CURL_POLL_IN, 0) == 0 else {
            if wakeUpEvent >= 0 { close(wakeUpEvent) }
            close(epoll)
            return nil
        }
        self.epoll = epoll
        self.wakeUpEvent = wakeUpEvent
    }

    deinit {
        close(wakeUpEvent)
        close(epoll)
    }

    /// Makes `multi` report its sockets and timer here. This object must outlive `multi`'s cleanup, which still
    /// removes sockets.
    func attach(to multi: UnsafeMutableRawPointer) {
        self.multi = multi
        let context = Unmanaged.passUnretained(self).toOpaque()
        _ = CLibCurl_multi_setopt_socket_function(multi, Self.socketCallback)
        _ = CLibCurl_multi_setopt_pointer(multi, CURLMOPT_SOCKETDATA, context)
        _ = CLibCurl_multi_setopt_timer_function(multi, Self.timerCallback)
        _ = CLibCurl_multi_setopt_pointer(multi, CURLMOPT_TIMERDATA, context)
    }

    /// Blocks until a watched socket is ready, ``wakeUp()`` is called, libcurl's timer is due, or `timeoutMs` passes.
    func wait(timeoutMs: Int32) {
        var timeout = max(0, timeoutMs)
        if let deadline = timerDeadline {
            let now = Self.monotonicNanoseconds()
            timeout = deadline <= now ? 0 : Int32(min(UInt64(timeout), (deadline - now + 999_999) / 1_000_000))
        }
        let count = readyDescriptors.withUnsafeMutableBufferPointer { descriptors in
            readyMasks.withUnsafeMutableBufferPointer { masks in
                CLibCurl_epoll_wait(
                    epoll, descriptors.baseAddress, masks.baseAddress, Int32(descriptors.count), timeout)
            }
        }
        readyCount = max(0, Int(count))
    }

    /// Drives the transfers on the sockets the last wait found ready, then those whose timers are due (new transfers
    /// start that way: adding a handle sets a timer of 0 ms).
    func drive(_ multi: UnsafeMutableRawPointer) {
        var running: Int32 = 0
        for index in 0..<readyCount {
            let descriptor = readyDescriptors[index]
            if descriptor == wakeUpEvent {
                var value: UInt64 = 0
                _ = read(wakeUpEvent, &value, MemoryLayout<UInt64>.size)
            } else {
                _ = curl_multi_socket_action(multi, descriptor, readyMasks[index], &running)
            }
        }
        readyCount = 0
        // libcurl may set a new timer of 0 ms from inside the action; a few rounds settle it, the next wait the rest.
        for _ in 0..<8 {
            guard let deadline = timerDeadline, deadline <= Self.monotonicNanoseconds() else { break }
            timerDeadline = nil
            _ = curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running)
        }
    }

    /// Ends a ``wait(timeoutMs:)`` early; the one call allowed from any thread.
    func wakeUp() {
        var one: UInt64 = 1
        _ = write(wakeUpEvent, &one, MemoryLayout<UInt64>.size)
    }

    private static func monotonicNanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }

    /// Any non-nil pointer: libcurl hands it back as the socket's `socketp` once the socket is in the epoll set, so
    /// each change costs one `epoll_ctl`.
    private nonisolated(unsafe) static let watchedMarker = UnsafeMutableRawPointer(bitPattern: 1)

    private static let socketCallback: CLibCurl_socket_callback = { _, socket, what, context, socketContext in
        guard let context else { return -1 }
        let events = Unmanaged<CurlSocketEvents>.fromOpaque(context).takeUnretainedValue()
        let known: Int32 = socketContext == nil ? 0 : 1
        guard CLibCurl_epoll_watch(events.epoll, socket, what, known) == 0 else { return -1 }
        if what != CURL_POLL_REMOVE && known == 0, let multi = events.multi {
            _ = curl_multi_assign(multi, socket, watchedMarker)
        }
        return 0
    }

    private static let timerCallback: CLibCurl_timer_callback = { _, timeoutMs, context in
        guard let context else { return -1 }
        let events = Unmanaged<CurlSocketEvents>.fromOpaque(context).takeUnretainedValue()
        events.timerDeadline = timeoutMs < 0 ? nil : monotonicNanoseconds() + UInt64(timeoutMs) * 1_000_000
        return 0
    }
}
