#pragma once

#include <sqlite3.h>

namespace hchat::crypto {

// A file of SQLite's that lives in memory only and is gone when closed: what EncryptedPageVfs gives
// SQLite for temporary files (sorts, statement journals) and for the rollback journal of a copy
// being made, so that none of them reaches the disk in the clear. file: szOsFile bytes from
// SQLite (at least sizeof(MemorySqliteFile)).
int openMemoryFile(sqlite3_file *file, int flags, int *outFlags);

struct MemorySqliteFile;

} // namespace hchat::crypto
