#ifndef CARRIER_CSQLITETUNING_H
#define CARRIER_CSQLITETUNING_H

/// Process-wide SQLite settings for the service; `sqlite3_config` is variadic, so Swift cannot call it.
/// Must run before the first connection opens. Returns SQLITE_OK (0), or SQLITE_MISUSE when SQLite was already
/// initialized (the settings then keep their defaults, which is safe, only slower).
int carrier_sqlite_configure_for_service(void);

#endif
