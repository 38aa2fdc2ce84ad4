import CarrierCore
import CarrierRuntime

/// Reads a request body that must be a JSON object with only the given members: anything else is refused, never
/// dropped silently (`bad-json`, or `unknown-field` naming each extra member).
///
/// Read with the webhook JSON parser rather than `JSONDecoder`, which cost more than the rest of a `/send` request.
/// - Throws: ``ServiceError`` `bad-json` or `unknown-field`.
func strictJSONObject(_ bytes: [UInt8], members: Set<String>) throws(ServiceError) -> PayloadObject {
    let document: PayloadValue
    do {
        document = try parseJSONBody(bytes)
    } catch {
        throw .badJSON("the body is not valid JSON: \(error.message)")
    }
    guard case .object(let object) = document else { throw .badJSON("the body must be a JSON object") }
    let unknown = object.keys.filter { !members.contains($0) }.sorted()
    if !unknown.isEmpty {
        throw .validation(unknown.map { .invalid($0, "unknown-field", "unknown field '\($0)'") })
    }
    return object
}
