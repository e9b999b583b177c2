#pragma once
// BenchConnection: the client side of one benchmark WebSocket connection to a server on 127.0.0.1
// (hchat-gateway or the Node.js reference), shared by loadgen and gateway_bench: TCP connect,
// TCP_NODELAY, the WebSocket upgrade on /ws, Hello{protocol_version 1, token} as request 1, then a
// read loop handing every frame to the subclass, and an ordered write queue. Plus the HTTP login
// both programs need. Boost.Beast and the generated protobuf code only: it shares no code with
// either server.
#include <boost/asio/any_io_executor.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>

class BenchConnection : public std::enable_shared_from_this<BenchConnection> {
public:
    using Executor = boost::asio::any_io_executor;

    // readMessageMax: the largest frame accepted (Beast's read_message_max); 0 keeps Beast's default.
    BenchConnection(Executor executor, unsigned short port, std::string token,
                    std::size_t readMessageMax = 0);
    virtual ~BenchConnection() = default;
    BenchConnection(const BenchConnection &) = delete;
    BenchConnection &operator=(const BenchConnection &) = delete;

    // Connects (30 s timeout up to the upgrade), upgrades, sends Hello and starts reading. Call on
    // the connection's executor.
    void connect();
    // Queues one serialized Frame; frames go out in order, one write at a time.
    void write(std::string frame);
    // Closes the socket; the pending operations end with an error (see onFailure).
    void closeSocket();
    Executor executor() { return m_ws.get_executor(); }

    // POST to the server's HTTP API (application/x-protobuf; Bearer token when non-empty); the
    // response body, the HTTP status in *status. Blocking, on its own io_context.
    static std::string httpPost(unsigned short port, const std::string &target, const std::string &body,
                                const std::string &token = {}, unsigned *status = nullptr);
    // Registers nick (an existing account is fine) and logs in as a new device; the session token,
    // empty on failure (*status: the login's HTTP status).
    static std::string login(unsigned short port, const std::string &nick, const std::string &password,
                             const std::string &deviceName, unsigned *status = nullptr);

protected:
    // One received frame (the bytes of one binary WebSocket message), valid during the call.
    virtual void onFrame(const char *data, std::size_t size) = 0;
    // what: "connect", "handshake", "read" or "write". Called for every failed operation.
    virtual void onFailure(const char *what, const boost::beast::error_code &ec) = 0;

private:
    void doWrite();
    void read();

    boost::beast::websocket::stream<boost::beast::tcp_stream> m_ws;
    unsigned short m_port;
    std::string m_token;
    boost::beast::flat_buffer m_buffer;
    std::deque<std::string> m_queue;
};
