#pragma once

#include "crypto/SecureBuffer.h"

#include <QString>

class QSqlDatabase;

#include <memory>

namespace hchat::crypto {

// A SQLite VFS shim that keeps a database and its write-ahead log encrypted on disk, page by page,
// under one 32-byte key. Each page is sealed with XChaCha20-Poly1305 under a fresh random nonce;
// nonce and tag live in the last kReservedBytes of the page, which the database reserves (SQLite's
// "reserved bytes per page"), so pages keep their size and offsets. The associated data binds a
// page to its number (database) or its frame (WAL), and page 1 to the 100-byte file header, which
// stays readable because SQLite reads it in pieces before it knows the page size. On disk the
// header starts with "HChat pages v1" instead of SQLite's magic, so a plain SQLite tool refuses the
// file instead of reading garbage.
//
// Rules the shim enforces rather than trusts: a database page is written whole, with at least
// kReservedBytes reserved and that area zero; a WAL page is written whole; no rollback journal
// is ever opened on disk (the database must be in WAL mode: see prepareNewDatabase), and temporary
// files (sorts, statement journals) stay in memory. A page that fails authentication reads as an I/O
// error (SQLITE_IOERR_DATA), except in a whole-frame read of the WAL, where SQLite's own frame
// checksum then ends the log there, as it does for a torn write.
//
// Not in scope: the -shm index (page numbers, no content), and rolling the whole file back to an
// older copy, which someone able to write the profile could do.
class EncryptedPageVfs {
public:
    static constexpr int kReservedBytes = 40; // 24-byte nonce ‖ 16-byte tag

    // Registers a VFS under a unique name; isValid() is false when the key is not 32 bytes or
    // SQLite refused the registration.
    explicit EncryptedPageVfs(SecureBuffer key);
    // Unregisters it. Every connection opened through it must be closed first.
    ~EncryptedPageVfs();
    EncryptedPageVfs(const EncryptedPageVfs &) = delete;
    EncryptedPageVfs &operator=(const EncryptedPageVfs &) = delete;

    bool isValid() const;
    QString name() const;
    // "file:<path>?vfs=<name>", for a QSQLITE connection with QSQLITE_OPEN_URI.
    QString uriFor(const QString &path) const;
    // The same for a file written once and thrown away if interrupted (a copy being made): its
    // rollback journal, if SQLite wants one, stays in memory.
    QString scratchUriFor(const QString &path) const;

    // Opens db (a QSQLITE connection not yet open) on path through this VFS, with more QSQLITE
    // connect options (";"-separated) beside the URI one. A missing or empty file is prepared
    // (prepareNewDatabase); every connection keeps its temporary data in memory. False with
    // *error when the file does not open or cannot be prepared.
    bool openConnection(QSqlDatabase &db, const QString &path, const QString &options, QString *error) const;
    // The same through vfs, or as a plain SQLite file when vfs is null (a history without a key).
    static bool openConnection(const EncryptedPageVfs *vfs, QSqlDatabase &db, const QString &path,
                               const QString &options, QString *error);

    enum class FileKind { Missing, Empty, Plain, Encrypted, Foreign };
    // What the file at path is, from its first 16 bytes.
    static FileKind inspect(const QString &path);

    // Run on a new, empty database opened through this VFS before anything else touches it, or on
    // a copy VACUUM INTO just made through it: reserves the page tail for nonce and tag (checking
    // that it is), and switches to WAL without ever opening a rollback journal. handle: the
    // connection's sqlite3*. False with *error when SQLite refuses.
    static bool prepareNewDatabase(void *handle, QString *error);
    // Asks SQLite to give each page kReservedBytes at the end from the next VACUUM on (used to
    // convert a plain database). handle: the connection's sqlite3*.
    static bool reserveOnNextVacuum(void *handle, QString *error);
    // The reserved bytes per page of the open database "main", or -1.
    static int reservedBytes(void *handle);

private:
    struct Registration;
    std::unique_ptr<Registration> m_registration;
};

} // namespace hchat::crypto
