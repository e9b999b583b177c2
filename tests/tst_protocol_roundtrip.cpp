// Walks hchat.proto's descriptors: fills every field of every message with non-default values,
// serialises, parses and compares. A new frame type or field is covered without touching this file,
// and one that docs/PROTOCOL.md does not document fails the documentation check.
#include "hchat.pb.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/util/message_differencer.h>

#include <QFile>
#include <QtTest>

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::FileDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

namespace {

const FileDescriptor *protocolFile()
{
    return hchat::v1::Frame::descriptor()->file();
}

// Non-default value for a scalar field; `salt` varies values between fields and repetitions.
void setScalar(Message *msg, const FieldDescriptor *f, int salt, bool repeated)
{
    const Reflection *r = msg->GetReflection();
    const auto n = static_cast<int64_t>(f->number() * 7 + salt + 1);
    switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
        repeated ? r->AddInt32(msg, f, -int32_t(n)) : r->SetInt32(msg, f, -int32_t(n));
        break;
    case FieldDescriptor::CPPTYPE_INT64:
        repeated ? r->AddInt64(msg, f, -n * 1000000007LL) : r->SetInt64(msg, f, -n * 1000000007LL);
        break;
    case FieldDescriptor::CPPTYPE_UINT32:
        repeated ? r->AddUInt32(msg, f, uint32_t(n)) : r->SetUInt32(msg, f, uint32_t(n));
        break;
    case FieldDescriptor::CPPTYPE_UINT64:
        repeated ? r->AddUInt64(msg, f, uint64_t(n) << 33) : r->SetUInt64(msg, f, uint64_t(n) << 33);
        break;
    case FieldDescriptor::CPPTYPE_DOUBLE:
        repeated ? r->AddDouble(msg, f, n + 0.5) : r->SetDouble(msg, f, n + 0.5);
        break;
    case FieldDescriptor::CPPTYPE_FLOAT:
        repeated ? r->AddFloat(msg, f, float(n) + 0.25f) : r->SetFloat(msg, f, float(n) + 0.25f);
        break;
    case FieldDescriptor::CPPTYPE_BOOL:
        repeated ? r->AddBool(msg, f, true) : r->SetBool(msg, f, true);
        break;
    case FieldDescriptor::CPPTYPE_ENUM: {
        const auto *e = f->enum_type();
        const auto *v = e->value(e->value_count() - 1 - (salt % std::max(1, e->value_count() - 1)));
        if (v->number() == 0)
            v = e->value(e->value_count() - 1);
        repeated ? r->AddEnum(msg, f, v) : r->SetEnum(msg, f, v);
        break;
    }
    case FieldDescriptor::CPPTYPE_STRING: {
        std::string s = f->type() == FieldDescriptor::TYPE_BYTES ? std::string("\x00\xff\x10", 3) : "héllo";
        s += f->name() + "-" + std::to_string(salt);
        repeated ? r->AddString(msg, f, s) : r->SetString(msg, f, s);
        break;
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
        break;
    }
}

void fill(Message *msg, int depth, int salt, const FieldDescriptor *onlyOneofField = nullptr);

void fillField(Message *msg, const FieldDescriptor *f, int depth, int salt)
{
    const Reflection *r = msg->GetReflection();
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        if (depth > 4)
            return;
        if (f->is_repeated()) {
            fill(r->AddMessage(msg, f), depth + 1, salt);
            fill(r->AddMessage(msg, f), depth + 1, salt + 1);
        } else {
            fill(r->MutableMessage(msg, f), depth + 1, salt);
        }
        return;
    }
    if (f->is_repeated()) {
        setScalar(msg, f, salt, true);
        setScalar(msg, f, salt + 1, true);
    } else {
        setScalar(msg, f, salt, false);
    }
}

// Fills every field; in a oneof, fills `onlyOneofField` when it belongs to it, else the first member.
void fill(Message *msg, int depth, int salt, const FieldDescriptor *onlyOneofField)
{
    const Descriptor *d = msg->GetDescriptor();
    for (int i = 0; i < d->field_count(); ++i) {
        const FieldDescriptor *f = d->field(i);
        if (const auto *oneof = f->containing_oneof()) {
            const bool chosen = onlyOneofField && onlyOneofField->containing_oneof() == oneof
                                    ? f == onlyOneofField
                                    : f == oneof->field(0);
            if (!chosen)
                continue;
        }
        fillField(msg, f, depth, salt + i);
    }
}

int countSetFields(const Message &msg)
{
    std::vector<const FieldDescriptor *> set;
    msg.GetReflection()->ListFields(msg, &set);
    return int(set.size());
}

} // namespace

class ProtocolRoundTrip : public QObject {
    Q_OBJECT
private slots:
    void everyFrameBodyRoundTripsWithAllFieldsSet_data();
    void everyFrameBodyRoundTripsWithAllFieldsSet();
    void everyMessageTypeRoundTripsWithAllFieldsSet_data();
    void everyMessageTypeRoundTripsWithAllFieldsSet();
    void frameBodiesAreAllMessagesWithTheirOwnType();
    void protocolDocumentsEveryFrameAndErrorCode();
    void garbageDoesNotParseAsAFrameSilently();
};

void ProtocolRoundTrip::everyFrameBodyRoundTripsWithAllFieldsSet_data()
{
    QTest::addColumn<int>("fieldNumber");
    const Descriptor *frame = hchat::v1::Frame::descriptor();
    QVERIFY(frame->oneof_decl_count() == 1);
    const auto *body = frame->oneof_decl(0);
    QVERIFY2(body->field_count() >= 17, "Frame lost body types");
    for (int i = 0; i < body->field_count(); ++i)
        QTest::newRow(body->field(i)->name().c_str()) << body->field(i)->number();
}

void ProtocolRoundTrip::everyFrameBodyRoundTripsWithAllFieldsSet()
{
    QFETCH(int, fieldNumber);
    const FieldDescriptor *bodyField = hchat::v1::Frame::descriptor()->FindFieldByNumber(fieldNumber);
    QVERIFY(bodyField);
    hchat::v1::Frame original;
    fill(&original, 0, fieldNumber, bodyField);
    QCOMPARE(original.request_id() != 0, true);
    QVERIFY(original.GetReflection()->HasField(original, bodyField));
    // Every field of the body is set (messages with no fields, like Ok, count as trivially full).
    const Message &body = original.GetReflection()->GetMessage(original, bodyField);
    QCOMPARE(countSetFields(body), body.GetDescriptor()->field_count() -
                                       [&] {
                                           int skipped = 0;
                                           for (int o = 0; o < body.GetDescriptor()->oneof_decl_count(); ++o)
                                               skipped += body.GetDescriptor()->oneof_decl(o)->field_count() - 1;
                                           return skipped;
                                       }());

    std::string wire;
    QVERIFY(original.SerializeToString(&wire));
    hchat::v1::Frame parsed;
    QVERIFY(parsed.ParseFromString(wire));
    std::string diff;
    google::protobuf::util::MessageDifferencer differ;
    differ.ReportDifferencesToString(&diff);
    QVERIFY2(differ.Compare(original, parsed), diff.c_str());
    QCOMPARE(int(parsed.body_case()), fieldNumber);
}

void ProtocolRoundTrip::everyMessageTypeRoundTripsWithAllFieldsSet_data()
{
    QTest::addColumn<QString>("typeName");
    const FileDescriptor *file = protocolFile();
    for (int i = 0; i < file->message_type_count(); ++i)
        QTest::newRow(file->message_type(i)->name().c_str())
            << QString::fromStdString(file->message_type(i)->full_name());
}

void ProtocolRoundTrip::everyMessageTypeRoundTripsWithAllFieldsSet()
{
    QFETCH(QString, typeName);
    const Descriptor *d = protocolFile()->pool()->FindMessageTypeByName(typeName.toStdString());
    QVERIFY(d);
    const Message *prototype = google::protobuf::MessageFactory::generated_factory()->GetPrototype(d);
    std::unique_ptr<Message> original(prototype->New());
    fill(original.get(), 0, 3);
    std::string wire;
    QVERIFY(original->SerializeToString(&wire));
    if (d->field_count() > 0)
        QVERIFY2(!wire.empty(), "a filled message serialised to nothing");
    std::unique_ptr<Message> parsed(prototype->New());
    QVERIFY(parsed->ParseFromString(wire));
    QVERIFY(google::protobuf::util::MessageDifferencer::Equals(*original, *parsed));
}

void ProtocolRoundTrip::frameBodiesAreAllMessagesWithTheirOwnType()
{
    const auto *body = hchat::v1::Frame::descriptor()->oneof_decl(0);
    std::set<std::string> types;
    for (int i = 0; i < body->field_count(); ++i) {
        QCOMPARE(body->field(i)->cpp_type(), FieldDescriptor::CPPTYPE_MESSAGE);
        QVERIFY2(types.insert(body->field(i)->message_type()->full_name()).second,
                 "two frame bodies share a type, so a receiver cannot tell them apart by type");
    }
}

void ProtocolRoundTrip::protocolDocumentsEveryFrameAndErrorCode()
{
    QFile doc(QStringLiteral(HCHAT_SOURCE_DIR "/docs/PROTOCOL.md"));
    QVERIFY2(doc.open(QIODevice::ReadOnly), "docs/PROTOCOL.md is missing");
    const QString text = QString::fromUtf8(doc.readAll());
    const auto *body = hchat::v1::Frame::descriptor()->oneof_decl(0);
    for (int i = 0; i < body->field_count(); ++i) {
        const QString name = QString::fromStdString(body->field(i)->message_type()->name());
        QVERIFY2(text.contains(QStringLiteral("`%1`").arg(name)),
                 qPrintable(QStringLiteral("frame %1 is not documented").arg(name)));
    }
    const auto *codes = hchat::v1::ErrorCode_descriptor();
    for (int i = 0; i < codes->value_count(); ++i) {
        const QString name = QString::fromStdString(codes->value(i)->name());
        if (codes->value(i)->number() == 0)
            continue;
        QVERIFY2(text.contains(name), qPrintable(QStringLiteral("error %1 is not documented").arg(name)));
    }
    QVERIFY(text.contains(QStringLiteral("/v1/sync")));
}

void ProtocolRoundTrip::garbageDoesNotParseAsAFrameSilently()
{
    hchat::v1::Frame frame;
    // A truncated length-delimited field must fail to parse rather than produce a partial frame.
    const std::string truncated("\x52\x10\x0a\x05", 4);
    QVERIFY(!frame.ParseFromString(truncated));
}

QTEST_GUILESS_MAIN(ProtocolRoundTrip)
#include "tst_protocol_roundtrip.moc"
