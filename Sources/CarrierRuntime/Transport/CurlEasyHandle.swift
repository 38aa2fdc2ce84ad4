import CLibCurl
import CarrierCore

/// Owns one libcurl easy handle, its request header list and its error buffer, and collects the response.
///
/// Used only on the transport's worker thread. A handle is reused for many transfers
/// (``configure(for:timeouts:)`` resets it), which keeps libcurl's caches warm; the connections themselves
/// live in the multi handle's pool. `deinit` frees everything it owns; the handle must already be
/// removed from the multi handle by then.
final class CurlEasyHandle {
    /// The `CURL *`; owned by this object.
    let easy: UnsafeMutableRawPointer
    /// The request header list of the current transfer; owned by this object.
    private var headerList: UnsafeMutablePointer<curl_slist>?
    /// libcurl writes a detail message here when a transfer fails (`CURLOPT_ERRORBUFFER`).
    private let errorBuffer: UnsafeMutablePointer<CChar>

    /// Response pieces of the current transfer, appended by the C callbacks.
    fileprivate var responseHeaders: [HTTPHeader] = []
    fileprivate var responseBody: [UInt8] = []
    /// Set when the body callback refused data because the body was too large.
    fileprivate var bodyTooLarge = false
    /// Where requests may go; the address part is read by the open-socket callback through `addressPolicy`.
    private let policy: OutboundPolicy
    private let addressPolicy: UnsafeMutablePointer<CLibCurl_address_policy>

    /// The headers `headerList` was built from, so that the next transfer with the same headers reuses it.
    private var listedHeaders: [HTTPHeader] = []
    private var listedWithBody = false

    /// Bodies larger than this abort the transfer (a carrier API never answers with megabytes).
    static let maxResponseBytes = 16 * 1024 * 1024

    /// Returns `nil` when libcurl cannot allocate a handle.
    init?(policy: OutboundPolicy = .unrestricted) {
        guard let easy = curl_easy_init() else { return nil }
        self.easy = easy
        self.policy = policy
        addressPolicy = .allocate(capacity: 1)
        addressPolicy.initialize(
            to: CLibCurl_address_policy(allow_internal: policy.allowInternalAddresses ? 1 : 0, refused: 0))
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        guard setFixedOptions() else { return nil }
    }

    deinit {
        curl_easy_cleanup(easy)
        curl_slist_free_all(headerList)
        errorBuffer.deallocate()
        addressPolicy.deallocate()
    }

    /// Sets the handle up for `request`.
    ///
    /// The options every transfer shares were set when the handle was made; here only the URL, timeouts,
    /// method, body and headers change. A header list equal to the previous transfer's is reused as is.
    ///
    /// - Returns: `nil` on success, else why the request cannot be sent.
    func configure(for request: HTTPRequest, timeouts: Timeouts) -> TransportError? {
        responseHeaders = []
        responseBody = []
        bodyTooLarge = false
        errorBuffer[0] = 0
        addressPolicy.pointee.refused = 0

        if let problem = Self.validate(request) { return .invalidRequest(problem) }
        if policy.allowedHosts != nil {
            var host = [CChar](repeating: 0, count: 256)
            guard CLibCurl_url_host(request.url, &host, host.count) == 0,
                policy.allows(host: String(cString: host))
            else {
                return .refusedByPolicy
            }
        }
        let method = request.method.uppercased()

        var code = CURLE_OK
        func set(_ result: CURLcode) {
            if code == CURLE_OK { code = result }
        }
        set(CLibCurl_setopt_string(easy, CURLOPT_URL, request.url))
        set(CLibCurl_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, max(1, timeouts.connectMs)))
        set(CLibCurl_setopt_long(easy, CURLOPT_TIMEOUT_MS, max(1, timeouts.totalMs)))

        // Back to a plain GET first: the previous transfer may have left a body, NOBODY or a custom method.
        set(CLibCurl_setopt_pointer(easy, CURLOPT_CUSTOMREQUEST, nil))
        set(CLibCurl_setopt_long(easy, CURLOPT_NOBODY, 0))
        set(CLibCurl_setopt_long(easy, CURLOPT_HTTPGET, 1))
        let sendsBody = !request.body.isEmpty || ["POST", "PUT", "PATCH"].contains(method)
        if method == "HEAD" {
            set(CLibCurl_setopt_long(easy, CURLOPT_NOBODY, 1))
        } else if sendsBody {
            // The size first, so that COPYPOSTFIELDS copies exactly that many bytes (binary safe).
            set(CLibCurl_setopt_off_t(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count)))
            let copied: CURLcode = request.body.withUnsafeBytes { raw in
                if let base = raw.baseAddress {
                    return CLibCurl_setopt_pointer(
                        easy, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: base))
                }
                return "".withCString {
                    CLibCurl_setopt_pointer(easy, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: $0))
                }
            }
            set(copied)
            if method != "POST" { set(CLibCurl_setopt_string(easy, CURLOPT_CUSTOMREQUEST, method)) }
        } else if method != "GET" {
            set(CLibCurl_setopt_string(easy, CURLOPT_CUSTOMREQUEST, method))
        }

        if headerList == nil || listedHeaders != request.headers || listedWithBody != sendsBody {
            curl_slist_free_all(headerList)
            headerList = nil
            guard appendHeaders(of: request, sendsBody: sendsBody) else {
                return TransportError(curlCode: 27, kind: .other, message: "out of memory building the header list")
            }
            listedHeaders = request.headers
            listedWithBody = sendsBody
        }
        set(CLibCurl_setopt_slist(easy, CURLOPT_HTTPHEADER, headerList))

        if code != CURLE_OK { return TransportError(curl: code, detail: "") }
        return nil
    }

    /// The options that are the same for every transfer (TLS checks, HTTP/1.1, no redirects, callbacks), set once
    /// when the handle is made. Returns false when libcurl refuses one.
    private func setFixedOptions() -> Bool {
        var ok = true
        func set(_ result: CURLcode) { ok = ok && result == CURLE_OK }
        let me = Unmanaged.passUnretained(self).toOpaque()
        set(CLibCurl_setopt_pointer(easy, CURLOPT_ERRORBUFFER, errorBuffer))
        set(CLibCurl_setopt_string(easy, CURLOPT_PROTOCOLS_STR, "http,https"))
        set(CLibCurl_setopt_long(easy, CURLOPT_NOSIGNAL, 1))
        set(CLibCurl_setopt_long(easy, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_1_1)))
        set(CLibCurl_setopt_long(easy, CURLOPT_SSL_VERIFYPEER, 1))
        set(CLibCurl_setopt_long(easy, CURLOPT_SSL_VERIFYHOST, 2))
        set(CLibCurl_setopt_long(easy, CURLOPT_FOLLOWLOCATION, 0))
        set(CLibCurl_setopt_long(easy, CURLOPT_TCP_KEEPALIVE, 1))
        set(CLibCurl_install_address_policy(easy, addressPolicy))
        set(CLibCurl_setopt_write_function(easy, CURLOPT_WRITEFUNCTION, curlBodyCallback))
        set(CLibCurl_setopt_pointer(easy, CURLOPT_WRITEDATA, me))
        set(CLibCurl_setopt_write_function(easy, CURLOPT_HEADERFUNCTION, curlHeaderCallback))
        set(CLibCurl_setopt_pointer(easy, CURLOPT_HEADERDATA, me))
        return ok
    }

    /// Builds the header list: the request's headers as given, and libcurl's defaults switched off.
    ///
    /// `Expect:` stops libcurl from sending `Expect: 100-continue` (and waiting up to a second) for
    /// larger bodies; `Accept:` and `Content-Type:` remove headers libcurl would otherwise invent.
    /// A header with an empty value is written `Name;`, libcurl's syntax for "send it empty".
    private func appendHeaders(of request: HTTPRequest, sendsBody: Bool) -> Bool {
        var lines = request.headers.map { header in
            header.value.isEmpty ? "\(header.name);" : "\(header.name): \(header.value)"
        }
        let given = Set(request.headers.map { $0.name.lowercased() })
        if !given.contains("expect") { lines.append("Expect:") }
        if !given.contains("accept") { lines.append("Accept:") }
        if sendsBody && !given.contains("content-type") { lines.append("Content-Type:") }
        for line in lines {
            guard let extended = curl_slist_append(headerList, line) else { return false }
            headerList = extended
        }
        return true
    }

    /// Returns a description of what makes `request` unsendable, or `nil`.
    ///
    /// Control characters in the method, URL or headers would let a value smuggle extra header lines.
    private static func validate(_ request: HTTPRequest) -> String? {
        func isToken(_ text: String) -> Bool {
            !text.isEmpty && text.utf8.allSatisfy { tokenBytes[Int($0)] }
        }
        func hasControl(_ text: String) -> Bool {
            text.utf8.contains { ($0 < 0x20 && $0 != 9) || $0 == 0x7F }
        }
        if !isToken(request.method) { return "method is not an HTTP token" }
        if request.url.isEmpty || request.url.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) {
            return "URL is empty or contains spaces or control characters"
        }
        for header in request.headers {
            if !isToken(header.name) { return "header name '\(header.name.prefix(64))' is not an HTTP token" }
            if hasControl(header.value) {
                // The value is not echoed: it may be a credential.
                return "value of header '\(header.name)' contains control characters"
            }
        }
        return nil
    }

    /// RFC 9110 token characters, by byte value.
    private static let tokenBytes: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for b in "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8 {
            table[Int(b)] = true
        }
        return table
    }()

    /// Returns the outcome of the finished transfer, given libcurl's result code for it.
    func result(for code: CURLcode) -> Result<HTTPResponse, TransportError> {
        if bodyTooLarge {
            return .failure(
                TransportError(
                    curlCode: Int(code.rawValue), kind: .other,
                    message: "response body larger than \(Self.maxResponseBytes) bytes"))
        }
        if addressPolicy.pointee.refused != 0 { return .failure(.refusedByPolicy) }
        guard code == CURLE_OK else {
            var error = TransportError(curl: code, detail: String(cString: errorBuffer))
            // Bytes of the request written (headers first): zero when the failure came before the request left.
            var written = 0
            _ = CLibCurl_getinfo_long(easy, CURLINFO_REQUEST_SIZE, &written)
            error.requestSent = written > 0
            return .failure(error)
        }
        var status = 0
        _ = CLibCurl_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
        let response = HTTPResponse(status: status, headers: responseHeaders, body: responseBody)
        return .success(response)
    }

    /// Drops the response of the finished transfer. The header list is kept for the next transfer with the
    /// same headers; it may hold credentials, but only in this handle, which the transport owns.
    func clear() {
        responseHeaders = []
        responseBody = []
    }
}

extension TransportError {
    /// Classifies a libcurl error; `detail` is the error buffer text (may be empty).
    init(curl code: CURLcode, detail: String) {
        let kind: Kind
        switch code {
        case CURLE_OPERATION_TIMEDOUT:
            kind = .timeout
        case CURLE_COULDNT_CONNECT, CURLE_SEND_ERROR, CURLE_RECV_ERROR:
            kind = .connect
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            kind = .dns
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH,
            CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED,
            CURLE_SSL_ENGINE_INITFAILED, CURLE_SSL_SHUTDOWN_FAILED, CURLE_SSL_CRL_BADFILE, CURLE_USE_SSL_FAILED:
            kind = .tls
        default:
            kind = .other
        }
        let summary = String(cString: curl_easy_strerror(code))
        let message = detail.isEmpty || detail == summary ? summary : "\(summary): \(detail)"
        self.init(curlCode: Int(code.rawValue), kind: kind, message: message)
    }
}

/// `CURLOPT_WRITEFUNCTION`: appends body bytes to the ``CurlEasyHandle`` passed as user data.
private let curlBodyCallback: CLibCurl_write_callback = { data, size, count, userData in
    guard let userData else { return 0 }
    let handle = Unmanaged<CurlEasyHandle>.fromOpaque(userData).takeUnretainedValue()
    let length = size * count
    guard handle.responseBody.count + length <= CurlEasyHandle.maxResponseBytes else {
        handle.bodyTooLarge = true
        return 0
    }
    if let data, length > 0 {
        handle.responseBody.append(contentsOf: UnsafeRawBufferPointer(start: data, count: length))
    }
    return length
}

/// `CURLOPT_HEADERFUNCTION`: parses one header line into the ``CurlEasyHandle`` passed as user data.
///
/// A status line starts a new header block (after `100 Continue`, only the final block is kept);
/// a line starting with white space continues the previous field (obsolete folding).
private let curlHeaderCallback: CLibCurl_write_callback = { data, size, count, userData in
    let length = size * count
    guard let userData, let data else { return length }
    let handle = Unmanaged<CurlEasyHandle>.fromOpaque(userData).takeUnretainedValue()
    var bytes = UnsafeRawBufferPointer(start: data, count: length)[...]
    while let last = bytes.last, last == 10 || last == 13 { bytes.removeLast() }
    guard let first = bytes.first else { return length }
    if bytes.starts(with: "HTTP/".utf8) {
        handle.responseHeaders = []
    } else if first == 32 || first == 9 {
        if var last = handle.responseHeaders.popLast() {
            last.value += " " + trimmedOWS(bytes)
            handle.responseHeaders.append(last)
        }
    } else if let colon = bytes.firstIndex(of: 58) {
        let name = String(decoding: bytes[..<colon], as: UTF8.self)
        handle.responseHeaders.append(HTTPHeader(name, trimmedOWS(bytes[(colon + 1)...])))
    }
    return length
}

/// The bytes without leading and trailing spaces and tabs, as a string.
private func trimmedOWS(_ bytes: Slice<UnsafeRawBufferPointer>) -> String {
    var slice = bytes
    while let b = slice.first, b == 32 || b == 9 { slice.removeFirst() }
    while let b = slice.last, b == 32 || b == 9 { slice.removeLast() }
    return String(decoding: slice, as: UTF8.self)
}
