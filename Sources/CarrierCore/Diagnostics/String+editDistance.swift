extension String {
    /// Levenshtein distance, for "did you mean" suggestions.
    package func editDistance(to other: String) -> Int {
        let a = Array(self.lowercased().unicodeScalars), b = Array(other.lowercased().unicodeScalars)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = Swift.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    /// The closest candidate within a small distance, if any.
    package func closest(in candidates: some Sequence<String>) -> String? {
        var best: (String, Int)? = nil
        for c in candidates {
            let d = editDistance(to: c)
            if d <= Swift.max(2, count / 3), d < (best?.1 ?? Int.max) { best = (c, d) }
        }
        return best?.0
    }
}
