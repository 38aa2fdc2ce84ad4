#include <sqlite3.h>
#include <string.h>
#include "CSQLiteTuning.h"

// A VFS over the default one that can gather one connection's writes to the write-ahead log and hand them to the
// file in a few large writes when SQLite syncs the log at commit, instead of two writes per frame (its header,
// then its page). Every file goes through it, but only a log switched on with carrier_sqlite_buffer_wal_writes is
// buffered; everything else passes straight through.
//
// Switch it on only for a connection whose every commit syncs the log (synchronous=FULL): readers learn of new
// frames from the shared-memory index, which the writer updates after that sync. Any read, size query,
// truncation, file control or close of the log writes the buffer out first.

typedef struct BufferedFile {
    sqlite3_file base;
    sqlite3_file *real;         // the default VFS's file, placed right after this struct
    int isLog;
    int buffering;
    unsigned char *buffer;
    int capacity;
    int length;
    sqlite3_int64 start;        // file offset of buffer[0]
} BufferedFile;

static sqlite3_vfs *realVFS;
static sqlite3_vfs bufferedVFS;
static sqlite3_io_methods bufferedMethods;

enum {
    LOG_BUFFER_BYTES = 1 << 20,
    // The unix VFS writes at most 128 KiB per call (it masks larger counts), so the buffer goes out in pieces.
    LOG_WRITE_BYTES = 1 << 16,
};

static int flushLog(BufferedFile *f) {
    int written = 0;
    while (written < f->length) {
        int amount = f->length - written;
        if (amount > LOG_WRITE_BYTES) amount = LOG_WRITE_BYTES;
        int rc = f->real->pMethods->xWrite(f->real, f->buffer + written, amount, f->start + written);
        if (rc != SQLITE_OK) {
            f->length = 0;
            return rc;
        }
        written += amount;
    }
    f->length = 0;
    return SQLITE_OK;
}

static int bufferedClose(sqlite3_file *file) {
    BufferedFile *f = (BufferedFile *)file;
    int rc = flushLog(f);
    int closed = f->real->pMethods->xClose(f->real);
    sqlite3_free(f->buffer);
    f->buffer = 0;
    return rc != SQLITE_OK ? rc : closed;
}

static int bufferedRead(sqlite3_file *file, void *out, int amount, sqlite3_int64 offset) {
    BufferedFile *f = (BufferedFile *)file;
    int rc = flushLog(f);
    if (rc != SQLITE_OK) return rc;
    return f->real->pMethods->xRead(f->real, out, amount, offset);
}

static int bufferedWrite(sqlite3_file *file, const void *data, int amount, sqlite3_int64 offset) {
    BufferedFile *f = (BufferedFile *)file;
    if (!f->buffering) return f->real->pMethods->xWrite(f->real, data, amount, offset);
    if (f->length > 0 && offset == f->start + f->length && f->length + amount <= f->capacity) {
        memcpy(f->buffer + f->length, data, (size_t)amount);
        f->length += amount;
        return SQLITE_OK;
    }
    int rc = flushLog(f);
    if (rc != SQLITE_OK) return rc;
    if (amount > f->capacity) return f->real->pMethods->xWrite(f->real, data, amount, offset);
    memcpy(f->buffer, data, (size_t)amount);
    f->start = offset;
    f->length = amount;
    return SQLITE_OK;
}

static int bufferedTruncate(sqlite3_file *file, sqlite3_int64 size) {
    BufferedFile *f = (BufferedFile *)file;
    int rc = flushLog(f);
    if (rc != SQLITE_OK) return rc;
    return f->real->pMethods->xTruncate(f->real, size);
}

static int bufferedSync(sqlite3_file *file, int flags) {
    BufferedFile *f = (BufferedFile *)file;
    int rc = flushLog(f);
    if (rc != SQLITE_OK) return rc;
    return f->real->pMethods->xSync(f->real, flags);
}

static int bufferedFileSize(sqlite3_file *file, sqlite3_int64 *size) {
    BufferedFile *f = (BufferedFile *)file;
    int rc = flushLog(f);
    if (rc != SQLITE_OK) return rc;
    return f->real->pMethods->xFileSize(f->real, size);
}

static int bufferedLock(sqlite3_file *file, int level) {
    BufferedFile *f = (BufferedFile *)file;
    return f->real->pMethods->xLock(f->real, level);
}

static int bufferedUnlock(sqlite3_file *file, int level) {
    BufferedFile *f = (BufferedFile *)file;
    return f->real->pMethods->xUnlock(f->real, level);
}

static int bufferedCheckReservedLock(sqlite3_file *file, int *out) {
    BufferedFile *f = (BufferedFile *)file;
    return f->real->pMethods->xCheckReservedLock(f->real, out);
}

static int bufferedFileControl(sqlite3_file *file, int op, void *arg) {
    BufferedFile *f = (BufferedFile *)file;
    int rc = flushLog(f);
    if (rc != SQLITE_OK) return rc;
    return f->real->pMethods->xFileControl(f->real, op, arg);
}

static int bufferedSectorSize(sqlite3_file *file) {
    BufferedFile *f = (BufferedFile *)file;
    return f->real->pMethods->xSectorSize(f->real);
}

static int bufferedDeviceCharacteristics(sqlite3_file *file) {
    BufferedFile *f = (BufferedFile *)file;
    return f->real->pMethods->xDeviceCharacteristics(f->real);
}

static int bufferedShmMap(sqlite3_file *file, int region, int size, int extend, void volatile **out) {
    BufferedFile *f = (BufferedFile *)file;
    return f->real->pMethods->xShmMap(f->real, region, size, extend, out);
}

static int bufferedShmLock(sqlite3_file *file, int offset, int n, int flags) {
    BufferedFile *f = (BufferedFile *)file;
    return f->real->pMethods->xShmLock(f->real, offset, n, flags);
}

static void bufferedShmBarrier(sqlite3_file *file) {
    BufferedFile *f = (BufferedFile *)file;
    f->real->pMethods->xShmBarrier(f->real);
}

static int bufferedShmUnmap(sqlite3_file *file, int deleteFlag) {
    BufferedFile *f = (BufferedFile *)file;
    return f->real->pMethods->xShmUnmap(f->real, deleteFlag);
}

static int bufferedFetch(sqlite3_file *file, sqlite3_int64 offset, int amount, void **out) {
    BufferedFile *f = (BufferedFile *)file;
    int rc = flushLog(f);
    if (rc != SQLITE_OK) return rc;
    return f->real->pMethods->xFetch(f->real, offset, amount, out);
}

static int bufferedUnfetch(sqlite3_file *file, sqlite3_int64 offset, void *page) {
    BufferedFile *f = (BufferedFile *)file;
    return f->real->pMethods->xUnfetch(f->real, offset, page);
}

static int bufferedOpen(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags, int *outFlags) {
    (void)vfs;
    BufferedFile *f = (BufferedFile *)file;
    memset(f, 0, sizeof(BufferedFile));
    f->real = (sqlite3_file *)&f[1];
    int rc = realVFS->xOpen(realVFS, name, f->real, flags, outFlags);
    if (rc != SQLITE_OK || f->real->pMethods == 0) {
        f->base.pMethods = 0;
        return rc;
    }
    f->isLog = (flags & SQLITE_OPEN_WAL) != 0;
    f->base.pMethods = &bufferedMethods;
    return SQLITE_OK;
}

static int forwardDelete(sqlite3_vfs *vfs, const char *name, int syncDir) {
    (void)vfs;
    return realVFS->xDelete(realVFS, name, syncDir);
}

static int forwardAccess(sqlite3_vfs *vfs, const char *name, int flags, int *out) {
    (void)vfs;
    return realVFS->xAccess(realVFS, name, flags, out);
}

static int forwardFullPathname(sqlite3_vfs *vfs, const char *name, int size, char *out) {
    (void)vfs;
    return realVFS->xFullPathname(realVFS, name, size, out);
}

static void *forwardDlOpen(sqlite3_vfs *vfs, const char *name) {
    (void)vfs;
    return realVFS->xDlOpen(realVFS, name);
}

static void forwardDlError(sqlite3_vfs *vfs, int size, char *out) {
    (void)vfs;
    realVFS->xDlError(realVFS, size, out);
}

static void (*forwardDlSym(sqlite3_vfs *vfs, void *handle, const char *symbol))(void) {
    (void)vfs;
    return realVFS->xDlSym(realVFS, handle, symbol);
}

static void forwardDlClose(sqlite3_vfs *vfs, void *handle) {
    (void)vfs;
    realVFS->xDlClose(realVFS, handle);
}

static int forwardRandomness(sqlite3_vfs *vfs, int size, char *out) {
    (void)vfs;
    return realVFS->xRandomness(realVFS, size, out);
}

static int forwardSleep(sqlite3_vfs *vfs, int microseconds) {
    (void)vfs;
    return realVFS->xSleep(realVFS, microseconds);
}

static int forwardCurrentTime(sqlite3_vfs *vfs, double *out) {
    (void)vfs;
    return realVFS->xCurrentTime(realVFS, out);
}

static int forwardGetLastError(sqlite3_vfs *vfs, int size, char *out) {
    (void)vfs;
    return realVFS->xGetLastError(realVFS, size, out);
}

static int forwardCurrentTimeInt64(sqlite3_vfs *vfs, sqlite3_int64 *out) {
    (void)vfs;
    return realVFS->xCurrentTimeInt64(realVFS, out);
}

int carrier_sqlite_register_wal_write_buffer(void) {
    if (realVFS != 0) return SQLITE_OK;
    sqlite3_vfs *defaultVFS = sqlite3_vfs_find(0);
    if (defaultVFS == 0 || defaultVFS->iVersion < 2) return SQLITE_ERROR;
    realVFS = defaultVFS;

    bufferedMethods.iVersion = 3;
    bufferedMethods.xClose = bufferedClose;
    bufferedMethods.xRead = bufferedRead;
    bufferedMethods.xWrite = bufferedWrite;
    bufferedMethods.xTruncate = bufferedTruncate;
    bufferedMethods.xSync = bufferedSync;
    bufferedMethods.xFileSize = bufferedFileSize;
    bufferedMethods.xLock = bufferedLock;
    bufferedMethods.xUnlock = bufferedUnlock;
    bufferedMethods.xCheckReservedLock = bufferedCheckReservedLock;
    bufferedMethods.xFileControl = bufferedFileControl;
    bufferedMethods.xSectorSize = bufferedSectorSize;
    bufferedMethods.xDeviceCharacteristics = bufferedDeviceCharacteristics;
    bufferedMethods.xShmMap = bufferedShmMap;
    bufferedMethods.xShmLock = bufferedShmLock;
    bufferedMethods.xShmBarrier = bufferedShmBarrier;
    bufferedMethods.xShmUnmap = bufferedShmUnmap;
    bufferedMethods.xFetch = bufferedFetch;
    bufferedMethods.xUnfetch = bufferedUnfetch;

    bufferedVFS.iVersion = 2;
    bufferedVFS.szOsFile = (int)sizeof(BufferedFile) + defaultVFS->szOsFile;
    bufferedVFS.mxPathname = defaultVFS->mxPathname;
    bufferedVFS.zName = "carrier-wal-buffer";
    bufferedVFS.xOpen = bufferedOpen;
    bufferedVFS.xDelete = forwardDelete;
    bufferedVFS.xAccess = forwardAccess;
    bufferedVFS.xFullPathname = forwardFullPathname;
    bufferedVFS.xDlOpen = forwardDlOpen;
    bufferedVFS.xDlError = forwardDlError;
    bufferedVFS.xDlSym = forwardDlSym;
    bufferedVFS.xDlClose = forwardDlClose;
    bufferedVFS.xRandomness = forwardRandomness;
    bufferedVFS.xSleep = forwardSleep;
    bufferedVFS.xCurrentTime = forwardCurrentTime;
    bufferedVFS.xGetLastError = forwardGetLastError;
    bufferedVFS.xCurrentTimeInt64 = forwardCurrentTimeInt64;
    return sqlite3_vfs_register(&bufferedVFS, 1);
}

int carrier_sqlite_buffer_wal_writes(sqlite3 *db) {
    sqlite3_file *file = 0;
    int rc = sqlite3_file_control(db, "main", SQLITE_FCNTL_JOURNAL_POINTER, &file);
    if (rc != SQLITE_OK) return rc;
    if (file == 0 || file->pMethods != &bufferedMethods) return SQLITE_NOTFOUND;
    BufferedFile *f = (BufferedFile *)file;
    if (!f->isLog) return SQLITE_NOTFOUND;
    if (f->buffer == 0) {
        f->buffer = sqlite3_malloc(LOG_BUFFER_BYTES);
        if (f->buffer == 0) return SQLITE_NOMEM;
        f->capacity = LOG_BUFFER_BYTES;
    }
    f->buffering = 1;
    return SQLITE_OK;
}

int carrier_sqlite_wal_writes_buffered(sqlite3 *db) {
    sqlite3_file *file = 0;
    if (sqlite3_file_control(db, "main", SQLITE_FCNTL_JOURNAL_POINTER, &file) != SQLITE_OK) return 0;
    if (file == 0 || file->pMethods != &bufferedMethods) return 0;
    return ((BufferedFile *)file)->buffering;
}
