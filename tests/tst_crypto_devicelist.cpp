// Signed device lists (DeviceList) and how ChannelCrypto follows them: which list may replace
// which (never an older one, only signed by a device already trusted for the account), what a
// list does to trust (its devices approved, the ones a newer list leaves out revoked, directory
// records that contradict it ignored), and the approval code both screens show.
#include "crypto/ChannelCrypto.h"
#include "crypto/DeviceIdentity.h"
#include "crypto/DeviceList.h"
#include "hchat.pb.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <sodium.h>

using namespace hchat::crypto;
using Verdict = DeviceList::Verdict;

namespace {
struct Dev {
    QString id;
    DeviceIdentity identity = *DeviceIdentity::generate();
    DeviceList::Entry entry() const { return {id, identity.identityKey()}; }
    void fill(hchat::v1::DeviceKeys *k, const QString &nick) const { identity.fillDeviceKeys(k, nick, id); }
};

hchat::v1::KeysResponse answer(const QString &nick, const QList<const Dev *> &devices,
                               const std::optional<DeviceList> &list)
{
    hchat::v1::KeysResponse r;
    for (const Dev *d : devices)
        d->fill(r.add_devices(), nick);
    if (list)
        list->toProto(r.add_device_lists());
    return r;
}
} // namespace

class CryptoDeviceList : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QVERIFY(sodium_init() >= 0); }
    void aListRoundTripsAndVerifies();
    void malformedListsAreRefused();
    void onlyANewerListSignedByATrustedDeviceReplacesTheHeldOne();
    void theFirstListOfAnUnknownAccountIsTakenOnFirstUse();
    void approvalCodeIsStableAndDependsOnTheKey();
    void peersTrustListedDevicesAndRevokeRemovedOnes();
    void aDeviceTheListNeverNamedIsHeldNotTrusted();
    void aDirectoryRecordContradictingTheListIsIgnored();
    void anOlderListIsNeverTakenBack();
    void makeOwnDeviceListAddsWaitingDevicesAndRemoves();
    void aRevokedDeviceCannotSignTheNextList();
    void anOwnListThatLeavesThisDeviceOutIsNotTaken();

private:
    Dev phone{QStringLiteral("bob-phone")};
    Dev laptop{QStringLiteral("bob-laptop")};
    Dev tablet{QStringLiteral("bob-tablet")};
    const QString bob = QStringLiteral("bob");
};

void CryptoDeviceList::aListRoundTripsAndVerifies()
{
    auto list = DeviceList::make(bob, 1, {laptop.entry(), phone.entry()}, phone.identity, phone.id);
    QVERIFY(list);
    QCOMPARE(list->devices().first().deviceId, laptop.id); // sorted
    const auto back = DeviceList::parse(list->serialize());
    QVERIFY(back);
    QCOMPARE(back->generation(), 1u);
    QCOMPARE(back->keyOf(phone.id), phone.identity.identityKey());
    QVERIFY(back->verify(phone.identity.identityKey()));
    QVERIFY(!back->verify(laptop.identity.identityKey()));
    // Any change of what was signed breaks the signature.
    hchat::v1::SignedDeviceList p;
    list->toProto(&p);
    p.set_generation(2);
    QVERIFY(!DeviceList::fromProto(p)->verify(phone.identity.identityKey()));
    list->toProto(&p);
    p.mutable_devices(0)->set_identity_key(tablet.identity.identityKey().toStdString());
    QVERIFY(!DeviceList::fromProto(p)->verify(phone.identity.identityKey()));
    list->toProto(&p);
    p.set_nick("mallory");
    QVERIFY(!DeviceList::fromProto(p)->verify(phone.identity.identityKey()));
    // Two entries for one device cannot be made.
    QVERIFY(!DeviceList::make(bob, 1, {phone.entry(), phone.entry()}, phone.identity, phone.id));
}

void CryptoDeviceList::malformedListsAreRefused()
{
    auto list = DeviceList::make(bob, 1, {laptop.entry(), phone.entry()}, phone.identity, phone.id);
    hchat::v1::SignedDeviceList p;
    auto refused = [&](auto change) {
        list->toProto(&p);
        change(p);
        QString why;
        const bool out = !DeviceList::fromProto(p, &why);
        return out && !why.isEmpty();
    };
    QVERIFY(refused([](auto &l) { l.set_version(2); }));
    QVERIFY(refused([](auto &l) { l.set_generation(0); }));
    QVERIFY(refused([](auto &l) { l.clear_devices(); }));
    QVERIFY(refused([](auto &l) { l.mutable_devices()->SwapElements(0, 1); }));            // unsorted
    QVERIFY(refused([](auto &l) { *l.mutable_devices(1) = l.devices(0); }));               // repeated
    QVERIFY(refused([](auto &l) { l.mutable_devices(0)->mutable_identity_key()->pop_back(); }));
    QVERIFY(refused([](auto &l) { l.mutable_signature()->pop_back(); }));
    QVERIFY(refused([](auto &l) { l.clear_signer_device(); }));
    QVERIFY(refused([](auto &l) {
        for (int i = 0; i < 64; ++i)
            l.add_devices()->CopyFrom(l.devices(0));
    }));
    QVERIFY(!DeviceList::parse("not a protobuf \xff\xff\xff"));
}

void CryptoDeviceList::onlyANewerListSignedByATrustedDeviceReplacesTheHeldOne()
{
    const auto held = DeviceList::make(bob, 3, {phone.entry()}, phone.identity, phone.id);
    // The phone (on the held list) adds the laptop: accepted.
    const auto next = DeviceList::make(bob, 4, {phone.entry(), laptop.entry()}, phone.identity, phone.id);
    QCOMPARE(DeviceList::judge(*next, held, bob, {}, true), Verdict::Accepted);
    QCOMPARE(DeviceList::judge(*held, held, bob, {}, true), Verdict::Same);
    // Not newer.
    const auto same = DeviceList::make(bob, 3, {phone.entry(), laptop.entry()}, phone.identity, phone.id);
    QCOMPARE(DeviceList::judge(*same, held, bob, {}, true), Verdict::Older);
    // Signed by a device the account never approved (the gateway's own device, say).
    const auto rogue = DeviceList::make(bob, 9, {phone.entry(), tablet.entry()}, tablet.identity, tablet.id);
    QCOMPARE(DeviceList::judge(*rogue, held, bob, {}, true), Verdict::UnknownSigner);
    // …unless this client already trusts that device for bob (accepted by hand).
    QCOMPARE(DeviceList::judge(*rogue, held, bob, tablet.identity.identityKey(), true), Verdict::Accepted);
    // A signer listed with another key than the one trusted for it.
    const auto swapped = DeviceList::make(bob, 5, {{phone.id, tablet.identity.identityKey()}}, tablet.identity,
                                          phone.id);
    QCOMPARE(DeviceList::judge(*swapped, held, bob, {}, true), Verdict::UnknownSigner);
    // A bad signature, and a list of someone else.
    hchat::v1::SignedDeviceList p;
    next->toProto(&p);
    (*p.mutable_signature())[3] ^= 1;
    QCOMPARE(DeviceList::judge(*DeviceList::fromProto(p), held, bob, {}, true), Verdict::BadSignature);
    const auto carol = DeviceList::make(QStringLiteral("carol"), 4, {phone.entry()}, phone.identity, phone.id);
    QCOMPARE(DeviceList::judge(*carol, held, bob, {}, true), Verdict::WrongAccount);
    QVERIFY(!DeviceList::describe(Verdict::UnknownSigner).isEmpty());
}

void CryptoDeviceList::theFirstListOfAnUnknownAccountIsTakenOnFirstUse()
{
    const auto first = DeviceList::make(bob, 1, {phone.entry()}, phone.identity, phone.id);
    QCOMPARE(DeviceList::judge(*first, std::nullopt, bob, {}, false), Verdict::Accepted);
    // An account this client knows (trusted devices, no list yet): only a trusted device may sign.
    QCOMPARE(DeviceList::judge(*first, std::nullopt, bob, {}, true), Verdict::UnknownSigner);
    QCOMPARE(DeviceList::judge(*first, std::nullopt, bob, phone.identity.identityKey(), true), Verdict::Accepted);
    // Self-signed by a device it does not even name.
    const auto outsider = DeviceList::make(bob, 1, {phone.entry()}, tablet.identity, tablet.id);
    QCOMPARE(DeviceList::judge(*outsider, std::nullopt, bob, {}, false), Verdict::UnknownSigner);
}

void CryptoDeviceList::approvalCodeIsStableAndDependsOnTheKey()
{
    const QString code = DeviceList::approvalCode(laptop.identity.identityKey());
    QVERIFY(QRegularExpression(QStringLiteral("^(\\d{5} ){3}\\d{5}$")).match(code).hasMatch());
    QCOMPARE(DeviceList::approvalCode(laptop.identity.identityKey()), code);
    QVERIFY(DeviceList::approvalCode(tablet.identity.identityKey()) != code);
}

// Alice's client follows Bob's list: the laptop Bob approved is trusted without asking Alice; once
// a newer list leaves it out it is revoked, even though the directory still lists it.
void CryptoDeviceList::peersTrustListedDevicesAndRevokeRemovedOnes()
{
    QTemporaryDir dir;
    ChannelCrypto alice;
    QVERIFY(alice.open(dir.path(), *DeviceIdentity::generate(), QStringLiteral("alice"), QStringLiteral("a1")));
    const auto first = DeviceList::make(bob, 1, {phone.entry()}, phone.identity, phone.id);
    alice.applyDeviceKeys(answer(bob, {&phone}, first), {bob});
    QCOMPARE(alice.trust().state(bob, phone.id), TrustStore::State::Trusted);

    const auto second = DeviceList::make(bob, 2, {phone.entry(), laptop.entry()}, phone.identity, phone.id);
    QSignalSpy trust(&alice, &ChannelCrypto::deviceTrustChanged);
    alice.applyDeviceKeys(answer(bob, {&phone, &laptop}, second), {bob});
    QCOMPARE(alice.trust().state(bob, laptop.id), TrustStore::State::Trusted);
    QVERIFY(alice.trust().mayShareKeysWith(bob, laptop.id));
    QCOMPARE(alice.deviceList(bob)->generation(), 2u);

    const auto third = DeviceList::make(bob, 3, {phone.entry()}, phone.identity, phone.id);
    alice.applyDeviceKeys(answer(bob, {&phone, &laptop}, third), {bob}); // the directory still has it
    QCOMPARE(alice.trust().state(bob, laptop.id), TrustStore::State::Revoked);
    QVERIFY(!alice.trust().mayShareKeysWith(bob, laptop.id));
    bool revokedSignal = false;
    for (const auto &args : trust)
        revokedSignal = revokedSignal || (args.at(1).toString() == laptop.id &&
                                          args.at(2).value<TrustStore::State>() == TrustStore::State::Revoked);
    QVERIFY(revokedSignal);
    // The list survives a restart.
    ChannelCrypto again;
    QVERIFY(again.open(dir.path(), *DeviceIdentity::generate(), QStringLiteral("alice"), QStringLiteral("a1")));
    QCOMPARE(again.deviceList(bob)->generation(), 3u);
}

// A device in the directory that Bob's list never named (the gateway made it up, or Bob lost every
// device and started again): held until Alice accepts it, never trusted on first use.
void CryptoDeviceList::aDeviceTheListNeverNamedIsHeldNotTrusted()
{
    QTemporaryDir dir;
    ChannelCrypto alice;
    QVERIFY(alice.open(dir.path(), *DeviceIdentity::generate(), QStringLiteral("alice"), QStringLiteral("a1")));
    const auto first = DeviceList::make(bob, 1, {phone.entry()}, phone.identity, phone.id);
    // Even on first contact with bob, the tablet outside his list is not trusted.
    alice.applyDeviceKeys(answer(bob, {&phone, &tablet}, first), {bob});
    QCOMPARE(alice.trust().state(bob, phone.id), TrustStore::State::Trusted);
    QCOMPARE(alice.trust().state(bob, tablet.id), TrustStore::State::NewDevice);
    QVERIFY(!alice.trust().mayShareKeysWith(bob, tablet.id));
    // A list signed by that tablet is refused.
    QSignalSpy refused(&alice, &ChannelCrypto::deviceListRefused);
    const auto rogue = DeviceList::make(bob, 2, {phone.entry(), tablet.entry()}, tablet.identity, tablet.id);
    alice.applyDeviceKeys(answer(bob, {&phone, &tablet}, rogue), {bob});
    QCOMPARE(refused.size(), 1);
    QCOMPARE(alice.deviceList(bob)->generation(), 1u);
    QCOMPARE(alice.trust().state(bob, tablet.id), TrustStore::State::NewDevice);
    // Alice accepts it by hand: it stays trusted at the next fetch (the list never named it).
    QVERIFY(alice.trust().accept(bob, tablet.id));
    alice.applyDeviceKeys(answer(bob, {&phone, &tablet}, first), {bob});
    QCOMPARE(alice.trust().state(bob, tablet.id), TrustStore::State::Trusted);
}

void CryptoDeviceList::aDirectoryRecordContradictingTheListIsIgnored()
{
    QTemporaryDir dir;
    ChannelCrypto alice;
    QVERIFY(alice.open(dir.path(), *DeviceIdentity::generate(), QStringLiteral("alice"), QStringLiteral("a1")));
    const auto first = DeviceList::make(bob, 1, {phone.entry(), laptop.entry()}, phone.identity, phone.id);
    // The directory pairs the laptop's id with another identity (the gateway's).
    const Dev forged{laptop.id};
    alice.applyDeviceKeys(answer(bob, {&phone, &forged}, first), {bob});
    QCOMPARE(alice.trust().trustedKey(bob, laptop.id), laptop.identity.identityKey());
    QVERIFY(alice.trust().devices(bob).size() == 2);
    for (const auto &d : alice.trust().devices(bob))
        QVERIFY(d.pendingKey != forged.identity.identityKey());
}

void CryptoDeviceList::anOlderListIsNeverTakenBack()
{
    QTemporaryDir dir;
    ChannelCrypto alice;
    QVERIFY(alice.open(dir.path(), *DeviceIdentity::generate(), QStringLiteral("alice"), QStringLiteral("a1")));
    const auto withLaptop = DeviceList::make(bob, 1, {phone.entry(), laptop.entry()}, phone.identity, phone.id);
    const auto without = DeviceList::make(bob, 2, {phone.entry()}, phone.identity, phone.id);
    alice.applyDeviceKeys(answer(bob, {&phone, &laptop}, withLaptop), {bob});
    alice.applyDeviceKeys(answer(bob, {&phone}, without), {bob});
    QCOMPARE(alice.trust().state(bob, laptop.id), TrustStore::State::Revoked);
    // The gateway serves the old list again (with the laptop in it): nothing changes.
    QSignalSpy refused(&alice, &ChannelCrypto::deviceListRefused);
    alice.applyDeviceKeys(answer(bob, {&phone, &laptop}, withLaptop), {bob});
    QCOMPARE(refused.size(), 1);
    QCOMPARE(alice.deviceList(bob)->generation(), 2u);
    QCOMPARE(alice.trust().state(bob, laptop.id), TrustStore::State::Revoked);
}

void CryptoDeviceList::makeOwnDeviceListAddsWaitingDevicesAndRemoves()
{
    QTemporaryDir dir;
    ChannelCrypto own;
    QVERIFY(own.open(dir.path(), *DeviceIdentity::fromSecret(phone.identity.exportSecret().view()), bob, phone.id));
    QString error;
    const auto first = own.makeOwnDeviceList({}, {}, &error);
    QVERIFY2(first, qPrintable(error));
    QCOMPARE(first->generation(), 1u);
    QCOMPARE(first->devices().size(), 1);
    QVERIFY(first->verify(phone.identity.identityKey()));
    // Accept its own first list as the gateway would hand it back.
    own.applyDeviceKeys(answer(bob, {&phone}, first), {bob});
    QCOMPARE(own.deviceList(bob)->generation(), 1u);
    // The laptop signs in: the directory lists it; it waits (not trusted on first use).
    own.applyDeviceKeys(answer(bob, {&phone, &laptop}, first), {bob});
    QCOMPARE(own.trust().state(bob, laptop.id), TrustStore::State::NewDevice);
    QVERIFY(!own.makeOwnDeviceList({QStringLiteral("no-such-device")}, {}, &error));
    const auto second = own.makeOwnDeviceList({laptop.id}, {}, &error);
    QVERIFY2(second, qPrintable(error));
    QCOMPARE(second->generation(), 2u);
    QCOMPARE(second->keyOf(laptop.id), laptop.identity.identityKey());
    own.applyDeviceKeys(answer(bob, {&phone, &laptop}, second), {bob});
    QCOMPARE(own.trust().state(bob, laptop.id), TrustStore::State::Trusted);
    const auto third = own.makeOwnDeviceList({}, {laptop.id}, &error);
    QVERIFY(third && !third->contains(laptop.id) && third->generation() == 3);
    QVERIFY(!own.makeOwnDeviceList({}, {phone.id, laptop.id}, &error)); // an account keeps a device
}

// The laptop was stolen and Bob removed it (generation 3). The thief, with the gateway's help,
// signs generation 4 with the laptop's key, naming a device of its own: refused, nothing changes.
void CryptoDeviceList::aRevokedDeviceCannotSignTheNextList()
{
    QTemporaryDir dir;
    ChannelCrypto alice;
    QVERIFY(alice.open(dir.path(), *DeviceIdentity::generate(), QStringLiteral("alice"), QStringLiteral("a1")));
    alice.applyDeviceKeys(answer(bob, {&phone, &laptop},
                                 DeviceList::make(bob, 2, {phone.entry(), laptop.entry()}, phone.identity, phone.id)),
                          {bob});
    alice.applyDeviceKeys(answer(bob, {&phone}, DeviceList::make(bob, 3, {phone.entry()}, phone.identity, phone.id)),
                          {bob});
    QCOMPARE(alice.trust().state(bob, laptop.id), TrustStore::State::Revoked);
    QVERIFY(alice.trust().trustedKey(bob, laptop.id).isEmpty()); // verifies nothing any more
    const auto stolen = DeviceList::make(bob, 4, {laptop.entry(), tablet.entry()}, laptop.identity, laptop.id);
    QSignalSpy refused(&alice, &ChannelCrypto::deviceListRefused);
    alice.applyDeviceKeys(answer(bob, {&phone, &laptop, &tablet}, stolen), {bob});
    QCOMPARE(refused.size(), 1);
    QCOMPARE(alice.deviceList(bob)->generation(), 3u);
    QCOMPARE(alice.trust().state(bob, phone.id), TrustStore::State::Trusted);
    QVERIFY(!alice.trust().mayShareKeysWith(bob, tablet.id));
}

// Bob's only device is served a list of "his" account that leaves it out (signed by a device of
// the gateway's, at a huge generation): it is not taken, so it trusts nothing through it and a
// real list later is not "older"; the device only learns that it waits.
void CryptoDeviceList::anOwnListThatLeavesThisDeviceOutIsNotTaken()
{
    QTemporaryDir dir;
    ChannelCrypto own;
    QVERIFY(own.open(dir.path(), *DeviceIdentity::fromSecret(phone.identity.exportSecret().view()), bob, phone.id));
    const auto forged = DeviceList::make(bob, 1ULL << 62, {tablet.entry()}, tablet.identity, tablet.id);
    own.applyDeviceKeys(answer(bob, {&phone, &tablet}, forged), {bob});
    QVERIFY(!own.deviceList(bob));
    QVERIFY(own.ownListWithoutThisDevice());
    QVERIFY(!own.trust().mayShareKeysWith(bob, tablet.id));
    // Its own first list is still taken afterwards.
    const auto mine = own.makeOwnDeviceList({}, {});
    QVERIFY(mine);
    own.applyDeviceKeys(answer(bob, {&phone}, mine), {bob});
    QCOMPARE(own.deviceList(bob)->generation(), 1u);
}

QTEST_GUILESS_MAIN(CryptoDeviceList)
#include "tst_crypto_devicelist.moc"
