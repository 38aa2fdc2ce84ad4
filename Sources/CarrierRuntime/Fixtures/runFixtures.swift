public import CarrierCore
import Foundation

/// Runs every case of `file` against its carrier's adapter. Pure: no network; inbound cases use their own clock.
///
/// Every secret setting value of the file is redacted from the failure texts.
public func runFixtures(_ file: FixtureFile, table: AdapterTable) -> [FixtureOutcome] {
    guard let adapter = table.adapter(file.carrier) else {
        return file.cases.map {
            FixtureOutcome(
                file: file.path, name: $0.name, kind: $0.kind.rawValue, origin: $0.origin,
                failure: "unknown carrier '\(file.carrier)'")
        }
    }
    return file.cases.map { c in
        let secrets = secretValues(of: adapter, settings: c.settings)
        var failure: String?
        switch c.kind {
        case .outbound: failure = runOutbound(c, adapter: adapter, secrets: secrets)
        case .response: failure = runResponse(c, adapter: adapter)
        case .inbound: failure = runInbound(c, adapter: adapter, publicBaseURL: file.publicBaseUrl)
        }
        if var f = failure {
            for s in secrets where !s.isEmpty { f = f.replacingOccurrences(of: s, with: "***") }
            failure = f
        }
        return FixtureOutcome(file: file.path, name: c.name, kind: c.kind.rawValue, origin: c.origin, failure: failure)
    }
}

// MARK: - outbound

private func runOutbound(_ c: FixtureCase, adapter: Adapter, secrets: [String]) -> String? {
    let message: OutboundMessage
    do {
        message = try JSONDecoder().decode(OutboundMessage.self, from: Data((c.message ?? .object([:])).json.utf8))
    } catch {
        // A message the canonical shape refuses (an unknown media field, a wrong type) is `invalid-message`.
        if c.expect["error"]?.text == "invalid-message" { return nil }
        return "message does not decode (invalid-message): \(error)"
    }
    let expectedError = c.expect["error"]?.text
    let problems = validateMessage(message, adapter: adapter)
    if let first = problems.first {
        if expectedError == first.code { return nil }
        return "message is invalid: \(first.code): \(first.message)"
    }
    let request: HTTPRequest
    do {
        request = try renderRequest(
            for: message, adapter: adapter, settings: c.settings, segmentCounter: segmentCounter(for: adapter))
    } catch {
        if expectedError == error.code { return nil }
        return "render failed: \(error)"
    }
    if let expectedError { return "expected error \(expectedError), but the request rendered" }
    var diffs: [String] = []
    if let m = c.expect["method"]?.text, m != request.method { diffs.append(diff("method", m, request.method)) }
    if let u = c.expect["url"]?.text, u != request.url { diffs.append(diff("url", u, request.url)) }
    if case .object(let headers)? = c.expect["headers"] {
        for (name, v) in headers.sorted(by: { $0.key < $1.key }) {
            let actual = request.headers.first(named: name)
            if v == .null {
                if let actual { diffs.append(diff("header \(name)", "(absent)", actual)) }
            } else if actual != v.text {
                diffs.append(diff("header \(name)", v.text ?? "", actual ?? "(absent)"))
            }
        }
    }
    let body = String(decoding: request.body, as: UTF8.self)
    if let b = c.expect["body"] {
        let expected = b.text ?? ""
        if expected != body { diffs.append(diff("body", expected, body)) }
    }
    if let j = c.expect["bodyJSON"] {
        let expected = canonicalJSON(Data(j.json.utf8))
        let actual = canonicalJSON(Data(request.body))
        if expected == nil || expected != actual {
            diffs.append(diff("body (JSON)", expected ?? j.json, actual ?? body))
        }
    }
    if let f = c.expect["bodyForm"] {
        let expected = ((try? parseFormPairs(Array((f.text ?? "").utf8))) ?? []).map { "\($0.0)=\($0.1)" }.sorted()
        let actual = ((try? parseFormPairs(request.body)) ?? []).map { "\($0.0)=\($0.1)" }.sorted()
        if expected != actual {
            diffs.append(diff("body (form)", expected.joined(separator: "&"), actual.joined(separator: "&")))
        }
    }
    return diffs.isEmpty ? nil : diffs.joined(separator: "\n")
}

/// The segment counter the runtime uses for `segments.*` template variables.
func segmentCounter(for adapter: Adapter) -> (String) -> (count: Int, encoding: String) {
    { text in
        let info = countSegments(text, smartEncoding: adapter.options.smartEncoding)
        return (info.segments, info.encoding)
    }
}

private func canonicalJSON(_ data: Data) -> String? {
    guard let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]),
        let out = try? JSONSerialization.data(
            withJSONObject: object, options: [.sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes])
    else { return nil }
    return String(decoding: out, as: UTF8.self)
}

private func diff(_ what: String, _ expected: String, _ actual: String) -> String {
    "\(what):\n  expected: \(expected)\n  actual:   \(actual)"
}

// MARK: - response

private func runResponse(_ c: FixtureCase, adapter: Adapter) -> String? {
    guard let http = c.http else { return "no response" }
    let response = HTTPResponse(
        status: http.status ?? 200, headers: http.headers.map { HTTPHeader($0.name, $0.value) },
        body: Array(http.body.utf8))
    let result = classifyResponse(response, adapter: adapter, now: Date(timeIntervalSince1970: 1_700_000_000))
    var diffs: [String] = []
    func check(_ key: String, _ actual: String?) {
        guard let expected = c.expect[key] else { return }
        let e = expected == .null ? nil : expected.text
        if e != actual { diffs.append(diff(key, e ?? "null", actual ?? "null")) }
    }
    check("outcome", result.outcome.rawValue)
    check("providerMessageId", result.providerMessageId)
    check("providerStatus", result.providerStatus)
    check("errorCode", result.errorCode)
    check("errorMessage", result.errorMessage)
    if let expected = c.expect["retryAfterSeconds"] {
        let e = expected.text.flatMap(Double.init)
        if e != result.retryAfterSeconds {
            diffs.append(
                diff("retryAfterSeconds", expected.text ?? "null", result.retryAfterSeconds.map { "\($0)" } ?? "null"))
        }
    }
    return diffs.isEmpty ? nil : diffs.joined(separator: "\n")
}

// MARK: - inbound

private func runInbound(_ c: FixtureCase, adapter: Adapter, publicBaseURL: String?) -> String? {
    guard let http = c.http else { return "no request" }
    let url = http.url ?? "/"
    let request = HTTPRequest(
        method: http.method ?? "POST", url: url, headers: http.headers.map { HTTPHeader($0.name, $0.value) },
        body: Array(http.body.utf8))
    let publicURL = (publicBaseURL ?? "https://example.com") + url
    let now = c.now.map { Date(timeIntervalSince1970: Double($0)) } ?? Date()
    let expectedError = c.expect["error"]?.text
    let result: InboundResult
    do {
        result = try normalizeInbound(request, adapter: adapter, settings: c.settings, publicURL: publicURL, now: now)
    } catch {
        if expectedError == error.code { return nil }
        return diff("result", expectedError.map { "error \($0)" } ?? "events", "error \(error)")
    }
    if let expectedError { return diff("result", "error \(expectedError)", "\(result.events.count) event(s)") }
    var diffs: [String] = []
    if let ignored = c.expect["ignored"], ignored == .bool(true), !result.ignored {
        diffs.append(diff("ignored", "true", "false (\(result.events.count) events)"))
    }
    if case .array(let expectedEvents)? = c.expect["events"] {
        if expectedEvents.count != result.events.count {
            diffs.append(
                diff("event count", "\(expectedEvents.count)", "\(result.events.count): \(eventsJSON(result.events))"))
        }
        for (i, (expected, actual)) in zip(expectedEvents, result.events).enumerated() {
            diffs += compareEvent(expected, actual).map { "event \(i): \($0)" }
        }
    }
    if case .object(let reply)? = c.expect["reply"] {
        if let s = reply["status"]?.text, s != String(result.reply.status) {
            diffs.append(diff("reply status", s, String(result.reply.status)))
        }
        if let b = reply["body"]?.text, b != String(decoding: result.reply.body, as: UTF8.self) {
            diffs.append(diff("reply body", b, String(decoding: result.reply.body, as: UTF8.self)))
        }
    }
    return diffs.isEmpty ? nil : diffs.joined(separator: "\n")
}

private func eventsJSON(_ events: [NormalizedEvent]) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return events.compactMap { (try? encoder.encode($0)).map { String(decoding: $0, as: UTF8.self) } }.joined(
        separator: " ")
}

/// Compares the listed fields of an expected event with the actual one; `null` means absent.
///
/// The event is read back through the JSON parser, which keeps numbers and booleans apart (Foundation's
/// `JSONSerialization` hands out `NSNumber`s, and a part number of 1 then reads as `true`).
private func compareEvent(_ expected: PayloadValue, _ actual: NormalizedEvent) -> [String] {
    guard case .object(let fields) = expected else { return ["expected event is not a mapping"] }
    guard let data = try? JSONEncoder().encode(actual),
        case .object(let object)? = try? parseJSON(Array(data)),
        let type = object["type"]?.text, case .object(let body)? = object["data"]
    else { return ["event does not encode"] }
    var diffs: [String] = []
    for (key, value) in fields.sorted(by: { $0.key < $1.key }) {
        if key == "type" {
            if value.text != type { diffs.append(diff("type", value.text ?? "", type)) }
            continue
        }
        let actualText = body[key].flatMap(eventFieldText)
        let expectedText = eventFieldText(value)
        if expectedText != actualText { diffs.append(diff(key, expectedText ?? "null", actualText ?? "null")) }
    }
    return diffs
}

/// An event field as compared text: scalars as written, lists as `[a, b]`, null as nil.
private func eventFieldText(_ value: PayloadValue) -> String? {
    switch value {
    case .null: nil
    case .array(let items): "[" + items.map { $0.text ?? "" }.joined(separator: ", ") + "]"
    case .object: "{...}"
    default: value.text
    }
}
