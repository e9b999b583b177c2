#include "AttachmentRoutes.h"

#include "Limits.h"
#include "NameRules.h"
#include "Secrets.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <optional>
#include <string_view>

namespace hchat::server {

using namespace hchat::v1;

namespace {

UploadStatus statusOf(const UploadRecord &u)
{
    UploadStatus st;
    st.set_upload_id(u.id);
    st.set_channel(u.channel);
    st.set_size(u.size);
    st.set_received(u.received);
    st.set_chunk_size(std::uint32_t(limits::kAttachmentChunkBytes));
    st.set_complete(u.complete());
    return st;
}

bool parseUnsigned(std::string_view text, std::uint64_t &out)
{
    if (text.empty() || text.size() > 19)
        return false;
    const auto *end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, out);
    return ec == std::errc() && ptr == end;
}

// A byte position of a Range: digits only, any length; a value past 2^64-1 saturates (it lies
// past the end of any attachment either way).
bool parsePosition(std::string_view text, std::uint64_t &out)
{
    if (text.empty() || text.size() > 64 ||
        !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return false;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    if (ec == std::errc::result_out_of_range)
        out = std::numeric_limits<std::uint64_t>::max();
    return true;
}

// One range of "bytes=first-[last]"; false for anything else (several ranges, suffix ranges).
bool parseRange(const std::string &header, std::uint64_t &first, std::optional<std::uint64_t> &last)
{
    constexpr std::string_view unit = "bytes=";
    if (header.rfind(unit, 0) != 0)
        return false;
    const std::string_view spec = std::string_view(header).substr(unit.size());
    const auto dash = spec.find('-');
    if (dash == std::string_view::npos || !parsePosition(spec.substr(0, dash), first))
        return false;
    const std::string_view tail = spec.substr(dash + 1);
    if (tail.empty())
        return true;
    std::uint64_t l = 0;
    if (!parsePosition(tail, l) || l < first)
        return false;
    last = l;
    return true;
}

// The most one download answer carries; a client asks for the rest with Range.
constexpr std::uint64_t kMaxDownloadPiece = 4 * 1024 * 1024;
} // namespace

// The <id> of /v1/uploads/<id> or /v1/attachments/<id>: 32 lowercase hex digits, else not found.
std::string AttachmentRoutes::routeId(const HttpRequest &request, const char *prefix)
{
    const std::string path = request.target.substr(0, request.target.find('?'));
    std::string id = path.substr(std::char_traits<char>::length(prefix));
    const bool wellFormed =
        id.size() == limits::kUploadIdLength && std::all_of(id.begin(), id.end(), [](char c) {
            return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
        });
    if (!wellFormed)
        throw ProtocolError(ERROR_NOT_FOUND, "no such upload");
    return id;
}

// Each attachment endpoint authenticates before it looks at its input: a stranger learns nothing.
void AttachmentRoutes::startUpload(HttpRequest &request, Reply reply)
{
    const std::uint64_t max = m_ctx.config.maxAttachmentBytes;
    onStore(false, reply,
            [token = bearer(request), body = std::move(request.body), max](MessageStore &st) -> HttpResponse {
                const TokenRecord tok = authenticate(st, token);
                const auto req = parseBody<UploadRequest>(body);
                const std::string channel = req.channel();
                if (!NameRules::validChannel(channel) && !NameRules::validDirectName(channel))
                    throw ProtocolError(ERROR_INVALID_NAME, "not a channel name");
                if (req.size() == 0)
                    throw ProtocolError(ERROR_INVALID_ARGUMENT, "an upload has at least one byte");
                if (req.size() > max)
                    throw ProtocolError(ERROR_TOO_LARGE,
                                        "attachments are at most " + std::to_string(max) + " bytes");
                const std::uint64_t size = req.size();
                const auto stream = st.findStream(channel);
                if (!stream || stream->kind == StreamRecord::kInbox)
                    throw ProtocolError(ERROR_NO_SUCH_CHANNEL, "no such channel");
                if (!st.isMember(stream->id, tok.userId))
                    throw ProtocolError(ERROR_NOT_MEMBER, "not a member of " + channel);
                if (st.openUploads(tok.userId) >= limits::kMaxOpenUploads)
                    throw ProtocolError(ERROR_RATE_LIMITED,
                                        "already " + std::to_string(limits::kMaxOpenUploads) +
                                            " uploads not sent yet; finish or send one first");
                UploadRecord u;
                u.id = Secrets::newUploadId();
                u.streamId = stream->id;
                u.channel = stream->name;
                u.uploaderId = tok.userId;
                u.size = size;
                u.createdMs = ServerContext::nowMs();
                st.createUpload(u);
                return ok(statusOf(u));
            });
}

void AttachmentRoutes::putUploadChunk(HttpRequest &request, Reply reply)
{
    const std::string id = routeId(request, "/v1/uploads/");
    auto bytes = std::make_shared<std::string>(std::move(request.body));
    onStore(false, reply,
            [token = bearer(request), id, header = request.uploadOffset, hasHeader = request.hasUploadOffset,
             bytes](MessageStore &st) -> HttpResponse {
                const TokenRecord tok = authenticate(st, token);
                std::uint64_t offset = 0;
                if (!hasHeader || !parseUnsigned(header, offset))
                    throw ProtocolError(ERROR_INVALID_ARGUMENT,
                                        "a chunk wants the header Upload-Offset: <bytes already sent>");
                if (bytes->empty())
                    throw ProtocolError(ERROR_INVALID_ARGUMENT, "an empty chunk");
                if (bytes->size() > limits::kAttachmentChunkBytes)
                    throw ProtocolError(ERROR_TOO_LARGE, "chunks are at most " +
                                                             std::to_string(limits::kAttachmentChunkBytes) +
                                                             " bytes");
                auto u = st.findUpload(id);
                if (!u || u->uploaderId != tok.userId)
                    throw ProtocolError(ERROR_NOT_FOUND, "no such upload");
                if (offset != u->received)
                    throw ProtocolError(ERROR_OFFSET_MISMATCH, "the upload holds " +
                                                                   std::to_string(u->received) +
                                                                   " bytes; send from there");
                const std::uint64_t expected =
                    std::min<std::uint64_t>(limits::kAttachmentChunkBytes, u->size - u->received);
                if (bytes->size() != expected)
                    throw ProtocolError(ERROR_INVALID_ARGUMENT,
                                        "this chunk must be " + std::to_string(expected) + " bytes");
                u->received += bytes->size();
                st.appendUploadChunk(id, offset / limits::kAttachmentChunkBytes, *bytes, u->received);
                return ok(statusOf(*u));
            });
}

void AttachmentRoutes::uploadStatus(HttpRequest &request, Reply reply)
{
    const std::string id = routeId(request, "/v1/uploads/");
    onStore(true, reply, [token = bearer(request), id](MessageStore &st) -> HttpResponse {
        const TokenRecord tok = authenticate(st, token);
        const auto u = st.findUpload(id);
        if (!u || u->uploaderId != tok.userId)
            throw ProtocolError(ERROR_NOT_FOUND, "no such upload");
        return ok(statusOf(*u));
    });
}

void AttachmentRoutes::downloadAttachment(HttpRequest &request, Reply reply)
{
    const std::string id = routeId(request, "/v1/attachments/");
    onStore(
        true, reply,
        [this, token = bearer(request), id, range = request.range](MessageStore &st) -> HttpResponse {
            const TokenRecord tok = authenticate(st, token);
            std::uint64_t first = 0;
            std::optional<std::uint64_t> last;
            const bool ranged = !range.empty();
            if (ranged && !parseRange(range, first, last))
                throw ProtocolError(ERROR_INVALID_ARGUMENT, "Range wants one range: bytes=<first>-[<last>]");
            const auto u = st.findUpload(id);
            // Unknown, unfinished and foreign uploads look alike.
            if (!u || !u->complete() || !st.isMember(u->streamId, tok.userId))
                throw ProtocolError(ERROR_NOT_FOUND, "no such attachment");
            if (first >= u->size) {
                HttpResponse r = error(ERROR_INVALID_ARGUMENT, "the range starts past the attachment's end");
                r.status = 416;
                r.contentRange = "bytes */" + std::to_string(u->size);
                return r;
            }
            const std::uint64_t end =
                std::min({last.value_or(u->size - 1), u->size - 1, first + (kMaxDownloadPiece - 1)});
            HttpResponse r{ranged || end + 1 < u->size ? 206u : 200u,
                           "application/octet-stream",
                           st.readUpload(id, first, end - first + 1),
                           {}};
            if (r.status == 206)
                r.contentRange = "bytes " + std::to_string(first) + "-" + std::to_string(end) + "/" +
                                 std::to_string(u->size);
            return r;
        });
}

} // namespace hchat::server
