#include "HistoryStore.h"

namespace hchat {

HistoryStore::HistoryStore(QObject *parent) : QObject(parent) {}

HistoryStore::~HistoryStore()
{
    close();
}

bool HistoryStore::open(const QString &path, crypto::SecureBuffer key)
{
    return m_db.open(path, std::move(key));
}

void HistoryStore::close()
{
    m_db.close();
}

} // namespace hchat
