package import Foundation

/// Compares `actual` with the golden file at `url`.
///
/// Returns nil when they match. When `RECORD_SNAPSHOTS` is set, or the golden file is missing, writes `actual`
/// there and returns a failure message anyway, so that a recording run never passes silently.
package func goldenMismatch(_ actual: String, golden url: URL) -> String? {
    let record = ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] != nil
    let existing = try? String(contentsOf: url, encoding: .utf8)
    if record || existing == nil {
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? actual.write(to: url, atomically: true, encoding: .utf8)
        return "Recorded new baseline at \(url.path); run again without RECORD_SNAPSHOTS"
    }
    guard let existing, existing != actual else { return nil }
    return "\(url.lastPathComponent) differs from the output:\n--- expected\n\(existing)\n--- actual\n\(actual)"
}
