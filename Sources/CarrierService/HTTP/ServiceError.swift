/// An API error: the HTTP status plus the JSON body
/// `{"error":{"type","code","message","attribute"?,"url","errors"?}}` (the shape SignalWire's API uses); `url` is
/// the code's entry in `docs/errors.md`, which lists every code the service returns.
struct ServiceError: Error, Sendable, Equatable {
    /// One field problem in a `validation-failed` error.
    struct FieldError: Sendable, Equatable, Codable {
        var type: String
        var code: String
        var message: String
        var attribute: String
    }

    var status: Int
    /// A stable kebab-case code.
    var code: String
    var message: String
    var errors: [FieldError]?
    /// Seconds for a `Retry-After` header (429 answers).
    var retryAfter: Int? = nil
    /// The request member at fault, when there is one.
    var attribute: String? = nil

    /// Where the codes are documented; each code is a heading there (`#code`).
    static let documentation = "docs/errors.md"

    /// The code's documentation entry.
    var url: String { Self.documentation + "#" + code }

    /// The kind of error, from the status: what a client branches on before reading the code.
    var type: String {
        switch status {
        case 401: return "authentication"
        case 403: return "permission"
        case 404: return "not-found"
        case 409: return "conflict"
        case 422: return "unprocessable"
        case 429: return "rate-limit"
        case 502, 504: return "carrier"
        case 500...: return "server"
        default: return "invalid-request"
        }
    }

    static func badJSON(_ message: String) -> Self { .init(status: 400, code: "bad-json", message: message) }
    /// A 400 listing field problems; when they all share one code (`unknown-field`, `too-many-media`, ...), that
    /// code and the first attribute are the error's own, else the code is `validation-failed`.
    static func validation(_ errors: [FieldError]) -> Self {
        guard let first = errors.first, errors.allSatisfy({ $0.code == first.code }) else {
            return .init(
                status: 400, code: "validation-failed", message: "the request is not valid", errors: errors,
                attribute: errors.first?.attribute)
        }
        return .init(
            status: 400, code: first.code, message: first.message, errors: errors, attribute: first.attribute)
    }
    static let unauthorized = Self(status: 401, code: "unauthorized", message: "missing or unknown API key")
    static func forbidden(scope: String) -> Self {
        .init(status: 403, code: "forbidden", message: "the API key lacks the '\(scope)' scope")
    }
    static func notFound(_ code: String, _ message: String) -> Self { .init(status: 404, code: code, message: message) }
    static let routeNotFound = Self(status: 404, code: "not-found", message: "no such endpoint")
    static let bodyTooLarge = Self(
        status: 413, code: "body-too-large", message: "the body is larger than \(ServiceResponder.maxBodyBytes) bytes")
    static let methodNotAllowed = Self(status: 405, code: "method-not-allowed", message: "method not allowed")
    static func secretUnresolved(_ message: String) -> Self {
        .init(status: 500, code: "secret-unresolved", message: message)
    }
    static func tooManyAuthFailures(retryAfter: Int) -> Self {
        .init(
            status: 429, code: "too-many-auth-failures",
            message: "too many requests with a wrong API key from this address; retry later", retryAfter: retryAfter)
    }
    static let rateLimited = Self(
        status: 429, code: "rate-limited", message: "this account is over its request rate; retry later",
        retryAfter: 1)
    static func storage(_ message: String) -> Self { .init(status: 500, code: "storage-error", message: message) }
}

extension ServiceError.FieldError {
    static func invalid(_ attribute: String, _ code: String, _ message: String) -> Self {
        .init(type: "invalid", code: code, message: message, attribute: attribute)
    }
    static func missing(_ attribute: String, _ message: String) -> Self {
        .init(type: "missing", code: "required", message: message, attribute: attribute)
    }
}
