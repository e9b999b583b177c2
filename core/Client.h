#pragma once

#include "AccountDevice.h"
#include "AdminCommand.h"
#include "AdminReport.h"
#include "AttachmentTransfers.h"
#include "CatchUpReport.h"
#include "ChannelBan.h"
#include "ChannelMember.h"
#include "ChannelRecord.h"
#include "CleartextPolicy.h"
#include "ConnectionState.h"
#include "DeviceApproval.h"
#include "DirectoryEntry.h"
#include "OutboxEntry.h"
#include "SearchHit.h"
#include "StoredMessage.h"
#include "crypto/ChannelCrypto.h"
#include "crypto/TrustStore.h"

#include <QList>
#include <QObject>
#include <QSslCertificate>
#include <QUrl>

#include <memory>

class QNetworkAccessManager;

namespace hchat::v1 {
class Welcome;
}

namespace hchat::crypto {
class ChannelCrypto;
class IdentityStore;
} // namespace hchat::crypto

namespace hchat {

class AccountSession;
class BlockList;
class ChannelActions;
class CommunityRequests;
class E2eeCoordinator;
class GatewayHttp;
class GatewayRequests;
class HistoryStore;
class InboxAcknowledger;
class ModerationTracker;
class Outbox;
class PushDispatcher;
class ReadState;
class SendPipeline;
class TypingIndicator;
class ChannelListPager;
class PushChannel;
class SyncEngine;
class SyncPuller;
class TokenVault;

// The facade the UI talks to: it keeps the public API and wires the parts, none of which calls
// back into it.
//  - Received path: PushChannel → PushDispatcher → SyncEngine (with SyncPuller for catch-up and
//    gaps) → HistoryStore, then the stages of the rows just stored (AccountSession's deleted
//    users, E2eeCoordinator's InboundCrypto) → SyncEngine's signals, relayed as this class's.
//  - Outbound path: SendPipeline (text and the messages of finished AttachmentTransfers uploads)
//    → Outbox → PushChannel.
//  - AccountSession (sign-in, token in a TokenVault, the OS keychain by default), ChannelActions,
//    ReadState, TypingIndicator, InboxAcknowledger, ChannelListPager; GatewayRequests gives
//    every request its id and its one requestFinished().
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
    // Tokens in the given vault (null: the OS keychain), which the Client owns.
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
    hchat::crypto::IdentityStore *identityStore() const;
    void loadIdentityNow();
    hchat::crypto::ChannelCrypto *crypto() const;
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
    // Recovery key backup (issue 22, opt-in; RecoveryBackup): enabling returns the recovery key's
    // words, to show the user once (empty with *error when encryption is not ready); the backup
    // then follows every session this device keeps. Restoring takes the words (a typo is refused
    // at once with *error) and ends in historyRestored or restoreFailed.
    QString enableRecoveryBackup(QString *error = nullptr);
    void disableRecoveryBackup();
    bool restoreFromRecoveryKey(const QString &words, QString *error = nullptr);
    bool recoveryBackupEnabled() const;

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
    QList<QUrl> gatewayUrls() const;
    // Without TLS (ws://, http://) only to this machine, or to a gateway the user allowed by name
    // (host and port, kept in the profile): the others are never connected to, and requests to
    // them fail with CleartextPolicy::refusal().
    void allowCleartext(const QUrl &gateway);
    bool isCleartextAllowed(const QUrl &gateway) const { return m_cleartext.permits(gateway); }
    // Self-hosted TLS: accept only this certificate (instead of the system CA store).
    void setPinnedCertificate(const QSslCertificate &certificate);

    // ---- account -----------------------------------------------------------------------------
    // inviteCode: wanted by a gateway that registers by invitation only (ERROR_INVITE_REQUIRED);
    // a gateway whose registration is closed refuses (ERROR_REGISTRATION_CLOSED). Both refusals
    // end the request with a sentence that says so.
    quint64 registerAccount(const QString &nick, const QString &password, const QString &inviteCode = {});
    // Whether this user administers the gateway (the last Welcome said so): administer() works.
    bool isAdmin() const;
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
    QString nick() const;
    QString deviceId() const;
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

    // ---- community -----------------------------------------------------------------------------
    // The open channels of the gateway matching query (name or topic; empty: all), a page after
    // `after`: directoryListed(id, …) then requestFinished(id).
    quint64 browseDirectory(const QString &query, const QString &after = {});
    // A channel's members with their roles (and its bans for its moderators): membersListed(id, …).
    quint64 listMembers(const QString &channel);
    // Moderation, for the channel's owner and moderators (ChannelRecord::canModerate); the gateway
    // refuses the others with its reason (requestFinished(id, false, reason)). Carried out as
    // notices in the channel (MessageKind::MemberKicked … Role).
    quint64 kick(const QString &channel, const QString &nick, const QString &reason = {});
    quint64 ban(const QString &channel, const QString &nick, const QString &reason = {});
    quint64 unban(const QString &channel, const QString &nick);
    // Deletes someone else's message seq as a moderator: through the gateway in unencrypted channels,
    // as a signed deletion in end-to-end encrypted ones (one's own: deleteMessage()).
    quint64 deleteOthersMessage(const QString &channel, quint64 seq);
    quint64 setTopic(const QString &channel, const QString &topic);
    quint64 setReadOnly(const QString &channel, bool readOnly);
    // Moderator or member (the owner only); ChannelRecord::Role::Owner hands ownership on (the
    // old owner becomes a moderator).
    quint64 setMemberRole(const QString &channel, const QString &nick, ChannelRecord::Role role);
    // Blocking: the gateway refuses nick's direct messages and invitations to this user, and
    // its messages are hidden (MessageListModel shows a line that reveals them). Not told to nick.
    quint64 setBlocked(const QString &nick, bool blocked);
    bool isBlocked(const QString &nick) const;
    QStringList blockedUsers() const;
    // Gateway administration (isAdmin()): adminAnswered(id, report), then requestFinished(id).
    quint64 administer(const hchat::AdminCommand &command);

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
    void setShareTyping(bool share);
    bool sharesTyping() const;
    void setShareReadReceipts(bool share);
    bool sharesReadReceipts() const;
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
    // reason: what went wrong, for the user; empty when nothing did (first start, no stored token).
    void signInRequired(const QString &reason);
    void signedOut();
    void devicesListed(const QList<hchat::AccountDevice> &devices);
    // These nicks' accounts were deleted: show their messages as from a "deleted user".
    void usersDeleted(const QStringList &nicks);
    // The user is no longer a member of channel: kicked, banned or the channel purged (reason:
    // the gateway's words). It left the channel list; its history stays.
    void channelRemoved(const QString &channel, const QString &reason);
    void directoryListed(quint64 requestId, const QList<hchat::DirectoryEntry> &channels,
                         const QString &continueAfter);
    void membersListed(quint64 requestId, const QString &channel, const QList<hchat::ChannelMember> &members,
                       const QList<hchat::ChannelBan> &bans, bool truncated);
    void adminAnswered(quint64 requestId, const hchat::AdminReport &report);
    // The block list changed (here, on another device, or fetched after a Welcome).
    void blockListChanged();
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
    // This device handed the keys of the encrypted history it holds to deviceId, a device of the
    // account it trusts (sessions: how many were queued for its inbox).
    void historyForwarded(const QString &deviceId, int sessions);
    // The recovery key backup holds every session this device holds (entries in all).
    void recoveryBackupUpToDate(int entries);
    void recoveryBackupFailed(const QString &error);
    void recoveryBackupDisabled();
    // The account's backup was restored here (sessions kept); its messages decrypt as they would
    // with a key share (messagesDecrypted).
    void historyRestored(int sessions);
    void historyRestoreFailed(const QString &error);

private:
    void wireReceivedPath();
    void wireSessionState();
    void onWelcomed();
    void beginCatchUp(const hchat::v1::Welcome &welcome);
    void updateState();

    QNetworkAccessManager *m_nam = nullptr;
    GatewayHttp *m_http = nullptr;
    HistoryStore *m_store = nullptr;
    PushChannel *m_push = nullptr;
    SyncPuller *m_puller = nullptr;
    SyncEngine *m_engine = nullptr;
    Outbox *m_outbox = nullptr;
    AttachmentTransfers *m_transfers = nullptr;
    GatewayRequests *m_requests = nullptr;
    AccountSession *m_account = nullptr;
    E2eeCoordinator *m_e2ee = nullptr;
    ChannelActions *m_channels = nullptr;
    SendPipeline *m_send = nullptr;
    ReadState *m_readState = nullptr;
    TypingIndicator *m_typing = nullptr;
    ChannelListPager *m_channelPager = nullptr;
    PushDispatcher *m_dispatcher = nullptr;
    InboxAcknowledger *m_inboxAck = nullptr;
    ModerationTracker *m_moderation = nullptr;
    CommunityRequests *m_community = nullptr;
    BlockList *m_blocks = nullptr;
    CleartextPolicy m_cleartext;
    QString m_lastError;
    ConnectionState m_state = ConnectionState::Offline;
    bool m_welcomeHandled = false;
    quint64 m_catchUpDone = 0;
    quint64 m_catchUpTotal = 0;
};

} // namespace hchat
