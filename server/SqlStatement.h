#pragma once

#include "SqlValue.h"

namespace hchat::server {

// One statement prepared on a SqlConnection and kept there for the connection's life. Parameters
// are numbered from 1, columns from 0. The first step() runs the statement; each step() answers
// whether a row is there to read. A failure of the engine throws StoreError. Used through
// SqlQuery, which resets it for its next use.
class SqlStatement {
public:
    virtual ~SqlStatement() = default;
    SqlStatement(const SqlStatement &) = delete;
    SqlStatement &operator=(const SqlStatement &) = delete;

    virtual void bind(int index, const SqlValue &value) = 0;
    virtual bool step() = 0;
    virtual SqlValue column(int index) const = 0;
    // Drops the rows and the parameters.
    virtual void reset() = 0;

protected:
    SqlStatement() = default;
};

} // namespace hchat::server
