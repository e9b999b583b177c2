#include "SyncEngine.h"

#include "Mentions.h"

#include "CoreLogging.h"
#include "HistoryStore.h"
#include "Limits.h"

#include <algorithm>

namespace hchat {

namespace {
constexpr int kMaxHeldPerStream = 20000;
constexpr int kMaxRepulls = 5;

ChannelRecord toRecord(const hchat::v1::ChannelInfo &info)
{
    ChannelRecord r;
    r.name = QString::fromStdString(info.name());
    r.kind = static_cast<ChannelRecord::Kind>(info.kind());
    // Private and direct channels are end-to-end encrypted whatever the gateway says (a direct
    // channel is known by its name); HistoryStore keeps both facts for good once seen.
    if (r.name.startsWith(QLatin1Char('@')))
        r.kind = ChannelRecord::Kind::Direct;
    r.encrypted = info.encrypted() || r.kind != ChannelRecord::Kind::Open;
    for (const auto &m : info.members())
        r.members << QString::fromStdString(m);
    r.joined = true;
    r.serverMaxSeq = info.server_max_seq();
    r.topic = QString::fromStdString(info.topic());
    r.readOnly = info.read_only();
    r.role = static_cast<ChannelRecord::Role>(std::clamp(int(info.role()), 0, 2));
    return r;
}
} // namespace

SyncEngine::SyncEngine(HistoryStore *store, SyncPuller *puller, QObject *parent)
    : QObject(parent), m_store(store), m_puller(puller)
{
    m_puller->setSink([this](const QString &stream, quint64 from, const hchat::v1::SyncResponse &resp) {
        return commitBatch(stream, from, resp);
    });
    connect(m_puller, &SyncPuller::finished, this, &SyncEngine::onPullFinished);
    connect(m_puller, &SyncPuller::failed, this, &SyncEngine::onPullFailed);
    connect(m_puller, &SyncPuller::batchRejected, this, [this](const QString &stream, const QString &error) {
        ++m_rejected;
        emit syncError(
            tr("Rejected a sync response for \"%1\": %2. History kept; pulling again.").arg(stream, error));
    });
}

int SyncEngine::heldCount() const
{
    int n = 0;
    for (const auto &h : m_held)
        n += static_cast<int>(h.size());
    return n;
}

void SyncEngine::saveChannel(const hchat::v1::ChannelInfo &info)
{
    const ChannelRecord rec = toRecord(info);
    const auto existing = m_store->channel(rec.name);
    m_store->upsertChannel(rec);
    if (existing)
        m_store->setMuted(rec.name, existing->muted);
    if (m_store->setReadSeq(rec.name, info.read_seq(), true))
        emit readPositionChanged(rec.name, m_store->readSeq(rec.name));
}

void SyncEngine::beginCatchUp(const hchat::v1::Welcome &welcome)
{
    m_puller->cancelAll();
    m_held.clear();
    m_repulls.clear();
    m_catchingUp = true;
    m_catchUpPending.clear();
    m_progressDone = 0;
    m_progressTotal = 0;

    QSet<QString> joined;
    QList<QPair<QString, quint64>> streams;
    m_invitations.clear();
    // Invitations not answered yet are pulled like channels (their signed membership operations
    // say who invited whom; accepting needs them), but count for no catch-up summary.
    for (const auto *list : {&welcome.channels(), &welcome.invitations()}) {
        for (const auto &info : *list) {
            saveChannel(info);
            const QString name = QString::fromStdString(info.name());
            joined.insert(name);
            streams.append({name, info.server_max_seq()});
            if (list == &welcome.invitations())
                m_invitations.insert(name);
        }
    }
    for (const auto &c : m_store->channels(true))
        if (!joined.contains(c.name))
            m_store->setChannelJoined(c.name, false);
    if (!m_inbox.isEmpty()) {
        m_store->setServerMaxSeq(m_inbox, welcome.inbox_max_seq());
        streams.append({m_inbox, welcome.inbox_max_seq()});
    }
    emit channelsChanged();
    emit catchUpStarted();
    for (const auto &[stream, serverMax] : streams) {
        const quint64 local = m_store->maxSeq(stream);
        if (serverMax > local)
            m_progressTotal += serverMax - local;
        m_catchUpPending.insert(stream);
    }
    qCInfo(lcSync) << "catching up" << streams.size() << "streams," << m_progressTotal << "messages behind";
    emit catchUpProgress(0, m_progressTotal);
    if (m_catchUpPending.isEmpty()) {
        finishCatchUp();
        return;
    }
    for (const auto &[stream, serverMax] : streams)
        m_puller->pull(stream, m_store->maxSeq(stream) + 1);
}

SyncPuller::SinkResult SyncEngine::commitBatch(const QString &stream, quint64 fromSeq,
                                               const hchat::v1::SyncResponse &resp)
{
    SyncPuller::SinkResult result;
    result.maxSeq = m_store->maxSeq(stream);
    const QString respChannel = QString::fromStdString(resp.channel());
    if (respChannel != stream) {
        result.error = tr("the response is for channel \"%1\", not \"%2\"").arg(respChannel, stream);
        return result;
    }
    if (static_cast<quint32>(resp.messages_size()) > limits::kMaxSyncBatch) {
        result.error = tr("the response holds %1 messages, above the limit of %2")
                           .arg(resp.messages_size())
                           .arg(limits::kMaxSyncBatch);
        return result;
    }
    // A device inbox's rows this device acknowledged are gone at the gateway: if the local copy
    // is behind them (lost), the inbox goes on after them.
    if (stream == m_inbox && resp.acknowledged_seq() >= fromSeq &&
        resp.acknowledged_seq() <= resp.server_max_seq()) {
        if (!m_store->skipInboxTo(stream, resp.acknowledged_seq())) {
            result.error = m_store->lastError();
            return result;
        }
        qCInfo(lcSync).noquote() << "inbox rows up to" << resp.acknowledged_seq()
                                 << "were acknowledged before; skipped";
        fromSeq = resp.acknowledged_seq() + 1;
        result.maxSeq = m_store->maxSeq(stream);
    }
    QList<StoredMessage> batch;
    batch.reserve(resp.messages_size());
    quint64 expected = fromSeq;
    for (const auto &m : resp.messages()) {
        if (!m.channel().empty() && m.channel() != resp.channel()) {
            result.error =
                tr("seq %1 belongs to channel \"%2\"").arg(m.seq()).arg(QString::fromStdString(m.channel()));
            return result;
        }
        if (m.seq() != expected) {
            result.error = tr("hole: expected seq %1, got %2").arg(expected).arg(m.seq());
            return result;
        }
        ++expected;
        batch << StoredMessage::fromProto(m);
    }
    if (resp.messages_size() > 0 && resp.server_max_seq() < expected - 1) {
        result.error =
            tr("server_max_seq %1 is below the last seq %2").arg(resp.server_max_seq()).arg(expected - 1);
        return result;
    }
    if (fromSeq > result.maxSeq + 1 && !batch.isEmpty()) {
        result.error =
            tr("the batch starts at %1 but the history ends at %2").arg(fromSeq).arg(result.maxSeq);
        return result;
    }
    const auto appended = store(stream, batch, resp.server_max_seq());
    if (!appended.ok) {
        result.error = appended.error;
        return result;
    }
    result.ok = true;
    drainHeld(stream);
    result.maxSeq = m_store->maxSeq(stream);
    return result;
}

void SyncEngine::ensureChannel(const QString &name)
{
    if (name == m_inbox || name.startsWith(QLatin1Char('~')))
        return;
    if (!m_store->channel(name)) {
        ChannelRecord r;
        r.name = name;
        r.kind = name.startsWith(QLatin1Char('@')) ? ChannelRecord::Kind::Direct : ChannelRecord::Kind::Open;
        m_store->upsertChannel(r);
        emit channelsChanged();
    }
}

void SyncEngine::applyMembership(const StoredMessage &m)
{
    if (m.subject.isEmpty())
        return;
    auto rec = m_store->channel(m.channel);
    if (!rec)
        return;
    QStringList members = rec->members;
    bool changed = false;
    switch (m.kind) {
    case MessageKind::MemberJoined:
    case MessageKind::MemberAdded:
        if (rec->kind != ChannelRecord::Kind::Open && !members.contains(m.subject)) {
            members << m.subject;
            changed = true;
        }
        if (m.subject == m_ownNick && !m_catchingUp && !rec->joined) {
            m_store->setChannelJoined(m.channel, true);
            emit channelsChanged();
        }
        break;
    case MessageKind::MemberRemoved:
    case MessageKind::MemberLeft:
    case MessageKind::UserDeleted:
    case MessageKind::MemberKicked: // by a moderator (Moderate)
    case MessageKind::MemberBanned:
        changed = members.removeAll(m.subject) > 0;
        if (m.subject == m_ownNick && !m_catchingUp && rec->joined) {
            m_store->setChannelJoined(m.channel, false);
            emit channelsChanged();
        }
        break;
    default:
        break;
    }
    if (changed) {
        m_store->setChannelMembers(m.channel, members);
        emit channelsChanged();
    }
}

HistoryStore::AppendResult SyncEngine::store(const QString &stream, const QList<StoredMessage> &rows,
                                             quint64 serverMaxSeq)
{
    // Duplicates are skipped by the store; the stages must not see them (a row is processed once).
    const quint64 max = m_store->maxSeq(stream);
    IncomingBatch batch{stream, {}, 0};
    batch.rows.reserve(rows.size());
    for (const StoredMessage &m : rows)
        if (m.seq > max)
            batch.rows << m;
    if (!batch.rows.isEmpty())
        for (const BatchStage &stage : m_batchStages)
            stage(batch);
    const auto appended = m_store->appendMessages(stream, batch.rows, serverMaxSeq, batch.cryptoThrough);
    if (appended.ok) {
        onStored(stream, appended.inserted);
        if (!appended.amended.isEmpty())
            emit messagesAmended(stream, appended.amended);
    }
    return appended;
}

void SyncEngine::onStored(const QString &stream, const QList<StoredMessage> &inserted)
{
    if (inserted.isEmpty())
        return;
    for (const InsertedStage &stage : m_insertedStages)
        stage(stream, inserted);
    const bool isChannel = stream != m_inbox;
    for (const StoredMessage &m : inserted) {
        if (!m.isChat() && isChannel)
            applyMembership(m);
        if (m_catchingUp) {
            if (isChannel && m.isChat() && m.sender != m_ownNick && !m_invitations.contains(stream))
                noteArrival(stream, m);
        }
    }
    if (isChannel)
        emit messagesStored(stream, inserted.first().seq, inserted.last().seq);
    else
        emit inboxStored();
    if (m_catchingUp) {
        m_progressDone += static_cast<quint64>(inserted.size());
        m_progressTotal = std::max(m_progressTotal, m_progressDone);
        emit catchUpProgress(m_progressDone, m_progressTotal);
    } else {
        for (const StoredMessage &m : inserted)
            emit liveMessage(m);
    }
}

void SyncEngine::handlePush(const hchat::v1::Message &pm)
{
    const QString stream = QString::fromStdString(pm.channel());
    if (stream.isEmpty() || pm.seq() == 0) {
        qCWarning(lcSync) << "ignored a pushed message without channel or seq";
        return;
    }
    ensureChannel(stream);
    const quint64 max = m_store->maxSeq(stream);
    if (pm.seq() <= max)
        return; // duplicate
    auto &held = m_held[stream];
    if (pm.seq() == max + 1) {
        const auto appended = store(stream, {StoredMessage::fromProto(pm)});
        if (!appended.ok) {
            emit syncError(tr("Could not store a message of \"%1\": %2").arg(stream, appended.error));
            return;
        }
        drainHeld(stream);
        return;
    }
    if (held.size() < kMaxHeldPerStream)
        held.insert(pm.seq(), StoredMessage::fromProto(pm));
    if (!m_puller->isPulling(stream)) {
        ++m_gaps;
        qCInfo(lcSync).noquote() << "gap in" << stream << ": committed" << max << ", pushed" << pm.seq()
                                 << "; pulling from" << max + 1;
        emit gapDetected(stream, max, pm.seq());
    }
    m_puller->pull(stream, max + 1);
}

void SyncEngine::drainHeld(const QString &stream)
{
    auto it = m_held.find(stream);
    if (it == m_held.end())
        return;
    auto &held = *it;
    quint64 max = m_store->maxSeq(stream);
    while (!held.isEmpty() && held.firstKey() <= max)
        held.erase(held.begin());
    QList<StoredMessage> run;
    while (!held.isEmpty() && held.firstKey() == max + 1 + static_cast<quint64>(run.size()))
        run << held.take(held.firstKey());
    if (!run.isEmpty()) {
        const auto appended = store(stream, run);
        if (!appended.ok)
            emit syncError(tr("Could not store messages of \"%1\": %2").arg(stream, appended.error));
    }
    if (held.isEmpty())
        m_held.erase(it);
}

void SyncEngine::onPullFinished(const QString &stream, quint64 maxSeq)
{
    drainHeld(stream);
    if (m_held.contains(stream)) {
        const int n = ++m_repulls[stream];
        if (n <= kMaxRepulls) {
            m_puller->pull(stream, m_store->maxSeq(stream) + 1);
            return;
        }
        qCCritical(lcSync).noquote() << "the gateway does not return the messages pushed above seq" << maxSeq
                                     << "in" << stream << "; dropped the held ones";
        m_held.remove(stream);
    }
    m_repulls.remove(stream);
    streamDone(stream);
}

void SyncEngine::onPullFailed(const QString &stream, const QString &error, int code)
{
    m_held.remove(stream);
    if (code == hchat::v1::ERROR_NOT_MEMBER || code == hchat::v1::ERROR_FORBIDDEN ||
        code == hchat::v1::ERROR_NO_SUCH_CHANNEL) {
        if (m_store->setChannelJoined(stream, false))
            emit channelsChanged();
    }
    emit syncError(tr("Could not pull \"%1\": %2").arg(stream, error));
    streamDone(stream);
}

void SyncEngine::streamDone(const QString &stream)
{
    if (!m_catchingUp)
        return;
    if (m_catchUpPending.remove(stream) && m_catchUpPending.isEmpty())
        finishCatchUp();
}

void SyncEngine::noteArrival(const QString &stream, const StoredMessage &m)
{
    QList<CatchUpReport::Channel> &senders = m_arrivals[stream];
    auto it = std::find_if(senders.begin(), senders.end(),
                           [&m](const CatchUpReport::Channel &s) { return s.senders.first() == m.sender; });
    if (it == senders.end()) {
        senders.append({stream, 0, {m.sender}, {}, 0});
        it = senders.end() - 1;
    }
    ++it->count;
    if (m.seq >= it->newest.seq)
        it->newest = m;
    if (Mentions::mentions(m.text(), m_ownNick))
        ++it->mentions;
}

void SyncEngine::finishCatchUp()
{
    m_catchingUp = false;
    CatchUpReport report;
    for (const QList<CatchUpReport::Channel> &senders : std::as_const(m_arrivals)) {
        CatchUpReport::Channel c;
        for (const CatchUpReport::Channel &s : senders) {
            if (m_hiddenSenders && m_hiddenSenders(s.senders.first()))
                continue;
            c.channel = s.channel;
            c.count += s.count;
            c.senders << s.senders.first();
            if (s.newest.seq >= c.newest.seq)
                c.newest = s.newest;
            c.mentions += s.mentions;
        }
        if (c.count > 0)
            report.channels << c;
    }
    std::stable_sort(report.channels.begin(), report.channels.end(),
                     [](const auto &a, const auto &b) { return a.count > b.count; });
    m_arrivals.clear();
    qCInfo(lcSync) << "catch-up complete:" << report.total() << "new messages in" << report.channels.size()
                   << "channels";
    emit catchUpFinished(report);
}

void SyncEngine::handleChannelJoined(const hchat::v1::ChannelInfo &info, bool ownJoin)
{
    const QString name = QString::fromStdString(info.name());
    const auto before = m_store->channel(name);
    const bool arriving = ownJoin && (!before || !before->joined);
    saveChannel(info);
    // What a channel held before this user joined it (up to their own join notice) is not news to
    // them: read, so that it raises no notification, no unread count and no "New messages" line.
    // Told to the gateway as any position marked here (ReadState::syncPositions).
    if (arriving && m_store->setReadSeq(name, info.server_max_seq(), false))
        emit readPositionChanged(name, m_store->readSeq(name));
    emit channelsChanged();
    m_puller->pull(name, m_store->maxSeq(name) + 1);
}

void SyncEngine::handleReadPosition(const QString &channel, quint64 seq)
{
    if (m_store->setReadSeq(channel, seq, true))
        emit readPositionChanged(channel, seq);
}

void SyncEngine::resyncAll()
{
    for (const auto &c : m_store->channels(true))
        m_puller->pull(c.name, m_store->maxSeq(c.name) + 1);
    if (!m_inbox.isEmpty())
        m_puller->pull(m_inbox, m_store->maxSeq(m_inbox) + 1);
}

void SyncEngine::stop()
{
    m_puller->cancelAll();
    m_held.clear();
    m_repulls.clear();
    m_catchingUp = false;
    m_catchUpPending.clear();
}

} // namespace hchat
