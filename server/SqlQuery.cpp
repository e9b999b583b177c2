#include "SqlQuery.h"

#include "MessageStore.h"

namespace hchat::server {

std::int64_t SqlQuery::integer(int column) const
{
    const SqlValue value = m_statement.column(column);
    if (value.type == SqlValue::Type::Text || value.type == SqlValue::Type::Bytes)
        throw StoreError("database column " + std::to_string(column) + " is not an integer");
    return value.integer;
}

} // namespace hchat::server
