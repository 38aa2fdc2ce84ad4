package import Foundation

/// The package root, found from this file's path, for tests that read `carriers/` or write goldens.
package let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
