/// Where carrier requests may go: which hosts (by name, before resolution) and whether addresses that no carrier
/// has (loopback, private, link-local, ...) may be connected to. Checked by ``CurlTransport`` for every request:
/// the host when the request is configured, the address in libcurl's open-socket callback, after name resolution
/// (so a public name that resolves to an internal address is refused too).
public struct OutboundPolicy: Sendable, Hashable {
    /// Lower-cased host names requests may go to; `*.example.com` allows every subdomain of example.com. Nil
    /// allows any host.
    public var allowedHosts: Set<String>?
    /// Whether loopback, private, link-local, multicast and other non-public addresses may be connected to.
    public var allowInternalAddresses: Bool

    /// Any host, any address: the command-line tools, whose operator picks the URLs.
    public static let unrestricted = OutboundPolicy(allowedHosts: nil, allowInternalAddresses: true)

    public init(allowedHosts: Set<String>?, allowInternalAddresses: Bool) {
        self.allowedHosts = allowedHosts.map { Set($0.map { $0.lowercased() }) }
        self.allowInternalAddresses = allowInternalAddresses
    }

    /// Whether requests may go to `host` (lower-cased, as libcurl parsed it).
    public func allows(host: String) -> Bool {
        guard let allowedHosts else { return true }
        if allowedHosts.contains(host) { return true }
        var rest = Substring(host)
        while let dot = rest.firstIndex(of: ".") {
            rest = rest[rest.index(after: dot)...]
            if allowedHosts.contains("*." + rest) { return true }
        }
        return false
    }
}
