public import CarrierCore
import Foundation

/// A copy of `request` that is safe to print: every secret is replaced with `***`.
///
/// Each secret is searched in the URL, header values and body as it is, form-encoded, URL-encoded,
/// JSON-escaped and base64-encoded; a base64 token that decodes to text containing a secret (the
/// `user:secret` of basic auth) is replaced too. `Authorization` values always become `<scheme> ***`.
public func redact(_ request: HTTPRequest, secrets: [String]) -> HTTPRequest {
    let forms = redactionForms(of: secrets)
    var out = request
    out.url = String(decoding: replaceAll(forms, in: Array(request.url.utf8)), as: UTF8.self)
    out.headers = request.headers.map { header in
        if header.name.lowercased() == "authorization" || header.name.lowercased() == "proxy-authorization" {
            let scheme = header.value.split(separator: " ", maxSplits: 1).first.map(String.init)
            let hasScheme = header.value.contains(" ") && scheme != nil
            return HTTPHeader(header.name, hasScheme ? "\(scheme ?? "") ***" : "***")
        }
        var value = String(decoding: replaceAll(forms, in: Array(header.value.utf8)), as: UTF8.self)
        value = redactBase64Tokens(value, secrets: secrets)
        return HTTPHeader(header.name, value)
    }
    out.body = replaceAll(forms, in: request.body)
    return out
}

/// The values of the adapter's `secret` settings among the resolved `settings`.
public func secretValues(of adapter: Adapter, settings: [String: String]) -> [String] {
    adapter.secretSettingNames.compactMap { settings[$0] ?? adapter.settings[$0]?.default }.filter { !$0.isEmpty }
}

/// Every encoding a secret may take in a request, longest first so that a longer form wins.
private func redactionForms(of secrets: [String]) -> [[UInt8]] {
    var forms = Set<[UInt8]>()
    for secret in secrets where !secret.isEmpty {
        let jsonEscaped = String(WireEscaping.jsonString(secret).dropFirst().dropLast())
        for form in [
            secret, WireEscaping.form(secret), WireEscaping.url(secret), jsonEscaped, WireEscaping.xml(secret),
            Data(secret.utf8).base64EncodedString(),
            WireEscaping.form(secret).lowercased(), WireEscaping.url(secret).lowercased(),
        ] {
            forms.insert(Array(form.utf8))
        }
    }
    return forms.sorted { $0.count != $1.count ? $0.count > $1.count : $0.lexicographicallyPrecedes($1) }
}

private let mask = Array("***".utf8)

/// Replaces every occurrence of each pattern, scanning left to right; replaced text is not scanned again.
private func replaceAll(_ patterns: [[UInt8]], in bytes: [UInt8]) -> [UInt8] {
    guard !patterns.isEmpty, !bytes.isEmpty else { return bytes }
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count)
    var i = 0
    outer: while i < bytes.count {
        for p in patterns where !p.isEmpty && i + p.count <= bytes.count && bytes[i] == p[0] {
            if bytes[i..<(i + p.count)].elementsEqual(p) {
                out += mask
                i += p.count
                continue outer
            }
        }
        out.append(bytes[i])
        i += 1
    }
    return out
}

/// Replaces base64 tokens of a header value whose decoded text contains a secret.
private func redactBase64Tokens(_ value: String, secrets: [String]) -> String {
    let parts = value.split(separator: " ", omittingEmptySubsequences: false)
    let redacted = parts.map { token -> String in
        guard token.count >= 4, let data = Data(base64Encoded: String(token)) else { return String(token) }
        let decoded = String(decoding: data, as: UTF8.self)
        return secrets.contains { !$0.isEmpty && decoded.contains($0) } ? "***" : String(token)
    }
    return redacted.joined(separator: " ")
}
