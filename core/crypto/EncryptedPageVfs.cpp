#include "crypto/EncryptedPageVfs.h"

#include "crypto/CryptoLogging.h"
#include "crypto/MemorySqliteFile.h"
#include "crypto/Sodium.h"

#include <QAtomicInt>
#include <QFile>
#include <QFileInfo>
#include <QSqlDatabase>
#include <QSqlDriver>
#include <QSqlError>
#include <QUrl>

#include <sodium.h>
#include <sqlite3.h>

#include <algorithm>
#include <cstring>
#include <vector>

namespace hchat::crypto {

namespace {

constexpr int kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr int kTagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;
static_assert(kNonceBytes + kTagBytes == EncryptedPageVfs::kReservedBytes);
constexpr int kFileHeaderBytes = 100;
constexpr int kWalHeaderBytes = 32;
constexpr int kWalFrameHeaderBytes = 24;
constexpr unsigned char kSqliteMagic[16] = {'S', 'Q', 'L', 'i', 't', 'e', ' ', 'f',
                                            'o', 'r', 'm', 'a', 't', ' ', '3', 0};
constexpr unsigned char kDiskMagic[16] = {'H', 'C', 'h', 'a', 't', ' ', 'p', 'a',
                                          'g', 'e', 's', ' ', 'v', '1', 0,   0};
constexpr char kAdLabel[] = "hchat-page-v1";

QAtomicInt g_vfsCounter;

struct VfsState {
    sqlite3_vfs vfs{};
    sqlite3_vfs *real = nullptr;
    SecureBuffer key;
    QByteArray name;
};

enum class Kind { Main, Wal };

// Placed by SQLite in szOsFile bytes; the real file follows it. Plain data only: SQLite neither
// constructs nor destroys it (xClose frees what it points to).
struct alignas(8) File {
    sqlite3_file base;
    VfsState *owner;
    Kind kind;
    int pageSize;                  // 0 until known
    bool reserveChecked;           // main: page 1 on disk reserves enough
    bool awaitingPageOne;          // main: pages written before page 1 of a new file (size adopted)
    sqlite3_int64 lastHeaderFrame; // WAL: frame whose header was written last, and its page
    unsigned lastHeaderPage;
    unsigned char *scratch; // one page (sqlite3_malloc)
    int scratchSize;
    sqlite3_file *real() { return reinterpret_cast<sqlite3_file *>(this + 1); }
};

File *asFile(sqlite3_file *f)
{
    return reinterpret_cast<File *>(f);
}

bool isPowerOfTwoPage(sqlite3_int64 n)
{
    return n >= 512 && n <= 65536 && (n & (n - 1)) == 0;
}

int pageSizeFromHeader(const unsigned char *header) // bytes 16-17 of the database header
{
    const int v = (header[16] << 8) | header[17];
    return v == 1 ? 65536 : v;
}

unsigned char *scratchFor(File *f, int size)
{
    if (f->scratchSize < size) {
        sqlite3_free(f->scratch);
        f->scratch = static_cast<unsigned char *>(sqlite3_malloc(size));
        f->scratchSize = f->scratch ? size : 0;
    }
    return f->scratch;
}

// Associated data: label ‖ 'D' or 'W' ‖ position (page number or WAL frame), big-endian ‖ for
// page 1 of the database, its 100-byte header as SQLite sees it.
int makeAd(unsigned char *ad, char where, sqlite3_uint64 position, const unsigned char *header)
{
    std::memcpy(ad, kAdLabel, sizeof kAdLabel);
    int n = sizeof kAdLabel;
    ad[n++] = static_cast<unsigned char>(where);
    for (int i = 7; i >= 0; --i)
        ad[n++] = static_cast<unsigned char>(position >> (8 * i));
    if (header) {
        std::memcpy(ad + n, header, kFileHeaderBytes);
        n += kFileHeaderBytes;
    }
    return n;
}

constexpr int kMaxAd = sizeof kAdLabel + 1 + 8 + kFileHeaderBytes;

// page: SQLite's image of one page (header in the clear, with SQLite's magic, when begin is 100).
// out: the disk image.
void sealPage(const VfsState &s, const unsigned char *page, unsigned char *out, int pageSize, char where,
              sqlite3_uint64 position, int begin)
{
    unsigned char ad[kMaxAd];
    const int adLen = makeAd(ad, where, position, begin ? page : nullptr);
    unsigned char *nonce = out + pageSize - kNonceBytes - kTagBytes;
    unsigned char *tag = out + pageSize - kTagBytes;
    randombytes_buf(nonce, kNonceBytes);
    crypto_aead_xchacha20poly1305_ietf_encrypt_detached(
        out + begin, tag, nullptr, page + begin, std::uint64_t(pageSize - kNonceBytes - kTagBytes - begin),
        ad, std::uint64_t(adLen), nullptr, nonce, s.key.data());
    if (begin) {
        std::memcpy(out, page, begin);
        std::memcpy(out, kDiskMagic, sizeof kDiskMagic);
    }
}

enum class Opened { Ok, Zero, Forged };

// In place: the disk image of one page becomes SQLite's image (reserved tail zeroed). A page of
// zeros was never written (a file extended by SQLite) and reads as zeros.
Opened openPage(const VfsState &s, unsigned char *page, int pageSize, char where, sqlite3_uint64 position,
                int begin)
{
    if (std::all_of(page, page + pageSize, [](unsigned char c) { return c == 0; }))
        return Opened::Zero;
    if (begin) {
        if (std::memcmp(page, kDiskMagic, sizeof kDiskMagic) != 0)
            return Opened::Forged;
        std::memcpy(page, kSqliteMagic, sizeof kSqliteMagic);
    }
    unsigned char ad[kMaxAd];
    const int adLen = makeAd(ad, where, position, begin ? page : nullptr);
    unsigned char *nonce = page + pageSize - kNonceBytes - kTagBytes;
    unsigned char *tag = page + pageSize - kTagBytes;
    const int rc = crypto_aead_xchacha20poly1305_ietf_decrypt_detached(
        page + begin, nullptr, page + begin, std::uint64_t(pageSize - kNonceBytes - kTagBytes - begin), tag,
        ad, std::uint64_t(adLen), nonce, s.key.data());
    std::memset(nonce, 0, kNonceBytes + kTagBytes);
    if (rc != 0) {
        sodium_memzero(page, size_t(pageSize));
        return Opened::Forged;
    }
    return Opened::Ok;
}

void logRefusal(const File *f, const char *what, sqlite3_int64 offset, int amount)
{
    qCWarning(lcCrypto).noquote() << "encrypted storage:" << what << "("
                                  << (f->kind == Kind::Wal ? "WAL" : "database") << "offset" << offset
                                  << "size" << amount << ")";
}

// ---- the database file ----

int readRaw(File *f, void *buf, int amount, sqlite3_int64 offset)
{
    return f->real()->pMethods->xRead(f->real(), buf, amount, offset);
}

int knownPageSize(File *f)
{
    if (f->pageSize)
        return f->pageSize;
    unsigned char header[kFileHeaderBytes];
    if (readRaw(f, header, kFileHeaderBytes, 0) == SQLITE_OK && std::memcmp(header, kDiskMagic, 16) == 0 &&
        isPowerOfTwoPage(pageSizeFromHeader(header)))
        f->pageSize = pageSizeFromHeader(header);
    return f->pageSize;
}

int mainRead(File *f, unsigned char *buf, int amount, sqlite3_int64 offset)
{
    if (offset + amount <= kFileHeaderBytes) { // the header, read in pieces before the page size is known
        const int rc = readRaw(f, buf, amount, offset);
        if (rc == SQLITE_OK && offset < 16) {
            unsigned char head[16];
            if (readRaw(f, head, 16, 0) == SQLITE_OK && std::memcmp(head, kDiskMagic, 16) == 0) {
                const int end = int(std::min<sqlite3_int64>(16, offset + amount));
                std::memcpy(buf, kSqliteMagic + offset, size_t(end - offset));
            }
        }
        return rc;
    }
    int pageSize = knownPageSize(f);
    if (!pageSize && isPowerOfTwoPage(amount) && offset % amount == 0)
        pageSize = amount; // an empty file: SQLite reads a page to find nothing
    if (!pageSize)
        return SQLITE_IOERR_READ;
    const sqlite3_int64 first = offset / pageSize;
    const sqlite3_int64 last = (offset + amount - 1) / pageSize;
    if (offset % pageSize == 0 && amount == pageSize) {
        const int rc = readRaw(f, buf, amount, offset);
        if (rc != SQLITE_OK)
            return rc; // a short read is zero-filled by SQLite's own VFS: past the end
        if (openPage(*f->owner, buf, pageSize, 'D', sqlite3_uint64(first + 1),
                     first == 0 ? kFileHeaderBytes : 0) == Opened::Forged) {
            logRefusal(f, "a page failed authentication", offset, amount);
            return SQLITE_IOERR_DATA;
        }
        return SQLITE_OK;
    }
    unsigned char *page = scratchFor(f, pageSize);
    if (!page)
        return SQLITE_IOERR_NOMEM;
    int result = SQLITE_OK;
    for (sqlite3_int64 p = first; p <= last; ++p) {
        const int rc = readRaw(f, page, pageSize, p * pageSize);
        if (rc == SQLITE_IOERR_SHORT_READ)
            result = rc;
        else if (rc != SQLITE_OK)
            return rc;
        else if (openPage(*f->owner, page, pageSize, 'D', sqlite3_uint64(p + 1),
                          p == 0 ? kFileHeaderBytes : 0) == Opened::Forged) {
            logRefusal(f, "a page failed authentication", offset, amount);
            return SQLITE_IOERR_DATA;
        }
        const sqlite3_int64 from = std::max(offset, p * pageSize);
        const sqlite3_int64 to = std::min(offset + amount, (p + 1) * pageSize);
        std::memcpy(buf + (from - offset), page + (from - p * pageSize), size_t(to - from));
    }
    return result;
}

bool reserveIsZero(const unsigned char *page, int pageSize)
{
    const unsigned char *tail = page + pageSize - EncryptedPageVfs::kReservedBytes;
    return std::all_of(tail, tail + EncryptedPageVfs::kReservedBytes, [](unsigned char c) { return c == 0; });
}

int mainWrite(File *f, const unsigned char *buf, int amount, sqlite3_int64 offset)
{
    if (offset == 0) {
        if (amount < kFileHeaderBytes || pageSizeFromHeader(buf) != amount ||
            buf[20] < EncryptedPageVfs::kReservedBytes) {
            logRefusal(f, "refused to write page 1 without a full page and reserved bytes", offset, amount);
            f->awaitingPageOne = false; // no more writes to this file without a checked page 1
            return SQLITE_IOERR_WRITE;
        }
        if (f->awaitingPageOne && f->pageSize != amount) {
            logRefusal(f, "refused page 1 of another size than the pages before it", offset, amount);
            f->awaitingPageOne = false; // no more writes to this file without a checked page 1
            return SQLITE_IOERR_WRITE;
        }
        f->pageSize = amount;
        f->reserveChecked = true;
        f->awaitingPageOne = false;
    } else {
        int pageSize = knownPageSize(f);
        if (!pageSize && isPowerOfTwoPage(amount) && offset % amount == 0) {
            // A new database filled before its first page is written: a copy larger than the page
            // cache (VACUUM INTO a large history) spills pages early. The page size is this
            // write's; page 1, which every transaction writes before its commit, still has to
            // show the reserved bytes, or the transaction fails and its file is thrown away.
            f->pageSize = pageSize = amount;
            f->awaitingPageOne = true;
        }
        if (!f->reserveChecked && !f->awaitingPageOne) {
            unsigned char header[kFileHeaderBytes];
            f->reserveChecked = readRaw(f, header, kFileHeaderBytes, 0) == SQLITE_OK &&
                                header[20] >= EncryptedPageVfs::kReservedBytes;
        }
        if (!pageSize || amount != pageSize || offset % pageSize != 0 ||
            !(f->reserveChecked || f->awaitingPageOne)) {
            logRefusal(f, "refused a write that is not one whole page of a prepared database", offset,
                       amount);
            return SQLITE_IOERR_WRITE;
        }
    }
    if (!reserveIsZero(buf, amount)) {
        logRefusal(f, "refused a page whose reserved bytes are in use", offset, amount);
        return SQLITE_IOERR_WRITE;
    }
    unsigned char *out = scratchFor(f, amount);
    if (!out)
        return SQLITE_IOERR_NOMEM;
    const sqlite3_int64 index = offset / amount;
    sealPage(*f->owner, buf, out, amount, 'D', sqlite3_uint64(index + 1), index == 0 ? kFileHeaderBytes : 0);
    return f->real()->pMethods->xWrite(f->real(), out, amount, offset);
}

// ---- the write-ahead log: a 32-byte header, then frames of a 24-byte header and one page ----

int walPageSize(File *f)
{
    if (f->pageSize)
        return f->pageSize;
    unsigned char header[kWalHeaderBytes];
    if (readRaw(f, header, kWalHeaderBytes, 0) == SQLITE_OK) {
        const int size = int((unsigned(header[8]) << 24) | (unsigned(header[9]) << 16) |
                             (unsigned(header[10]) << 8) | unsigned(header[11]));
        if (isPowerOfTwoPage(size))
            f->pageSize = size;
    }
    return f->pageSize;
}

struct WalSpot {
    sqlite3_int64 frame = -1; // -1: the log header
    sqlite3_int64 within = 0; // offset inside the frame (or the header)
};

WalSpot walSpot(sqlite3_int64 offset, int pageSize)
{
    if (offset < kWalHeaderBytes)
        return {-1, offset};
    const sqlite3_int64 frameSize = kWalFrameHeaderBytes + pageSize;
    return {(offset - kWalHeaderBytes) / frameSize, (offset - kWalHeaderBytes) % frameSize};
}

sqlite3_int64 walFrameOffset(sqlite3_int64 frame, int pageSize)
{
    return kWalHeaderBytes + frame * (kWalFrameHeaderBytes + pageSize);
}

int walRead(File *f, unsigned char *buf, int amount, sqlite3_int64 offset)
{
    const int pageSize = offset + amount <= kWalHeaderBytes ? f->pageSize : walPageSize(f);
    if (!pageSize || offset + amount <= kWalHeaderBytes)
        return readRaw(f, buf, amount, offset);
    const WalSpot at = walSpot(offset, pageSize);
    const VfsState &s = *f->owner;
    if (at.within == kWalFrameHeaderBytes && amount == pageSize) { // one page
        const int rc = readRaw(f, buf, amount, offset);
        if (rc != SQLITE_OK)
            return rc;
        if (openPage(s, buf, pageSize, 'W', sqlite3_uint64(at.frame), 0) == Opened::Forged) {
            logRefusal(f, "a page failed authentication", offset, amount);
            return SQLITE_IOERR_DATA;
        }
        return SQLITE_OK;
    }
    if (at.within == 0 && amount == kWalFrameHeaderBytes + pageSize) { // one frame: recovery
        const int rc = readRaw(f, buf, amount, offset);
        if (rc != SQLITE_OK)
            return rc;
        // A frame that does not open is left as zeros: its checksum fails and the log ends there.
        openPage(s, buf + kWalFrameHeaderBytes, pageSize, 'W', sqlite3_uint64(at.frame), 0);
        return SQLITE_OK;
    }
    // Anything else, piece by piece: headers as they are, pages opened whole.
    unsigned char *page = scratchFor(f, pageSize);
    if (!page)
        return SQLITE_IOERR_NOMEM;
    sqlite3_int64 pos = offset;
    int result = SQLITE_OK;
    while (pos < offset + amount) {
        const WalSpot spot = walSpot(pos, pageSize);
        sqlite3_int64 end;
        if (spot.frame < 0 || spot.within < kWalFrameHeaderBytes) {
            end = spot.frame < 0 ? kWalHeaderBytes
                                 : walFrameOffset(spot.frame, pageSize) + kWalFrameHeaderBytes;
            end = std::min(end, offset + amount);
            const int rc = readRaw(f, buf + (pos - offset), int(end - pos), pos);
            if (rc == SQLITE_IOERR_SHORT_READ)
                result = rc;
            else if (rc != SQLITE_OK)
                return rc;
        } else {
            const sqlite3_int64 pageStart = walFrameOffset(spot.frame, pageSize) + kWalFrameHeaderBytes;
            end = std::min(pageStart + pageSize, offset + amount);
            const int rc = readRaw(f, page, pageSize, pageStart);
            if (rc == SQLITE_IOERR_SHORT_READ)
                result = rc;
            else if (rc != SQLITE_OK)
                return rc;
            else if (openPage(s, page, pageSize, 'W', sqlite3_uint64(spot.frame), 0) == Opened::Forged) {
                logRefusal(f, "a page failed authentication", offset, amount);
                return SQLITE_IOERR_DATA;
            }
            std::memcpy(buf + (pos - offset), page + (pos - pageStart), size_t(end - pos));
        }
        pos = end;
    }
    return result;
}

int walWrite(File *f, const unsigned char *buf, int amount, sqlite3_int64 offset)
{
    if (offset + amount <= kWalHeaderBytes) {
        if (offset == 0 && amount >= 12) {
            const int size = int((unsigned(buf[8]) << 24) | (unsigned(buf[9]) << 16) |
                                 (unsigned(buf[10]) << 8) | unsigned(buf[11]));
            if (isPowerOfTwoPage(size))
                f->pageSize = size;
        }
        return f->real()->pMethods->xWrite(f->real(), buf, amount, offset);
    }
    const int pageSize = walPageSize(f);
    if (!pageSize) {
        logRefusal(f, "refused a frame before the log header", offset, amount);
        return SQLITE_IOERR_WRITE;
    }
    const WalSpot at = walSpot(offset, pageSize);
    if (at.within == 0 && amount == kWalFrameHeaderBytes) { // a frame header; its page comes next
        f->lastHeaderFrame = at.frame;
        f->lastHeaderPage =
            (unsigned(buf[0]) << 24) | (unsigned(buf[1]) << 16) | (unsigned(buf[2]) << 8) | unsigned(buf[3]);
        return f->real()->pMethods->xWrite(f->real(), buf, amount, offset);
    }
    const bool wholeFrame = at.within == 0 && amount == kWalFrameHeaderBytes + pageSize;
    const bool onePage = at.within == kWalFrameHeaderBytes && amount == pageSize;
    if (!wholeFrame && !onePage) {
        logRefusal(f, "refused a write that is not one whole page or frame", offset, amount);
        return SQLITE_IOERR_WRITE;
    }
    const unsigned char *page = wholeFrame ? buf + kWalFrameHeaderBytes : buf;
    const unsigned pageNumber = wholeFrame ? (unsigned(buf[0]) << 24) | (unsigned(buf[1]) << 16) |
                                                 (unsigned(buf[2]) << 8) | unsigned(buf[3])
                                : f->lastHeaderFrame == at.frame ? f->lastHeaderPage
                                                                 : 0;
    if ((pageNumber == 1 && page[20] < EncryptedPageVfs::kReservedBytes) || !reserveIsZero(page, pageSize)) {
        logRefusal(f, "refused a page without free reserved bytes", offset, amount);
        return SQLITE_IOERR_WRITE;
    }
    unsigned char *out = scratchFor(f, amount);
    if (!out)
        return SQLITE_IOERR_NOMEM;
    if (wholeFrame)
        std::memcpy(out, buf, kWalFrameHeaderBytes);
    sealPage(*f->owner, page, wholeFrame ? out + kWalFrameHeaderBytes : out, pageSize, 'W',
             sqlite3_uint64(at.frame), 0);
    return f->real()->pMethods->xWrite(f->real(), out, amount, offset);
}

// ---- io methods of the database and its log: crypto on read and write, the rest forwarded ----

int xClose(sqlite3_file *file)
{
    File *f = asFile(file);
    sqlite3_free(f->scratch);
    f->scratch = nullptr;
    return f->real()->pMethods->xClose(f->real());
}

int xRead(sqlite3_file *file, void *buf, int amount, sqlite3_int64 offset)
{
    File *f = asFile(file);
    auto *out = static_cast<unsigned char *>(buf);
    return f->kind == Kind::Wal ? walRead(f, out, amount, offset) : mainRead(f, out, amount, offset);
}

int xWrite(sqlite3_file *file, const void *buf, int amount, sqlite3_int64 offset)
{
    File *f = asFile(file);
    const auto *in = static_cast<const unsigned char *>(buf);
    return f->kind == Kind::Wal ? walWrite(f, in, amount, offset) : mainWrite(f, in, amount, offset);
}

int xTruncate(sqlite3_file *file, sqlite3_int64 size)
{
    return asFile(file)->real()->pMethods->xTruncate(asFile(file)->real(), size);
}
int xSync(sqlite3_file *file, int flags)
{
    return asFile(file)->real()->pMethods->xSync(asFile(file)->real(), flags);
}
int xFileSize(sqlite3_file *file, sqlite3_int64 *size)
{
    return asFile(file)->real()->pMethods->xFileSize(asFile(file)->real(), size);
}
int xLock(sqlite3_file *file, int level)
{
    return asFile(file)->real()->pMethods->xLock(asFile(file)->real(), level);
}
int xUnlock(sqlite3_file *file, int level)
{
    return asFile(file)->real()->pMethods->xUnlock(asFile(file)->real(), level);
}
int xCheckReservedLock(sqlite3_file *file, int *out)
{
    return asFile(file)->real()->pMethods->xCheckReservedLock(asFile(file)->real(), out);
}
int xFileControl(sqlite3_file *file, int op, void *arg)
{
    return asFile(file)->real()->pMethods->xFileControl(asFile(file)->real(), op, arg);
}
int xSectorSize(sqlite3_file *file)
{
    return asFile(file)->real()->pMethods->xSectorSize(asFile(file)->real());
}
int xDeviceCharacteristics(sqlite3_file *file)
{
    return asFile(file)->real()->pMethods->xDeviceCharacteristics(asFile(file)->real());
}
int xShmMap(sqlite3_file *file, int region, int size, int extend, void volatile **out)
{
    return asFile(file)->real()->pMethods->xShmMap(asFile(file)->real(), region, size, extend, out);
}
int xShmLock(sqlite3_file *file, int offset, int n, int flags)
{
    return asFile(file)->real()->pMethods->xShmLock(asFile(file)->real(), offset, n, flags);
}
void xShmBarrier(sqlite3_file *file)
{
    asFile(file)->real()->pMethods->xShmBarrier(asFile(file)->real());
}
int xShmUnmap(sqlite3_file *file, int deleteFlag)
{
    return asFile(file)->real()->pMethods->xShmUnmap(asFile(file)->real(), deleteFlag);
}

// Version 2: no xFetch, so SQLite never maps the file and every page passes through xRead.
const sqlite3_io_methods kCryptMethods = {2,
                                          xClose,
                                          xRead,
                                          xWrite,
                                          xTruncate,
                                          xSync,
                                          xFileSize,
                                          xLock,
                                          xUnlock,
                                          xCheckReservedLock,
                                          xFileControl,
                                          xSectorSize,
                                          xDeviceCharacteristics,
                                          xShmMap,
                                          xShmLock,
                                          xShmBarrier,
                                          xShmUnmap,
                                          nullptr,
                                          nullptr};

// ---- the VFS ----

VfsState *stateOf(sqlite3_vfs *vfs)
{
    return static_cast<VfsState *>(vfs->pAppData);
}

int vfsOpen(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *file, int flags, int *outFlags)
{
    VfsState *s = stateOf(vfs);
    File *f = asFile(file);
    std::memset(f, 0, sizeof(File));
    f->owner = s;
    f->lastHeaderFrame = -1;
    if (flags & SQLITE_OPEN_MAIN_DB)
        f->kind = Kind::Main;
    else if (flags & SQLITE_OPEN_WAL)
        f->kind = Kind::Wal;
    else if ((!name && (flags & (SQLITE_OPEN_TEMP_JOURNAL | SQLITE_OPEN_SUBJOURNAL | SQLITE_OPEN_TEMP_DB |
                                 SQLITE_OPEN_TRANSIENT_DB))) ||
             (name && (flags & SQLITE_OPEN_MAIN_JOURNAL) && sqlite3_uri_boolean(name, "hchat_scratch", 0))) {
        return openMemoryFile(file, flags, outFlags);
    } else {
        // A rollback journal would hold pages in the clear: the database must stay in WAL mode.
        qCWarning(lcCrypto).noquote()
            << "encrypted storage: refused to open a journal or named temporary file (flags" << Qt::hex
            << flags << ")";
        return SQLITE_CANTOPEN;
    }
    const int rc = s->real->xOpen(s->real, name, f->real(), flags, outFlags);
    if (rc != SQLITE_OK)
        return rc; // pMethods stays null: SQLite will not close it
    if (f->kind == Kind::Main) {
        unsigned char head[16];
        sqlite3_int64 size = 0;
        if (f->real()->pMethods->xFileSize(f->real(), &size) == SQLITE_OK && size >= 16 &&
            f->real()->pMethods->xRead(f->real(), head, 16, 0) == SQLITE_OK &&
            std::memcmp(head, kDiskMagic, 16) != 0) {
            qCWarning(lcCrypto).noquote() << "encrypted storage: refused a file that is not encrypted";
            f->real()->pMethods->xClose(f->real());
            return SQLITE_NOTADB;
        }
    }
    f->base.pMethods = &kCryptMethods;
    return SQLITE_OK;
}

// A scratch journal lives in memory only, so SQLite's delete of it finds no file: not an error.
int vfsDelete(sqlite3_vfs *vfs, const char *name, int syncDir)
{
    const int rc = stateOf(vfs)->real->xDelete(stateOf(vfs)->real, name, syncDir);
    return rc == SQLITE_IOERR_DELETE_NOENT ? SQLITE_OK : rc;
}
int vfsAccess(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
    return stateOf(vfs)->real->xAccess(stateOf(vfs)->real, name, flags, out);
}
int vfsFullPathname(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
    return stateOf(vfs)->real->xFullPathname(stateOf(vfs)->real, name, n, out);
}
void *vfsDlOpen(sqlite3_vfs *vfs, const char *name)
{
    return stateOf(vfs)->real->xDlOpen(stateOf(vfs)->real, name);
}
void vfsDlError(sqlite3_vfs *vfs, int n, char *out)
{
    stateOf(vfs)->real->xDlError(stateOf(vfs)->real, n, out);
}
void (*vfsDlSym(sqlite3_vfs *vfs, void *lib, const char *sym))(void)
{
    return stateOf(vfs)->real->xDlSym(stateOf(vfs)->real, lib, sym);
}
void vfsDlClose(sqlite3_vfs *vfs, void *lib)
{
    stateOf(vfs)->real->xDlClose(stateOf(vfs)->real, lib);
}
int vfsRandomness(sqlite3_vfs *vfs, int n, char *out)
{
    return stateOf(vfs)->real->xRandomness(stateOf(vfs)->real, n, out);
}
int vfsSleep(sqlite3_vfs *vfs, int micros)
{
    return stateOf(vfs)->real->xSleep(stateOf(vfs)->real, micros);
}
int vfsCurrentTime(sqlite3_vfs *vfs, double *out)
{
    return stateOf(vfs)->real->xCurrentTime(stateOf(vfs)->real, out);
}
int vfsGetLastError(sqlite3_vfs *vfs, int n, char *out)
{
    return stateOf(vfs)->real->xGetLastError(stateOf(vfs)->real, n, out);
}
int vfsCurrentTimeInt64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
    return stateOf(vfs)->real->xCurrentTimeInt64(stateOf(vfs)->real, out);
}

bool fileControl(void *handle, int op, int *value, QString *error)
{
    const int rc = sqlite3_file_control(static_cast<sqlite3 *>(handle), "main", op, value);
    if (rc != SQLITE_OK && error)
        *error = QString::fromUtf8(sqlite3_errstr(rc));
    return rc == SQLITE_OK;
}

bool execute(sqlite3 *db, const char *sql, QString *error)
{
    char *message = nullptr;
    const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &message);
    if (rc != SQLITE_OK && error)
        *error = QString::fromUtf8(message ? message : sqlite3_errstr(rc));
    sqlite3_free(message);
    return rc == SQLITE_OK;
}

} // namespace

struct EncryptedPageVfs::Registration {
    VfsState state;
    bool registered = false;
};

EncryptedPageVfs::EncryptedPageVfs(SecureBuffer key) : m_registration(std::make_unique<Registration>())
{
    VfsState &s = m_registration->state;
    s.real = sqlite3_vfs_find(nullptr);
    if (!Sodium::ensureInitialized() || key.size() != crypto_aead_xchacha20poly1305_ietf_KEYBYTES ||
        !s.real || s.real->iVersion < 2)
        return;
    s.key = std::move(key);
    s.name = "hchat-pages-" + QByteArray::number(g_vfsCounter.fetchAndAddRelaxed(1));
    sqlite3_vfs &v = s.vfs;
    v.iVersion = 2;
    v.szOsFile = int(sizeof(File)) + s.real->szOsFile;
    v.mxPathname = s.real->mxPathname;
    v.zName = s.name.constData();
    v.pAppData = &s;
    v.xOpen = vfsOpen;
    v.xDelete = vfsDelete;
    v.xAccess = vfsAccess;
    v.xFullPathname = vfsFullPathname;
    v.xDlOpen = vfsDlOpen;
    v.xDlError = vfsDlError;
    v.xDlSym = vfsDlSym;
    v.xDlClose = vfsDlClose;
    v.xRandomness = vfsRandomness;
    v.xSleep = vfsSleep;
    v.xCurrentTime = vfsCurrentTime;
    v.xGetLastError = vfsGetLastError;
    v.xCurrentTimeInt64 = vfsCurrentTimeInt64;
    m_registration->registered = sqlite3_vfs_register(&v, 0) == SQLITE_OK;
}

EncryptedPageVfs::~EncryptedPageVfs()
{
    if (m_registration->registered)
        sqlite3_vfs_unregister(&m_registration->state.vfs);
}

bool EncryptedPageVfs::isValid() const
{
    return m_registration->registered;
}

QString EncryptedPageVfs::name() const
{
    return QString::fromLatin1(m_registration->state.name);
}

QString EncryptedPageVfs::uriFor(const QString &path) const
{
    // Percent-encoded except for the path separators, as SQLite's URI rules want.
    return QStringLiteral("file:%1?vfs=%2")
        .arg(QString::fromLatin1(QUrl::toPercentEncoding(path, "/")), name());
}

QString EncryptedPageVfs::scratchUriFor(const QString &path) const
{
    return uriFor(path) + QStringLiteral("&hchat_scratch=1");
}

bool EncryptedPageVfs::openConnection(QSqlDatabase &db, const QString &path, const QString &options,
                                      QString *error) const
{
    const QFileInfo file(path);
    const bool fresh = file.size() == 0; // also when there is no file yet
    db.setDatabaseName(uriFor(file.absoluteFilePath()));
    db.setConnectOptions(options.isEmpty() ? QStringLiteral("QSQLITE_OPEN_URI")
                                           : options + QStringLiteral(";QSQLITE_OPEN_URI"));
    if (!db.open()) {
        *error = db.lastError().text();
        return false;
    }
    void *handle = *static_cast<void *const *>(db.driver()->handle().constData());
    return fresh ? prepareNewDatabase(handle, error)
                 : execute(static_cast<sqlite3 *>(handle), "PRAGMA temp_store=MEMORY", error);
}

bool EncryptedPageVfs::openConnection(const EncryptedPageVfs *vfs, QSqlDatabase &db, const QString &path,
                                      const QString &options, QString *error)
{
    if (vfs)
        return vfs->openConnection(db, path, options, error);
    db.setDatabaseName(path);
    db.setConnectOptions(options);
    if (db.open())
        return true;
    *error = db.lastError().text();
    return false;
}

EncryptedPageVfs::FileKind EncryptedPageVfs::inspect(const QString &path)
{
    QFile file(path);
    if (!file.exists())
        return FileKind::Missing;
    if (!file.open(QIODevice::ReadOnly))
        return FileKind::Foreign;
    const QByteArray head = file.read(16);
    if (head.isEmpty())
        return FileKind::Empty;
    if (head.size() == 16 && std::memcmp(head.constData(), kDiskMagic, 16) == 0)
        return FileKind::Encrypted;
    if (head.size() == 16 && std::memcmp(head.constData(), kSqliteMagic, 16) == 0)
        return FileKind::Plain;
    return FileKind::Foreign;
}

bool EncryptedPageVfs::prepareNewDatabase(void *handle, QString *error)
{
    auto *db = static_cast<sqlite3 *>(handle);
    int reserve = kReservedBytes;
    // journal_mode=OFF first: switching a new database to WAL then writes page 1 without a journal.
    if (!fileControl(handle, SQLITE_FCNTL_RESERVE_BYTES, &reserve, error) ||
        !execute(db, "PRAGMA temp_store=MEMORY; PRAGMA journal_mode=OFF; PRAGMA journal_mode=WAL;", error))
        return false;
    if (reservedBytes(handle) < kReservedBytes) {
        *error = QStringLiteral("SQLite did not reserve the page tail");
        return false;
    }
    return true;
}

bool EncryptedPageVfs::reserveOnNextVacuum(void *handle, QString *error)
{
    int reserve = kReservedBytes;
    return fileControl(handle, SQLITE_FCNTL_RESERVE_BYTES, &reserve, error);
}

int EncryptedPageVfs::reservedBytes(void *handle)
{
    int query = -1; // a negative value asks without changing
    return fileControl(handle, SQLITE_FCNTL_RESERVE_BYTES, &query, nullptr) ? query : -1;
}

} // namespace hchat::crypto
