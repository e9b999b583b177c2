// Paging a user's channels so that a Welcome or a channel list page fits in a frame (issue 17):
// every channel exactly once across the pages, in name order, each page within its budget, and
// the cursor naming the last channel of each page but the final one.
#include "ChannelPages.h"
#include "Limits.h"

#include <QtTest>

#include <algorithm>
#include <random>

using hchat::v1::ChannelInfo;
using namespace hchat::server;

namespace {
std::vector<ChannelInfo> channels(int n, int members)
{
    std::vector<ChannelInfo> out;
    for (int i = 0; i < n; ++i) {
        ChannelInfo c;
        c.set_name(QStringLiteral("channel-%1").arg(i, 6, 10, QLatin1Char('0')).toStdString());
        c.set_server_max_seq(quint64(i) * 7);
        for (int m = 0; m < members; ++m)
            c.add_members(QStringLiteral("member-with-a-long-nick-%1").arg(m).toStdString());
        out.push_back(c);
    }
    std::shuffle(out.begin(), out.end(), std::mt19937(7)); // the store's order is not relied on
    return out;
}

std::size_t encoded(const std::vector<ChannelInfo> &page)
{
    hchat::v1::ChannelList list;
    for (const auto &c : page)
        *list.add_channels() = c;
    return list.ByteSizeLong();
}
} // namespace

class ServerChannelPages : public QObject {
    Q_OBJECT
private slots:
    void everyChannelOnceInOrderWithinTheBudget()
    {
        const auto all = channels(1000, 40);
        std::string after;
        std::vector<std::string> seen;
        int pages = 0;
        do {
            const auto page = channelPage(all, after, hchat::limits::kChannelPageBytes);
            QVERIFY(!page.channels.empty());
            QVERIFY(encoded(page.channels) <= hchat::limits::kChannelPageBytes);
            for (const auto &c : page.channels)
                seen.push_back(c.name());
            if (!page.continueAfter.empty())
                QCOMPARE(page.continueAfter, page.channels.back().name());
            after = page.continueAfter;
            ++pages;
        } while (!after.empty() && pages < 1000);
        QVERIFY(pages > 1);
        QCOMPARE(int(seen.size()), 1000);
        QVERIFY(std::is_sorted(seen.begin(), seen.end()));
        QVERIFY(std::adjacent_find(seen.begin(), seen.end()) == seen.end());
    }

    void fewChannelsFitOnOnePage()
    {
        const auto page = channelPage(channels(10, 2), {}, hchat::limits::kChannelPageBytes);
        QCOMPARE(int(page.channels.size()), 10);
        QVERIFY(page.continueAfter.empty());
        QVERIFY(channelPage({}, {}, hchat::limits::kChannelPageBytes).channels.empty());
    }

    // A channel larger than the budget goes alone on its page rather than never.
    void aChannelLargerThanTheBudgetGoesAlone()
    {
        const auto all = channels(3, 2000);
        const auto page = channelPage(all, {}, 1000);
        QCOMPARE(int(page.channels.size()), 1);
        QCOMPARE(page.continueAfter, page.channels.front().name());
    }

    void invitationsKeepTheirOrderWithinTheBudget()
    {
        auto invitations = channels(500, 40);
        const auto kept = invitationsWithin(invitations, hchat::limits::kInvitationListBytes);
        QVERIFY(!kept.empty() && kept.size() < invitations.size());
        QVERIFY(encoded(kept) <= hchat::limits::kInvitationListBytes);
        for (std::size_t i = 0; i < kept.size(); ++i)
            QCOMPARE(kept[i].name(), invitations[i].name());
    }
};

QTEST_GUILESS_MAIN(ServerChannelPages)
#include "tst_server_channelpages.moc"
