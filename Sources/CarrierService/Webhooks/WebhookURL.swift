import CarrierRuntime
import Foundation

/// The checks a webhook or callback URL passes before it is stored: an absolute `http` or `https` URL without
/// credentials, whose host resolves, and only to public addresses unless `allowPrivateWebhookTargets` is on. The
/// deliverer's transport checks the address again at connect time (a name may change its answer).
enum WebhookURL {
    /// Why `url` is not an absolute http(s) URL with a host and no user info, or nil when it is.
    static func syntaxProblem(_ url: String) -> String? {
        guard url.utf8.count <= 2048 else { return "the URL is longer than 2048 bytes" }
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https"
        else { return "the URL must be an absolute http or https URL" }
        guard let host = components.host, !host.isEmpty else { return "the URL has no host" }
        if components.user != nil || components.password != nil { return "the URL must not carry credentials" }
        if components.fragment != nil { return "the URL must not have a fragment" }
        return nil
    }

    /// Checks syntax and, by resolving the host, the addresses.
    /// - Throws: ``ServiceError`` 400 `invalid-url`, `unresolvable-host` or `destination-not-allowed`.
    static func check(_ url: String, field: String, allowPrivate: Bool) async throws(ServiceError) {
        if let problem = syntaxProblem(url) {
            throw .validation([.invalid(field, "invalid-url", "\(field): \(problem)")])
        }
        guard let host = URLComponents(string: url)?.host else { return }
        let resolution = await resolve(host)
        switch resolution {
        case .unresolvable:
            throw ServiceError(
                status: 400, code: "unresolvable-host", message: "\(field): the host '\(host)' does not resolve")
        case .internalAddress where !allowPrivate:
            throw ServiceError(
                status: 400, code: "destination-not-allowed",
                message: "\(field): loopback, private and link-local addresses are not allowed")
        case .internalAddress, .publicOnly:
            return
        }
    }

    /// Resolves off the cooperative thread pool (the system resolver blocks).
    private static func resolve(_ host: String) async -> HostAddresses.Resolution {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: HostAddresses.resolve(host)) }
        }
    }
}
