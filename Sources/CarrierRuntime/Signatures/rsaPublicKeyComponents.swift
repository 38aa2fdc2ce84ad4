import Foundation

/// The modulus and public exponent of an RSA public key given as Base64 DER or PEM (`PUBLIC KEY`, the SPKI form the
/// MessageMedia signature key API returns, or `RSA PUBLIC KEY`, PKCS#1); nil for anything else.
///
/// The key is read here, strictly (definite lengths, nothing left over), and handed to swift-crypto as `n` and `e`:
/// its DER and PEM parsers abort the process on some malformed keys (Base64 of `not a key` did, in a test), and a
/// bad setting must be an error, not a crash.
/// Leading zero bytes of the integers are removed.
func rsaPublicKeyComponents(_ text: String) -> (n: [UInt8], e: [UInt8])? {
    var body = text.trimmingCharacters(in: .whitespacesAndNewlines)
    if body.hasPrefix("-----BEGIN") {
        let lines = body.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let first = lines.first, let last = lines.last, first.hasPrefix("-----BEGIN "),
            last.hasPrefix("-----END "),
            lines.count > 2
        else { return nil }
        body = lines[1..<(lines.count - 1)].joined()
    }
    guard let der = decodeBase64(body) else { return nil }
    var reader = DERReader(bytes: der[...])
    guard let outer = reader.read(tag: 0x30), reader.isAtEnd else { return nil }
    var fields = DERReader(bytes: outer)
    if fields.peekTag == 0x30 {
        // SubjectPublicKeyInfo: SEQUENCE { SEQUENCE { rsaEncryption, NULL }, BIT STRING { RSAPublicKey } }
        let rsaEncryption: [UInt8] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01]
        guard let algorithm = fields.read(tag: 0x30), let bits = fields.read(tag: 0x03), fields.isAtEnd else {
            return nil
        }
        var a = DERReader(bytes: algorithm)
        guard let oid = a.read(tag: 0x06), Array(oid) == rsaEncryption else { return nil }
        if !a.isAtEnd {
            guard let null = a.read(tag: 0x05), null.isEmpty, a.isAtEnd else { return nil }
        }
        guard bits.first == 0 else { return nil }
        var inner = DERReader(bytes: bits.dropFirst())
        guard let key = inner.read(tag: 0x30), inner.isAtEnd else { return nil }
        fields = DERReader(bytes: key)
    }
    // RSAPublicKey: SEQUENCE { INTEGER n, INTEGER e }
    guard let n = fields.read(tag: 0x02), let e = fields.read(tag: 0x02), fields.isAtEnd else { return nil }
    let modulus = Array(n.drop { $0 == 0 })
    let exponent = Array(e.drop { $0 == 0 })
    guard !modulus.isEmpty, !exponent.isEmpty else { return nil }
    return (modulus, exponent)
}

/// Reads definite-length DER elements one after another.
private struct DERReader {
    var bytes: ArraySlice<UInt8>

    var isAtEnd: Bool { bytes.isEmpty }
    var peekTag: UInt8? { bytes.first }

    /// The contents of the next element when its tag is `tag`; nil (and nothing consumed) otherwise.
    mutating func read(tag: UInt8) -> ArraySlice<UInt8>? {
        var rest = bytes
        guard rest.popFirst() == tag, let first = rest.popFirst() else { return nil }
        var length = 0
        if first < 0x80 {
            length = Int(first)
        } else {
            let count = Int(first & 0x7F)
            guard (1...3).contains(count), rest.count >= count else { return nil }
            for _ in 0..<count { length = length << 8 | Int(rest.removeFirst()) }
        }
        guard rest.count >= length else { return nil }
        let contents = rest.prefix(length)
        bytes = rest.dropFirst(length)
        return contents
    }
}
