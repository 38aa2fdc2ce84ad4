#ifndef CARRIER_CSQLITETUNING_H
#define CARRIER_CSQLITETUNING_H

/// Process-wide SQLite settings for the service; `sqlite3_config` is variadic, so Swift cannot call it.
/// Must run before the first connection opens. Returns SQLITE_OK (0), or SQLITE_MISUSE when SQLite was already
/// initialized (the settings then keep their defaults, which is safe, only slower).
int carrier_sqlite_configure_for_service(void);

typedef struct sqlite3 sqlite3;

/// Makes the VFS of WALWriteBuffer.c the default: every file passes through it unchanged until
/// `carrier_sqlite_buffer_wal_writes` switches a connection's log to buffered writes. Returns SQLITE_OK (0).
int carrier_sqlite_register_wal_write_buffer(void);

/// Buffers the write-ahead log writes of `db` until each sync (one commit: a few large writes instead of two per
/// page). Only for a connection with synchronous=FULL whose log is open. Returns SQLITE_OK (0), or SQLITE_NOTFOUND
/// when the log is not open or not under the buffering VFS.
int carrier_sqlite_buffer_wal_writes(sqlite3 *db);

/// 1 when `db`'s log writes are buffered.
int carrier_sqlite_wal_writes_buffered(sqlite3 *db);

#endif
