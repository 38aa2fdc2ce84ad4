import CarrierCore
import Foundation

/// Checks a webhook's signature as the definition declares; throws `bad-signature` (401) when it does not verify.
func verifySignature(
    _ rule: SignatureRule, request: HTTPRequest, formPairs: [(String, String)], publicURL: String,
    context: TemplateContext, now: Date
) throws(InboundError) {
    func fail(_ why: String) -> InboundError {
        InboundError(
            code: "bad-signature", message: "signature check failed: \(why)", httpStatus: 401, origin: rule.origin)
    }
    func value(_ template: Template?) throws(InboundError) -> String {
        guard let template else { throw fail("no secret configured") }
        do {
            let s = try render(template, in: context)
            guard !s.isEmpty else { throw fail("the secret setting is empty") }
            return s
        } catch let e as InboundError {
            throw e
        } catch {
            throw fail("the secret is not available")
        }
    }
    func header(_ name: String?) throws(InboundError) -> String {
        guard let name, let v = request.headers.first(named: name), !v.isEmpty else {
            throw fail("header \(name ?? "?") is missing")
        }
        return v
    }
    let ok: Bool
    switch rule.scheme {
    case .twilio:
        let signature = try header(rule.header)
        let secret = try value(rule.secret)
        let isJSON = request.headers.first(named: "Content-Type")?.lowercased().contains("json") ?? false
        ok =
            isJSON
            ? verifyTwilioJSON(signature: signature, url: publicURL, body: request.body, authToken: secret)
            : verifyTwilio(signature: signature, url: publicURL, params: formPairs, authToken: secret)
    case .hmacSHA1Body, .hmacSHA256Body, .hmacSHA512Body:
        let signature = try header(rule.header)
        let secret = try value(rule.secret)
        let algorithm: HMACAlgorithm =
            rule.scheme == .hmacSHA1Body ? .sha1 : rule.scheme == .hmacSHA256Body ? .sha256 : .sha512
        ok = verifyHMAC(
            body: request.body, signature: signature, secret: secret, algorithm: algorithm,
            encoding: rule.encoding ?? .hex, prefix: rule.prefix ?? "")
    case .ed25519, .messagemedia:
        // Public-key schemes: a signature header, a signed time header, the carrier's public key.
        let signature = try header(rule.header)
        let timestamp = try header(rule.timestampHeader)
        let key = try value(rule.publicKey)
        let tolerance = rule.toleranceSeconds ?? 300
        do {
            ok =
                rule.scheme == .ed25519
                ? try verifyEd25519(
                    body: request.body, timestamp: timestamp, signatureBase64: signature, publicKeyBase64: key,
                    now: now, toleranceSeconds: tolerance)
                : try verifyMessageMedia(
                    method: request.method, publicURL: publicURL, date: timestamp, body: request.body,
                    signatureBase64: signature, publicKey: key, now: now, toleranceSeconds: tolerance)
        } catch {
            throw fail(error.message)
        }
    case .messagebirdJWT:
        let token = try header(rule.header)
        let secret = try value(rule.secret)
        if let problem = messageBirdJWTProblem(
            token: token, url: publicURL, body: request.body, secret: secret, now: now)
        {
            throw fail(problem)
        }
        ok = true
    case .vonageSig:
        let secret = try value(rule.secret)
        let method = rule.algorithm ?? .md5hash
        var params = formPairs
        let isJSON = request.headers.first(named: "Content-Type")?.containsIgnoringASCIICase("json") ?? false
        if isJSON, case .object(let object)? = try? parseJSON(request.body) {
            // JSON webhooks carry the signed parameters (and `sig`) as top-level fields.
            params = object.compactMap { key, value in value.text.map { (key, $0) } }
        } else if let q = request.url.firstIndex(of: "?"), formPairs.isEmpty || request.method == "GET" {
            params = (try? parseFormPairs(Array(request.url[request.url.index(after: q)...].utf8))) ?? []
        }
        ok = verifyVonageSig(params: params, secret: secret, algorithm: method, signatureParam: rule.param ?? "sig")
        // The signed `timestamp` (Unix seconds) must be recent: a captured callback cannot be replayed later.
        if ok, let stamp = params.last(where: { $0.0 == "timestamp" }).flatMap({ Double($0.1) }) {
            let tolerance = Double(rule.toleranceSeconds ?? 300)
            guard abs(now.timeIntervalSince1970 - stamp) <= tolerance else {
                throw fail("the signed timestamp is more than \(Int(tolerance)) s from now")
            }
        }
    case .basicAuth:
        let credentials = try value(rule.secret)
        let authorization = try header(rule.header ?? "Authorization")
        let prefix = "basic "
        guard authorization.count > prefix.count, authorization.prefix(prefix.count).lowercased() == prefix,
            let given = Data(
                base64Encoded: String(authorization.dropFirst(prefix.count)).trimmingCharacters(in: .whitespaces))
        else { throw fail("no Basic credentials") }
        ok = constantTimeEquals([UInt8](given), Array(credentials.utf8))
    case .plivoV2:
        let signature = try header(rule.header)
        let nonce = try header(rule.nonceHeader)
        ok = verifyPlivoV2(signature: signature, nonce: nonce, url: publicURL, authToken: try value(rule.secret))
    case .plivoV3:
        let signature = try header(rule.header)
        let nonce = try header(rule.nonceHeader)
        ok = verifyPlivoV3(
            signature: signature, nonce: nonce, method: request.method, url: publicURL,
            bodyParameters: signedBodyParameters(request), authToken: try value(rule.secret))
    case .signalwire:
        let signature = try header(rule.header)
        let secret = try value(rule.secret)
        let isJSON = request.headers.first(named: "Content-Type")?.lowercased().contains("json") ?? false
        ok =
            verifySignalWireBody(signature: signature, url: publicURL, body: request.body, signingKey: secret)
            || (isJSON
                ? verifyTwilioJSON(signature: signature, url: publicURL, body: request.body, authToken: secret)
                : verifyTwilio(signature: signature, url: publicURL, params: formPairs, authToken: secret))
    case .bird:
        let signature = try header(rule.header)
        let timestamp = try header(rule.timestampHeader)
        ok = verifyBird(
            body: request.body, timestamp: timestamp, signature: signature, url: publicURL,
            signingKey: try value(rule.secret), now: now, toleranceSeconds: rule.toleranceSeconds ?? 300)
    }
    if !ok { throw fail("\(rule.scheme.rawValue) signature does not match") }
}

/// The parameters a body carries for signatures that sort them (Plivo V3): a JSON object's members, or the pairs of
/// a form body; nil for an empty or other body.
private func signedBodyParameters(_ request: HTTPRequest) -> PayloadObject? {
    guard !request.body.isEmpty else { return nil }
    if request.headers.first(named: "Content-Type")?.containsIgnoringASCIICase("json") ?? false {
        guard case .object(let object)? = try? parseJSON(request.body) else { return nil }
        return object
    }
    return (try? parseFormPairs(request.body))?.groupedPayload()
}
