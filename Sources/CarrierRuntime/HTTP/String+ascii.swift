import CarrierCore

extension StringProtocol {
    /// Case-insensitive equality for ASCII letters, without allocating (header names, content types).
    func equalsIgnoringASCIICase(_ other: some StringProtocol) -> Bool {
        var a = utf8.makeIterator()
        var b = other.utf8.makeIterator()
        while true {
            switch (a.next(), b.next()) {
            case (nil, nil): return true
            case (let x?, let y?):
                if x != y && lowerASCII(x) != lowerASCII(y) { return false }
            default: return false
            }
        }
    }

    /// Whether `needle` (lower-case ASCII) occurs in the string, ignoring ASCII case.
    func containsIgnoringASCIICase(_ needle: StaticString) -> Bool {
        let hay = Array(utf8)
        let n = needle.utf8CodeUnitCount
        guard n > 0, hay.count >= n else { return n == 0 }
        return needle.withUTF8Buffer { pattern -> Bool in
            var i = 0
            while i + n <= hay.count {
                var j = 0
                while j < n, lowerASCII(hay[i + j]) == pattern[j] { j += 1 }
                if j == n { return true }
                i += 1
            }
            return false
        }
    }
}

@inline(__always)
private func lowerASCII(_ b: UInt8) -> UInt8 {
    b >= 65 && b <= 90 ? b + 32 : b
}
