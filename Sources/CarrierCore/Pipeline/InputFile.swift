/// A definition file handed to the compiler: its display path (relative, as printed in diagnostics) and bytes.
public struct InputFile: Sendable, Hashable {
    public var path: String
    public var bytes: [UInt8]

    public init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
    }
}
