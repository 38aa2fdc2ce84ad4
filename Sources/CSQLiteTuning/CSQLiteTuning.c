#include <sqlite3.h>
#include "CSQLiteTuning.h"

int carrier_sqlite_configure_for_service(void) {
    // GRDB already serializes every use of a connection; SQLite's own per-connection mutex is redundant.
    int rc = sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
    if (rc != SQLITE_OK) return rc;
    // No allocation statistics: they take a global mutex on every malloc and free.
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
