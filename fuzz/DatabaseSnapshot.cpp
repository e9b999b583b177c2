#include "DatabaseSnapshot.h"

#include "FuzzInput.h"

#include <sqlite3.h>

namespace hchat::fuzz {

namespace {
std::string quoted(const std::string &name)
{
    return '"' + name + '"';
}
} // namespace

DatabaseSnapshot::DatabaseSnapshot(const std::string &path)
{
    if (sqlite3_open_v2(path.c_str(), &m_db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK)
        invariantBroken("the fuzz store does not open for a snapshot");
    sqlite3_busy_timeout(m_db, 10000);
    exec("PRAGMA synchronous=OFF"); // a restore need not survive a crash
    exec("ATTACH ':memory:' AS snapshot");
    sqlite3_stmt *list = nullptr;
    if (sqlite3_prepare_v2(m_db,
                           "SELECT name, type FROM pragma_table_list WHERE schema = 'main' AND "
                           "type IN ('table', 'virtual') AND name NOT IN ('sqlite_schema', 'sqlite_master')",
                           -1, &list, nullptr) != SQLITE_OK)
        invariantBroken("the fuzz store's tables cannot be listed");
    while (sqlite3_step(list) == SQLITE_ROW) {
        const std::string name = reinterpret_cast<const char *>(sqlite3_column_text(list, 0));
        const std::string type = reinterpret_cast<const char *>(sqlite3_column_text(list, 1));
        (type == "virtual" ? m_virtual : m_tables).push_back(name);
    }
    sqlite3_finalize(list);
    if (sqlite3_prepare_v2(m_db, "PRAGMA data_version", -1, &m_dataVersion, nullptr) != SQLITE_OK)
        invariantBroken("PRAGMA data_version does not prepare");
    // Foreign keys stay off on this connection (SQLite's default): the order does not matter.
    // Snapshot tables are named by number (sqlite_sequence is a reserved name).
    std::vector<std::string> sql;
    for (std::size_t i = 0; i < m_tables.size(); ++i) {
        exec("CREATE TABLE snapshot.t" + std::to_string(i) + " AS SELECT * FROM main." + quoted(m_tables[i]) +
             " WHERE 0");
        sql.push_back("DELETE FROM main." + quoted(m_tables[i]));
        sql.push_back("INSERT INTO main." + quoted(m_tables[i]) + " SELECT * FROM snapshot.t" +
                      std::to_string(i));
    }
    for (const auto &table : m_virtual)
        sql.push_back("DELETE FROM main." + quoted(table));
    for (const auto &s : sql) {
        sqlite3_stmt *stmt = nullptr;
        if (sqlite3_prepare_v2(m_db, s.c_str(), -1, &stmt, nullptr) != SQLITE_OK)
            invariantBroken(sqlite3_errmsg(m_db));
        m_restore.push_back(stmt);
    }
}

DatabaseSnapshot::~DatabaseSnapshot()
{
    for (auto *stmt : m_restore)
        sqlite3_finalize(stmt);
    sqlite3_finalize(m_dataVersion);
    sqlite3_close(m_db);
}

void DatabaseSnapshot::exec(const std::string &sql)
{
    if (sqlite3_exec(m_db, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK)
        invariantBroken(sqlite3_errmsg(m_db));
}

std::int64_t DatabaseSnapshot::dataVersion()
{
    if (sqlite3_step(m_dataVersion) != SQLITE_ROW)
        invariantBroken("PRAGMA data_version failed");
    const std::int64_t v = sqlite3_column_int64(m_dataVersion, 0);
    sqlite3_reset(m_dataVersion);
    return v;
}

void DatabaseSnapshot::take()
{
    exec("BEGIN");
    for (std::size_t i = 0; i < m_tables.size(); ++i) {
        const std::string copy = "snapshot.t" + std::to_string(i);
        exec("DELETE FROM " + copy);
        exec("INSERT INTO " + copy + " SELECT * FROM main." + quoted(m_tables[i]));
    }
    exec("COMMIT");
    m_version = dataVersion();
}

void DatabaseSnapshot::restore()
{
    if (dataVersion() == m_version)
        return;
    exec("BEGIN IMMEDIATE");
    for (auto *stmt : m_restore) {
        if (sqlite3_step(stmt) != SQLITE_DONE)
            invariantBroken(sqlite3_errmsg(m_db));
        sqlite3_reset(stmt);
    }
    exec("COMMIT");
    m_version = dataVersion();
}

} // namespace hchat::fuzz
