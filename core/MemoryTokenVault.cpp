#include "MemoryTokenVault.h"

#include <QMetaObject>

namespace hchat {

void MemoryTokenVault::readToken(const QString &account)
{
    const QString token = m_tokens.value(account);
    QMetaObject::invokeMethod(this, [this, account, token] { emit tokenRead(account, token); }, Qt::QueuedConnection);
}

void MemoryTokenVault::writeToken(const QString &account, const QString &token)
{
    m_tokens.insert(account, token);
    QMetaObject::invokeMethod(this, [this, account] { emit tokenWritten(account); }, Qt::QueuedConnection);
}

void MemoryTokenVault::removeToken(const QString &account)
{
    m_tokens.remove(account);
    QMetaObject::invokeMethod(this, [this, account] { emit tokenRemoved(account); }, Qt::QueuedConnection);
}

} // namespace hchat
