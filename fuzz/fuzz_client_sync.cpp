// The client's side of the gateway's answers: WebSocket messages through PushChannel's decoding
// into SyncEngine (pushes, gaps, ChannelJoined, ReadPosition, Welcome → catch-up, malformed frames
// → resync), and POST /v1/sync answers through GatewayHttp and SyncPuller into SyncEngine's batch
// validation and a real HistoryStore in a scratch directory, emptied before each input. The
// dispatch from PushChannel to SyncEngine is wired as Client wires it.
//
// Input: chunks (FuzzInput.h); tag & 7 says what the payload is:
//   0  a binary WebSocket message from the gateway
//   1  the answer to the next sync request: HTTP 200 with the payload as body
//   2  the same, after the harness made it plausible: the payload parsed as a SyncResponse whose
//      channel is set to the one requested and whose messages are numbered from the requested seq
//   3  the answer to the next sync request is an error: payload[0] picks the status, the rest is
//      the body
//   4  every stream is pulled again (resyncAll)   5  the link dropped (SyncEngine::stop)
// After each chunk the event loop runs until every pull has settled; requests with no queued
// answer get an empty, final batch.
#include "DatabaseSnapshot.h"
#include "FuzzInput.h"
#include "FuzzNetwork.h"
#include "GatewayHttp.h"
#include "HistoryStore.h"
#include "PushChannel.h"
#include "SyncEngine.h"
#include "SyncPuller.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QNetworkRequest>

#include <cstddef>
#include <cstdint>

using namespace hchat;
using namespace hchat::fuzz;

namespace {

constexpr const char *kInbox = "~a1000000000000000000000000000001";

// The client's sync side, made afresh for each input (SyncEngine keeps a catch-up report and
// invitations across a stop()).
struct Client {
    explicit Client(HistoryStore *store) : engine(store, &puller)
    {
        // TLS in name only: FuzzNetwork answers every request (a cleartext address would be refused).
        http.setBaseUrl(QUrl(QStringLiteral("https://gateway.invalid:8745")));
        http.setToken(QStringLiteral("alice-token"));
        puller.setRetryBackoff(std::chrono::milliseconds(0), std::chrono::milliseconds(0));
        engine.setOwnNick(QStringLiteral("alice"));
        engine.setInboxStream(QString::fromLatin1(kInbox));
    }

    FuzzNetwork network{[](const QNetworkRequest &, const QByteArray &body) {
        hchat::v1::SyncRequest req;
        req.ParseFromArray(body.constData(), int(body.size()));
        hchat::v1::SyncResponse res;
        res.set_channel(req.channel());
        const std::string bytes = res.SerializeAsString();
        return HttpAnswer{200, QByteArray(bytes.data(), qsizetype(bytes.size()))};
    }};
    GatewayHttp http{&network};
    SyncPuller puller{&http};
    SyncEngine engine;
};

// Live for the whole run: the store (put back empty before each input) and the push channel,
// which holds no state between frames while it is not connected.
HistoryStore *g_store = nullptr;
DatabaseSnapshot *g_emptyStore = nullptr;
PushChannel *g_push = nullptr;
Client *g_client = nullptr;

void plausible(const QByteArray &requestBody, HttpAnswer &answer)
{
    hchat::v1::SyncRequest req;
    hchat::v1::SyncResponse res;
    if (!req.ParseFromArray(requestBody.constData(), int(requestBody.size())) ||
        !res.ParseFromArray(answer.body.constData(), int(answer.body.size())))
        return;
    res.set_channel(req.channel());
    std::uint64_t seq = req.from_seq();
    for (auto &m : *res.mutable_messages()) {
        if (!m.channel().empty())
            m.set_channel(req.channel());
        m.set_seq(seq++);
    }
    if (res.server_max_seq() < seq - 1)
        res.set_server_max_seq(seq - 1);
    const std::string bytes = res.SerializeAsString();
    answer.body = QByteArray(bytes.data(), qsizetype(bytes.size()));
}

void settle()
{
    for (int i = 0; i < 100000; ++i) {
        QCoreApplication::sendPostedEvents();
        QCoreApplication::processEvents(QEventLoop::AllEvents);
        if (g_client->puller.activeCount() == 0 && g_client->network.liveReplies() == 0)
            return;
    }
    invariantBroken("the pulls never settle");
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    QLoggingCategory::setFilterRules(QStringLiteral("*=false"));
    new QCoreApplication(*argc, *argv);
    g_store = new HistoryStore;
    const QString path =
        QString::fromStdString(scratchDir("client-sync")) + QStringLiteral("/history.sqlite");
    if (!g_store->open(path))
        invariantBroken("the history store does not open");
    g_store->setOwnNick(QStringLiteral("alice"));
    g_emptyStore = new DatabaseSnapshot(path.toStdString());
    g_emptyStore->take();
    g_push = new PushChannel;

    QObject::connect(g_push, &PushChannel::pushed, [](const hchat::v1::Frame &frame) {
        auto &engine = g_client->engine;
        switch (frame.body_case()) {
        case hchat::v1::Frame::kPush:
            engine.handlePush(frame.push().message());
            break;
        case hchat::v1::Frame::kChannelJoined:
            engine.handleChannelJoined(frame.channel_joined().channel());
            break;
        case hchat::v1::Frame::kReadPosition:
            engine.handleReadPosition(QString::fromStdString(frame.read_position().channel()),
                                      frame.read_position().seq());
            break;
        case hchat::v1::Frame::kWelcome:
            // The push channel is not authenticating here; a Welcome starts the catch-up as it does
            // in Client::onWelcomed.
            engine.beginCatchUp(frame.welcome());
            break;
        default:
            break;
        }
    });
    QObject::connect(g_push, &PushChannel::malformedFrame, [] { g_client->engine.resyncAll(); });
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    static const int kStatus[] = {0, 400, 401, 403, 404, 413, 429, 500, 502, 503, 204, 302};
    g_emptyStore->restore();
    Client client(g_store);
    g_client = &client;
    ChunkReader in(data, size);
    std::uint8_t tag = 0;
    std::string_view payload;
    while (in.next(tag, payload)) {
        const QByteArray bytes(payload.data(), qsizetype(payload.size()));
        switch (tag & 7) {
        case 0:
            g_push->handleBinaryMessage(bytes);
            break;
        case 1:
            g_client->network.queue({200, bytes});
            break;
        case 2:
            g_client->network.queue({200, bytes}, plausible);
            break;
        case 3:
            g_client->network.queue(
                {kStatus[bytes.isEmpty() ? 0 : std::uint8_t(bytes[0]) % std::size(kStatus)], bytes.mid(1)});
            break;
        case 4:
            g_client->engine.resyncAll();
            break;
        case 5:
            g_client->engine.stop();
            break;
        default:
            break;
        }
        settle();
    }
    client.engine.stop();
    client.network.clear();
    settle();
    g_client = nullptr;
    return 0;
}
