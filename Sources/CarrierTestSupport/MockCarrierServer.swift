import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A small real HTTP/1.1 server on 127.0.0.1 for tests that need a carrier at the other end of a socket.
///
/// It listens on an ephemeral port, serves each connection on its own thread (several requests per
/// connection when the client keeps it alive), records every request, and answers with whatever
/// `handler` returns. Request bodies may use `Content-Length` or chunked transfer encoding.
///
/// ```swift
/// let server = try MockCarrierServer { request in
///     .json(#"{"sid":"SM1","echo":"\#(request.path)"}"#, status: 201)
/// }
/// defer { server.stop() }
/// // send to "\(server.baseURL)/send" ...
/// #expect(server.requests.count == 1)
/// ```
///
/// - Note: `handler` runs on the connection's thread; it must be thread-safe. Call ``stop()`` when done
///   (the server also stops when released).
package final class MockCarrierServer: Sendable {
    /// One header field as sent or received; order and repeats are kept.
    package struct Header: Sendable, Hashable, CustomStringConvertible {
        package var name: String
        package var value: String

        package init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }

        package var description: String { "\(name): \(value)" }
    }

    /// Thrown when the listening socket cannot be set up.
    package struct StartError: Error, CustomStringConvertible {
        package var description: String
    }

    /// The port the server listens on, on 127.0.0.1.
    package let port: Int
    private let core: MockServerCore

    /// Starts listening on 127.0.0.1 at an ephemeral port.
    ///
    /// - Parameters:
    ///   - port: The port to listen on; 0 (the default) picks a free one. Tests that take a carrier down and bring
    ///     it back start a second server on the first one's port.
    ///   - handler: Returns the response for each request; called on a connection thread.
    /// - Throws: ``StartError`` when the socket cannot be created, bound or listened on.
    package init(port requestedPort: Int = 0, handler: @escaping @Sendable (RecordedRequest) -> MockResponse) throws {
        let fd = socket(AF_INET, streamSocketType, 0)
        guard fd >= 0 else { throw StartError(description: "socket() failed: errno \(errno)") }
        var reuse: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))

        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(requestedPort).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 256) == 0 else {
            let code = errno
            close(fd)
            throw StartError(description: "bind/listen on 127.0.0.1 failed: errno \(code)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else {
            close(fd)
            throw StartError(description: "getsockname() failed: errno \(errno)")
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        core = MockServerCore(listenFD: fd, handler: handler)
        core.start()
    }

    deinit { core.stop() }

    /// `http://127.0.0.1:<port>`, without a trailing slash.
    package var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Every request received so far, in the order they were read.
    package var requests: [RecordedRequest] { core.recordedRequests() }

    /// Stops accepting connections and shuts down open ones. Safe to call more than once.
    ///
    /// A connection thread that is sleeping for `delayMs` finishes its sleep and then exits.
    package func stop() { core.stop() }
}

#if canImport(Glibc)
    private let streamSocketType = Int32(SOCK_STREAM.rawValue)
#else
    private let streamSocketType = SOCK_STREAM
#endif

/// The listener and connection bookkeeping behind ``MockCarrierServer``.
///
/// `@unchecked Sendable`: all mutable state is protected by `lock`.
final class MockServerCore: @unchecked Sendable {
    private let listenFD: Int32
    private let handler: @Sendable (RecordedRequest) -> MockResponse
    private let lock = NSLock()
    /// Protected by `lock`.
    private var recorded: [RecordedRequest] = []
    /// Protected by `lock`. Sockets of live connections; only their own thread closes them.
    private var openConnections: Set<Int32> = []
    /// Protected by `lock`.
    private var stopped = false
    /// Protected by `lock`.
    private var acceptedCount = 0
    /// Protected by `lock`. False once the accept thread closed `listenFD`.
    private var listenerOpen = true

    init(listenFD: Int32, handler: @escaping @Sendable (RecordedRequest) -> MockResponse) {
        self.listenFD = listenFD
        self.handler = handler
    }

    func start() {
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "MockCarrierServer.accept"
        thread.start()
    }

    func recordedRequests() -> [RecordedRequest] { lock.withLock { recorded } }

    func stop() {
        // shutdown() wakes threads blocked in accept()/recv(). Descriptors are shut down and closed only
        // while holding `lock`, so a number is never touched after another thread reused it.
        lock.withLock {
            if stopped { return }
            stopped = true
            if listenerOpen { _ = shutdown(listenFD, Int32(SHUT_RDWR)) }
            for fd in openConnections { _ = shutdown(fd, Int32(SHUT_RDWR)) }
        }
    }

    private func acceptLoop() {
        while true {
            let fd = accept(listenFD, nil, nil)
            if fd < 0 {
                let code = errno
                if code == EINTR { continue }
                let transient = [ECONNABORTED, EMFILE, ENFILE, ENOBUFS, ENOMEM].contains(code)
                if transient && !lock.withLock({ stopped }) {
                    usleep(10_000)
                    continue
                }
                break
            }
            let index: Int? = lock.withLock {
                if stopped { return nil }
                openConnections.insert(fd)
                acceptedCount += 1
                return acceptedCount - 1
            }
            guard let index else {
                close(fd)
                break
            }
            var noDelay: Int32 = 1
            _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
            let thread = Thread { [self] in
                var connection = MockConnection(fd: fd, index: index)
                connection.serve(handler: handler) { request in
                    lock.withLock { recorded.append(request) }
                }
                lock.withLock {
                    _ = openConnections.remove(fd)
                    close(fd)
                }
            }
            thread.name = "MockCarrierServer.connection.\(index)"
            thread.start()
        }
        lock.withLock {
            listenerOpen = false
            close(listenFD)
        }
    }
}
