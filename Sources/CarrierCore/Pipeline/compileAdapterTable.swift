/// The result of compiling a set of definitions.
public struct CompilationResult: Sendable {
    /// Nil when any file had an error.
    public var table: AdapterTable?
    /// Every problem in every file, sorted by file, line, column and code.
    public var diagnostics: [Diagnostic]
}

/// Compiles definitions into one adapter table: parse -> decode and validate -> cross-file checks -> table.
///
/// Every file is checked even when an earlier one fails, so one run reports everything.
public func compileAdapterTable(_ inputs: [InputFile]) -> CompilationResult {
    var diagnostics: [Diagnostic] = []
    var adapters: [Adapter] = []
    var firstByID: [String: (file: String, origin: SourceRange?)] = [:]
    for input in inputs.sorted(by: { $0.path < $1.path }) {
        let (root, yamlDiagnostics) = YAMLReader.read(input.bytes, file: input.path)
        diagnostics += yamlDiagnostics
        // A tree with only duplicate keys (the later value dropped) is still decoded, so one run shows every problem.
        guard let root, !yamlDiagnostics.contains(where: { $0.severity == .error && $0.code != "duplicate-key" })
        else { continue }
        let (adapter, definitionDiagnostics) = decodeCarrierDefinition(root, file: input.path)
        diagnostics += definitionDiagnostics
        guard let adapter, !yamlDiagnostics.hasErrors else { continue }
        let idRange = idRange(root)
        if let first = firstByID[adapter.id] {
            diagnostics.append(
                .error(
                    "duplicate-carrier-id", "carrier id '\(adapter.id)' is already defined in \(first.file)",
                    at: idRange,
                    notes: [.init(message: "first defined here", range: first.origin)]))
            continue
        }
        firstByID[adapter.id] = (input.path, idRange)
        if let directory = directoryName(input.path), directory != adapter.id, directory != "." {
            diagnostics.append(
                .warning(
                    "id-mismatch", "carrier id '\(adapter.id)' differs from its directory name '\(directory)'",
                    at: idRange))
        }
        adapters.append(adapter)
    }
    let sorted = diagnostics.sortedForOutput()
    return CompilationResult(table: sorted.hasErrors ? nil : AdapterTable(adapters: adapters), diagnostics: sorted)
}

/// The range of the `id` value in a definition.
private func idRange(_ root: YAMLNode) -> SourceRange? {
    guard case .mapping(let pairs) = root.kind else { return nil }
    return pairs.first { $0.key.scalar == "id" }?.value.range
}

/// `twilio` for `carriers/twilio/carrier.yaml`.
private func directoryName(_ path: String) -> String? {
    let parts = path.split(separator: "/")
    guard parts.count >= 2 else { return nil }
    return String(parts[parts.count - 2])
}
