import CarrierCore

/// Length of the well-formed UTF-8 sequence starting at `i`, or nil when the bytes there are not valid UTF-8
/// (overlong forms, surrogates, values above U+10FFFF and truncated sequences are all rejected).
/// The caller has already seen that `buffer[i] >= 0x80`.
@inline(__always)
func utf8MultiByteSequenceLength(_ buffer: UnsafeBufferPointer<UInt8>, at i: Int) -> Int? {
    let lead = buffer[i]
    let count = buffer.count
    @inline(__always) func isContinuation(_ j: Int) -> Bool {
        j < count && buffer[j] & 0xC0 == 0x80
    }
    switch lead {
    case 0xC2...0xDF:
        return isContinuation(i + 1) ? 2 : nil
    case 0xE0...0xEF:
        guard i + 2 < count, isContinuation(i + 1), isContinuation(i + 2) else { return nil }
        let second = buffer[i + 1]
        if lead == 0xE0 && second < 0xA0 { return nil }  // overlong
        if lead == 0xED && second > 0x9F { return nil }  // UTF-16 surrogate
        return 3
    case 0xF0...0xF4:
        guard i + 3 < count, isContinuation(i + 1), isContinuation(i + 2), isContinuation(i + 3) else { return nil }
        let second = buffer[i + 1]
        if lead == 0xF0 && second < 0x90 { return nil }  // overlong
        if lead == 0xF4 && second > 0x8F { return nil }  // above U+10FFFF
        return 4
    default:
        return nil
    }
}

/// Appends the UTF-8 encoding of `scalar` to `bytes`.
@inline(__always)
func appendUTF8(_ scalar: Unicode.Scalar, to bytes: inout [UInt8]) {
    let v = scalar.value
    switch v {
    case 0..<0x80:
        bytes.append(UInt8(v))
    case 0x80..<0x800:
        bytes.append(UInt8(0xC0 | (v >> 6)))
        bytes.append(UInt8(0x80 | (v & 0x3F)))
    case 0x800..<0x10000:
        bytes.append(UInt8(0xE0 | (v >> 12)))
        bytes.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
        bytes.append(UInt8(0x80 | (v & 0x3F)))
    default:
        bytes.append(UInt8(0xF0 | (v >> 18)))
        bytes.append(UInt8(0x80 | ((v >> 12) & 0x3F)))
        bytes.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
        bytes.append(UInt8(0x80 | (v & 0x3F)))
    }
}

/// The value of an ASCII hex digit, or nil.
@inline(__always)
func hexDigitValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte &- UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte &- UInt8(ascii: "a") &+ 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte &- UInt8(ascii: "A") &+ 10
    default: return nil
    }
}
