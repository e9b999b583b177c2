#include "NotificationCenter.h"

#include "DesktopNotifier.h"
#include "Mentions.h"

#include <algorithm>

namespace hchat::ui {

namespace {
const QString kSummaryKey = QStringLiteral("catch-up");

QString elide(const QString &text)
{
    constexpr int kMax = 120;
    QString flat = text.simplified();
    return flat.size() > kMax ? flat.left(kMax - 1) + QChar(0x2026) : flat;
}
} // namespace

NotificationCenter::NotificationCenter(DesktopNotifier *notifier, QObject *parent)
    : QObject(parent), m_notifier(notifier)
{
    connect(m_notifier, &DesktopNotifier::activated, this, [this](const QString &key) {
        emit openChannelRequested(key == kSummaryKey ? m_lastSummaryChannel : key);
    });
}

void NotificationCenter::setChannelMuted(const QString &channel, bool muted)
{
    if (muted)
        m_muted.insert(channel);
    else
        m_muted.remove(channel);
}

void NotificationCenter::setChannelMentionsOnly(const QString &channel, bool mentionsOnly)
{
    if (mentionsOnly)
        m_mentionsOnly.insert(channel);
    else
        m_mentionsOnly.remove(channel);
}

void NotificationCenter::setMentionsOnlyChannels(const QStringList &channels)
{
    m_mentionsOnly = QSet<QString>(channels.cbegin(), channels.cend());
}

bool NotificationCenter::wanted(const QString &channel, const QString &sender) const
{
    return !m_muted.contains(channel) && sender.compare(m_ownNick, Qt::CaseInsensitive) != 0;
}

void NotificationCenter::catchUpFinished(const QList<ChannelArrivals> &arrivals)
{
    if (!m_enabled)
        return;
    QList<ChannelArrivals> shown;
    for (const ChannelArrivals &a : arrivals) {
        ChannelArrivals filtered = a;
        if (m_mentionsOnly.contains(a.channel)) {
            if (a.mentions == 0)
                continue;
            filtered.count = a.mentions;
        }
        filtered.senders.removeIf([this](const QString &s) { return s.compare(m_ownNick, Qt::CaseInsensitive) == 0; });
        if (filtered.count > 0 && !m_muted.contains(a.channel) && !filtered.senders.isEmpty())
            shown.append(filtered);
    }
    if (shown.isEmpty())
        return;
    std::sort(shown.begin(), shown.end(),
              [](const ChannelArrivals &l, const ChannelArrivals &r) { return l.newestTimeMs > r.newestTimeMs; });
    int total = 0;
    for (const auto &a : shown)
        total += a.count;
    m_lastSummaryChannel = shown.first().channel;

    QString summary;
    QString body;
    if (shown.size() == 1) {
        const auto &a = shown.first();
        summary = tr("%n new message(s) in %1", nullptr, a.count).arg(a.channel);
        body = tr("From %1").arg(a.senders.mid(0, 3).join(QStringLiteral(", ")));
        if (a.senders.size() > 3)
            body += tr(" and %n other(s)", nullptr, int(a.senders.size() - 3));
        if (!a.newestText.isEmpty() && m_showPreviews)
            body += QStringLiteral("\n%1: %2").arg(a.newestSender, elide(a.newestText));
    } else {
        summary = tr("%n new message(s) in %1 channels", nullptr, total).arg(shown.size());
        QStringList lines;
        for (const auto &a : shown.mid(0, 4))
            lines << tr("%1: %n new", nullptr, a.count).arg(a.channel);
        if (shown.size() > 4)
            lines << tr("… and %n more channel(s)", nullptr, int(shown.size() - 4));
        body = lines.join(QLatin1Char('\n'));
    }
    m_notifier->notify(kSummaryKey, summary, body);
}

void NotificationCenter::liveMessage(const QString &channel, const QString &sender, const QString &text)
{
    if (!m_enabled || m_windowActive || !wanted(channel, sender))
        return;
    if (m_mentionsOnly.contains(channel) && !Mentions::mentions(text, m_ownNick))
        return;
    Pending &p = m_pending[channel];
    p.count += 1;
    p.lastSender = sender;
    p.lastText = text;
    if (!p.sinceShown.isValid() || p.sinceShown.elapsed() >= m_liveIntervalMs) {
        showLive(channel);
        return;
    }
    if (!p.timerArmed) {
        p.timerArmed = true;
        const int wait = int(m_liveIntervalMs - p.sinceShown.elapsed());
        QTimer::singleShot(std::max(0, wait), this, [this, channel] {
            auto it = m_pending.find(channel);
            if (it == m_pending.end())
                return;
            it->timerArmed = false;
            if (it->count > 0 && !m_windowActive && !m_muted.contains(channel))
                showLive(channel);
            else
                it->count = 0;
        });
    }
}

void NotificationCenter::showLive(const QString &channel)
{
    Pending &p = m_pending[channel];
    const QString summary = p.count == 1 ? tr("%1 in %2").arg(p.lastSender, channel)
                                         : tr("%n new message(s) in %1", nullptr, p.count).arg(channel);
    const QString text = m_showPreviews ? elide(p.lastText) : tr("New message");
    const QString body = p.count == 1 ? text : QStringLiteral("%1: %2").arg(p.lastSender, text);
    m_notifier->notify(channel, summary, body);
    p.count = 0;
    p.sinceShown.restart();
}

} // namespace hchat::ui
