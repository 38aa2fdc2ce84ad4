/// Provider status value -> canonical status.
public struct StatusMap: Sendable, Hashable, Codable {
    public var map: [String: CanonicalStatus]
    /// What an unmapped provider status becomes (the event is flagged `unmappedStatus`).
    public var `default`: CanonicalStatus
    public var caseInsensitive: Bool = false
    public var origin: String?

    public init(
        map: [String: CanonicalStatus], default: CanonicalStatus, caseInsensitive: Bool = false, origin: String? = nil
    ) {
        self.map = map
        self.default = `default`
        self.caseInsensitive = caseInsensitive
        self.origin = origin
    }

    /// The canonical status for a provider value, and whether it came from the default.
    public func canonicalStatus(for providerStatus: String) -> (status: CanonicalStatus, mapped: Bool) {
        if let s = map[providerStatus] { return (s, true) }
        if caseInsensitive {
            let lowered = providerStatus.lowercased()
            if let hit = map.first(where: { $0.key.lowercased() == lowered }) { return (hit.value, true) }
        }
        return (`default`, false)
    }
}
