#pragma once

#include "HistoryQuery.h"
#include "SearchIndex.h"
#include "SqliteStatement.h"
#include "StatementCache.h"
#include "crypto/SecureBuffer.h"

#include <QCoreApplication>
#include <QList>
#include <QObject>
#include <QString>
#include <QVariant>

#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <type_traits>

class QSqlDatabase;

namespace hchat {

namespace crypto {
class EncryptedPageVfs;
}

// The connection behind a HistoryStore: opening it (encrypted at rest under a key, or plain), the
// schema and its versioned migrations, transactions, and the statements of the tables
// (ChannelTable, MessageTable, …), each prepared once per open database. A statement that fails
// records lastError() and is logged.
class HistoryDb {
    Q_GADGET
    // Its messages kept the translation context of the class they came from.
    Q_DECLARE_TR_FUNCTIONS(hchat::HistoryStore)
public:
    enum class OpenError { None, CannotOpen, Corrupt, NewerVersion, MigrationFailed, KeyMismatch };
    Q_ENUM(OpenError)

    static constexpr int kSchemaVersion = 9;

    HistoryDb();
    ~HistoryDb();
    HistoryDb(const HistoryDb &) = delete;
    HistoryDb &operator=(const HistoryDb &) = delete;

    // Opens (creating or migrating) the database at path, encrypted at rest under key (32 bytes)
    // unless key is null. False: see openError()/lastError().
    bool open(const QString &path, crypto::SecureBuffer key);
    void close();
    bool isOpen() const { return m_open; }
    bool isEncrypted() const { return m_vfs != nullptr; }
    QString path() const { return m_path; }
    OpenError openError() const { return m_openError; }
    QString lastError() const { return m_lastError; }
    int schemaVersion() const;                   // PRAGMA user_version
    bool integrityCheck(QString *details) const; // full PRAGMA integrity_check (slow)
    bool makeDurable();                          // a WAL checkpoint that synced everything

    // Many writes in one transaction; each write inside is a savepoint. Nests.
    bool beginBatch();
    bool endBatch();

    // One write: a transaction, or inside a batch a savepoint of its transaction (so that a failed
    // write still undoes itself alone).
    bool beginWrite();
    bool commitWrite();
    void rollbackWrite();
    // steps() as one write: kept when it returns true, undone otherwise.
    template <typename Steps> bool write(Steps &&steps)
    {
        if (!beginWrite())
            return false;
        if (steps() && commitWrite())
            return true;
        rollbackWrite();
        return false;
    }

    // Values for the ? of a statement, in order (a braced list: nothing copied on the hot paths).
    using Binds = std::initializer_list<QVariant>;
    // Runs sql (prepared once per open database) with binds for its ? in order.
    HistoryQuery query(const QString &sql, Binds binds = {}) const { return statement(sql).run(binds); }
    bool exec(const QString &sql, Binds binds = {}) { return bool(query(sql, binds)); }
    // The first column of the first row; invalid when there is none (or the query failed).
    QVariant scalar(const QString &sql, Binds binds = {}) const;
    // Every row, read by read(const HistoryQuery &).
    template <typename Read> auto rows(const QString &sql, Binds binds, Read read) const
    {
        QList<std::invoke_result_t<Read, const HistoryQuery &>> out;
        HistoryQuery q = query(sql, binds);
        while (q.next())
            out << read(q);
        return out;
    }
    // The first row, if any.
    template <typename Read> auto first(const QString &sql, Binds binds, Read read) const
    {
        std::optional<std::invoke_result_t<Read, const HistoryQuery &>> out;
        HistoryQuery q = query(sql, binds);
        if (q.next())
            out = read(q);
        return out;
    }
    // Records a failure found by a caller (not by SQLite) as lastError(), logged; false.
    bool fail(const QString &error) const;

    // A statement looked up once for many runs in a row (the rows of a batch).
    class Statement {
    public:
        HistoryQuery run(Binds binds) const { return m_db.run(m_statement, m_sql, binds); }

    private:
        friend class HistoryDb;
        Statement(const HistoryDb &db, QSqlQuery *statement, QString sql)
            : m_db(db), m_statement(statement), m_sql(std::move(sql))
        {
        }
        const HistoryDb &m_db;
        QSqlQuery *m_statement; // null: it did not prepare
        QString m_sql;
    };
    Statement statement(const QString &sql) const
    {
        return {*this, m_statements.get(sql, &m_lastError), sql};
    }
    // The search index (SearchIndex): a write that changed what search finds of rows calls
    // searchChanged(); the index follows after the commit. waitForSearch(): until what was
    // committed is searchable (false after timeoutMs, or when there is no index).
    void searchChanged() { m_searchPending = true; }
    bool waitForSearch(int timeoutMs) { return m_searchReady && m_search.waitUntilCurrent(timeoutMs); }
    bool hasSearch() const { return m_searchReady; }
    // Runs a query on the search connection: the index as "main", the history as "history".
    HistoryQuery searchQuery(const QString &sql, Binds binds) const;
    // sql prepared on the SQLite handle itself, for the writes repeated for every row of a batch;
    // kept until close(). Null (lastError()) when it does not prepare.
    SqliteStatement *rowStatement(const QString &sql);

private:
    bool openConnection(const QString &path, crypto::SecureBuffer key);
    void openSearch();
    QString searchConnectionName() const;
    void committed(); // a top-level commit went through
    bool failOpen(OpenError error, const QString &message);
    bool migrate();
    // Pragmas and migrations: statements that run once, not worth a prepared statement.
    bool execOnce(const QString &sql);
    HistoryQuery run(QSqlQuery *statement, const QString &sql, Binds binds) const;
    // Begins or commits the transaction of the connection (step); false with lastError() set.
    bool transaction(bool (QSqlDatabase::*step)());

    QString m_connectionName;
    std::unique_ptr<crypto::EncryptedPageVfs> m_vfs; // outlives the connection
    mutable StatementCache m_statements{m_connectionName};
    std::map<QString, std::unique_ptr<SqliteStatement>> m_rowStatements;
    SearchIndex m_search;
    bool m_searchReady = false;                           // its connection open, its thread running
    mutable std::unique_ptr<QSqlQuery> m_searchStatement; // the last search, read by its HistoryQuery
    bool m_searchPending = false;                         // searchChanged() since the last commit
    QString m_path;
    mutable QString m_lastError; // const reads record why they failed too
    OpenError m_openError = OpenError::None;
    bool m_open = false;
    int m_batchDepth = 0;
};

} // namespace hchat
