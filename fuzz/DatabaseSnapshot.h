#pragma once

#include <cstdint>
#include <string>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace hchat::fuzz {

// Puts a SQLite database that a store keeps open back as it was, between two fuzz inputs: take()
// copies the rows of every table into memory, restore() empties every table and copies them
// back, in one transaction on a connection of its own. The schema stays, so the store's prepared
// statements stay valid. Each input then starts from the same state however many came before:
// the store does not grow over a run, and a crashing input reproduces alone.
// Only while the store is idle (no transaction open). Virtual tables are emptied, not copied.
class DatabaseSnapshot {
public:
    // The tables are those of the schema when this runs; the snapshot starts empty.
    explicit DatabaseSnapshot(const std::string &path);
    ~DatabaseSnapshot();
    DatabaseSnapshot(const DatabaseSnapshot &) = delete;
    DatabaseSnapshot &operator=(const DatabaseSnapshot &) = delete;

    void take();
    // Does nothing when no other connection committed since the last take() or restore().
    void restore();

private:
    void exec(const std::string &sql);
    std::int64_t dataVersion();

    sqlite3 *m_db = nullptr;
    sqlite3_stmt *m_dataVersion = nullptr;
    std::vector<std::string> m_tables;  // main's tables
    std::vector<std::string> m_virtual; // main's virtual tables
    std::vector<sqlite3_stmt *> m_restore;
    std::int64_t m_version = -1;
};

} // namespace hchat::fuzz
