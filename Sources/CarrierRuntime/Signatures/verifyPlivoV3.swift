import CarrierCore
import Foundation

/// Checks Plivo's `X-Plivo-Signature-V3`: Base64 of HMAC-SHA256, keyed with the auth token, over the request
/// string, a `.` and the `X-Plivo-Signature-V3-Nonce` header's value.
///
/// The request string follows Plivo's SDKs (`validate_v3_signature`):
/// - GET: the URL without its query, then `?` and the query parameters sorted by name (repeated names by value)
///   as `name=value` joined with `&` (left out when there are none).
/// - POST: the same for the URL's own query; when the body has parameters, `?`, the sorted query, a `.` when that
///   query is not empty, then every body parameter as `namevalue` sorted by name (a nested JSON object as its name
///   followed by its own sorted parameters).
///
/// - Parameters:
///   - signature: the signature header; several comma-separated signatures are accepted, any may match.
///   - nonce: the nonce header.
///   - method: the request method.
///   - url: the public URL of the request, with its query.
///   - bodyParameters: the body's parameters (form pairs, or a JSON object's members); nil or empty for none.
///   - authToken: the account's auth token.
/// - Returns: true when one of the signatures matches.
func verifyPlivoV3(
    signature: String, nonce: String, method: String, url: String, bodyParameters: PayloadObject?, authToken: String
) -> Bool {
    let base = plivoV3RequestString(method: method, url: url, bodyParameters: bodyParameters)
    let expected = HMACAlgorithm.sha256.authenticationCode(for: Array((base + "." + nonce).utf8), key: authToken.utf8)
    return signature.split(separator: ",").contains { candidate in
        base64Matches(candidate.trimmingCharacters(in: .whitespaces), expected)
    }
}

/// The string Plivo signs before the nonce (see ``verifyPlivoV3(signature:nonce:method:url:bodyParameters:authToken:)``).
func plivoV3RequestString(method: String, url: String, bodyParameters: PayloadObject?) -> String {
    let parts = url.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
    let address = String(parts[0])
    let queryPairs = parts.count > 1 ? ((try? parseFormPairs(Array(parts[1].utf8))) ?? []) : []
    let query = plivoSortedQuery(queryPairs)
    let body = bodyParameters ?? PayloadObject()
    if method.uppercased() == "GET" || body.isEmpty {
        return query.isEmpty ? address : address + "?" + query
    }
    return address + "?" + query + (query.isEmpty ? "" : ".") + plivoSortedParameters(body)
}

/// `name=value` pairs sorted by name, then by value, joined with `&`.
private func plivoSortedQuery(_ pairs: [(String, String)]) -> String {
    pairs.sorted { a, b in
        a.0 != b.0 ? plivoOrder(a.0, b.0) : plivoOrder(a.1, b.1)
    }.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
}

/// `namevalue` for every member sorted by name; lists give one `namevalue` per element, sorted by value.
private func plivoSortedParameters(_ object: PayloadObject) -> String {
    var out = ""
    for key in object.keys.sorted(by: plivoOrder) {
        guard let value = object[key] else { continue }
        switch value {
        case .array(let items):
            for item in items.map(plivoText).sorted(by: plivoOrder) { out += key + item }
        case .object(let nested):
            out += key + plivoSortedParameters(nested)
        default:
            out += key + plivoText(value)
        }
    }
    return out
}

/// A value as Plivo's Python SDK writes it: booleans `True`/`False`, null `None`, numbers as written.
private func plivoText(_ value: PayloadValue) -> String {
    switch value {
    case .null: "None"
    case .bool(let b): b ? "True" : "False"
    case .number(let n), .string(let n): n
    case .array(let items): "[" + items.map(plivoText).joined(separator: ", ") + "]"
    case .object(let o): plivoSortedParameters(o)
    }
}

/// Code-point order, as Python sorts strings.
private func plivoOrder(_ a: String, _ b: String) -> Bool {
    a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars)
}
