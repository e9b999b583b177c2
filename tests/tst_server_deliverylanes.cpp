// DeliveryLanes / DeliveryOutbox (issue 19, fan-out per I/O thread): what the commit writer's
// answers send while an outbox collects reaches every session complete and in the order it was
// sent, frames and calls (a dispatch, a close) alike, with several I/O threads and lanes; with no
// outbox active, delivery posts to the session as before.
#include "BeastTypes.h"
#include "ClientSession.h"
#include "DeliveryOutbox.h"

#include <QtTest>

#include <mutex>
#include <thread>

using namespace hchat::server;

namespace {

// A session that records what reaches it, on a strand of its own.
class RecordingSession final : public ClientSession {
public:
    explicit RecordingSession(net::io_context &ioc) : ClientSession("test"), m_strand(net::make_strand(ioc))
    {
        openPushes();
    }
    void dispatch(std::function<void()> fn) override
    {
        if (auto *outbox = DeliveryOutbox::active()) {
            outbox->add({shared_from_this(), nullptr, false, std::move(fn)});
            return;
        }
        net::post(m_strand, std::move(fn));
    }
    void runNow(std::function<void()> fn) override { net::dispatch(m_strand, std::move(fn)); }
    void closeSoon(std::uint16_t code) override
    {
        dispatch([this, code] { record("close " + std::to_string(code)); });
    }

    std::vector<std::string> got()
    {
        std::lock_guard lock(m_mutex);
        return m_got;
    }
    std::size_t count()
    {
        std::lock_guard lock(m_mutex);
        return m_got.size();
    }
    int writesStarted = 0; // strand

protected:
    void enqueue(std::shared_ptr<const std::string> bytes, bool startWriting) override
    {
        record(*bytes);
        if (startWriting)
            ++writesStarted;
    }
    void startWriting() override { ++writesStarted; }

private:
    void record(const std::string &what)
    {
        QVERIFY(m_strand.running_in_this_thread());
        std::lock_guard lock(m_mutex);
        m_got.push_back(what);
    }
    net::strand<net::io_context::executor_type> m_strand;
    std::mutex m_mutex;
    std::vector<std::string> m_got;
};

struct IoThreads {
    net::io_context ioc{2};
    net::executor_work_guard<net::io_context::executor_type> work{ioc.get_executor()};
    std::vector<std::thread> threads;
    IoThreads()
    {
        for (int i = 0; i < 2; ++i)
            threads.emplace_back([this] { ioc.run(); });
    }
    ~IoThreads()
    {
        work.reset();
        ioc.stop();
        for (auto &t : threads)
            t.join();
    }
};

} // namespace

class ServerDeliveryLanes : public QObject {
    Q_OBJECT
private slots:
    void everySessionGetsEverythingInOrder()
    {
        IoThreads io;
        std::vector<net::strand<net::io_context::executor_type>> strands;
        for (int i = 0; i < 2; ++i)
            strands.push_back(net::make_strand(io.ioc.get_executor()));
        DeliveryLanes lanes(strands.size(), [&](std::size_t lane, std::function<void()> run) {
            net::post(strands[lane], std::move(run));
        });
        std::vector<std::shared_ptr<RecordingSession>> sessions;
        for (int i = 0; i < 101; ++i)
            sessions.push_back(std::make_shared<RecordingSession>(io.ioc));
        // Like the writer: batches one after the other, each answered inside an outbox.
        constexpr int kBatches = 300;
        std::vector<std::string> expected;
        for (int b = 0; b < kBatches; ++b) {
            DeliveryOutbox outbox(lanes);
            {
                DeliveryOutbox::Scope scope(outbox);
                for (int m = 0; m < 3; ++m) {
                    const std::string text = std::to_string(b) + "." + std::to_string(m);
                    auto frame = std::make_shared<const std::string>(text);
                    for (auto &s : sessions)
                        s->deliver(frame, true);
                    expected.push_back(text);
                }
                if (b % 50 == 49) {
                    for (auto &s : sessions)
                        s->closeSoon(1000 + b);
                    expected.push_back("close " + std::to_string(1000 + b));
                }
            }
            outbox.flush();
        }
        for (auto &s : sessions)
            QTRY_COMPARE_WITH_TIMEOUT(s->count(), expected.size(), 30000);
        for (auto &s : sessions)
            QCOMPARE(s->got(), expected);
    }

    void withoutAnOutboxDeliveryPostsAsBefore()
    {
        IoThreads io;
        auto session = std::make_shared<RecordingSession>(io.ioc);
        QVERIFY(!DeliveryOutbox::active());
        for (int i = 0; i < 10; ++i)
            session->deliver(std::make_shared<const std::string>(std::to_string(i)), false);
        QTRY_COMPARE(session->count(), std::size_t(10));
        const std::vector<std::string> expected{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
        QCOMPARE(session->got(), expected);
    }
};

QTEST_GUILESS_MAIN(ServerDeliveryLanes)
#include "tst_server_deliverylanes.moc"
