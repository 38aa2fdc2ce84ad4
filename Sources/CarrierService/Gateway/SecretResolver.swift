import CarrierRuntime
import Foundation

/// Resolves secret references in channel settings and configured API keys.
///
/// A value `env:NAME` is read from the environment, `file:/path` from a file (one trailing newline dropped) and
/// `literal:value` is the value itself. Any other value is not a reference and is returned unchanged.
/// Resolved values are never logged; errors name the setting, never the value.
struct SecretResolver: Sendable {
    /// The process environment, injectable for tests.
    var environment: [String: String]

    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    /// Returns the value a reference points to.
    /// - Parameters:
    ///   - value: The stored value or reference.
    ///   - name: The setting name, used in error messages.
    /// - Throws: ``ServiceError`` `secret-unresolved` when the variable or file is missing.
    func resolve(_ value: String, name: String) throws(ServiceError) -> String {
        do {
            return try resolveSecretReference(value, environment: environment)
        } catch {
            throw .secretUnresolved("setting '\(name)': \(error.message)")
        }
    }

    /// Returns all settings with their references resolved.
    /// - Throws: ``ServiceError`` `secret-unresolved` for the first setting that cannot be resolved.
    func resolve(settings: [String: String]) throws(ServiceError) -> [String: String] {
        var resolved: [String: String] = [:]
        for (name, value) in settings {
            resolved[name] = try resolve(value, name: name)
        }
        return resolved
    }
}
