#include "BenchConnection.h"

#include "hchat.pb.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http.hpp>

#include <chrono>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

BenchConnection::BenchConnection(Executor executor, unsigned short port, std::string token,
                                 std::size_t readMessageMax)
    : m_ws(std::move(executor)), m_port(port), m_token(std::move(token))
{
    if (readMessageMax > 0)
        m_ws.read_message_max(readMessageMax);
}

void BenchConnection::connect()
{
    auto self = shared_from_this();
    beast::get_lowest_layer(m_ws).expires_after(std::chrono::seconds(30));
    beast::get_lowest_layer(m_ws).async_connect(
        tcp::endpoint(net::ip::make_address("127.0.0.1"), m_port), [self](beast::error_code ec) {
            if (ec)
                return self->onFailure("connect", ec);
            beast::error_code ignored;
            beast::get_lowest_layer(self->m_ws).socket().set_option(tcp::no_delay(true), ignored);
            self->m_ws.binary(true);
            self->m_ws.async_handshake("127.0.0.1", "/ws", [self](beast::error_code ec2) {
                if (ec2)
                    return self->onFailure("handshake", ec2);
                beast::get_lowest_layer(self->m_ws).expires_never();
                hchat::v1::Frame f;
                f.set_request_id(1);
                f.mutable_hello()->set_protocol_version(1);
                f.mutable_hello()->set_token(self->m_token);
                self->write(f.SerializeAsString());
                self->read();
            });
        });
}

void BenchConnection::write(std::string frame)
{
    m_queue.push_back(std::move(frame));
    if (m_queue.size() == 1)
        doWrite();
}

void BenchConnection::doWrite()
{
    auto self = shared_from_this();
    m_ws.async_write(net::buffer(m_queue.front()), [self](beast::error_code ec, std::size_t) {
        if (ec)
            return self->onFailure("write", ec);
        self->m_queue.pop_front();
        if (!self->m_queue.empty())
            self->doWrite();
    });
}

void BenchConnection::read()
{
    auto self = shared_from_this();
    m_ws.async_read(m_buffer, [self](beast::error_code ec, std::size_t) {
        if (ec)
            return self->onFailure("read", ec);
        const auto data = self->m_buffer.data();
        self->onFrame(static_cast<const char *>(data.data()), data.size());
        self->m_buffer.consume(self->m_buffer.size());
        self->read();
    });
}

void BenchConnection::closeSocket()
{
    beast::error_code ec;
    beast::get_lowest_layer(m_ws).socket().close(ec);
}

std::string BenchConnection::httpPost(unsigned short port, const std::string &target, const std::string &body,
                                      const std::string &token, unsigned *status)
{
    net::io_context ioc;
    beast::tcp_stream stream(ioc);
    stream.expires_after(std::chrono::seconds(60));
    stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    http::request<http::string_body> req{http::verb::post, target, 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::content_type, "application/x-protobuf");
    if (!token.empty())
        req.set(http::field::authorization, "Bearer " + token);
    req.body() = body;
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    if (status)
        *status = res.result_int();
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    return res.body();
}

std::string BenchConnection::login(unsigned short port, const std::string &nick, const std::string &password,
                                   const std::string &deviceName, unsigned *status)
{
    hchat::v1::RegisterRequest reg;
    reg.set_nick(nick);
    reg.set_password(password);
    httpPost(port, "/v1/register", reg.SerializeAsString()); // 409 when it exists: fine
    hchat::v1::LoginRequest req;
    req.set_nick(nick);
    req.set_password(password);
    if (!deviceName.empty())
        req.set_device_name(deviceName);
    unsigned code = 0;
    hchat::v1::LoginResponse res;
    const std::string body = httpPost(port, "/v1/login", req.SerializeAsString(), {}, &code);
    if (status)
        *status = code;
    if (code != 200 || !res.ParseFromString(body))
        return {};
    return res.token();
}
