#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads requests from one accepted socket and writes the handler's responses, until either side closes.
///
/// Runs entirely on the connection's own thread; the socket is owned (and closed) by the caller.
struct MockConnection {
    let fd: Int32
    let index: Int
    private var buffer: [UInt8] = []
    /// Requests larger than this (head or body) get `413` and the connection is closed.
    private let maxBytes = 16 * 1024 * 1024

    init(fd: Int32, index: Int) {
        self.fd = fd
        self.index = index
    }

    /// Serves requests until the client closes, asks to close, or sends something unparseable.
    mutating func serve(
        handler: @Sendable (RecordedRequest) -> MockResponse, record: (RecordedRequest) -> Void
    ) {
        while true {
            guard let head = readHead() else { return }
            let lines = head.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
            let requestLine = lines[0].split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard requestLine.count == 3 else {
                write(simple: 400)
                return
            }
            var headers: [MockCarrierServer.Header] = []
            for line in lines.dropFirst() where !line.isEmpty {
                guard let colon = line.firstIndex(of: ":") else {
                    write(simple: 400)
                    return
                }
                let name = String(line[..<colon])
                let value = line[line.index(after: colon)...].trimmingSpacesAndTabs()
                headers.append(MockCarrierServer.Header(name, value))
            }
            func header(_ name: String) -> String? {
                headers.first { $0.name.lowercased() == name }?.value
            }

            if header("expect")?.lowercased() == "100-continue" {
                guard send(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)) else { return }
            }

            let body: [UInt8]
            if header("transfer-encoding")?.lowercased().contains("chunked") == true {
                guard let decoded = readChunkedBody() else { return }
                body = decoded
            } else if let lengthText = header("content-length") {
                guard let length = Int(lengthText), length >= 0, length <= maxBytes else {
                    write(simple: 413)
                    return
                }
                guard let raw = readExactly(length) else { return }
                body = raw
            } else {
                body = []
            }

            let request = RecordedRequest(
                method: requestLine[0], path: requestLine[1], headers: headers, body: body, connection: index)
            record(request)
            let response = handler(request)

            if response.closeWithoutResponse { return }
            sleepMilliseconds(response.delayMs)

            let closeAfter =
                requestLine[2] == "HTTP/1.0" || header("connection")?.lowercased() == "close"
                || response.headers.contains {
                    $0.name.lowercased() == "connection" && $0.value.lowercased() == "close"
                }
            guard write(response, isHead: requestLine[0] == "HEAD") else { return }
            if closeAfter { return }
        }
    }

    // MARK: Reading

    /// Reads more bytes into `buffer`; returns false at end of stream or on error.
    private mutating func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                buffer.append(contentsOf: chunk[0..<count])
                return true
            }
            if count < 0 && errno == EINTR { continue }
            return false
        }
    }

    private func find(_ pattern: [UInt8], from start: Int = 0) -> Int? {
        guard buffer.count >= pattern.count + start else { return nil }
        var index = start
        while index + pattern.count <= buffer.count {
            if buffer[index] == pattern[0] && Array(buffer[index..<index + pattern.count]) == pattern {
                return index
            }
            index += 1
        }
        return nil
    }

    /// Returns the request line and headers (without the blank line) and consumes them.
    private mutating func readHead() -> String? {
        let terminator: [UInt8] = [13, 10, 13, 10]
        var searchFrom = 0
        while true {
            if let end = find(terminator, from: searchFrom) {
                let head = String(decoding: buffer[0..<end], as: UTF8.self)
                buffer.removeFirst(end + 4)
                return head
            }
            searchFrom = max(0, buffer.count - 3)
            if buffer.count > 64 * 1024 {
                write(simple: 431)
                return nil
            }
            guard fill() else { return nil }
        }
    }

    private mutating func readExactly(_ count: Int) -> [UInt8]? {
        while buffer.count < count {
            guard fill() else { return nil }
        }
        let bytes = Array(buffer[0..<count])
        buffer.removeFirst(count)
        return bytes
    }

    private mutating func readLine() -> String? {
        var searchFrom = 0
        while true {
            if let end = find([13, 10], from: searchFrom) {
                let line = String(decoding: buffer[0..<end], as: UTF8.self)
                buffer.removeFirst(end + 2)
                return line
            }
            searchFrom = max(0, buffer.count - 1)
            guard fill() else { return nil }
        }
    }

    private mutating func readChunkedBody() -> [UInt8]? {
        var body: [UInt8] = []
        while true {
            guard let line = readLine() else { return nil }
            let sizeText = line.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
            guard let size = Int(sizeText.trimmingSpacesAndTabs(), radix: 16), size >= 0,
                body.count + size <= maxBytes
            else {
                write(simple: 400)
                return nil
            }
            if size == 0 {
                // Trailer fields, then the blank line.
                while true {
                    guard let trailer = readLine() else { return nil }
                    if trailer.isEmpty { return body }
                }
            }
            guard let data = readExactly(size), let crlf = readExactly(2), crlf == [13, 10] else { return nil }
            body += data
        }
    }

    // MARK: Writing

    private func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw -> Int in
                guard let base = raw.baseAddress else { return 0 }
                return sendWithoutSignal(fd, base + offset, raw.count - offset)
            }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }

    private func write(_ response: MockResponse, isHead: Bool) -> Bool {
        var head = "HTTP/1.1 \(response.status) \(reasonPhrase(response.status))\r\n"
        for header in response.headers { head += "\(header.name): \(header.value)\r\n" }
        let hasLength = response.headers.contains { $0.name.lowercased() == "content-length" }
        let trickle = response.chunkDelayMs != nil && !isHead
        if trickle {
            head += "Transfer-Encoding: chunked\r\n"
        } else if !hasLength {
            head += "Content-Length: \(response.body.count)\r\n"
        }
        head += "\r\n"
        guard send(Array(head.utf8)) else { return false }
        if isHead { return true }
        guard let delay = response.chunkDelayMs else { return send(response.body) }

        var offset = 0
        while offset < response.body.count {
            sleepMilliseconds(delay)
            let end = min(offset + response.chunkSize, response.body.count)
            let piece = Array(response.body[offset..<end])
            guard send(Array(String(piece.count, radix: 16).utf8) + [13, 10] + piece + [13, 10]) else { return false }
            offset = end
        }
        return send(Array("0\r\n\r\n".utf8))
    }

    private func write(simple status: Int) {
        _ = send(
            Array("HTTP/1.1 \(status) \(reasonPhrase(status))\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8))
    }

    private func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 100: "Continue"
        case 200: "OK"
        case 201: "Created"
        case 202: "Accepted"
        case 204: "No Content"
        case 301: "Moved Permanently"
        case 302: "Found"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 409: "Conflict"
        case 413: "Content Too Large"
        case 422: "Unprocessable Content"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        default: "Status"
        }
    }
}

/// Sleeps for `milliseconds` (in steps, since `usleep` takes less than a second per call).
func sleepMilliseconds(_ milliseconds: Int) {
    var remaining = max(0, milliseconds)
    while remaining > 0 {
        let step = min(remaining, 500)
        usleep(useconds_t(step * 1000))
        remaining -= step
    }
}

/// `send(2)` without raising SIGPIPE when the peer has gone away.
private func sendWithoutSignal(_ fd: Int32, _ pointer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
        return Glibc.send(fd, pointer, count, Int32(MSG_NOSIGNAL))
    #else
        return Darwin.send(fd, pointer, count, 0)
    #endif
}

extension StringProtocol {
    /// Returns the text without leading and trailing spaces and tabs (HTTP optional whitespace).
    fileprivate func trimmingSpacesAndTabs() -> String {
        var scalars = Array(unicodeScalars)[...]
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        var result = String.UnicodeScalarView()
        result.append(contentsOf: scalars)
        return String(result)
    }
}
