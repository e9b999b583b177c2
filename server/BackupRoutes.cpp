#include "BackupRoutes.h"

#include "Limits.h"

#include <sodium.h>

#include <set>

namespace hchat::server {

using namespace hchat::v1;

namespace {

constexpr std::size_t kEntryIdBytes = 32;
constexpr std::size_t kKeyCheckBytes = 32;

// `after=<64 hex digits>` of the request's query (empty: from the first entry).
std::string afterOf(const std::string &target)
{
    const auto q = target.find('?');
    if (q == std::string::npos)
        return {};
    const std::string query = target.substr(q + 1);
    if (query.empty())
        return {};
    if (query.rfind("after=", 0) != 0 || query.size() != 6 + 2 * kEntryIdBytes)
        throw ProtocolError(ERROR_INVALID_ARGUMENT, "the only query is after=<64 hex digits>");
    std::string bytes(kEntryIdBytes, '\0');
    std::size_t len = 0;
    if (sodium_hex2bin(reinterpret_cast<unsigned char *>(bytes.data()), bytes.size(), query.data() + 6,
                       2 * kEntryIdBytes, nullptr, &len, nullptr) != 0 ||
        len != kEntryIdBytes)
        throw ProtocolError(ERROR_INVALID_ARGUMENT, "after is 64 hex digits (an entry_id)");
    return bytes;
}

void checkHeader(const BackupUpload &up)
{
    if (!up.has_header())
        throw ProtocolError(ERROR_INVALID_ARGUMENT, "a backup upload carries the backup's header");
    const BackupHeader &h = up.header();
    if (h.version() != 1)
        throw ProtocolError(ERROR_INVALID_ARGUMENT, "backup version 1 is the only one");
    if (h.key_check().size() != kKeyCheckBytes)
        throw ProtocolError(ERROR_INVALID_ARGUMENT, "a backup header's key_check is 32 bytes");
}

void checkEntries(const BackupUpload &up)
{
    if (std::size_t(up.entries_size()) > limits::kMaxBackupEntriesPerUpload)
        throw ProtocolError(ERROR_LIMIT_ABOVE_CAP,
                            "at most 500 backup entries per upload (MAX_BACKUP_ENTRIES_PER_UPLOAD)");
    std::set<std::string> ids;
    for (const auto &e : up.entries()) {
        if (e.entry_id().size() != kEntryIdBytes ||
            e.nonce().size() != crypto_aead_xchacha20poly1305_ietf_NPUBBYTES ||
            e.ciphertext().size() < crypto_aead_xchacha20poly1305_ietf_ABYTES)
            throw ProtocolError(ERROR_INVALID_ARGUMENT,
                                "a backup entry is a 32-byte entry_id, a 24-byte nonce and a ciphertext");
        if (e.entry_id().size() + e.nonce().size() + e.ciphertext().size() > limits::kMaxBackupEntryBytes)
            throw ProtocolError(ERROR_TOO_LARGE,
                                "a backup entry holds at most 1024 bytes (MAX_BACKUP_ENTRY_BYTES)");
        if (!ids.insert(e.entry_id()).second)
            throw ProtocolError(ERROR_INVALID_ARGUMENT, "an entry_id appears twice in one upload");
    }
}

} // namespace

void BackupRoutes::upload(HttpRequest &request, Reply reply)
{
    const std::string token = bearer(request);
    auto up = std::make_shared<BackupUpload>(parseBody<BackupUpload>(request.body));
    // One write transaction: a refusal anywhere (another key's backup, the account's cap) rolls
    // every entry of the request back. The form is checked after authentication, so that a caller
    // without a valid token learns nothing else.
    onStore(false, reply, [token, up](MessageStore &st) {
        const auto auth = authenticate(st, token);
        checkHeader(*up);
        checkEntries(*up);
        const std::int64_t now = ServerContext::nowMs();
        if (auto stored = st.backupHeader(auth.userId)) {
            if (stored->key_check() != up->header().key_check())
                throw ProtocolError(ERROR_STALE, "the account's backup is under another recovery key: "
                                                 "delete it (DELETE /v1/backup) before making a new one");
        } else {
            st.putBackupHeader(auth.userId, up->header(), now);
        }
        std::uint64_t count = st.backupEntryCount(auth.userId);
        for (const auto &e : up->entries()) {
            if (!st.hasBackupEntry(auth.userId, e.entry_id()) && ++count > limits::kMaxBackupEntries)
                throw ProtocolError(ERROR_LIMIT_ABOVE_CAP,
                                    "an account's backup holds at most 100000 entries (MAX_BACKUP_ENTRIES)");
            st.putBackupEntry(auth.userId, e, now);
        }
        BackupStatus status;
        status.set_entries(count);
        return ok(status);
    });
}

void BackupRoutes::fetch(HttpRequest &request, Reply reply)
{
    const std::string token = bearer(request);
    const std::string target = request.target;
    onStore(true, reply, [token, target](MessageStore &st) {
        const auto auth = authenticate(st, token);
        const std::string after = afterOf(target);
        auto header = st.backupHeader(auth.userId);
        if (!header)
            throw ProtocolError(ERROR_NOT_FOUND, "this account has no recovery key backup");
        BackupPage page;
        *page.mutable_header() = std::move(*header);
        auto entries = st.backupEntries(auth.userId, after, limits::kMaxBackupPage + 1);
        if (entries.size() > limits::kMaxBackupPage) {
            entries.pop_back();
            page.set_continue_after(entries.back().entry_id());
        }
        for (auto &e : entries)
            *page.add_entries() = std::move(e);
        page.set_total(st.backupEntryCount(auth.userId));
        return ok(page);
    });
}

void BackupRoutes::remove(HttpRequest &request, Reply reply)
{
    const std::string token = bearer(request);
    onStore(false, reply, [token](MessageStore &st) {
        const auto auth = authenticate(st, token);
        st.deleteBackup(auth.userId);
        return ok(Ok());
    });
}

} // namespace hchat::server
