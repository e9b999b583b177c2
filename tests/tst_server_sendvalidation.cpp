// What the gateway checks in a Send frame before it touches the store (validateSend): each refusal
// names the error the client gets, and a well-formed frame of each kind passes.
#include "ProtocolError.h"
#include "SendValidation.h"

#include <QtTest>

#include <optional>

using namespace hchat::server;
using namespace hchat::v1;

namespace {

const SessionIdentity kAlice{1, "alice", "dev-alice", {}};

Send text(const std::string &channel, const std::string &body = "hello")
{
    Send s;
    s.set_channel(channel);
    s.set_client_msg_id(std::string(16, 'x'));
    s.set_kind(MESSAGE_KIND_TEXT);
    s.set_body(body);
    return s;
}

// The error validateSend throws, or nullopt when it accepts the frame.
std::optional<ErrorCode> refusal(const Send &s)
{
    try {
        validateSend(s, kAlice);
        return std::nullopt;
    } catch (const ProtocolError &e) {
        return e.code();
    }
}

} // namespace

class SendValidationTest : public QObject {
    Q_OBJECT
private slots:
    void wellFormedFramesOfEachKindPass()
    {
        QCOMPARE(refusal(text("general")), std::nullopt);
        QCOMPARE(refusal(text("@alice+bob")), std::nullopt);
        Send share = text("~0b0b0b0b");
        share.set_kind(MESSAGE_KIND_KEY_SHARE);
        QCOMPARE(refusal(share), std::nullopt);
        QVERIFY(validateSend(share, kAlice).toInbox);
        Send edit = text("general");
        edit.set_kind(MESSAGE_KIND_EDIT);
        edit.set_ref_seq(3);
        QCOMPARE(refusal(edit), std::nullopt);
        Send op = text("secret");
        MembershipOp m;
        m.set_channel("secret");
        m.set_actor("alice");
        m.set_actor_device("dev-alice");
        m.set_action(MEMBERSHIP_ACTION_ADD);
        op.set_kind(MESSAGE_KIND_MEMBERSHIP);
        op.set_body(m.SerializeAsString());
        QCOMPARE(refusal(op), std::nullopt);
        QCOMPARE(validateSend(op, kAlice).membershipAction, MEMBERSHIP_ACTION_ADD);
    }

    void badNamesIdsAndSizesAreRefused()
    {
        QCOMPARE(refusal(text("Bad Name!")), ERROR_INVALID_NAME);
        Send shortId = text("general");
        shortId.set_client_msg_id("short");
        QCOMPARE(refusal(shortId), ERROR_INVALID_ARGUMENT);
        QCOMPARE(refusal(text("general", std::string(65537, 'a'))), ERROR_TOO_LARGE);
        QCOMPARE(refusal(text("general", "")), ERROR_INVALID_ARGUMENT);
    }

    void kindsGoOnlyWhereTheyBelong()
    {
        QCOMPARE(refusal(text("~0b0b0b0b")), ERROR_INVALID_ARGUMENT); // an inbox takes key shares only
        Send share = text("general");
        share.set_kind(MESSAGE_KIND_KEY_SHARE);
        QCOMPARE(refusal(share), ERROR_INVALID_ARGUMENT);
        Send deletion = text("general", "");
        deletion.set_kind(MESSAGE_KIND_DELETE);
        QCOMPARE(refusal(deletion), ERROR_INVALID_ARGUMENT); // names no message
        Send created = text("general");
        created.set_kind(MESSAGE_KIND_CHANNEL_CREATED);
        QCOMPARE(refusal(created), ERROR_INVALID_ARGUMENT); // the gateway writes those
    }

    void aMembershipOperationIsMadeInTheSendersOwnName()
    {
        Send op = text("secret");
        MembershipOp m;
        m.set_channel("secret");
        m.set_actor("bob");
        m.set_actor_device("dev-bob");
        op.set_kind(MESSAGE_KIND_MEMBERSHIP);
        op.set_body(m.SerializeAsString());
        QCOMPARE(refusal(op), ERROR_FORBIDDEN);
        m.set_actor("alice");
        m.set_actor_device("dev-alice");
        m.set_channel("elsewhere");
        op.set_body(m.SerializeAsString());
        QCOMPARE(refusal(op), ERROR_INVALID_ARGUMENT);
    }

    void aPlainAttachmentDescribesItsOwnUploadSafely()
    {
        Send a = text("general");
        a.set_kind(MESSAGE_KIND_ATTACHMENT);
        a.set_attachment_id(std::string(32, 'u'));
        AttachmentContent c;
        c.set_attachment_id(a.attachment_id());
        c.set_name("../../etc/passwd");
        c.set_size(10);
        a.set_body(c.SerializeAsString());
        QCOMPARE(refusal(a), ERROR_INVALID_ARGUMENT);
        c.set_name("photo.jpg");
        a.set_body(c.SerializeAsString());
        QCOMPARE(refusal(a), std::nullopt);
        QCOMPARE(validateSend(a, kAlice).plainFileSize, std::uint64_t(10));
        c.set_file_key("key");
        a.set_body(c.SerializeAsString());
        QCOMPARE(refusal(a), ERROR_INVALID_ARGUMENT); // a plain channel's file carries no key
        Send text2 = text("general");
        text2.set_attachment_id(std::string(32, 'u'));
        QCOMPARE(refusal(text2), ERROR_INVALID_ARGUMENT); // only attachments name an upload
    }
};

QTEST_GUILESS_MAIN(SendValidationTest)
#include "tst_server_sendvalidation.moc"
