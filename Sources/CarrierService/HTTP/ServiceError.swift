/// An API error: the HTTP status plus the JSON body `{"error":{"code","message","errors"?}}`.
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

    static func badJSON(_ message: String) -> Self { .init(status: 400, code: "bad-json", message: message) }
    static func validation(_ errors: [FieldError]) -> Self {
        .init(status: 400, code: "validation-failed", message: "the request is not valid", errors: errors)
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
