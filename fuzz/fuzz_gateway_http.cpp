// The gateway's HTTP API (HttpApi::handle): register, login, logout, sync, channels, key
// directory, devices, uploads and attachment downloads, health and metrics, on a real SQLite
// store with the real password hasher.
//
// Each input starts from the fixture's seeded store (GatewayFixture::reset), which holds one more
// user, "u1" (password kPassword), with devices $D1 (holding the token) and $D2, the inbox ~$D1,
// and membership of "general" and "secret". Input: chunks, one request each. Tag bits 0-3 pick
// the endpoint (kRoutes; 15: the payload's first line is the target, optionally "METHOD target",
// then any "Upload-Offset: …" and "Range: …" header lines, then the body), bits 4-6 the
// Authorization header (kAuth), bit 7 sends GET instead of POST. "$ME", "$D1" and "$D2" become
// the user's nick and device ids, "$UP" the last upload this input started.
#include "FuzzInput.h"
#include "GatewayFixture.h"
#include "ProtocolError.h"

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <iterator>
#include <mutex>

using namespace hchat::fuzz;
using namespace hchat::server;

namespace {
GatewayFixture *g_gateway = nullptr;
// The user of every input, seeded once: the store is reset to the seed before each input.
const std::string kNick = "u1";
const std::string kDevice1 = std::string(31, '0') + "2";
const std::string kDevice2 = std::string(31, '0') + "3";
const std::string kToken = "token-u1";

const char *const kRoutes[] = {
    "/v1/register",
    "/v1/login",
    "/v1/logout",
    "/v1/sync",
    "/v1/channels",
    "/v1/keys/publish",
    "/v1/keys/fetch",
    "/v1/devices",
    "/v1/devices/revoke",
    "/healthz",
    "/metrics",
    "/v1/sync?x=1",
    "/",
    "/v1/",
    "/v1/uploads",
};

void replaceAll(std::string &s, const std::string &from, const std::string &to)
{
    for (std::size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size())
        s.replace(pos, from.size(), to);
}

// Waits for the one answer to a request.
class Answer {
public:
    HttpApi::Reply reply()
    {
        return [this](HttpResponse r) {
            std::lock_guard lock(m_mutex);
            ++m_count;
            m_response = std::move(r);
            m_cv.notify_all();
        };
    }
    HttpResponse wait()
    {
        std::unique_lock lock(m_mutex);
        m_cv.wait(lock, [this] { return m_count > 0; });
        return m_response;
    }
    int count()
    {
        std::lock_guard lock(m_mutex);
        return m_count;
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_cv;
    int m_count = 0;
    HttpResponse m_response;
};

// A sync answer holds consecutive messages of the channel asked for, from the seq asked for on.
void checkSync(const std::string &requestBody, const HttpResponse &r)
{
    hchat::v1::SyncRequest req;
    hchat::v1::SyncResponse res;
    if (!req.ParseFromString(requestBody) || !res.ParseFromString(r.body))
        invariantBroken("a sync answered 200 without a SyncResponse");
    std::uint64_t expected = req.from_seq() == 0 ? 1 : req.from_seq();
    for (const auto &m : res.messages()) {
        if (m.seq() != expected++ || m.channel() != req.channel())
            invariantBroken("a sync answer holds a message that is not the next one asked for");
    }
    if (res.has_more() && res.messages_size() == 0)
        invariantBroken("a sync answer says has_more with no messages");
}

// A partial download holds exactly the bytes its Content-Range names.
void checkPartial(const HttpResponse &r)
{
    unsigned long long first = 0, last = 0, size = 0;
    if (std::sscanf(r.contentRange.c_str(), "bytes %llu-%llu/%llu", &first, &last, &size) != 3 ||
        last < first || last >= size || r.body.size() != last - first + 1)
        invariantBroken("a 206 answer whose body does not match its Content-Range");
}

void checkResponse(const HttpResponse &r)
{
    if (r.status == 500)
        invariantBroken("HTTP 500 from a healthy store");
    if (r.status == 206)
        checkPartial(r);
    // 416 (range not satisfiable) is the one status an error code does not decide.
    if (r.status != 200 && r.status != 416 && r.contentType == "application/x-protobuf") {
        hchat::v1::Error e;
        if (!e.ParseFromString(r.body) || e.code() == hchat::v1::ERROR_CODE_UNSPECIFIED ||
            e.message().empty())
            invariantBroken("an error response without a proper Error body");
        if (ProtocolError::httpStatus(e.code()) != r.status)
            invariantBroken("the HTTP status does not match the error code");
    }
}
} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    g_gateway = new GatewayFixture("gateway-http");
    g_gateway->addUser(kNick, kDevice1, kToken, ServerContext::nowMs() + 365LL * 24 * 3600 * 1000);
    g_gateway->write(
        [](MessageStore &st) { st.createDevice(kDevice2, st.findUser(kNick)->id, "second", 0); });
    g_gateway->keepAsSeed();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    g_gateway->reset();
    static const std::string kAuth[] = {"",
                                        "Bearer " + kToken,
                                        std::string("Bearer ") + kBob.token,
                                        std::string("Bearer ") + kExpiredToken,
                                        "bearer " + kToken,
                                        "Bearer ",
                                        "Basic " + kToken,
                                        "Bearer " + std::string(300, 'a')};
    ChunkReader in(data, size);
    std::uint8_t tag = 0;
    std::string_view payload;
    std::string upload(32, '0');
    while (in.next(tag, payload)) {
        HttpRequest req;
        req.method = (tag & 0x80) ? "GET" : "POST";
        req.authorization = kAuth[(tag >> 4) & 7];
        const unsigned route = tag & 0x0f;
        if (route < std::size(kRoutes)) {
            req.target = kRoutes[route];
            req.body = payload;
        } else {
            auto nl = payload.find('\n');
            std::string_view line = payload.substr(0, nl);
            payload = nl == std::string_view::npos ? std::string_view() : payload.substr(nl + 1);
            if (const auto space = line.find(' '); space != std::string_view::npos) {
                req.method = line.substr(0, space);
                line = line.substr(space + 1);
            }
            req.target = line;
            for (;;) {
                nl = payload.find('\n');
                const std::string_view header = payload.substr(0, nl);
                std::string *value = header.rfind("Upload-Offset: ", 0) == 0 ? &req.uploadOffset
                                     : header.rfind("Range: ", 0) == 0       ? &req.range
                                                                             : nullptr;
                if (!value || nl == std::string_view::npos)
                    break;
                *value = header.substr(header.find(": ") + 2);
                req.hasUploadOffset = req.hasUploadOffset || value == &req.uploadOffset;
                payload = payload.substr(nl + 1);
            }
            req.body = payload;
        }
        for (std::string *field : {&req.body, &req.target}) {
            replaceAll(*field, "$ME", kNick);
            replaceAll(*field, "$D1", kDevice1);
            replaceAll(*field, "$D2", kDevice2);
            replaceAll(*field, "$UP", upload);
        }
        const std::string path = req.target.substr(0, req.target.find('?'));
        const bool isSync = path == "/v1/sync";
        const bool startsUpload = path == "/v1/uploads" && req.method == "POST";
        const std::string body = req.body;
        Answer answer;
        g_gateway->api().handle(std::move(req), answer.reply());
        const HttpResponse response = answer.wait();
        checkResponse(response);
        if (isSync && response.status == 200)
            checkSync(body, response);
        hchat::v1::UploadStatus started;
        if (startsUpload && response.status == 200 && started.ParseFromString(response.body))
            upload = started.upload_id();
        g_gateway->quiesce();
        if (answer.count() != 1)
            invariantBroken("a request was answered more than once");
    }
    return 0;
}
