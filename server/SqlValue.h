#pragma once

#include <cstdint>
#include <string_view>

namespace hchat::server {

// A value bound to a statement's parameter or read from a result column: NULL, an integer (a
// boolean reads as 0 or 1), text, or bytes (BLOB, BYTEA). Text and bytes are views: a bound
// value's must live until the statement runs, a column's until the next step.
struct SqlValue {
    enum class Type { Null, Integer, Text, Bytes };
    Type type = Type::Null;
    std::int64_t integer = 0;
    std::string_view bytes;
};

} // namespace hchat::server
