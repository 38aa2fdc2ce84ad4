import CarrierCore

/// Parses each body `rounds` times and returns bodies parsed per second (a quick check of the JSON parser's speed,
/// not a test). Bodies that fail to parse still count: error paths must be fast too.
package func benchmarkJSONParsing(bodies: [[UInt8]], rounds: Int) -> Double {
    guard !bodies.isEmpty, rounds > 0 else { return 0 }
    let clock = ContinuousClock()
    var parsed = 0
    var checksum = 0
    let elapsed = clock.measure {
        for _ in 0..<rounds {
            for body in bodies {
                if case .object(let object) = try? parseJSON(body) { checksum &+= object.count }
                parsed += 1
            }
        }
    }
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    // `checksum` keeps the optimizer from dropping the parse; it has no other meaning.
    return seconds > 0 ? Double(parsed) / seconds + Double(checksum & 0) : 0
}
