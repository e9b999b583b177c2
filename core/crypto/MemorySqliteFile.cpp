#include "crypto/MemorySqliteFile.h"

#include <algorithm>
#include <cstring>
#include <new>
#include <vector>

namespace hchat::crypto {

struct MemorySqliteFile {
    sqlite3_file base;
    std::vector<unsigned char> *bytes;
};

namespace {

std::vector<unsigned char> *memoryOf(sqlite3_file *file)
{
    return reinterpret_cast<MemorySqliteFile *>(file)->bytes;
}

int memClose(sqlite3_file *file)
{
    auto *f = reinterpret_cast<MemorySqliteFile *>(file);
    delete f->bytes;
    f->bytes = nullptr;
    return SQLITE_OK;
}

int memRead(sqlite3_file *file, void *buf, int amount, sqlite3_int64 offset)
{
    const std::vector<unsigned char> &m = *memoryOf(file);
    const sqlite3_int64 available = std::clamp<sqlite3_int64>(sqlite3_int64(m.size()) - offset, 0, amount);
    if (available > 0)
        std::memcpy(buf, m.data() + offset, size_t(available));
    if (available < amount) {
        std::memset(static_cast<unsigned char *>(buf) + available, 0, size_t(amount - available));
        return SQLITE_IOERR_SHORT_READ;
    }
    return SQLITE_OK;
}

int memWrite(sqlite3_file *file, const void *buf, int amount, sqlite3_int64 offset)
{
    std::vector<unsigned char> &m = *memoryOf(file);
    try {
        if (sqlite3_int64(m.size()) < offset + amount)
            m.resize(size_t(offset + amount));
    } catch (const std::bad_alloc &) {
        return SQLITE_IOERR_NOMEM;
    }
    std::memcpy(m.data() + offset, buf, size_t(amount));
    return SQLITE_OK;
}

int memTruncate(sqlite3_file *file, sqlite3_int64 size)
{
    std::vector<unsigned char> &m = *memoryOf(file);
    if (sqlite3_int64(m.size()) > size)
        m.resize(size_t(size));
    return SQLITE_OK;
}

int memSync(sqlite3_file *, int)
{
    return SQLITE_OK;
}
int memFileSize(sqlite3_file *file, sqlite3_int64 *size)
{
    *size = sqlite3_int64(memoryOf(file)->size());
    return SQLITE_OK;
}
int memLock(sqlite3_file *, int)
{
    return SQLITE_OK;
}
int memCheckReservedLock(sqlite3_file *, int *out)
{
    *out = 0;
    return SQLITE_OK;
}
int memFileControl(sqlite3_file *, int, void *)
{
    return SQLITE_NOTFOUND;
}
int memSectorSize(sqlite3_file *)
{
    return 4096;
}
int memDeviceCharacteristics(sqlite3_file *)
{
    return 0;
}

const sqlite3_io_methods kMemoryMethods = {1,
                                           memClose,
                                           memRead,
                                           memWrite,
                                           memTruncate,
                                           memSync,
                                           memFileSize,
                                           memLock,
                                           memLock,
                                           memCheckReservedLock,
                                           memFileControl,
                                           memSectorSize,
                                           memDeviceCharacteristics,
                                           nullptr,
                                           nullptr,
                                           nullptr,
                                           nullptr,
                                           nullptr,
                                           nullptr};

} // namespace

int openMemoryFile(sqlite3_file *file, int flags, int *outFlags)
{
    auto *f = reinterpret_cast<MemorySqliteFile *>(file);
    f->base.pMethods = nullptr;
    f->bytes = new (std::nothrow) std::vector<unsigned char>;
    if (!f->bytes)
        return SQLITE_NOMEM;
    if (outFlags)
        *outFlags = flags;
    f->base.pMethods = &kMemoryMethods;
    return SQLITE_OK;
}

} // namespace hchat::crypto
