import Foundation
import Logging
import PostgresNIO

/// The PostgreSQL schema, in versioned migrations recorded in `carrier_migration`.
///
/// It starts from the SQLite schema as of its migration `v9-inbound-token-sealed`, with the same tables, columns
/// and meanings (times are Unix seconds in `DOUBLE PRECISION`, lists and maps JSON text), so rows copy across
/// unchanged (`carrier db copy`). Later changes append migrations here and in ``ServiceDatabase`` alike.
enum PostgresSchema {
    /// Migrations in order. Never edit one that has shipped; append. (v2 was rewritten once, to the same end state:
    /// it had rebuilt the indexes inside a transaction, which locked the message table for every instance.)
    static let migrations: [Migration] = [
        Migration(id: "v1", sql: v1),
        Migration(id: "v2-lookup-indexes", sql: v2, online: true),
        Migration(id: "v3-send-result-function", sql: v3),
        Migration(id: "v4-status-functions", sql: v4),
        Migration(id: "v5-received-function", sql: v5),
        Migration(id: "v6-status-event-function", sql: v6),
        Migration(id: "v7-received-event-function", sql: v7),
    ]

    /// One schema change.
    struct Migration: Sendable {
        let id: String
        /// Statements, each ending a line with `;`.
        let sql: String
        /// Run statement by statement outside a transaction, so that it can build indexes `CONCURRENTLY` while
        /// instances still on the previous version go on reading and writing the table. Every statement must be
        /// safe to run again (an instance killed half-way leaves the rest to the next start), and the last one
        /// leaves the schema as the migration promises.
        var online = false
    }

    /// Any fixed number: the advisory lock that serializes migrations across instances starting together.
    private static let migrationLock: Int64 = 0x6361_7272_6965_72  // "carrier"

    /// Applies the migrations the database lacks (up to and including `last` when given; none when it names no
    /// migration) under an advisory lock held by the session: an online migration outside a transaction, every
    /// other one in a transaction of its own, each recorded in `carrier_migration` once done.
    ///
    /// An instance that finds the lock taken polls for it rather than waiting inside a statement: the holder's
    /// `CREATE INDEX CONCURRENTLY` waits for every transaction older than itself, a waiting statement included, and
    /// the two would deadlock.
    /// - Returns: the identifiers applied now.
    @discardableResult
    static func migrate(_ database: PostgresServiceDatabase, upTo last: String? = nil) async throws -> [String] {
        let logger = database.logger
        return try await database.read { connection in
            var told = false
            while !(try await lockTaken(connection, logger: logger)) {
                if !told {
                    logger.notice("waiting for another instance to finish migrating the database")
                    told = true
                }
                try await Task.sleep(for: .milliseconds(200))
            }
            do {
                let ran = try await applyPending(connection, upTo: last, logger: logger)
                try await connection.query("SELECT pg_advisory_unlock(\(migrationLock))", logger: logger)
                return ran
            } catch {
                // Closing the connection would free the lock too; the pool keeps it, so free it here.
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(migrationLock))", logger: logger)
                throw error
            }
        }
    }

    private static func lockTaken(_ connection: PostgresConnection, logger: Logger) async throws -> Bool {
        for try await taken in try await connection.query(
            "SELECT pg_try_advisory_lock(\(migrationLock))", logger: logger
        ).decode(Bool.self) {
            return taken
        }
        return false
    }

    private static func applyPending(_ connection: PostgresConnection, upTo last: String?, logger: Logger)
        async throws -> [String]
    {
        try await connection.query(
            """
            CREATE TABLE IF NOT EXISTS carrier_migration (
                id TEXT PRIMARY KEY, applied_at DOUBLE PRECISION NOT NULL)
            """, logger: logger)
        var applied: Set<String> = []
        for try await id in try await connection.query("SELECT id FROM carrier_migration", logger: logger)
            .decode(String.self)
        {
            applied.insert(id)
        }
        let count = last.map { id in (migrations.firstIndex { $0.id == id } ?? -1) + 1 } ?? migrations.count
        var ran: [String] = []
        for migration in migrations.prefix(count) where !applied.contains(migration.id) {
            if !migration.online { try await connection.query("BEGIN", logger: logger) }
            do {
                // The extended protocol takes one statement at a time.
                for statement in statements(migration.sql) {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    "INSERT INTO carrier_migration (id, applied_at) VALUES (\(migration.id), extract(epoch FROM now()))",
                    logger: logger)
                if !migration.online { try await connection.query("COMMIT", logger: logger) }
            } catch {
                if !migration.online { _ = try? await connection.query("ROLLBACK", logger: logger) }
                throw error
            }
            ran.append(migration.id)
        }
        return ran
    }

    /// The statements of a migration: split where a line ends with `;`, except inside a `$$`-quoted function body.
    static func statements(_ sql: String) -> [String] {
        var statements: [String] = []
        var current = ""
        var inBody = false
        for line in sql.split(separator: "\n", omittingEmptySubsequences: false) {
            current += line + "\n"
            if line.components(separatedBy: "$$").count % 2 == 0 { inBody.toggle() }
            if !inBody && line.hasSuffix(";") {
                statements.append(current)
                current = ""
            }
        }
        statements.append(current)
        return statements.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .map { $0.hasSuffix(";") ? String($0.dropLast()) : $0 }.filter { !$0.isEmpty }
    }

    /// Every table of the schema, parents before children (the order `carrier db copy` fills them in).
    static let tables = [
        "api_key", "messaging_channel", "conversation", "message", "message_template", "idempotency_key",
        "pending_status", "message_part", "outbox_job", "send_attempt", "inbound_seen", "webhook_endpoint",
        "webhook_callback_secret", "webhook_delivery", "contact_opt_out", "message_tag",
    ]

    private static let v1 = """
        CREATE TABLE api_key (
            key_hash TEXT PRIMARY KEY,
            account_id TEXT NOT NULL,
            scopes TEXT NOT NULL,
            created_at DOUBLE PRECISION NOT NULL
        );
        CREATE TABLE messaging_channel (
            id TEXT NOT NULL,
            account_id TEXT NOT NULL,
            channel TEXT NOT NULL CHECK (channel IN ('sms', 'mms', 'whatsapp', 'rcs')),
            provider TEXT NOT NULL,
            address TEXT NOT NULL,
            settings TEXT NOT NULL,
            default_queue TEXT,
            created_at DOUBLE PRECISION NOT NULL,
            updated_at DOUBLE PRECISION NOT NULL,
            source TEXT NOT NULL DEFAULT 'api' CHECK (source IN ('api', 'config')),
            inbound_token_hash TEXT,
            rate_per_second DOUBLE PRECISION,
            validity_seconds BIGINT,
            inbound_token_sealed TEXT,
            PRIMARY KEY (account_id, id),
            UNIQUE (account_id, channel, address)
        );
        CREATE TABLE conversation (
            id TEXT PRIMARY KEY,
            account_id TEXT NOT NULL,
            channel_id TEXT NOT NULL,
            contact_address TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('open', 'assigned', 'closed', 'snoozed')),
            assignee TEXT,
            unread_count BIGINT NOT NULL DEFAULT 0,
            window_expires_at DOUBLE PRECISION,
            last_message_at DOUBLE PRECISION,
            created_at DOUBLE PRECISION NOT NULL,
            updated_at DOUBLE PRECISION NOT NULL,
            queue TEXT,
            UNIQUE (account_id, channel_id, contact_address)
        );
        CREATE INDEX conversation_account_list ON conversation (account_id, id);
        CREATE TABLE message (
            id TEXT PRIMARY KEY,
            account_id TEXT NOT NULL,
            conversation_id TEXT NOT NULL REFERENCES conversation (id) ON DELETE CASCADE,
            channel_id TEXT NOT NULL,
            direction TEXT NOT NULL CHECK (direction IN ('outbound', 'inbound')),
            from_address TEXT,
            to_address TEXT,
            body TEXT,
            media TEXT NOT NULL,
            status TEXT NOT NULL,
            provider_message_id TEXT,
            template_name TEXT,
            segments BIGINT,
            error_code TEXT,
            error_message TEXT,
            reference TEXT,
            confirmed BOOLEAN NOT NULL DEFAULT false,
            created_at DOUBLE PRECISION NOT NULL,
            updated_at DOUBLE PRECISION NOT NULL,
            scheduled_for DOUBLE PRECISION,
            expires_at DOUBLE PRECISION,
            validity_seconds BIGINT,
            attempts BIGINT NOT NULL DEFAULT 0,
            next_attempt_at DOUBLE PRECISION,
            template_language TEXT,
            template_variables TEXT,
            carrier_reply_excerpt TEXT,
            callback_url TEXT,
            delivery_report TEXT,
            event_sequence BIGINT NOT NULL DEFAULT 0,
            provider_status TEXT,
            metadata TEXT,
            tags TEXT
        );
        CREATE INDEX message_provider_id ON message (provider_message_id) WHERE provider_message_id IS NOT NULL;
        CREATE INDEX message_conversation ON message (conversation_id);
        CREATE INDEX message_replies ON message (account_id, created_at) WHERE direction = 'inbound' AND NOT confirmed;
        CREATE INDEX message_account_list ON message (account_id, id);
        CREATE TABLE message_template (
            id TEXT PRIMARY KEY,
            account_id TEXT NOT NULL,
            name TEXT NOT NULL,
            language TEXT NOT NULL,
            category TEXT,
            body TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('approved', 'pending', 'rejected')),
            created_at DOUBLE PRECISION NOT NULL,
            updated_at DOUBLE PRECISION NOT NULL,
            UNIQUE (account_id, name, language)
        );
        CREATE TABLE idempotency_key (
            account_id TEXT NOT NULL,
            key TEXT NOT NULL,
            status BIGINT NOT NULL,
            response TEXT NOT NULL,
            created_at DOUBLE PRECISION NOT NULL,
            message_id TEXT,
            request_hash TEXT,
            PRIMARY KEY (account_id, key)
        );
        CREATE INDEX idempotency_key_created ON idempotency_key (created_at);
        CREATE TABLE pending_status (
            id BIGSERIAL PRIMARY KEY,
            account_id TEXT NOT NULL,
            channel_id TEXT NOT NULL,
            provider_message_id TEXT,
            reference TEXT,
            status TEXT NOT NULL,
            error_code TEXT,
            error_message TEXT,
            received_at DOUBLE PRECISION NOT NULL
        );
        CREATE INDEX pending_status_provider_id ON pending_status (account_id, provider_message_id);
        CREATE INDEX pending_status_received ON pending_status (received_at);
        CREATE TABLE message_part (
            id BIGSERIAL PRIMARY KEY,
            account_id TEXT NOT NULL,
            channel_id TEXT NOT NULL,
            contact_address TEXT NOT NULL,
            reference TEXT NOT NULL,
            total BIGINT NOT NULL,
            number BIGINT NOT NULL,
            to_address TEXT,
            body TEXT,
            media TEXT NOT NULL,
            provider_message_id TEXT,
            received_at DOUBLE PRECISION NOT NULL,
            assembled_at DOUBLE PRECISION,
            UNIQUE (account_id, channel_id, contact_address, reference, total, number)
        );
        CREATE INDEX message_part_waiting ON message_part (received_at) WHERE assembled_at IS NULL;
        CREATE INDEX message_part_assembled ON message_part (assembled_at) WHERE assembled_at IS NOT NULL;
        CREATE TABLE outbox_job (
            message_id TEXT PRIMARY KEY REFERENCES message (id) ON DELETE CASCADE,
            account_id TEXT NOT NULL,
            channel_id TEXT NOT NULL,
            due_at DOUBLE PRECISION NOT NULL,
            lease_owner TEXT,
            lease_until DOUBLE PRECISION,
            created_at DOUBLE PRECISION NOT NULL
        );
        CREATE INDEX outbox_job_due ON outbox_job (due_at);
        CREATE TABLE send_attempt (
            message_id TEXT NOT NULL REFERENCES message (id) ON DELETE CASCADE,
            number BIGINT NOT NULL,
            started_at DOUBLE PRECISION NOT NULL,
            outcome TEXT NOT NULL,
            http_status BIGINT,
            error_code TEXT,
            latency_ms DOUBLE PRECISION NOT NULL,
            PRIMARY KEY (message_id, number)
        );
        CREATE TABLE inbound_seen (
            account_id TEXT NOT NULL,
            channel_id TEXT NOT NULL,
            request_hash TEXT NOT NULL,
            received_at DOUBLE PRECISION NOT NULL,
            PRIMARY KEY (account_id, channel_id, request_hash)
        );
        CREATE INDEX inbound_seen_received ON inbound_seen (received_at);
        CREATE TABLE webhook_endpoint (
            id TEXT PRIMARY KEY,
            account_id TEXT NOT NULL,
            url TEXT NOT NULL,
            events TEXT NOT NULL,
            channel_id TEXT,
            secret TEXT NOT NULL,
            previous_secret TEXT,
            previous_secret_until DOUBLE PRECISION,
            enabled BOOLEAN NOT NULL DEFAULT true,
            disabled_reason TEXT,
            failing_since DOUBLE PRECISION,
            created_at DOUBLE PRECISION NOT NULL,
            updated_at DOUBLE PRECISION NOT NULL
        );
        CREATE INDEX webhook_endpoint_account ON webhook_endpoint (account_id);
        CREATE TABLE webhook_callback_secret (
            account_id TEXT PRIMARY KEY,
            secret TEXT NOT NULL,
            previous_secret TEXT,
            previous_secret_until DOUBLE PRECISION,
            created_at DOUBLE PRECISION NOT NULL,
            updated_at DOUBLE PRECISION NOT NULL
        );
        CREATE TABLE webhook_delivery (
            id TEXT PRIMARY KEY,
            account_id TEXT NOT NULL,
            endpoint_id TEXT REFERENCES webhook_endpoint (id) ON DELETE CASCADE,
            url TEXT NOT NULL,
            event_id TEXT NOT NULL,
            event_type TEXT NOT NULL,
            message_id TEXT,
            sequence BIGINT NOT NULL,
            payload TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
            attempts BIGINT NOT NULL DEFAULT 0,
            due_at DOUBLE PRECISION,
            lease_owner TEXT,
            lease_until DOUBLE PRECISION,
            last_http_status BIGINT,
            last_error TEXT,
            last_latency_ms DOUBLE PRECISION,
            created_at DOUBLE PRECISION NOT NULL,
            updated_at DOUBLE PRECISION NOT NULL,
            delivered_at DOUBLE PRECISION
        );
        CREATE INDEX webhook_delivery_due ON webhook_delivery (due_at) WHERE status = 'pending';
        CREATE INDEX webhook_delivery_endpoint ON webhook_delivery (endpoint_id, created_at);
        CREATE INDEX webhook_delivery_message ON webhook_delivery (message_id);
        CREATE TABLE contact_opt_out (
            account_id TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('sms', 'whatsapp', 'rcs')),
            contact_address TEXT NOT NULL,
            source TEXT NOT NULL DEFAULT 'keyword' CHECK (source IN ('keyword', 'api')),
            created_at DOUBLE PRECISION NOT NULL,
            PRIMARY KEY (account_id, kind, contact_address)
        );
        CREATE TABLE message_tag (
            account_id TEXT NOT NULL,
            tag TEXT NOT NULL,
            message_id TEXT NOT NULL,
            PRIMARY KEY (account_id, tag, message_id)
        );
        -- Pacing shared by every instance: one token bucket per paced channel (PostgresChannelPacer).
        CREATE TABLE channel_pace (
            account_id TEXT NOT NULL,
            channel_id TEXT NOT NULL,
            tokens DOUBLE PRECISION NOT NULL,
            updated_at DOUBLE PRECISION NOT NULL,
            PRIMARY KEY (account_id, channel_id)
        );
        """

    /// Lookups by provider id and by conversation answered by one index each. Before the planner's statistics
    /// caught up with a growing table it combined the provider-id index with the account's list index (a bitmap AND
    /// reading every message of the account: 0.35 ms at 3,000 messages, growing with them) for every webhook.
    ///
    /// Online: each index is built beside the old one under another name, then takes its place. Run again after a
    /// kill, the first statement drops a half-built index (left invalid) or a finished one not renamed yet.
    private static let v2 = """
        DROP INDEX CONCURRENTLY IF EXISTS message_provider_id_build;
        CREATE INDEX CONCURRENTLY message_provider_id_build ON message (provider_message_id, account_id)
            WHERE provider_message_id IS NOT NULL;
        DROP INDEX CONCURRENTLY IF EXISTS message_provider_id;
        ALTER INDEX message_provider_id_build RENAME TO message_provider_id;
        DROP INDEX CONCURRENTLY IF EXISTS message_conversation_build;
        CREATE INDEX CONCURRENTLY message_conversation_build ON message (conversation_id, account_id, created_at);
        DROP INDEX CONCURRENTLY IF EXISTS message_conversation;
        ALTER INDEX message_conversation_build RENAME TO message_conversation;
        """

    /// Stores a send's result in one round trip when nothing it depends on changed since the job was claimed: the
    /// job still leased to `p_owner`, the message's status columns as the dispatcher saw them, no delivery report
    /// waiting for the provider id, and no webhook endpoint to tell of a status change. Then it locks, checks and
    /// writes what the store's transaction would (`PostgresOutboxStore.finish`), in the same lock order (the job, its
    /// message, the provider id's advisory lock); otherwise it changes nothing and returns false, and the store runs
    /// that transaction, where the rules decide. Only the checks and the writes are here, no rule: the new values are
    /// computed in Swift. Five round trips (BEGIN, lock, provider-id lock, store, COMMIT) become one.
    private static let v3 = """
        CREATE OR REPLACE FUNCTION carrier_store_send_result(
            p_message_id TEXT, p_owner TEXT, p_account TEXT,
            p_seen_status TEXT, p_seen_provider_id TEXT, p_seen_error_code TEXT, p_seen_error_message TEXT,
            p_seen_attempts BIGINT,
            p_attempt BOOLEAN, p_number BIGINT, p_started_at DOUBLE PRECISION, p_outcome TEXT, p_http_status BIGINT,
            p_attempt_error_code TEXT, p_latency_ms DOUBLE PRECISION,
            p_due_again DOUBLE PRECISION,
            p_status TEXT, p_provider_id TEXT, p_error_code TEXT, p_error_message TEXT, p_attempts BIGINT,
            p_next_attempt_at DOUBLE PRECISION, p_updated_at DOUBLE PRECISION, p_excerpt TEXT
        ) RETURNS BOOLEAN LANGUAGE plpgsql AS $$
        DECLARE
            v_owner TEXT;
            v_status TEXT;
            v_provider_id TEXT;
            v_error_code TEXT;
            v_error_message TEXT;
            v_attempts BIGINT;
        BEGIN
            SELECT j.lease_owner, m.status, m.provider_message_id, m.error_code, m.error_message, m.attempts
            INTO v_owner, v_status, v_provider_id, v_error_code, v_error_message, v_attempts
            FROM outbox_job j JOIN message m ON m.id = j.message_id
            WHERE j.message_id = p_message_id FOR UPDATE OF j, m;
            IF NOT FOUND OR v_owner IS DISTINCT FROM p_owner OR v_status IS DISTINCT FROM p_seen_status
                OR v_provider_id IS DISTINCT FROM p_seen_provider_id OR v_error_code IS DISTINCT FROM p_seen_error_code
                OR v_error_message IS DISTINCT FROM p_seen_error_message OR v_attempts IS DISTINCT FROM p_seen_attempts
            THEN
                RETURN FALSE;
            END IF;
            IF p_status IS DISTINCT FROM v_status
                AND EXISTS (SELECT 1 FROM webhook_endpoint WHERE account_id = p_account AND enabled)
            THEN
                RETURN FALSE;
            END IF;
            IF p_provider_id IS NOT NULL THEN
                -- The key PostgresSendStatements.AdvisoryLock.providerId takes; each statement here sees what
                -- committed before it started, so a report that held the lock is seen below.
                PERFORM pg_advisory_xact_lock(hashtextextended(p_account || chr(31) || p_provider_id, 17));
                IF EXISTS (
                    SELECT 1 FROM pending_status WHERE account_id = p_account AND provider_message_id = p_provider_id)
                THEN
                    RETURN FALSE;
                END IF;
            END IF;
            IF p_attempt THEN
                INSERT INTO send_attempt (message_id, number, started_at, outcome, http_status, error_code, latency_ms)
                VALUES (p_message_id, p_number, p_started_at, p_outcome, p_http_status, p_attempt_error_code,
                    p_latency_ms)
                ON CONFLICT (message_id, number) DO UPDATE SET started_at = EXCLUDED.started_at,
                    outcome = EXCLUDED.outcome, http_status = EXCLUDED.http_status,
                    error_code = EXCLUDED.error_code, latency_ms = EXCLUDED.latency_ms;
            END IF;
            IF p_due_again IS NULL THEN
                DELETE FROM outbox_job WHERE message_id = p_message_id;
            ELSE
                UPDATE outbox_job SET due_at = p_due_again, lease_owner = NULL, lease_until = NULL
                WHERE message_id = p_message_id;
            END IF;
            UPDATE message SET status = p_status, provider_message_id = p_provider_id, error_code = p_error_code,
                error_message = p_error_message, attempts = p_attempts, next_attempt_at = p_next_attempt_at,
                updated_at = p_updated_at, carrier_reply_excerpt = COALESCE(p_excerpt, carrier_reply_excerpt)
            WHERE id = p_message_id;
            RETURN TRUE;
        END
        $$;
        """

    /// A delivery report that names only the carrier's id, in one round trip after the read the rules decide on
    /// (`PostgresInboundStore.applyStatusAtOnce`): each function takes the provider id's advisory lock (as the
    /// store's transaction does, before the message row), then checks that what the rules read still holds: the
    /// message as read, and no webhook endpoint to tell of a status change (`carrier_apply_status`), or still no
    /// message with that id (`carrier_keep_pending_status`). Then it writes what the transaction would; otherwise it
    /// writes nothing and returns false, and the store runs the transaction.
    private static let v4 = """
        CREATE OR REPLACE FUNCTION carrier_apply_status(
            p_account TEXT, p_provider_id TEXT, p_id TEXT,
            p_seen_status TEXT, p_seen_provider_id TEXT, p_seen_error_code TEXT, p_seen_error_message TEXT,
            p_seen_updated_at DOUBLE PRECISION, p_check_endpoints BOOLEAN,
            p_status TEXT, p_new_provider_id TEXT, p_error_code TEXT, p_error_message TEXT,
            p_updated_at DOUBLE PRECISION, p_provider_status TEXT
        ) RETURNS BOOLEAN LANGUAGE plpgsql AS $$
        DECLARE
            v_id TEXT;
            v_status TEXT;
            v_provider_id TEXT;
            v_error_code TEXT;
            v_error_message TEXT;
            v_updated_at DOUBLE PRECISION;
        BEGIN
            PERFORM pg_advisory_xact_lock(hashtextextended(p_account || chr(31) || p_provider_id, 17));
            SELECT id, status, provider_message_id, error_code, error_message, updated_at
            INTO v_id, v_status, v_provider_id, v_error_code, v_error_message, v_updated_at
            FROM message
            WHERE account_id = p_account AND provider_message_id = p_provider_id AND direction = 'outbound'
            LIMIT 1 FOR UPDATE;
            IF NOT FOUND OR v_id IS DISTINCT FROM p_id OR v_status IS DISTINCT FROM p_seen_status
                OR v_provider_id IS DISTINCT FROM p_seen_provider_id OR v_error_code IS DISTINCT FROM p_seen_error_code
                OR v_error_message IS DISTINCT FROM p_seen_error_message
                OR v_updated_at IS DISTINCT FROM p_seen_updated_at
            THEN
                RETURN FALSE;
            END IF;
            IF p_check_endpoints AND EXISTS (SELECT 1 FROM webhook_endpoint WHERE account_id = p_account AND enabled)
            THEN
                RETURN FALSE;
            END IF;
            UPDATE message SET status = p_status, provider_message_id = p_new_provider_id, error_code = p_error_code,
                error_message = p_error_message, updated_at = p_updated_at,
                provider_status = COALESCE(p_provider_status, provider_status)
            WHERE id = p_id;
            RETURN TRUE;
        END
        $$;
        CREATE OR REPLACE FUNCTION carrier_keep_pending_status(
            p_account TEXT, p_channel_id TEXT, p_provider_id TEXT, p_reference TEXT, p_status TEXT, p_error_code TEXT,
            p_error_message TEXT, p_received_at DOUBLE PRECISION
        ) RETURNS BOOLEAN LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_advisory_xact_lock(hashtextextended(p_account || chr(31) || p_provider_id, 17));
            IF EXISTS (
                SELECT 1 FROM message
                WHERE account_id = p_account AND provider_message_id = p_provider_id AND direction = 'outbound')
            THEN
                RETURN FALSE;
            END IF;
            INSERT INTO pending_status (account_id, channel_id, provider_message_id, reference, status, error_code,
                error_message, received_at)
            VALUES (p_account, p_channel_id, p_provider_id, p_reference, p_status, p_error_code, p_error_message,
                p_received_at);
            RETURN TRUE;
        END
        $$;
        """

    /// `carrier_store_received`: an incoming message in one round trip (``PostgresInboundStatements/
    /// StoreReceivedIfSimple``). It repeats the columns of ``PostgresInboundStatements/InsertMessage`` and the
    /// conversation upsert of ``PostgresInboundStore/conversationTouched(reopens:)``.
    private static let v5 = """
        CREATE OR REPLACE FUNCTION carrier_store_received(
            p_id TEXT, p_account_id TEXT, p_channel_id TEXT, p_direction TEXT, p_from_address TEXT,
            p_to_address TEXT, p_body TEXT, p_media TEXT, p_status TEXT, p_provider_message_id TEXT,
            p_template_name TEXT, p_segments BIGINT, p_error_code TEXT, p_error_message TEXT, p_reference TEXT,
            p_confirmed BOOLEAN, p_created_at DOUBLE PRECISION, p_updated_at DOUBLE PRECISION,
            p_scheduled_for DOUBLE PRECISION, p_expires_at DOUBLE PRECISION, p_validity_seconds BIGINT,
            p_attempts BIGINT, p_next_attempt_at DOUBLE PRECISION, p_template_language TEXT,
            p_template_variables TEXT, p_callback_url TEXT, p_delivery_report TEXT, p_provider_status TEXT,
            p_metadata TEXT, p_tags TEXT,
            p_lock_key TEXT, p_conversation_id TEXT, p_contact TEXT, p_unread BIGINT,
            p_window_expires_at DOUBLE PRECISION, p_now DOUBLE PRECISION, p_queue TEXT, p_reopens BOOLEAN
        ) RETURNS BOOLEAN LANGUAGE plpgsql AS $$
        DECLARE
            v_conversation TEXT;
        BEGIN
            IF p_provider_message_id IS NOT NULL THEN
                PERFORM pg_advisory_xact_lock(hashtextextended(p_lock_key, 0));
                IF EXISTS (
                    SELECT 1 FROM message
                    WHERE provider_message_id = p_provider_message_id AND account_id = p_account_id
                        AND channel_id = p_channel_id AND direction = 'inbound')
                THEN
                    RETURN TRUE;
                END IF;
            END IF;
            IF EXISTS (SELECT 1 FROM webhook_endpoint WHERE account_id = p_account_id AND enabled) THEN
                RETURN FALSE;
            END IF;
            INSERT INTO conversation (id, account_id, channel_id, contact_address, status, assignee, unread_count,
                window_expires_at, last_message_at, created_at, updated_at, queue)
            VALUES (p_conversation_id, p_account_id, p_channel_id, p_contact, 'open', NULL, p_unread,
                p_window_expires_at, p_now, p_now, p_now, p_queue)
            ON CONFLICT (account_id, channel_id, contact_address) DO UPDATE SET
                status = CASE WHEN p_reopens AND conversation.status = 'closed' THEN 'open'
                    ELSE conversation.status END,
                unread_count = conversation.unread_count + EXCLUDED.unread_count,
                window_expires_at = COALESCE(EXCLUDED.window_expires_at, conversation.window_expires_at),
                last_message_at = EXCLUDED.last_message_at,
                updated_at = EXCLUDED.updated_at
            RETURNING id INTO v_conversation;
            INSERT INTO message (id, account_id, conversation_id, channel_id, direction, from_address, to_address,
                body, media, status, provider_message_id, template_name, segments, error_code, error_message,
                reference, confirmed, created_at, updated_at, scheduled_for, expires_at, validity_seconds, attempts,
                next_attempt_at, template_language, template_variables, callback_url, delivery_report,
                provider_status, metadata, tags)
            VALUES (p_id, p_account_id, v_conversation, p_channel_id, p_direction, p_from_address, p_to_address,
                p_body, p_media, p_status, p_provider_message_id, p_template_name, p_segments, p_error_code,
                p_error_message, p_reference, p_confirmed, p_created_at, p_updated_at, p_scheduled_for, p_expires_at,
                p_validity_seconds, p_attempts, p_next_attempt_at, p_template_language, p_template_variables,
                p_callback_url, p_delivery_report, p_provider_status, p_metadata, p_tags);
            RETURN TRUE;
        END
        $$;
        """

    /// `carrier_apply_status_event`: a delivery report whose status change has webhook endpoints or a callback URL
    /// to tell, in one round trip with its deliveries (``PostgresInboundStatements/ApplyStatusWithEvent``). It
    /// repeats what `carrier_apply_status` writes, ``PostgresWebhookEventStatements/NextSequence`` and
    /// ``PostgresWebhookEventStatements/InsertDeliveries``.
    private static let v6 = """
        CREATE OR REPLACE FUNCTION carrier_apply_status_event(
            p_account TEXT, p_provider_id TEXT, p_id TEXT,
            p_seen_status TEXT, p_seen_provider_id TEXT, p_seen_error_code TEXT, p_seen_error_message TEXT,
            p_seen_updated_at DOUBLE PRECISION, p_seen_event_sequence BIGINT, p_seen_endpoint_ids TEXT[],
            p_status TEXT, p_new_provider_id TEXT, p_error_code TEXT, p_error_message TEXT,
            p_updated_at DOUBLE PRECISION, p_provider_status TEXT,
            p_event_id TEXT, p_event_type TEXT, p_payload TEXT, p_now DOUBLE PRECISION,
            p_delivery_ids TEXT[], p_delivery_endpoint_ids TEXT[], p_delivery_urls TEXT[], p_wake_channel TEXT
        ) RETURNS BOOLEAN LANGUAGE plpgsql AS $$
        DECLARE
            v_id TEXT;
            v_status TEXT;
            v_provider_id TEXT;
            v_error_code TEXT;
            v_error_message TEXT;
            v_updated_at DOUBLE PRECISION;
            v_event_sequence BIGINT;
        BEGIN
            PERFORM pg_advisory_xact_lock(hashtextextended(p_account || chr(31) || p_provider_id, 17));
            SELECT id, status, provider_message_id, error_code, error_message, updated_at, event_sequence
            INTO v_id, v_status, v_provider_id, v_error_code, v_error_message, v_updated_at, v_event_sequence
            FROM message
            WHERE account_id = p_account AND provider_message_id = p_provider_id AND direction = 'outbound'
            LIMIT 1 FOR UPDATE;
            IF NOT FOUND OR v_id IS DISTINCT FROM p_id OR v_status IS DISTINCT FROM p_seen_status
                OR v_provider_id IS DISTINCT FROM p_seen_provider_id OR v_error_code IS DISTINCT FROM p_seen_error_code
                OR v_error_message IS DISTINCT FROM p_seen_error_message
                OR v_updated_at IS DISTINCT FROM p_seen_updated_at
                OR v_event_sequence IS DISTINCT FROM p_seen_event_sequence
            THEN
                RETURN FALSE;
            END IF;
            IF ARRAY(
                SELECT id FROM webhook_endpoint WHERE account_id = p_account AND enabled ORDER BY id COLLATE "C")
                IS DISTINCT FROM p_seen_endpoint_ids
            THEN
                RETURN FALSE;
            END IF;
            UPDATE message SET status = p_status, provider_message_id = p_new_provider_id, error_code = p_error_code,
                error_message = p_error_message, updated_at = p_updated_at,
                provider_status = COALESCE(p_provider_status, provider_status),
                event_sequence = event_sequence + CASE WHEN cardinality(p_delivery_ids) > 0 THEN 1 ELSE 0 END
            WHERE id = p_id;
            IF cardinality(p_delivery_ids) > 0 THEN
                INSERT INTO webhook_delivery (id, account_id, endpoint_id, url, event_id, event_type, message_id,
                    sequence, payload, status, attempts, due_at, created_at, updated_at)
                SELECT t.id, p_account, NULLIF(t.endpoint_id, ''), t.url, p_event_id, p_event_type, p_id,
                    p_seen_event_sequence + 1, p_payload, 'pending', 0, p_now, p_now, p_now
                FROM unnest(p_delivery_ids, p_delivery_endpoint_ids, p_delivery_urls) AS t (id, endpoint_id, url);
                PERFORM pg_notify(p_wake_channel, 'webhook');
            END IF;
            RETURN TRUE;
        END
        $$;
        """

    /// `carrier_store_received_event`: an incoming message with webhook endpoints to tell, after one read
    /// (``PostgresInboundStatements/StoreReceivedWithEvent``): `carrier_store_received`'s writes, and the
    /// `message.received` deliveries whose body names the conversation read before. The conversation must still be
    /// that one (or still none, then created with the id given); when another instance created it meanwhile the
    /// statement is aborted with SQLSTATE `CR001` and the transaction runs.
    private static let v7 = """
        CREATE OR REPLACE FUNCTION carrier_store_received_event(
            p_id TEXT, p_account_id TEXT, p_channel_id TEXT, p_direction TEXT, p_from_address TEXT,
            p_to_address TEXT, p_body TEXT, p_media TEXT, p_status TEXT, p_provider_message_id TEXT,
            p_template_name TEXT, p_segments BIGINT, p_error_code TEXT, p_error_message TEXT, p_reference TEXT,
            p_confirmed BOOLEAN, p_created_at DOUBLE PRECISION, p_updated_at DOUBLE PRECISION,
            p_scheduled_for DOUBLE PRECISION, p_expires_at DOUBLE PRECISION, p_validity_seconds BIGINT,
            p_attempts BIGINT, p_next_attempt_at DOUBLE PRECISION, p_template_language TEXT,
            p_template_variables TEXT, p_callback_url TEXT, p_delivery_report TEXT, p_provider_status TEXT,
            p_metadata TEXT, p_tags TEXT,
            p_lock_key TEXT, p_conversation_id TEXT, p_contact TEXT, p_unread BIGINT,
            p_window_expires_at DOUBLE PRECISION, p_now DOUBLE PRECISION, p_queue TEXT, p_reopens BOOLEAN,
            p_seen_endpoint_ids TEXT[], p_event_id TEXT, p_payload TEXT,
            p_delivery_ids TEXT[], p_delivery_endpoint_ids TEXT[], p_delivery_urls TEXT[], p_wake_channel TEXT
        ) RETURNS BOOLEAN LANGUAGE plpgsql AS $$
        DECLARE
            v_conversation TEXT;
            v_events BOOLEAN := cardinality(p_delivery_ids) > 0;
        BEGIN
            IF p_provider_message_id IS NOT NULL THEN
                PERFORM pg_advisory_xact_lock(hashtextextended(p_lock_key, 0));
                IF EXISTS (
                    SELECT 1 FROM message
                    WHERE provider_message_id = p_provider_message_id AND account_id = p_account_id
                        AND channel_id = p_channel_id AND direction = 'inbound')
                THEN
                    RETURN TRUE;
                END IF;
            END IF;
            IF ARRAY(
                SELECT id FROM webhook_endpoint WHERE account_id = p_account_id AND enabled ORDER BY id COLLATE "C")
                IS DISTINCT FROM p_seen_endpoint_ids
            THEN
                RETURN FALSE;
            END IF;
            SELECT id INTO v_conversation FROM conversation
            WHERE account_id = p_account_id AND channel_id = p_channel_id AND contact_address = p_contact;
            IF FOUND AND v_conversation IS DISTINCT FROM p_conversation_id THEN
                RETURN FALSE;
            END IF;
            INSERT INTO conversation (id, account_id, channel_id, contact_address, status, assignee, unread_count,
                window_expires_at, last_message_at, created_at, updated_at, queue)
            VALUES (p_conversation_id, p_account_id, p_channel_id, p_contact, 'open', NULL, p_unread,
                p_window_expires_at, p_now, p_now, p_now, p_queue)
            ON CONFLICT (account_id, channel_id, contact_address) DO UPDATE SET
                status = CASE WHEN p_reopens AND conversation.status = 'closed' THEN 'open'
                    ELSE conversation.status END,
                unread_count = conversation.unread_count + EXCLUDED.unread_count,
                window_expires_at = COALESCE(EXCLUDED.window_expires_at, conversation.window_expires_at),
                last_message_at = EXCLUDED.last_message_at,
                updated_at = EXCLUDED.updated_at
            RETURNING id INTO v_conversation;
            IF v_conversation IS DISTINCT FROM p_conversation_id THEN
                RAISE EXCEPTION 'conversation created meanwhile' USING ERRCODE = 'CR001';
            END IF;
            INSERT INTO message (id, account_id, conversation_id, channel_id, direction, from_address, to_address,
                body, media, status, provider_message_id, template_name, segments, error_code, error_message,
                reference, confirmed, created_at, updated_at, scheduled_for, expires_at, validity_seconds, attempts,
                next_attempt_at, template_language, template_variables, callback_url, delivery_report,
                provider_status, metadata, tags, event_sequence)
            VALUES (p_id, p_account_id, v_conversation, p_channel_id, p_direction, p_from_address, p_to_address,
                p_body, p_media, p_status, p_provider_message_id, p_template_name, p_segments, p_error_code,
                p_error_message, p_reference, p_confirmed, p_created_at, p_updated_at, p_scheduled_for, p_expires_at,
                p_validity_seconds, p_attempts, p_next_attempt_at, p_template_language, p_template_variables,
                p_callback_url, p_delivery_report, p_provider_status, p_metadata, p_tags,
                CASE WHEN v_events THEN 1 ELSE 0 END);
            IF v_events THEN
                INSERT INTO webhook_delivery (id, account_id, endpoint_id, url, event_id, event_type, message_id,
                    sequence, payload, status, attempts, due_at, created_at, updated_at)
                SELECT t.id, p_account_id, NULLIF(t.endpoint_id, ''), t.url, p_event_id, 'message.received', p_id, 1,
                    p_payload, 'pending', 0, p_now, p_now, p_now
                FROM unnest(p_delivery_ids, p_delivery_endpoint_ids, p_delivery_urls) AS t (id, endpoint_id, url);
                PERFORM pg_notify(p_wake_channel, 'webhook');
            END IF;
            RETURN TRUE;
        END
        $$;
        """
}
