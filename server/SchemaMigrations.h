#pragma once

namespace hchat::server {

class SqlConnection;

// The gateway's database schema as versioned migrations, one list for every engine: step i takes
// the schema from version i to i + 1, and schema_version records how far a database is. Column
// types are written as words each engine spells its own way (SqlConnection::SchemaWords:
// {integer}, {serial}, {bytes}, {without_rowid}), so that each gets the very tables it always had.
class SchemaMigrations {
public:
    static constexpr int kVersion = 7;

    // Brings the connection's database up to kVersion in one transaction. A database written by a
    // newer gateway is refused (StoreError).
    static void apply(SqlConnection &connection);
};

} // namespace hchat::server
