import Logging
import PostgresNIO

/// Per-channel pacing shared by every instance: one token-bucket row per channel (`channel_pace`), read and
/// written under a row lock, refilled by the database server's clock so that instances whose clocks differ agree.
struct PostgresPaceStore: PaceStore {
    let database: PostgresServiceDatabase

    func take(_ channel: ChannelKey, rate: Double, now: Double) async throws -> Double {
        let capacity = max(1, rate)
        let logger = database.logger
        return try await database.transaction { connection in
            try await connection.query(
                """
                INSERT INTO channel_pace (account_id, channel_id, tokens, updated_at)
                VALUES (\(channel.account), \(channel.channelId), \(capacity), extract(epoch FROM clock_timestamp()))
                ON CONFLICT (account_id, channel_id) DO NOTHING
                """, logger: logger)
            let rows = try await connection.query(
                """
                SELECT tokens, updated_at, extract(epoch FROM clock_timestamp())::float8 FROM channel_pace
                WHERE account_id = \(channel.account) AND channel_id = \(channel.channelId) FOR UPDATE
                """, logger: logger)
            var bucket = (tokens: capacity, updatedAt: 0.0, clock: 0.0)
            for try await row in rows.decode((Double, Double, Double).self) { bucket = row }
            var tokens = min(capacity, bucket.tokens + max(0, bucket.clock - bucket.updatedAt) * rate)
            let wait = tokens >= 1 ? 0 : (1 - tokens) / rate
            if tokens >= 1 { tokens -= 1 }
            try await connection.query(
                """
                UPDATE channel_pace SET tokens = \(tokens), updated_at = \(bucket.clock)
                WHERE account_id = \(channel.account) AND channel_id = \(channel.channelId)
                """, logger: logger)
            return wait
        }
    }
}
