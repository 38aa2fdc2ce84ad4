import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A blocking TCP connection to 127.0.0.1, for tests that must control the exact bytes on the wire
/// (pipelining, `Expect: 100-continue`, malformed requests, idle connections). One caller at a time.
package final class RawSocket: @unchecked Sendable {
    private var fd: Int32

    /// Connects to 127.0.0.1:`port`; `nil` when the connection is refused.
    package init?(port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            closeDescriptor(fd)
            return nil
        }
        self.fd = fd
    }

    deinit { close() }

    /// Writes all of `text`; false when the peer is gone.
    @discardableResult
    package func send(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if written <= 0 { return false }
            offset += written
        }
        return true
    }

    /// Reads until `until` appears in what was received, the peer closes, or `timeout` passes.
    /// - Returns: Everything received so far (possibly empty), and whether the peer closed the connection.
    package func receive(until marker: String? = nil, timeout: Double = 5) -> (text: String, closed: Bool) {
        var received: [UInt8] = []
        let deadline = Date(timeIntervalSinceNow: timeout)
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            if let marker, String(decoding: received, as: UTF8.self).contains(marker) { return (text(received), false) }
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 { return (text(received), false) }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(remaining * 1000))
            if ready <= 0 { continue }
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { return (text(received), true) }
            received += chunk[0..<count]
        }
    }

    /// ``receive(until:timeout:)`` on a thread of its own, so that an async test does not block the cooperative pool
    /// that an in-process server needs to answer.
    package func received(until marker: String? = nil, timeout: Double = 5) async -> (text: String, closed: Bool) {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: self.receive(until: marker, timeout: timeout)) }
            thread.start()
        }
    }

    /// Closes the connection (also done on deinit).
    package func close() {
        if fd >= 0 { closeDescriptor(fd) }
        fd = -1
    }

    private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
}

/// The C `close`, which the method of the same name hides inside the class.
private func closeDescriptor(_ fd: Int32) {
    _ = close(fd)
}
