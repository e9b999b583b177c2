// The recovery key backup at the gateway (issue 22; docs/PROTOCOL.md "Recovery key backup"):
// PUT /v1/backup stores sealed entries all or none, GET /v1/backup pages through them by entry
// id, DELETE /v1/backup removes them. Bad input (malformed, oversized, too many, another key's
// header, a bad page cursor) gets its own error and writes nothing; one account never reaches
// another's backup; the per-account cap holds. Runs on SQLite and (tst_gateway_backup_postgres)
// PostgreSQL.
#include "GatewayProcess.h"
#include "Limits.h"
#include "ProtocolClient.h"
#include "TestEnv.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace hchat::test;
using namespace hchat::v1;

namespace {

BackupHeader header(char check)
{
    BackupHeader h;
    h.set_version(1);
    h.set_key_check(std::string(32, check));
    h.set_created_ms(1234);
    return h;
}

std::string idOf(quint32 n, char tag = 'e')
{
    std::string id(32, tag);
    for (int i = 0; i < 4; ++i)
        id[std::size_t(i)] = char((n >> (24 - 8 * i)) & 0xff);
    return id;
}

BackupEntry entry(const std::string &id, std::size_t cipherBytes = 120, char fill = 'c')
{
    BackupEntry e;
    e.set_entry_id(id);
    e.set_nonce(std::string(24, 'n'));
    e.set_ciphertext(std::string(cipherBytes, fill));
    return e;
}

QByteArray upload(const BackupHeader &h, const std::vector<BackupEntry> &entries)
{
    BackupUpload up;
    *up.mutable_header() = h;
    for (const auto &e : entries)
        *up.add_entries() = e;
    return QByteArray::fromStdString(up.SerializeAsString());
}

ProtocolClient::HttpResult put(ProtocolClient &c, const QByteArray &body, bool withToken = true)
{
    return c.request("PUT", QStringLiteral("/v1/backup"), body, {}, withToken);
}

std::optional<BackupPage> page(ProtocolClient &c, const std::string &after = {},
                               ProtocolClient::HttpResult *result = nullptr)
{
    QString path = QStringLiteral("/v1/backup");
    if (!after.empty())
        path += QStringLiteral("?after=") + QString::fromLatin1(QByteArray::fromStdString(after).toHex());
    const auto r = c.request("GET", path);
    if (result)
        *result = r;
    BackupPage p;
    if (!r.ok() || !p.ParseFromArray(r.body.constData(), int(r.body.size())))
        return std::nullopt;
    return p;
}

quint64 total(ProtocolClient &c)
{
    const auto p = page(c);
    return p ? p->total() : 0;
}

} // namespace

class GatewayBackup : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir{scratchRoot() + QStringLiteral("/gwbackup-XXXXXX")};
    std::unique_ptr<GatewayProcess> m_gw;
    std::unique_ptr<ProtocolClient> m_alice, m_bob, m_carol;

    std::unique_ptr<ProtocolClient> user(const QString &nick)
    {
        auto c = std::make_unique<ProtocolClient>(*m_gw);
        if (!c->registerAndLogin(nick))
            qWarning() << nick << "could not sign in";
        return c;
    }

private slots:
    void initTestCase()
    {
        m_gw = std::make_unique<GatewayProcess>(m_dir.path());
        QVERIFY2(m_gw->start(), m_gw->output().constData());
        m_alice = user(QStringLiteral("alice"));
        m_bob = user(QStringLiteral("bob"));
        m_carol = user(QStringLiteral("carol"));
    }
    void cleanupTestCase()
    {
        m_alice.reset();
        m_bob.reset();
        m_carol.reset();
        m_gw.reset();
    }

    void entriesGoUpInBatchesAndComeBackPageByPage();
    void badInputIsRefusedAndWritesNothing();
    void anotherUsersBackupIsUnreachable();
    void deletingMakesRoomForANewKey();
    void anAccountsBackupIsCapped();
};

void GatewayBackup::entriesGoUpInBatchesAndComeBackPageByPage()
{
    auto r = put(*m_alice, upload(header('A'), {entry(idOf(1)), entry(idOf(2)), entry(idOf(3))}));
    QVERIFY2(r.ok(), qPrintable(r.errorMessage));
    BackupStatus status;
    QVERIFY(status.ParseFromArray(r.body.constData(), int(r.body.size())));
    QCOMPARE(status.entries(), 3u);
    // The same ids again replace what was there.
    r = put(*m_alice, upload(header('A'), {entry(idOf(2), 100, 'z')}));
    QVERIFY(r.ok());
    auto p = page(*m_alice);
    QVERIFY(p);
    QCOMPARE(p->header().key_check(), std::string(32, 'A'));
    QCOMPARE(p->header().created_ms(), 1234);
    QCOMPARE(p->entries_size(), 3);
    QCOMPARE(p->total(), 3u);
    QCOMPARE(p->entries(1).ciphertext(), std::string(100, 'z'));
    QVERIFY(p->continue_after().empty());

    // 1,200 more in three batches: the first page holds MAX_BACKUP_PAGE, the next the rest.
    for (quint32 batch = 0; batch < 3; ++batch) {
        std::vector<BackupEntry> entries;
        for (quint32 i = 0; i < 400; ++i)
            entries.push_back(entry(idOf(1000 + batch * 400 + i)));
        QVERIFY(put(*m_alice, upload(header('A'), entries)).ok());
    }
    p = page(*m_alice);
    QVERIFY(p);
    QCOMPARE(std::size_t(p->entries_size()), hchat::limits::kMaxBackupPage);
    QCOMPARE(p->total(), 1203u);
    QVERIFY(!p->continue_after().empty());
    const auto rest = page(*m_alice, p->continue_after());
    QVERIFY(rest);
    QCOMPARE(rest->entries_size(), 203);
    QVERIFY(rest->continue_after().empty());
    std::string last;
    for (const BackupPage *pg : std::initializer_list<const BackupPage *>{&*p, &*rest})
        for (const auto &e : pg->entries()) {
            QVERIFY(last < e.entry_id());
            last = e.entry_id();
        }
}

void GatewayBackup::badInputIsRefusedAndWritesNothing()
{
    const quint64 before = total(*m_alice);
    QVERIFY(before > 0);
    struct Case {
        const char *what;
        QByteArray body;
        ErrorCode code;
    };
    std::vector<BackupEntry> tooMany;
    for (quint32 i = 0; i <= hchat::limits::kMaxBackupEntriesPerUpload; ++i)
        tooMany.push_back(entry(idOf(50000 + i)));
    BackupHeader v2 = header('A');
    v2.set_version(2);
    BackupHeader shortCheck = header('A');
    shortCheck.set_key_check(std::string(31, 'A'));
    BackupEntry badNonce = entry(idOf(60001));
    badNonce.set_nonce("short");
    BackupUpload noHeader;
    *noHeader.add_entries() = entry(idOf(60002));
    const QList<Case> cases = {
        {"not protobuf", QByteArray("\xff\xff\xff\xff", 4), ERROR_MALFORMED},
        {"no header", QByteArray::fromStdString(noHeader.SerializeAsString()), ERROR_INVALID_ARGUMENT},
        {"version 2", upload(v2, {entry(idOf(60003))}), ERROR_INVALID_ARGUMENT},
        {"short key check", upload(shortCheck, {entry(idOf(60004))}), ERROR_INVALID_ARGUMENT},
        {"too many entries", upload(header('A'), tooMany), ERROR_LIMIT_ABOVE_CAP},
        {"an oversized entry among good ones",
         upload(header('A'), {entry(idOf(60005)), entry(idOf(60006), hchat::limits::kMaxBackupEntryBytes)}),
         ERROR_TOO_LARGE},
        {"a short entry id among good ones",
         upload(header('A'), {entry(idOf(60007)), entry(std::string(31, 'x'))}), ERROR_INVALID_ARGUMENT},
        {"a bad nonce among good ones", upload(header('A'), {entry(idOf(60008)), badNonce}),
         ERROR_INVALID_ARGUMENT},
        {"an id twice", upload(header('A'), {entry(idOf(60009)), entry(idOf(60009))}),
         ERROR_INVALID_ARGUMENT},
        // Another key's header: the backup was changed from another device.
        {"another key", upload(header('B'), {entry(idOf(60010))}), ERROR_STALE},
    };
    for (const Case &c : cases) {
        const auto r = put(*m_alice, c.body);
        QVERIFY2(r.status >= 400, c.what);
        QVERIFY2(r.error == c.code, qPrintable(QStringLiteral("%1: %2 %3")
                                                   .arg(QLatin1String(c.what))
                                                   .arg(int(r.error))
                                                   .arg(r.errorMessage)));
        QVERIFY2(!r.errorMessage.isEmpty(), c.what);
        QVERIFY2(total(*m_alice) == before, c.what);
    }
    const auto stale = put(*m_alice, upload(header('B'), {}));
    QCOMPARE(stale.status, 409);
    QVERIFY(stale.errorMessage.contains(QLatin1String("another recovery key")));
    QCOMPARE(page(*m_alice)->header().key_check(), std::string(32, 'A'));

    // A bad page cursor, another method, no token.
    ProtocolClient::HttpResult r;
    QVERIFY(!page(*m_alice, "short", &r));
    QCOMPARE(r.error, ERROR_INVALID_ARGUMENT);
    r = m_alice->request("GET", QStringLiteral("/v1/backup?after=zz"));
    QCOMPARE(r.error, ERROR_INVALID_ARGUMENT);
    r = m_alice->request("POST", QStringLiteral("/v1/backup"), upload(header('A'), {}));
    QCOMPARE(r.error, ERROR_INVALID_ARGUMENT);
    r = put(*m_alice, upload(header('A'), {entry(idOf(60011))}), false);
    QCOMPARE(r.status, 401);
    QCOMPARE(r.error, ERROR_NOT_AUTHENTICATED);
    QCOMPARE(m_alice->request("GET", QStringLiteral("/v1/backup"), {}, {}, false).status, 401);
    QCOMPARE(m_alice->request("DELETE", QStringLiteral("/v1/backup"), {}, {}, false).status, 401);
    QCOMPARE(total(*m_alice), before);
}

void GatewayBackup::anotherUsersBackupIsUnreachable()
{
    const auto alicePage = page(*m_alice);
    QVERIFY(alicePage && alicePage->entries_size() > 0);
    const BackupEntry aliceFirst = alicePage->entries(0);
    // Bob has none: his GET says so, his DELETE removes nothing of alice's.
    ProtocolClient::HttpResult r;
    QVERIFY(!page(*m_bob, {}, &r));
    QCOMPARE(r.status, 404);
    QCOMPARE(r.error, ERROR_NOT_FOUND);
    QVERIFY(r.errorMessage.contains(QLatin1String("no recovery key backup")));
    QVERIFY(m_bob->request("DELETE", QStringLiteral("/v1/backup")).ok());
    QCOMPARE(total(*m_alice), alicePage->total());
    // Bob uploads under alice's key check and one of alice's entry ids: his own backup, hers
    // unchanged.
    QVERIFY(put(*m_bob, upload(header('A'), {entry(aliceFirst.entry_id(), 80, 'b')})).ok());
    const auto bobPage = page(*m_bob);
    QVERIFY(bobPage);
    QCOMPARE(bobPage->total(), 1u);
    QCOMPARE(bobPage->entries(0).ciphertext(), std::string(80, 'b'));
    const auto again = page(*m_alice);
    QCOMPARE(again->total(), alicePage->total());
    QCOMPARE(again->entries(0).ciphertext(), aliceFirst.ciphertext());
    // Paging past alice's ids with bob's token shows nothing of hers.
    const auto bobAfter = page(*m_bob, idOf(0, '\0'));
    QCOMPARE(bobAfter->entries_size(), 1);
}

void GatewayBackup::deletingMakesRoomForANewKey()
{
    QVERIFY(m_alice->request("DELETE", QStringLiteral("/v1/backup")).ok());
    ProtocolClient::HttpResult r;
    QVERIFY(!page(*m_alice, {}, &r));
    QCOMPARE(r.error, ERROR_NOT_FOUND);
    QVERIFY(put(*m_alice, upload(header('B'), {entry(idOf(7))})).ok());
    const auto p = page(*m_alice);
    QCOMPARE(p->header().key_check(), std::string(32, 'B'));
    QCOMPARE(p->total(), 1u);
    QCOMPARE(page(*m_bob)->total(), 1u); // bob's untouched
}

void GatewayBackup::anAccountsBackupIsCapped()
{
    const std::size_t per = hchat::limits::kMaxBackupEntriesPerUpload;
    quint32 next = 0;
    for (std::size_t done = 0; done < hchat::limits::kMaxBackupEntries; done += per) {
        std::vector<BackupEntry> entries;
        for (std::size_t i = 0; i < per; ++i)
            entries.push_back(entry(idOf(next++), 48));
        QVERIFY(put(*m_carol, upload(header('C'), entries)).ok());
    }
    QCOMPARE(total(*m_carol), quint64(hchat::limits::kMaxBackupEntries));
    // Replacing an entry still works; one more is refused, and the batch carrying it writes nothing.
    QVERIFY(put(*m_carol, upload(header('C'), {entry(idOf(5), 48, 'r')})).ok());
    const auto r = put(*m_carol, upload(header('C'), {entry(idOf(6), 48, 's'), entry(idOf(next))}));
    QCOMPARE(r.error, ERROR_LIMIT_ABOVE_CAP);
    QCOMPARE(total(*m_carol), quint64(hchat::limits::kMaxBackupEntries));
    const auto p = page(*m_carol);
    QCOMPARE(p->entries(5).ciphertext(), std::string(48, 'r'));
    QCOMPARE(p->entries(6).ciphertext(), std::string(48, 'c'));
}

QTEST_GUILESS_MAIN(GatewayBackup)
#include "tst_gateway_backup.moc"
