/// An RSA modulus for the public operation `s^e mod n` (Montgomery multiplication on 32-bit limbs, little-endian).
///
/// Only for verifying: every input is public, so nothing here needs to run in constant time. Used where swift-crypto
/// cannot help (RSA with SHA-224); checked against signatures made by Python's `cryptography` in the tests.
struct RSAPublicModulus {
    /// The modulus limbs, least significant first.
    private let n: [UInt32]
    /// The modulus length in bytes (no leading zero byte).
    let byteCount: Int
    /// `-n^-1 mod 2^32`.
    private let nPrime: UInt32
    /// `R^2 mod n` with `R = 2^(32 * n.count)`.
    private let rSquared: [UInt32]

    /// Nil for an even or zero modulus (never an RSA modulus).
    init?(bigEndian bytes: [UInt8]) {
        let trimmed = Array(bytes.drop { $0 == 0 })
        guard let last = trimmed.last, last & 1 == 1 else { return nil }
        byteCount = trimmed.count
        n = Self.limbs(trimmed, count: (trimmed.count + 3) / 4)
        var inverse: UInt32 = 1  // Newton's iteration doubles the correct low bits each step: 1, 2, 4, ... 32.
        for _ in 0..<5 { inverse = inverse &* (2 &- n[0] &* inverse) }
        nPrime = 0 &- inverse
        // R^2 mod n by doubling 1, 2 * 32 * k times, reducing each time.
        var r = [UInt32](repeating: 0, count: n.count)
        r[0] = 1
        for _ in 0..<(64 * n.count) { r = Self.doubled(r, modulo: n) }
        rSquared = r
    }

    /// `base^exponent mod n` as `byteCount` big-endian bytes; nil when the base is not below the modulus.
    func power(_ base: [UInt8], exponent: [UInt8]) -> [UInt8]? {
        let trimmed = Array(base.drop { $0 == 0 })
        guard trimmed.count <= byteCount else { return nil }
        let b = Self.limbs(trimmed, count: n.count)
        guard Self.compare(b, n) < 0 else { return nil }
        let baseM = multiply(b, rSquared)
        var one = [UInt32](repeating: 0, count: n.count)
        one[0] = 1
        var result = multiply(one, rSquared)  // 1 in Montgomery form
        for byte in exponent {
            for bit in (0..<8).reversed() {
                result = multiply(result, result)
                if byte >> UInt8(bit) & 1 == 1 { result = multiply(result, baseM) }
            }
        }
        result = multiply(result, one)
        var out = [UInt8](repeating: 0, count: byteCount)
        for i in 0..<byteCount {
            out[byteCount - 1 - i] = UInt8(truncatingIfNeeded: result[i / 4] >> UInt32(8 * (i % 4)))
        }
        return out
    }

    /// Montgomery product `a * b * R^-1 mod n` (CIOS), for `a, b < n`.
    private func multiply(_ a: [UInt32], _ b: [UInt32]) -> [UInt32] {
        let k = n.count
        var t = [UInt32](repeating: 0, count: k + 2)
        for i in 0..<k {
            var carry: UInt64 = 0
            for j in 0..<k {
                let s = UInt64(t[j]) + UInt64(a[j]) * UInt64(b[i]) + carry
                t[j] = UInt32(truncatingIfNeeded: s)
                carry = s >> 32
            }
            var s = UInt64(t[k]) + carry
            t[k] = UInt32(truncatingIfNeeded: s)
            t[k + 1] = UInt32(s >> 32)
            let m = t[0] &* nPrime
            carry = (UInt64(t[0]) + UInt64(m) * UInt64(n[0])) >> 32
            for j in 1..<k {
                s = UInt64(t[j]) + UInt64(m) * UInt64(n[j]) + carry
                t[j - 1] = UInt32(truncatingIfNeeded: s)
                carry = s >> 32
            }
            s = UInt64(t[k]) + carry
            t[k - 1] = UInt32(truncatingIfNeeded: s)
            t[k] = t[k + 1] + UInt32(s >> 32)
        }
        var result = Array(t[0..<k])
        if t[k] != 0 || Self.compare(result, n) >= 0 { result = Self.subtract(result, n) }
        return result
    }

    /// `2x mod n` for `x < n`.
    private static func doubled(_ x: [UInt32], modulo n: [UInt32]) -> [UInt32] {
        var out = [UInt32](repeating: 0, count: x.count)
        var carry: UInt32 = 0
        for i in 0..<x.count {
            out[i] = x[i] << 1 | carry
            carry = x[i] >> 31
        }
        return carry != 0 || compare(out, n) >= 0 ? subtract(out, n) : out
    }

    /// `a - b` on equal-length limbs, wrapping (callers know `a >= b`, or that the true value overflowed a limb).
    private static func subtract(_ a: [UInt32], _ b: [UInt32]) -> [UInt32] {
        var out = [UInt32](repeating: 0, count: a.count)
        var borrow: UInt32 = 0
        for i in 0..<a.count {
            let (d1, o1) = a[i].subtractingReportingOverflow(b[i])
            let (d2, o2) = d1.subtractingReportingOverflow(borrow)
            out[i] = d2
            borrow = (o1 || o2) ? 1 : 0
        }
        return out
    }

    /// -1, 0 or 1 as `a` is below, equal to or above `b` (equal lengths).
    private static func compare(_ a: [UInt32], _ b: [UInt32]) -> Int {
        for i in (0..<a.count).reversed() where a[i] != b[i] { return a[i] < b[i] ? -1 : 1 }
        return 0
    }

    /// Big-endian bytes as `count` little-endian limbs (the bytes fit).
    private static func limbs(_ bytes: [UInt8], count: Int) -> [UInt32] {
        var out = [UInt32](repeating: 0, count: count)
        for (i, byte) in bytes.reversed().enumerated() { out[i / 4] |= UInt32(byte) << UInt32(8 * (i % 4)) }
        return out
    }
}
