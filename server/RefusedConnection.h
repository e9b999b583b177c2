#pragma once

#include "BeastTypes.h"

#include <array>
#include <memory>
#include <string>

namespace hchat::server {

// A connection refused at accept time. On plain TCP it gets one canned HTTP answer (the request is
// never read) and a short linger, so that the answer is not lost to a reset; over TLS it is closed
// at once, since answering would first cost a handshake. Lingering connections are capped in all,
// so that refusing never holds more than a few sockets.
class RefusedConnection : public std::enable_shared_from_this<RefusedConnection> {
public:
    RefusedConnection(tcp::socket &&socket, std::string answer);
    ~RefusedConnection();
    void run();

    // The whole HTTP/1.1 response sent to a refused plain connection.
    static std::string httpAnswer(unsigned status, const std::string &contentType, const std::string &body);

private:
    void drain();

    beast::tcp_stream m_stream;
    std::string m_answer;
    std::array<char, 4096> m_scratch{};
    bool m_counted = false;
};

} // namespace hchat::server
