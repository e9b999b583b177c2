#pragma once

#include "AccountDevice.h"
#include "AttachmentTransfers.h"
#include "CatchUpReport.h"
#include "ChannelRecord.h"
#include "CleartextPolicy.h"
#include "ConnectionState.h"
#include "OutboxEntry.h"
#include "SearchHit.h"
#include "StoredMessage.h"
#include "crypto/ChannelCrypto.h"
#include "crypto/MembershipOp.h"
#include "crypto/TrustStore.h"

#include <QList>
#include <QObject>
#include <QSet>
#include <QSslCertificate>
#include <QTimer>

#include "DeviceApproval.h"
#include <QUrl>

#include <functional>
#include <memory>

class QNetworkAccessManager;

namespace hchat::v1 {
class Frame;
class Welcome;
} // namespace hchat::v1

namespace hchat::crypto {
class ChannelCrypto;
class DeviceIdentity;
class IdentityStore;
} // namespace hchat::crypto

namespace hchat {

class GatewayHttp;
class HistoryStore;
class InboundCrypto;
class MembershipPoster;
class PrekeySupply;
class Outbox;
class PushChannel;
class SyncEngine;
class SyncPuller;
class TokenVault;

// The facade the UI talks to. Owns the local history (HistoryStore), the push channel, the
// puller, the sync engine and the outbox, and keeps the session token in a TokenVault (the OS
// keychain by default).
//
// Typical use:
//   Client c;                         // or Client c(std::make_unique<MemoryTokenVault>()) in tests
//   c.openProfile(dataDir);           // the SQLite history; false → lastError()
//   c.setGatewayUrls({QUrl("ws://127.0.0.1:8080/ws")});
//   c.resumeSession();                // stored token → connect; else signInRequired()
//   c.logIn(nick, password);          // → requestFinished(id, ok, error), signedIn(nick)
//   c.joinChannel("general"); c.sendMessage("general", "hi");
//
// Every operation that talks to the gateway returns a request id (> 0) and ends with exactly one
// requestFinished(id, ok, error) signal, also when offline (ok = false, queued). Sending is the
// exception: sendMessage() stores the message in the outbox and works offline.
//
// For a lazily paging QAbstractListModel read rows straight from store() (page / rowsBefore /
// rowsAfter / count / minSeq / maxSeq) and append rows on messagesStored(); show outbox entries
// (store()->outbox(channel, {Pending, Failed})) below them and refresh on outboxChanged().
class Client : public QObject {
    Q_OBJECT
    Q_PROPERTY(hchat::ConnectionState connectionState READ connectionState NOTIFY connectionStateChanged)
    Q_PROPERTY(QString nick READ nick NOTIFY signedIn)
public:
    explicit Client(QObject *parent = nullptr); // tokens in the OS keychain
    // Tokens in the given vault; the Client takes ownership if the vault has no parent.
    explicit Client(std::unique_ptr<TokenVault> vault, QObject *parent = nullptr);
    ~Client() override;

    // ---- end-to-end encryption ---------------------------------------------------------------
    // Where the device identity is kept (the OS keychain for Client(); none for Client(vault),
    // which then has no E2EE until one is set). The Client owns it.
    // After each Welcome the identity of accountKey() is loaded (or made and saved) and the
    // channel crypto opens in the profile; identityUnavailable() asks the UI for another store
    // (e.g. a PassphraseIdentityStore when there is no keychain); then call setIdentityStore()
    // with it and loadIdentityNow().
    void setIdentityStore(std::unique_ptr<hchat::crypto::IdentityStore> store);
    hchat::crypto::IdentityStore *identityStore() const { return m_identityStore; }
    void loadIdentityNow();
    hchat::crypto::ChannelCrypto *crypto() const { return m_crypto; }
    bool isEncryptionReady() const;
    // POST /v1/keys/fetch for these nicks, then ChannelCrypto::applyDeviceKeys.
    quint64 fetchKeys(const QStringList &nicks);
    // The user accepts a changed key or a new device of nick: key shares to it resume.
    bool acceptDevice(const QString &nick, const QString &deviceId);
    // The 60-digit safety number between this device's user and nick (empty: keys unknown).
    QString safetyNumber(const QString &nick) const;
    // Marks nick's devices verified: only those whose keys made shownNumber, and only while the
    // number is still the same (a device that appeared since must be compared again); false with
    // *error otherwise.
    bool markVerified(const QString &nick, const QString &shownNumber, QString *error = nullptr);
    hchat::crypto::TrustStore::State trustState(const QString &nick) const; // the weakest device

    // This device on the account's signed device list (DeviceApproval): Waiting until another
    // device of the account approves it, showing deviceApprovalCode() meanwhile.
    DeviceApproval::State deviceApprovalState() const;
    QString deviceApprovalCode() const;
    // Devices of this account waiting for this device's approval, and the code each shows.
    QStringList devicesAwaitingApproval() const;
    QString approvalCodeOf(const QString &deviceId) const;
    // The user compared shownCode with the new device's screen: it goes on the account's list.
    quint64 approveDevice(const QString &deviceId, const QString &shownCode);

    // ---- profile -----------------------------------------------------------------------------
    // Opens <dataDir>/history.sqlite (created if missing), encrypted at rest under historyKey
    // (HistoryKeyring) unless it is null. A damaged or newer database, or one the key does not
    // open, is not touched: false, and lastError() explains.
    bool openProfile(const QString &dataDir, crypto::SecureBuffer historyKey = {});
    // Read access for views and models; every write goes through Client.
    const HistoryStore *store() const { return m_store; }
    // A muted channel raises no notification; a draft is the composer's unsent text (empty: none).
    bool setMuted(const QString &channel, bool muted);
    bool setDraft(const QString &channel, const QString &text);
    QString lastError() const { return m_lastError; }

    // WebSocket addresses (ws://host:port/ws or wss://…), tried in order; HTTP goes to the same
    // host and port. Saved in the profile.
    void setGatewayUrls(const QList<QUrl> &urls);
    QList<QUrl> gatewayUrls() const { return m_urls; }
    // Without TLS (ws://, http://) only to this machine, or to a gateway the user allowed by name
    // (host and port, kept in the profile): the others are never connected to, and requests to
    // them fail with CleartextPolicy::refusal().
    void allowCleartext(const QUrl &gateway);
    bool isCleartextAllowed(const QUrl &gateway) const { return m_cleartext.permits(gateway); }
    // Self-hosted TLS: accept only this certificate (instead of the system CA store).
    void setPinnedCertificate(const QSslCertificate &certificate);

    // ---- account -----------------------------------------------------------------------------
    quint64 registerAccount(const QString &nick, const QString &password);
    // On success: token to the vault, profile remembers nick and device id, connects.
    quint64 logIn(const QString &nick, const QString &password, const QString &deviceName = {});
    // Token from the vault → connect; none → signInRequired().
    void resumeSession();
    // Connect with this token (not stored). For tools and tests.
    void startSession(const QString &token);
    // Revokes the token at the gateway, removes it from the vault, disconnects. History stays.
    quint64 logOut();
    // Disconnect without logging out (and stop reconnecting).
    void disconnectFromGateway();
    // The account's devices (POST /v1/devices): devicesListed() with them, then requestFinished.
    quint64 listDevices();
    // Revokes another device of this account: its token stops working at once.
    quint64 revokeDevice(const QString &deviceId);
    // Changes the password (the current one is needed; wrong → requestFinished(ok = false) and
    // nothing changes). The gateway logs out every other device; this one stays signed in.
    quint64 changePassword(const QString &currentPassword, const QString &newPassword);
    // Revokes every token of the account, this device's too; then as logOut(): the token leaves
    // the vault, signedOut() and signInRequired(). History stays.
    quint64 logOutEverywhere();
    // Deletes the account for good (needs the password): the gateway keeps the nick taken and
    // shows its messages as from a deleted user. Then as logOutEverywhere(); the profile forgets
    // the nick. History stays on this device.
    quint64 deleteAccount(const QString &password);
    // Whether nick's account was deleted (learned from USER_DELETED messages; kept in the profile).
    bool isDeletedUser(const QString &nick) const;
    QString nick() const { return m_nick; }
    QString deviceId() const { return m_deviceId; }
    QString accountKey() const; // the vault entry: "<nick>@<host:port>"

    // ---- channels ----------------------------------------------------------------------------
    quint64 joinChannel(const QString &channel);
    quint64 leaveChannel(const QString &channel);
    // Invite-only (private) channels are always end-to-end encrypted, also while this device's
    // key is locked (nothing can be sent there until it is unlocked); open channels never are.
    quint64 createChannel(const QString &channel, ChannelRecord::Kind kind, const QStringList &members = {});
    // In an encrypted channel these post this device's signed membership operation first (the
    // gateway's request follows once it is stored); an invitee is a member only once it accepts.
    quint64 invite(const QString &channel, const QString &nick);
    quint64 removeMember(const QString &channel, const QString &nick);
    // An invitation to an encrypted channel waits for the user: the inviter's nick ("" when there
    // is none), and the answers. Declining leaves the channel.
    QString invitationFrom(const QString &channel) const;
    quint64 acceptInvitation(const QString &channel);
    quint64 declineInvitation(const QString &channel);
    // The direct channel with nick ("@a+b", both lower-case, sorted), created if needed.
    // *channel receives its name at once.
    quint64 openDirectChannel(const QString &nick, QString *channel = nullptr);
    static QString directChannelName(const QString &a, const QString &b);
    QList<ChannelRecord> channels() const;

    // ---- messages ----------------------------------------------------------------------------
    // Stores the text in the outbox (pending) and sends it when connected. Returns the outbox
    // id, or 0 with *error (empty, too large, not saved).
    qint64 sendMessage(const QString &channel, const QString &text, QString *error = nullptr);
    // A message that quotes message replyToSeq of the same channel.
    qint64 sendReply(const QString &channel, const QString &text, quint64 replyToSeq,
                     QString *error = nullptr);
    // Edit and delete (recall) one's own text message seq. They travel as new messages of the
    // stream (MessageKind::Edit / Delete, encrypted and signed in encrypted channels); every
    // device applies them when they arrive (messagesChanged). A deletion erases the text here,
    // in the search index and on the gateway. Returns the outbox id, or 0 with *error.
    qint64 editMessage(const QString &channel, quint64 seq, const QString &text, QString *error = nullptr);
    qint64 deleteMessage(const QString &channel, quint64 seq, QString *error = nullptr);

    // Typing indicators and read receipts (direct channels), each switchable off for privacy.
    // notifyTyping() tells the channel's other members that the user is typing, at most once
    // every 3 s per channel; nothing is sent while sharing is off or offline.
    void setShareTyping(bool share) { m_shareTyping = share; }
    bool sharesTyping() const { return m_shareTyping; }
    void setShareReadReceipts(bool share) { m_shareReadReceipts = share; }
    bool sharesReadReceipts() const { return m_shareReadReceipts; }
    void notifyTyping(const QString &channel);
    // How far the other member of a direct channel has read (their receipts; 0: unknown).
    quint64 peerReadSeq(const QString &channel) const;
    // Attachments: sendAttachment() uploads the file (resumably, encrypted in encrypted channels)
    // and then sends its message; the preview (thumbnail of an image) comes from the UI. Returns
    // the upload id (transfers() reports progress), or 0 with *error. replyToSeq: as sendReply().
    qint64 sendAttachment(const QString &channel, const QString &filePath, const QString &caption = {},
                          const AttachmentTransfers::Preview &preview = {}, quint64 replyToSeq = 0,
                          QString *error = nullptr);
    // Fetches the file of attachment message seq (transfers() reports progress; downloadComplete).
    bool downloadAttachment(const QString &channel, quint64 seq, QString *error = nullptr);
    // The file of attachment message seq on this device (empty: not downloaded).
    QString attachmentFile(const QString &channel, quint64 seq) const;
    AttachmentTransfers *transfers() const { return m_transfers; }
    bool retrySend(qint64 outboxId);
    // Everything up to seq has been read (on every device of this user).
    void markRead(const QString &channel, quint64 seq);
    quint64 unreadCount(const QString &channel) const;
    QList<SearchHit> search(const QString &query, int limit = 100) const;

    // ---- state -------------------------------------------------------------------------------
    ConnectionState connectionState() const { return m_state; }
    quint64 catchUpDone() const { return m_catchUpDone; }
    quint64 catchUpTotal() const { return m_catchUpTotal; }

    // Building blocks, for tests and tools.
    PushChannel *pushChannel() const { return m_push; }
    SyncPuller *puller() const { return m_puller; }
    SyncEngine *engine() const { return m_engine; }
    Outbox *outbox() const { return m_outbox; }
    GatewayHttp *http() const { return m_http; }

public slots:
    // Network came back / resumed from sleep: reconnect at once (or probe a live link).
    void reconnectNow();

signals:
    void connectionStateChanged(hchat::ConnectionState state);
    void catchUpProgress(quint64 done, quint64 total);
    // Once per completed catch-up after each (re)connect; possibly empty.
    void catchUpFinished(const hchat::CatchUpReport &report);
    // Messages firstSeq..lastSeq were appended to channel's history.
    void messagesStored(const QString &channel, quint64 firstSeq, quint64 lastSeq);
    // One message that arrived live (not during a catch-up); includes one's own.
    void messageReceived(const hchat::StoredMessage &message);
    void channelsChanged();
    void unreadChanged(const QString &channel, quint64 unread);
    void outboxChanged(qint64 id, const QString &channel, hchat::OutboxEntry::State state);
    void requestFinished(quint64 requestId, bool ok, const QString &error);
    void signedIn(const QString &nick);
    void signInRequired(const QString &reason);
    void signedOut();
    void devicesListed(const QList<hchat::AccountDevice> &devices);
    // These nicks' accounts were deleted: show their messages as from a "deleted user".
    void usersDeleted(const QStringList &nicks);
    // Something the user may want to know (sync rejected, TLS refused, keychain missing …).
    void errorOccurred(const QString &message);

    // E2EE: the device identity is loaded and encrypted channels work.
    void encryptionReady();
    // The identity store could not be used (e.g. no keychain): offer a passphrase.
    void identityUnavailable(const QString &message);
    // Stored rows whose local decryption result changed (a key arrived): refresh them.
    void messagesDecrypted(const QString &channel, const QList<quint64> &seqs);
    // Stored rows whose shown text an edit or a deletion changed: refresh them.
    void messagesChanged(const QString &channel, const QList<quint64> &seqs);
    // Someone else is typing in channel (repeated every few seconds while they type).
    void typing(const QString &channel, const QString &nick);
    // The other member of a direct channel has read up to seq.
    void readReceipt(const QString &channel, const QString &nick, quint64 seq);
    // A device's trust changed (Changed / NewDevice: a loud warning, key shares blocked).
    void deviceTrustChanged(const QString &nick, const QString &deviceId,
                            hchat::crypto::TrustStore::State state);
    // Something about an encrypted send the user should see (e.g. devices with blocked keys).
    void encryptionWarning(const QString &channel, const QString &message);
    // This user's invitation to channel appeared, was accepted or went away.
    void invitationsChanged(const QString &channel);
    // The key directory answered (device keys applied).
    void keysFetched(const QStringList &nicks);
    void deviceApprovalChanged(hchat::DeviceApproval::State state);
    // Another device signed in to this account and waits: approve it if it shows code.
    void deviceAwaitsApproval(const QString &deviceId, const QString &code);

private:
    void init(TokenVault *vault);
    qint64 enqueueText(const QString &channel, const QString &text, MessageKind kind, quint64 refSeq,
                       QString *error);
    bool enqueueAttachment(const HistoryStore::PendingUpload &upload, const AttachmentInfo &info,
                           QString *error);
    void queueKeyShares(const QString &channel, const hchat::crypto::ChannelCrypto::Outgoing &out);
    void forgetDeletedAttachments(const QString &channel, const QList<quint64> &seqs);
    bool checkOwnMessage(const QString &channel, quint64 seq, QString *error) const;
    bool wantsReceipt(const QString &channel) const;
    quint64 nextRequestId() { return ++m_lastRequestId; }
    void finishLater(quint64 id, bool ok, const QString &error);
    void postWithFailover(
        const QString &path, const QByteArray &body,
        std::function<void(bool ok, int code, const QString &error, const QByteArray &body)> done,
        int urlIndex = 0);
    // Sends a request over the push channel; onAnswer(ok, error, answer) decides the outcome.
    quint64 wsRequest(hchat::v1::Frame &frame,
                      std::function<void(quint64 id, const hchat::v1::Frame &answer)> onAnswer);
    void onWelcomed();
    // The channels a Welcome could not hold, page by page (POST /v1/channels), then the catch-up.
    void pullChannelPages(hchat::v1::Welcome welcome, quint64 connection);
    void finishChannelPages(hchat::v1::Welcome &welcome);
    void beginCatchUp(const hchat::v1::Welcome &welcome);
    void onPushed(const hchat::v1::Frame &frame);
    void updateState();
    void markUnreadDirty(const QString &channel);
    void syncReadPositions();
    // E2EE plumbing (Client.cpp, "end-to-end encryption").
    void onIdentityLoaded(const QString &account, bool found);
    void openCrypto(hchat::crypto::DeviceIdentity identity);
    void publishKeys();
    // A signed operation first, then the gateway request (send) once the operation is stored.
    quint64 postThenRequest(const QString &channel, crypto::MembershipOp::Action action,
                            const QString &subject, std::function<void(quint64 id)> send);
    quint64 membershipRequest(bool signedFirst, const QString &channel, crypto::MembershipOp::Action action,
                              const QString &subject, const hchat::v1::Frame &frame, const QString &failure,
                              std::function<void()> onDone = {});
    bool hasSignedMembership(const QString &channel) const;
    void onMembershipChanged(const QString &channel);
    void finishWithGenesis(quint64 id, const QString &channel);
    void onMembershipRejected(const QString &channel, quint64 seq, const QString &reason);
    void queueKeyFetch(const QString &nick);
    void acknowledgeInbox();
    // Account (Client.cpp, "account").
    quint64 endAccountSession(const QString &path, const QByteArray &body, bool deleting);
    void noteDeletedUsers(const QList<StoredMessage> &rows);

    QNetworkAccessManager *m_nam = nullptr;
    GatewayHttp *m_http = nullptr;
    HistoryStore *m_store = nullptr;
    PushChannel *m_push = nullptr;
    SyncPuller *m_puller = nullptr;
    SyncEngine *m_engine = nullptr;
    Outbox *m_outbox = nullptr;
    AttachmentTransfers *m_transfers = nullptr;
    TokenVault *m_vault = nullptr;
    QList<QUrl> m_urls;
    CleartextPolicy m_cleartext;
    QString m_nick;
    bool m_shareTyping = true;
    bool m_shareReadReceipts = true;
    QHash<QString, qint64> m_lastTypingSentMs;
    QString m_deviceId;
    QString m_token;
    QString m_lastError;
    QString m_pendingResumeAccount;
    ConnectionState m_state = ConnectionState::Offline;
    bool m_welcomeHandled = false;
    quint64 m_connection = 0; // counts Welcomes: answers for an older connection are dropped
    bool m_pagingChannels = false;
    QList<QByteArray> m_joinedWhilePaging; // ChannelInfos pushed while the list was being paged
    quint64 m_lastRequestId = 0;
    quint64 m_catchUpDone = 0;
    quint64 m_catchUpTotal = 0;
    QSet<QString> m_unreadDirty;
    QTimer m_unreadTimer;
    QString m_dataDir;
    hchat::crypto::IdentityStore *m_identityStore = nullptr;
    hchat::crypto::ChannelCrypto *m_crypto = nullptr;
    MembershipPoster *m_membership = nullptr;
    InboundCrypto *m_inbound = nullptr; // the E2EE stage of received messages
    PrekeySupply *m_prekeySupply = nullptr;
    DeviceApproval *m_deviceApproval = nullptr;
    QTimer m_inboxAckTimer;
    quint64 m_inboxAckedSeq = 0;                      // the inbox seq last acknowledged in this connection
    QHash<QString, QList<quint64>> m_awaitingGenesis; // channel → requests finished by its genesis
    bool m_identityLoading = false;
    QSet<QString> m_keyFetchQueue;
    QTimer m_keyFetchTimer;
    QSet<QString> m_deletedUsers; // lower-case nicks of deleted accounts
};

} // namespace hchat
