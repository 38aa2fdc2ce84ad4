import CarrierCore
public import Foundation

/// Reads a channel setting value that may be a secret reference.
///
/// `env:NAME` reads the environment variable, `file:/path` reads the file (trailing newline removed),
/// `literal:value` is the value itself (for tests); anything else is returned as written.
/// - Throws: ``SecretError`` when the variable or file does not exist. The error never contains the value.
public func resolveSecretReference(_ value: String, environment: [String: String] = ProcessInfo.processInfo.environment)
    throws(SecretError) -> String
{
    if value.hasPrefix("env:") {
        let name = String(value.dropFirst(4))
        guard let v = environment[name] else {
            throw SecretError(message: "environment variable \(name) is not set")
        }
        return v
    }
    if value.hasPrefix("file:") {
        let path = String(value.dropFirst(5))
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue
        if let size, size > maxSecretFileBytes {
            throw SecretError(message: "secret file \(path) is larger than \(maxSecretFileBytes / 1024) KiB")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw SecretError(message: "secret file \(path) cannot be read")
        }
        let data = ((try? handle.read(upToCount: maxSecretFileBytes + 1)) ?? nil) ?? Data()
        try? handle.close()
        guard data.count <= maxSecretFileBytes else {
            throw SecretError(message: "secret file \(path) is larger than \(maxSecretFileBytes / 1024) KiB")
        }
        var text = String(decoding: data, as: UTF8.self)
        while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
        return text
    }
    if value.hasPrefix("literal:") { return String(value.dropFirst(8)) }
    return value
}

/// The largest file a `file:` reference may name: secrets are short, and a large file must not be read into memory.
public let maxSecretFileBytes = 64 * 1024

/// Whether a value is written as a secret reference (`env:`, `file:` or `literal:`).
public func isSecretReference(_ value: String) -> Bool {
    value.hasPrefix("env:") || value.hasPrefix("file:") || value.hasPrefix("literal:")
}

/// Resolves every value of a channel's settings.
public func resolveSettingValues(_ values: [String: String]) throws(SecretError) -> [String: String] {
    var out: [String: String] = [:]
    for (k, v) in values { out[k] = try resolveSecretReference(v) }
    return out
}

/// A secret reference that cannot be resolved.
public struct SecretError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var code: String { "missing-secret" }
    public var description: String { "\(message) [\(code)]" }
}
