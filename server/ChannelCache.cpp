#include "ChannelCache.h"

#include <algorithm>

namespace hchat::server {

ChannelCache::Entry *ChannelCache::find(const std::string &name)
{
    const auto it = m_idByName.find(name);
    return it == m_idByName.end() ? nullptr : find(it->second);
}

ChannelCache::Entry *ChannelCache::find(std::int64_t streamId)
{
    const auto it = m_byId.find(streamId);
    return it == m_byId.end() ? nullptr : &it->second;
}

ChannelCache::Entry &ChannelCache::put(const StreamRecord &stream)
{
    if (m_byId.size() >= m_capacity && !m_byId.count(stream.id))
        clear();
    touch(stream.id);
    m_idByName[stream.name] = stream.id;
    Entry &entry = m_byId[stream.id];
    entry = Entry{stream, false, {}};
    return entry;
}

void ChannelCache::setMembers(Entry &entry, std::vector<std::int64_t> members)
{
    touch(entry.stream.id);
    std::sort(members.begin(), members.end());
    entry.members = std::move(members);
    entry.membersKnown = true;
}

void ChannelCache::bumped(std::int64_t streamId, std::uint64_t seq)
{
    if (Entry *entry = find(streamId)) {
        touch(streamId);
        entry->stream.maxSeq = seq;
    }
}

void ChannelCache::invalidate(std::int64_t streamId)
{
    const auto it = m_byId.find(streamId);
    if (it == m_byId.end())
        return;
    m_idByName.erase(it->second.stream.name);
    m_byId.erase(it);
}

void ChannelCache::clear()
{
    m_byId.clear();
    m_idByName.clear();
}

void ChannelCache::touch(std::int64_t streamId)
{
    (m_savepointOpen ? m_inSavepoint : m_inTransaction).push_back(streamId);
}

void ChannelCache::savepointOpened()
{
    m_savepointOpen = true;
    m_inSavepoint.clear();
}

void ChannelCache::savepointReleased()
{
    m_savepointOpen = false;
    m_inTransaction.insert(m_inTransaction.end(), m_inSavepoint.begin(), m_inSavepoint.end());
    m_inSavepoint.clear();
}

void ChannelCache::savepointRolledBack()
{
    m_savepointOpen = false;
    for (const std::int64_t id : m_inSavepoint)
        invalidate(id);
    m_inSavepoint.clear();
}

void ChannelCache::committed()
{
    m_savepointOpen = false;
    m_inSavepoint.clear();
    m_inTransaction.clear();
}

void ChannelCache::rolledBack()
{
    for (const std::int64_t id : m_inSavepoint)
        invalidate(id);
    for (const std::int64_t id : m_inTransaction)
        invalidate(id);
    committed();
}

} // namespace hchat::server
