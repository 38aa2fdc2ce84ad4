internal import CSQLiteTuning
import Foundation
import GRDB

/// Opens the SQLite file and migrates it to the current schema.
///
/// Every table carries an `account_id`; queries always filter on it, except the public inbound webhook, which finds
/// its channel by id and then works inside that channel's account.
enum ServiceDatabase {
    /// Opens (creating if needed) the database at `path` in WAL mode and runs the migrations.
    /// - Throws: GRDB errors when the file cannot be opened or migrated.
    static func open(path: String) throws -> DatabasePool {
        _ = configureSQLite
        try restrictPermissions(path: path)
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            if db.configuration.readonly {
                try db.execute(sql: "PRAGMA cache_size = -16384")  // 16 MiB per reader
            } else {
                // Checkpoints normally run beside the writer (WALCheckpointer); this is the backstop.
                try db.execute(sql: "PRAGMA wal_autocheckpoint = \(WALCheckpointer.writerAutocheckpointPages)")
                // The writer's lookups (duplicate webhooks, conversations, provider ids) hit random index pages;
                // with SQLite's default 2 MiB cache most of them were re-read from the file on every commit.
                try db.execute(sql: "PRAGMA cache_size = -65536")  // 64 MiB
            }
        }
        let pool = try DatabasePool(path: path, configuration: configuration)
        // A reply is only sent once its commit is on disk. GRDB switches WAL databases to `synchronous=NORMAL`
        // (durable against a crash of the process, not of the machine) after `prepareDatabase`; this undoes it.
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // Every commit now syncs the log, so its writes can be gathered until that sync (WALWriteBuffer.c).
            // Reading the schema opens the log; without it the writes just stay unbuffered.
            let synchronous = try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? 0
            _ = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master")
            if synchronous >= 2 { _ = carrier_sqlite_buffer_wal_writes(db.sqliteConnection) }
        }
        try migrator.migrate(pool)
        return pool
    }

    /// Runs once, before the process's first connection: SQLite in multi-thread mode (GRDB serializes each
    /// connection) without allocation statistics, which saves a mutex on every SQLite call and allocation.
    private static let configureSQLite: Void = {
        _ = carrier_sqlite_configure_for_service()
        _ = carrier_sqlite_register_wal_write_buffer()
    }()

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE api_key (
                        key_hash TEXT PRIMARY KEY NOT NULL,
                        account_id TEXT NOT NULL,
                        scopes TEXT NOT NULL,
                        created_at DOUBLE NOT NULL
                    );
                    CREATE TABLE messaging_channel (
                        id TEXT PRIMARY KEY NOT NULL,
                        account_id TEXT NOT NULL,
                        channel TEXT NOT NULL CHECK (channel IN ('sms', 'mms', 'whatsapp', 'rcs')),
                        provider TEXT NOT NULL,
                        address TEXT NOT NULL,
                        settings TEXT NOT NULL,
                        default_queue TEXT,
                        created_at DOUBLE NOT NULL,
                        updated_at DOUBLE NOT NULL,
                        UNIQUE (channel, address)
                    );
                    CREATE INDEX messaging_channel_account ON messaging_channel (account_id);
                    CREATE TABLE conversation (
                        id TEXT PRIMARY KEY NOT NULL,
                        account_id TEXT NOT NULL,
                        channel_id TEXT NOT NULL,
                        contact_address TEXT NOT NULL,
                        status TEXT NOT NULL CHECK (status IN ('open', 'assigned', 'closed', 'snoozed')),
                        assignee TEXT,
                        unread_count INTEGER NOT NULL DEFAULT 0,
                        window_expires_at DOUBLE,
                        last_message_at DOUBLE,
                        created_at DOUBLE NOT NULL,
                        updated_at DOUBLE NOT NULL,
                        UNIQUE (channel_id, contact_address)
                    );
                    CREATE INDEX conversation_account ON conversation (account_id);
                    CREATE TABLE message (
                        id TEXT PRIMARY KEY NOT NULL,
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
                        segments INTEGER,
                        error_code TEXT,
                        error_message TEXT,
                        reference TEXT,
                        confirmed BOOLEAN NOT NULL DEFAULT 0,
                        created_at DOUBLE NOT NULL,
                        updated_at DOUBLE NOT NULL
                    );
                    CREATE INDEX message_provider_id ON message (provider_message_id);
                    CREATE INDEX message_conversation ON message (conversation_id);
                    CREATE INDEX message_replies ON message (account_id, direction, confirmed);
                    CREATE TABLE message_template (
                        id TEXT PRIMARY KEY NOT NULL,
                        account_id TEXT NOT NULL,
                        name TEXT NOT NULL,
                        language TEXT NOT NULL,
                        category TEXT,
                        body TEXT NOT NULL,
                        status TEXT NOT NULL CHECK (status IN ('approved', 'pending', 'rejected')),
                        created_at DOUBLE NOT NULL,
                        updated_at DOUBLE NOT NULL,
                        UNIQUE (account_id, name, language)
                    );
                    CREATE TABLE message_opt_out (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        account_id TEXT NOT NULL,
                        channel_id TEXT NOT NULL,
                        contact_address TEXT NOT NULL,
                        created_at DOUBLE NOT NULL,
                        UNIQUE (channel_id, contact_address)
                    );
                    CREATE TABLE idempotency_key (
                        account_id TEXT NOT NULL,
                        key TEXT NOT NULL,
                        status INTEGER NOT NULL,
                        response TEXT NOT NULL,
                        created_at DOUBLE NOT NULL,
                        PRIMARY KEY (account_id, key)
                    );
                    CREATE TABLE pending_status (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        account_id TEXT NOT NULL,
                        channel_id TEXT NOT NULL,
                        provider_message_id TEXT,
                        reference TEXT,
                        status TEXT NOT NULL,
                        error_code TEXT,
                        error_message TEXT,
                        received_at DOUBLE NOT NULL
                    );
                    CREATE INDEX pending_status_provider_id ON pending_status (account_id, provider_message_id);
                    """)
        }
        // Partial indexes: an outbound message is stored before the carrier gave it an id, and is never a reply, so
        // it no longer adds (and later moves) an entry in either index; replies come out in the index's order.
        migrator.registerMigration("v2-partial-message-indexes") { db in
            try db.execute(
                sql: """
                    DROP INDEX message_provider_id;
                    CREATE INDEX message_provider_id ON message (provider_message_id)
                        WHERE provider_message_id IS NOT NULL;
                    DROP INDEX message_replies;
                    CREATE INDEX message_replies ON message (account_id, created_at)
                        WHERE direction = 'inbound' AND confirmed = 0;
                    """)
        }
        // Expired idempotency keys and unclaimed status callbacks are deleted by age (MessagingEngine+Retention).
        migrator.registerMigration("v3-retention-indexes") { db in
            try db.execute(
                sql: """
                    CREATE INDEX idempotency_key_created ON idempotency_key (created_at);
                    CREATE INDEX pending_status_received ON pending_status (received_at);
                    """)
        }
        // Parts of long inbound messages wait here until all have arrived (MessagingEngine+MessageParts).
        migrator.registerMigration("v4-message-parts") { db in
            try db.execute(
                sql: """
                    CREATE TABLE message_part (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        account_id TEXT NOT NULL,
                        channel_id TEXT NOT NULL,
                        contact_address TEXT NOT NULL,
                        reference TEXT NOT NULL,
                        total INTEGER NOT NULL,
                        number INTEGER NOT NULL,
                        to_address TEXT,
                        body TEXT,
                        media TEXT NOT NULL,
                        provider_message_id TEXT,
                        received_at DOUBLE NOT NULL,
                        assembled_at DOUBLE,
                        UNIQUE (channel_id, contact_address, reference, total, number)
                    );
                    CREATE INDEX message_part_waiting ON message_part (received_at) WHERE assembled_at IS NULL;
                    CREATE INDEX message_part_assembled ON message_part (assembled_at) WHERE assembled_at IS NOT NULL;
                    """)
        }
        // Store and forward: every outbound message has a job in the outbox until it is sent, fails, expires or is
        // canceled; attempts are kept; an idempotency key points at the message it created.
        migrator.registerMigration("v5-outbox") { db in
            try db.execute(
                sql: """
                    ALTER TABLE message ADD COLUMN scheduled_for DOUBLE;
                    ALTER TABLE message ADD COLUMN expires_at DOUBLE;
                    ALTER TABLE message ADD COLUMN validity_seconds INTEGER;
                    ALTER TABLE message ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE message ADD COLUMN next_attempt_at DOUBLE;
                    ALTER TABLE message ADD COLUMN template_language TEXT;
                    ALTER TABLE message ADD COLUMN template_variables TEXT;
                    ALTER TABLE messaging_channel ADD COLUMN rate_per_second DOUBLE;
                    ALTER TABLE messaging_channel ADD COLUMN validity_seconds INTEGER;
                    CREATE TABLE outbox_job (
                        message_id TEXT PRIMARY KEY NOT NULL REFERENCES message (id) ON DELETE CASCADE,
                        account_id TEXT NOT NULL,
                        channel_id TEXT NOT NULL,
                        due_at DOUBLE NOT NULL,
                        lease_owner TEXT,
                        lease_until DOUBLE,
                        created_at DOUBLE NOT NULL
                    ) WITHOUT ROWID;
                    CREATE INDEX outbox_job_due ON outbox_job (due_at);
                    CREATE TABLE send_attempt (
                        message_id TEXT NOT NULL REFERENCES message (id) ON DELETE CASCADE,
                        number INTEGER NOT NULL,
                        started_at DOUBLE NOT NULL,
                        outcome TEXT NOT NULL,
                        http_status INTEGER,
                        error_code TEXT,
                        latency_ms DOUBLE NOT NULL,
                        PRIMARY KEY (message_id, number)
                    ) WITHOUT ROWID;
                    ALTER TABLE idempotency_key ADD COLUMN message_id TEXT;
                    ALTER TABLE idempotency_key ADD COLUMN request_hash TEXT;
                    UPDATE message SET status = 'failed', error_code = COALESCE(error_code, 'interrupted')
                        WHERE direction = 'outbound' AND status = 'queued';
                    """)
        }
        // Tenant isolation by construction (issue #14): a channel id is unique within its account, and every table
        // that names a channel is unique by (account, channel, ...), so the same id in two accounts neither collides
        // nor mixes. Channels record where they came from (`config` file or `api`) and the hash of their webhook
        // token; `inbound_seen` remembers webhooks without provider ids (replays); `message` keeps a bounded excerpt
        // of the carrier's refusal for admins. Tables are rebuilt (SQLite cannot drop a UNIQUE constraint); the
        // migrator runs this with foreign keys off, so no message is cascaded away.
        migrator.registerMigration("v6-tenant-isolation") { db in
            try db.execute(
                sql: """
                    CREATE TABLE messaging_channel_v6 (
                        id TEXT NOT NULL,
                        account_id TEXT NOT NULL,
                        channel TEXT NOT NULL CHECK (channel IN ('sms', 'mms', 'whatsapp', 'rcs')),
                        provider TEXT NOT NULL,
                        address TEXT NOT NULL,
                        settings TEXT NOT NULL,
                        default_queue TEXT,
                        created_at DOUBLE NOT NULL,
                        updated_at DOUBLE NOT NULL,
                        source TEXT NOT NULL DEFAULT 'api' CHECK (source IN ('api', 'config')),
                        inbound_token_hash TEXT,
                        rate_per_second DOUBLE,
                        validity_seconds INTEGER,
                        PRIMARY KEY (account_id, id),
                        UNIQUE (account_id, channel, address)
                    );
                    INSERT INTO messaging_channel_v6 (id, account_id, channel, provider, address, settings,
                        default_queue, created_at, updated_at, rate_per_second, validity_seconds)
                        SELECT id, account_id, channel, provider, address, settings, default_queue, created_at,
                            updated_at, rate_per_second, validity_seconds FROM messaging_channel;
                    DROP TABLE messaging_channel;
                    ALTER TABLE messaging_channel_v6 RENAME TO messaging_channel;

                    CREATE TABLE conversation_v6 (
                        id TEXT PRIMARY KEY NOT NULL,
                        account_id TEXT NOT NULL,
                        channel_id TEXT NOT NULL,
                        contact_address TEXT NOT NULL,
                        status TEXT NOT NULL CHECK (status IN ('open', 'assigned', 'closed', 'snoozed')),
                        assignee TEXT,
                        unread_count INTEGER NOT NULL DEFAULT 0,
                        window_expires_at DOUBLE,
                        last_message_at DOUBLE,
                        created_at DOUBLE NOT NULL,
                        updated_at DOUBLE NOT NULL,
                        UNIQUE (account_id, channel_id, contact_address)
                    );
                    INSERT INTO conversation_v6 SELECT id, account_id, channel_id, contact_address, status, assignee,
                        unread_count, window_expires_at, last_message_at, created_at, updated_at FROM conversation;
                    DROP TABLE conversation;
                    ALTER TABLE conversation_v6 RENAME TO conversation;
                    CREATE INDEX conversation_account ON conversation (account_id);

                    CREATE TABLE message_opt_out_v6 (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        account_id TEXT NOT NULL,
                        channel_id TEXT NOT NULL,
                        contact_address TEXT NOT NULL,
                        created_at DOUBLE NOT NULL,
                        UNIQUE (account_id, channel_id, contact_address)
                    );
                    INSERT INTO message_opt_out_v6 SELECT id, account_id, channel_id, contact_address, created_at
                        FROM message_opt_out;
                    DROP TABLE message_opt_out;
                    ALTER TABLE message_opt_out_v6 RENAME TO message_opt_out;

                    CREATE TABLE message_part_v6 (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        account_id TEXT NOT NULL,
                        channel_id TEXT NOT NULL,
                        contact_address TEXT NOT NULL,
                        reference TEXT NOT NULL,
                        total INTEGER NOT NULL,
                        number INTEGER NOT NULL,
                        to_address TEXT,
                        body TEXT,
                        media TEXT NOT NULL,
                        provider_message_id TEXT,
                        received_at DOUBLE NOT NULL,
                        assembled_at DOUBLE,
                        UNIQUE (account_id, channel_id, contact_address, reference, total, number)
                    );
                    INSERT INTO message_part_v6 SELECT id, account_id, channel_id, contact_address, reference, total,
                        number, to_address, body, media, provider_message_id, received_at, assembled_at
                        FROM message_part;
                    DROP TABLE message_part;
                    ALTER TABLE message_part_v6 RENAME TO message_part;
                    CREATE INDEX message_part_waiting ON message_part (received_at) WHERE assembled_at IS NULL;
                    CREATE INDEX message_part_assembled ON message_part (assembled_at) WHERE assembled_at IS NOT NULL;

                    CREATE TABLE inbound_seen (
                        account_id TEXT NOT NULL,
                        channel_id TEXT NOT NULL,
                        request_hash TEXT NOT NULL,
                        received_at DOUBLE NOT NULL,
                        PRIMARY KEY (account_id, channel_id, request_hash)
                    );
                    CREATE INDEX inbound_seen_received ON inbound_seen (received_at);

                    ALTER TABLE message ADD COLUMN carrier_reply_excerpt TEXT;
                    """)
        }
        // Customer webhooks (issue #16): endpoints per account, one callback secret per account for messages' own
        // `callbackUrl`, and durable deliveries (leased and retried like outbox jobs). A message keeps its
        // `callbackUrl`, `deliveryReport` and the sequence number of its last event.
        migrator.registerMigration("v7-webhooks") { db in
            try db.execute(
                sql: """
                    ALTER TABLE message ADD COLUMN callback_url TEXT;
                    ALTER TABLE message ADD COLUMN delivery_report TEXT;
                    ALTER TABLE message ADD COLUMN event_sequence INTEGER NOT NULL DEFAULT 0;
                    CREATE TABLE webhook_endpoint (
                        id TEXT PRIMARY KEY NOT NULL,
                        account_id TEXT NOT NULL,
                        url TEXT NOT NULL,
                        events TEXT NOT NULL,
                        channel_id TEXT,
                        secret TEXT NOT NULL,
                        previous_secret TEXT,
                        previous_secret_until DOUBLE,
                        enabled INTEGER NOT NULL DEFAULT 1,
                        disabled_reason TEXT,
                        failing_since DOUBLE,
                        created_at DOUBLE NOT NULL,
                        updated_at DOUBLE NOT NULL
                    );
                    CREATE INDEX webhook_endpoint_account ON webhook_endpoint (account_id);
                    CREATE TABLE webhook_callback_secret (
                        account_id TEXT PRIMARY KEY NOT NULL,
                        secret TEXT NOT NULL,
                        previous_secret TEXT,
                        previous_secret_until DOUBLE,
                        created_at DOUBLE NOT NULL,
                        updated_at DOUBLE NOT NULL
                    );
                    CREATE TABLE webhook_delivery (
                        id TEXT PRIMARY KEY NOT NULL,
                        account_id TEXT NOT NULL,
                        endpoint_id TEXT REFERENCES webhook_endpoint (id) ON DELETE CASCADE,
                        url TEXT NOT NULL,
                        event_id TEXT NOT NULL,
                        event_type TEXT NOT NULL,
                        message_id TEXT,
                        sequence INTEGER NOT NULL,
                        payload TEXT NOT NULL,
                        status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
                        attempts INTEGER NOT NULL DEFAULT 0,
                        due_at DOUBLE,
                        lease_owner TEXT,
                        lease_until DOUBLE,
                        last_http_status INTEGER,
                        last_error TEXT,
                        last_latency_ms DOUBLE,
                        created_at DOUBLE NOT NULL,
                        updated_at DOUBLE NOT NULL,
                        delivered_at DOUBLE
                    );
                    CREATE INDEX webhook_delivery_due ON webhook_delivery (due_at) WHERE status = 'pending';
                    CREATE INDEX webhook_delivery_endpoint ON webhook_delivery (endpoint_id, created_at);
                    CREATE INDEX webhook_delivery_message ON webhook_delivery (message_id);
                    """)
        }
        // One identity per contact (issue #15): opt-outs per account and channel kind (sms covers mms), the
        // provider's own status word, metadata and tags (tags also as rows, for filtering), the conversation's
        // queue; then every stored phone number is normalized to E.164 (``IdentityMigration``).
        migrator.registerMigration("v8-identity") { db in
            try db.execute(
                sql: """
                    CREATE TABLE contact_opt_out (
                        account_id TEXT NOT NULL,
                        kind TEXT NOT NULL CHECK (kind IN ('sms', 'whatsapp', 'rcs')),
                        contact_address TEXT NOT NULL,
                        source TEXT NOT NULL DEFAULT 'keyword' CHECK (source IN ('keyword', 'api')),
                        created_at DOUBLE NOT NULL,
                        PRIMARY KEY (account_id, kind, contact_address)
                    );
                    ALTER TABLE message ADD COLUMN provider_status TEXT;
                    ALTER TABLE message ADD COLUMN metadata TEXT;
                    ALTER TABLE message ADD COLUMN tags TEXT;
                    CREATE TABLE message_tag (
                        account_id TEXT NOT NULL,
                        tag TEXT NOT NULL,
                        message_id TEXT NOT NULL,
                        PRIMARY KEY (account_id, tag, message_id)
                    );
                    CREATE INDEX message_account_list ON message (account_id, id);
                    ALTER TABLE conversation ADD COLUMN queue TEXT;
                    CREATE INDEX conversation_account_list ON conversation (account_id, id);
                    """)
            try IdentityMigration.normalizeStoredAddresses(db)
        }
        // A channel's webhook token sealed with the secrets key beside its hash, for the delivery-report URL.
        migrator.registerMigration("v9-inbound-token-sealed") { db in
            try db.execute(sql: "ALTER TABLE messaging_channel ADD COLUMN inbound_token_sealed TEXT")
        }
        // A conversation's messages from its own index, in order: with the conversation id alone, SQLite (no
        // statistics) preferred the account's list index and read every message of the account, then sorted.
        migrator.registerMigration("v10-conversation-messages-index") { db in
            try db.execute(
                sql: """
                    DROP INDEX message_conversation;
                    CREATE INDEX message_conversation ON message (conversation_id, account_id, created_at);
                    """)
        }
        // `conversation_account (account_id)` repeats the first column of `conversation_account_list (account_id,
        // id)` and of the contact's unique key: a fourth index every new conversation wrote for no query.
        migrator.registerMigration("v11-drop-redundant-conversation-index") { db in
            try db.execute(sql: "DROP INDEX IF EXISTS conversation_account")
        }
        return migrator
    }

    /// Creates the database file readable by its owner only (0600) before SQLite opens it, and narrows an existing
    /// file, log and shared-memory file to the same; SQLite gives the `-wal` and `-shm` files it creates the
    /// database file's permissions.
    static func restrictPermissions(path: String) throws {
        let descriptor = Foundation.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw ServiceError.storage("cannot create the database file") }
        close(descriptor)
        for file in [path, path + "-wal", path + "-shm"] where FileManager.default.fileExists(atPath: file) {
            guard chmod(file, 0o600) == 0 else { throw ServiceError.storage("cannot restrict \(file) to 0600") }
        }
    }
}
