import Foundation
import Synchronization

/// Row ids that sort by creation time: `prefix_` + a version-7 UUID (48-bit Unix milliseconds, then random bits).
///
/// Random ids (v4) land on a random page of the primary-key index, so every insert dirties another page and every
/// group commit writes (and fsyncs) several times more WAL than the rows themselves. Time-ordered ids append to the
/// right-hand edge of the index instead, where consecutive inserts share pages.
enum TimeOrderedID {
    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// A new id such as `msg_0190b7c4-5e21-7a3f-9c1d-2b8e6f4a0d17`.
    static func make(prefix: String, now: Date = Date()) -> String {
        var generator = PooledRandom()
        return make(prefix: prefix, milliseconds: UInt64(max(0, now.timeIntervalSince1970 * 1000)), using: &generator)
    }

    /// The same, from an explicit clock reading and random source (tests).
    static func make(prefix: String, milliseconds: UInt64, using generator: inout some RandomNumberGenerator) -> String
    {
        let random = generator.next() as UInt64
        let more = generator.next() as UInt64
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: milliseconds >> (40 - 8 * UInt64(index))) }
        for index in 6..<14 { bytes[index] = UInt8(truncatingIfNeeded: random >> (8 * UInt64(index - 6))) }
        bytes[14] = UInt8(truncatingIfNeeded: more)
        bytes[15] = UInt8(truncatingIfNeeded: more >> 8)
        bytes[6] = 0x70 | (bytes[6] & 0x0F)  // version 7
        bytes[8] = 0x80 | (bytes[8] & 0x3F)  // RFC 9562 variant
        var text = [UInt8]()
        text.reserveCapacity(prefix.utf8.count + 37)
        text.append(contentsOf: prefix.utf8)
        text.append(UInt8(ascii: "_"))
        for (index, byte) in bytes.enumerated() {
            if index == 4 || index == 6 || index == 8 || index == 10 { text.append(UInt8(ascii: "-")) }
            text.append(hexDigits[Int(byte >> 4)])
            text.append(hexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}

/// Random numbers from the kernel, read 4 KiB at a time.
///
/// `SystemRandomNumberGenerator` makes one system call per number, and every request makes ids.
struct PooledRandom: RandomNumberGenerator {
    private static let pool = Mutex(Pool())

    private struct Pool: ~Copyable {
        var words = [UInt64](repeating: 0, count: 512)
        var next = 512
        let urandom = open("/dev/urandom", O_RDONLY | O_CLOEXEC)

        mutating func take() -> UInt64 {
            if next == words.count {
                refill()
                next = 0
            }
            defer { next += 1 }
            return words[next]
        }

        private mutating func refill() {
            let filled = words.withUnsafeMutableBytes { buffer -> Bool in
                guard urandom >= 0 else { return false }
                var offset = 0
                while offset < buffer.count {
                    let got = read(urandom, buffer.baseAddress! + offset, buffer.count - offset)
                    if got <= 0 { return false }
                    offset += got
                }
                return true
            }
            if !filled {
                var system = SystemRandomNumberGenerator()
                for index in words.indices { words[index] = system.next() }
            }
        }
    }

    mutating func next() -> UInt64 {
        Self.pool.withLock { $0.take() }
    }
}
