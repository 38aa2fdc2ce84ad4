public import CarrierCore
public import Foundation

/// Classifies a carrier's answer to a send by the definition's `response` rules. Pure.
///
/// `ok` when the status is a success status and `success.when` (if any) holds; otherwise `retryable` when the
/// status is in `retry.status` or the error code in `retry.codes`, else `permanent`. A body that does not parse
/// is not an error by itself: the status decides, and the extractors find nothing.
///
/// - Parameter now: for Retry-After given as an HTTP date.
public func classifyResponse(_ response: HTTPResponse, adapter: Adapter, now: Date = Date()) -> SendResult {
    let rule = adapter.response
    let parsed: PayloadValue
    switch rule.format {
    case .json: parsed = (try? parseJSON(response.body)) ?? .null
    case .form: parsed = (try? parseForm(response.body)) ?? .null
    case .xml: parsed = (try? parseXML(response.body)) ?? .null
    case .text: parsed = .null
    }
    let raw = String(decoding: response.body, as: UTF8.self)
    var context = PayloadContext(root: parsed)
    context.rawBody = raw
    func extract(_ e: ValueExtractor?) -> String? {
        guard let e else { return nil }
        return (try? e.string(in: context, rawBody: raw)) ?? nil
    }
    var result = SendResult(carrier: adapter.id, outcome: .permanent, httpStatus: response.status, origin: rule.origin)
    result.providerStatus = extract(rule.status)
    if let provider = result.providerStatus, let map = adapter.statuses {
        result.status = map.canonicalStatus(for: provider).status.rawValue
    }
    let statusOK = ResponseRule.status(response.status, matches: rule.successStatus)
    let bodyOK = rule.successWhen.map { $0.holds(in: context) } ?? true
    if statusOK && bodyOK {
        result.outcome = .ok
        result.providerMessageId = extract(rule.messageId)
        return result
    }
    result.errorCode = extract(rule.errorCode)
    result.errorMessage = extract(rule.errorMessage)
    let retryByStatus = ResponseRule.status(response.status, matches: rule.retryStatus)
    let retryByCode = result.errorCode.map(rule.retryCodes.contains) ?? false
    if retryByStatus || retryByCode {
        result.outcome = .retryable
        if let header = response.headers.first(named: rule.retryAfterHeader) {
            result.retryAfterSeconds = RetryPolicy.parseRetryAfter(header, now: now)
        }
    }
    return result
}
