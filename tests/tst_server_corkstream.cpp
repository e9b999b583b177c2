// CorkStream (issue 19, write coalescing): the frames a WebSocket session writes while corked leave
// in one write of the connection, whole and in order; Beast's own control frames (the pong to a
// peer's ping, the close frame) go through the same buffer and never split a frame; a writer that
// gets ahead of a peer that does not read waits, and goes on once the peer reads; a lone write with
// nothing buffered goes straight to the connection.
#include "CorkStream.h"

#include <QtTest>

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

using namespace hchat::server;

namespace {

using ServerWs = websocket::stream<CorkStream<beast::tcp_stream>>;
using ClientWs = websocket::stream<tcp::socket>;

// A connected pair: the server side asynchronous on `ioc`, the client side synchronous (used from
// a thread of its own).
struct Pair {
    net::io_context ioc;
    std::unique_ptr<ServerWs> server;
    net::io_context clientIoc;
    std::unique_ptr<ClientWs> client;

    Pair()
    {
        tcp::acceptor acceptor(ioc, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
        tcp::socket clientSocket(clientIoc);
        clientSocket.connect(acceptor.local_endpoint());
        tcp::socket serverSocket(ioc);
        acceptor.accept(serverSocket);
        server = std::make_unique<ServerWs>(beast::tcp_stream(std::move(serverSocket)));
        server->binary(true);
        client = std::make_unique<ClientWs>(std::move(clientSocket));
        bool accepted = false;
        server->async_accept([&](beast::error_code ec) { accepted = !ec; });
        std::thread t([this] { client->handshake("127.0.0.1", "/"); });
        ioc.run();
        ioc.restart();
        t.join();
        if (!accepted)
            throw std::runtime_error("no WebSocket handshake");
    }
};

// Writes `frames` one after the other (each after the previous one's completion), like the session's
// queue, then calls `then`.
void writeAll(ServerWs &ws, std::shared_ptr<std::vector<std::string>> frames, std::size_t i,
              std::function<void(beast::error_code)> then)
{
    if (i == frames->size()) {
        then({});
        return;
    }
    ws.async_write(net::buffer((*frames)[i]), [&ws, frames, i, then](beast::error_code ec, std::size_t) {
        if (ec)
            return then(ec);
        writeAll(ws, frames, i + 1, then);
    });
}

std::shared_ptr<std::vector<std::string>> numbered(int n, std::size_t size)
{
    auto frames = std::make_shared<std::vector<std::string>>();
    for (int i = 0; i < n; ++i) {
        std::string f = std::to_string(i) + ":";
        f.resize(std::max(size, f.size()), char('a' + i % 26));
        frames->push_back(std::move(f));
    }
    return frames;
}

// Reads frames until the close; returns them.
std::vector<std::string> readUntilClose(ClientWs &ws)
{
    std::vector<std::string> got;
    for (;;) {
        beast::flat_buffer b;
        beast::error_code ec;
        ws.read(b, ec);
        if (ec)
            break;
        got.push_back(beast::buffers_to_string(b.data()));
    }
    return got;
}

} // namespace

class ServerCorkStream : public QObject {
    Q_OBJECT
private slots:
    void corkedFramesLeaveInOneWriteInOrder()
    {
        Pair p;
        auto frames = numbered(500, 20);
        const auto flushesBefore = p.server->next_layer().flushes();
        p.server->next_layer().cork();
        bool closed = false;
        beast::error_code result;
        std::uint64_t flushesWhileCorked = 0;
        std::size_t bufferedWhileCorked = 0;
        writeAll(*p.server, frames, 0, [&](beast::error_code ec) {
            result = ec;
            flushesWhileCorked = p.server->next_layer().flushes() - flushesBefore;
            bufferedWhileCorked = p.server->next_layer().buffered();
            p.server->next_layer().uncork();
            p.server->async_close(websocket::close_code::normal, [&](beast::error_code) { closed = true; });
        });
        std::vector<std::string> got;
        std::thread reader([&] { got = readUntilClose(*p.client); });
        p.ioc.run();
        reader.join();
        QVERIFY(!result);
        // Everything was still in the buffer: nothing was written while corked.
        QCOMPARE(flushesWhileCorked, 0u);
        QVERIFY(bufferedWhileCorked > 500 * 20);
        QVERIFY(closed);
        QCOMPARE(got, *frames);
        // The 500 frames in one write, the close frame in another.
        QCOMPARE(p.server->next_layer().flushes() - flushesBefore, 2u);
    }

    void uncorkedFramesLeaveWholeAndInOrder()
    {
        Pair p;
        auto frames = numbered(300, 100);
        const auto flushesBefore = p.server->next_layer().flushes();
        beast::error_code result;
        writeAll(*p.server, frames, 0, [&](beast::error_code ec) {
            result = ec;
            p.server->async_close(websocket::close_code::normal, [](beast::error_code) {});
        });
        std::vector<std::string> got;
        std::thread reader([&] { got = readUntilClose(*p.client); });
        p.ioc.run();
        reader.join();
        QVERIFY(!result);
        QCOMPARE(got, *frames);
        // One frame at a time, each after the previous one's completion: nothing was buffered.
        QCOMPARE(p.server->next_layer().flushes() - flushesBefore, 0u);
    }

    void thePeersPingsAreAnsweredBetweenWholeFrames()
    {
        Pair p;
        auto frames = numbered(2000, 300);
        // The peer asks for the frames, then pings: the server's read answers the pings (Beast
        // writes a pong from within the read) while its writes of the frames are under way.
        p.client->binary(true);
        p.client->write(net::buffer(std::string("go")));
        for (int i = 0; i < 20; ++i)
            p.client->ping({});
        beast::error_code result;
        bool started = false;
        std::function<void()> readLoop;
        auto buffer = std::make_shared<beast::flat_buffer>();
        readLoop = [&] {
            p.server->async_read(*buffer, [&](beast::error_code ec, std::size_t) {
                if (ec)
                    return;
                if (!started) {
                    started = true;
                    p.server->next_layer().cork();
                    writeAll(*p.server, frames, 0, [&](beast::error_code ec) {
                        result = ec;
                        p.server->next_layer().uncork();
                        p.server->async_close(websocket::close_code::normal, [](beast::error_code) {});
                    });
                }
                readLoop();
            });
        };
        readLoop();
        int pongs = 0;
        p.client->control_callback([&](websocket::frame_type kind, beast::string_view) {
            if (kind == websocket::frame_type::pong)
                ++pongs;
        });
        std::vector<std::string> got;
        // A frame split by a pong would fail the client's read with a protocol error.
        std::thread peer([&] { got = readUntilClose(*p.client); });
        p.ioc.run();
        peer.join();
        QVERIFY(started);
        QVERIFY(!result);
        QCOMPARE(got, *frames);
        QCOMPARE(pongs, 20);
    }

    void aWriterAheadOfAPeerThatDoesNotReadWaitsThenGoesOn()
    {
        Pair p;
        // 16 MiB: far more than the socket buffers and the cork buffer hold. Corked, so that the
        // writes go through the buffer (an idle uncorked layer passes a lone write straight on).
        auto frames = numbered(256, 64 * 1024);
        p.server->next_layer().cork();
        bool done = false;
        beast::error_code result;
        writeAll(*p.server, frames, 0, [&](beast::error_code ec) {
            result = ec;
            done = true;
            p.server->next_layer().uncork();
            p.server->async_close(websocket::close_code::normal, [](beast::error_code) {});
        });
        // Run the server until it cannot go on without the peer reading.
        for (int i = 0; i < 50 && !done; ++i)
            p.ioc.run_for(std::chrono::milliseconds(10));
        QVERIFY(!done);
        QVERIFY(p.server->next_layer().buffered() >= CorkStream<beast::tcp_stream>::kCorkLimit);
        QVERIFY(p.server->next_layer().buffered() <= CorkStream<beast::tcp_stream>::kMaxPending + 64 * 1024);
        std::vector<std::string> got;
        std::thread reader([&] { got = readUntilClose(*p.client); });
        p.ioc.restart();
        p.ioc.run();
        reader.join();
        QVERIFY(done);
        QVERIFY2(!result, result.message().c_str());
        QCOMPARE(got.size(), frames->size());
        QVERIFY(got == *frames);
    }

    void aWriteAfterThePeerWentAwayFails()
    {
        Pair p;
        p.client->next_layer().close();
        auto frames = numbered(4000, 1024);
        beast::error_code result;
        writeAll(*p.server, frames, 0, [&](beast::error_code ec) { result = ec; });
        p.ioc.run();
        QVERIFY(result);
    }
};

QTEST_GUILESS_MAIN(ServerCorkStream)
#include "tst_server_corkstream.moc"
