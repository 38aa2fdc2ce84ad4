/// The storage boundary of per-channel pacing: a token bucket per channel that every dispatcher sending on the
/// channel takes from.
///
/// One process owning an SQLite file keeps the buckets in memory (``ChannelPacer``); instances sharing a PostgreSQL
/// database keep them in a row per channel (``PostgresPaceStore``), so the rate holds across instances.
protocol PaceStore: Sendable {
    /// Takes a token for `channel` when one is there (returns 0), else returns the seconds until one will be. The
    /// bucket holds at most `max(1, rate)` tokens and refills at `rate` a second.
    func take(_ channel: ChannelKey, rate: Double, now: Double) async throws -> Double
}
