#pragma once
// Helpers shared by the fault suites (tests/tst_fault_*.cpp, header-only): client peers in
// separate processes (tests/hchat_fault_peer.cpp), read-only views of a client's history, the
// comparison with the gateway's stream, and the one-line JSON figures `make soak` collects.

#include "HttpTestApi.h"
#include "TestEnv.h"
#include "TestHistoryKey.h"
#include "crypto/EncryptedPageVfs.h"

#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <memory>

namespace hchat::test {

// HCHAT_SOAK=1: the long versions (make soak).
inline bool soak()
{
    return qEnvironmentVariableIntValue("HCHAT_SOAK") != 0;
}

// One hchat_fault_peer process: a sender or a receiver with its own profile folder.
class FaultPeer {
public:
    FaultPeer(QString name, QStringList args) : m_name(std::move(name)), m_args(std::move(args))
    {
        m_dir = std::make_unique<QTemporaryDir>(scratchRoot() + QStringLiteral("/peer-XXXXXX"));
        m_process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    }
    ~FaultPeer()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }
    QString name() const { return m_name; }
    QString historyPath() const { return m_dir->filePath(QStringLiteral("history.sqlite")); }
    QString dataDir() const { return m_dir->path(); }

    bool start(const QStringList &extra = {})
    {
        m_process.start(QStringLiteral(HCHAT_FAULT_PEER),
                        QStringList{QStringLiteral("--data"), m_dir->path()} + m_args + extra);
        return m_process.waitForStarted(10000);
    }
    // Reads what the peer printed (call often; the event loop must run between calls).
    void poll()
    {
        m_buffer += m_process.readAllStandardOutput();
        qsizetype nl;
        while ((nl = m_buffer.indexOf('\n')) >= 0) {
            const QByteArray line = m_buffer.left(nl);
            m_buffer.remove(0, nl + 1);
            const QList<QByteArray> f = line.split(' ');
            if (f[0] == "acked" && f.size() == 3) {
                const quint64 seq = f[1].toULongLong();
                if (m_acked.contains(f[2]))
                    ++m_ackedTwice;
                m_acked.insert(f[2], seq);
            } else if (f[0] == "sent-all") {
                m_sentAll = true;
            } else if (f[0] == "max" && f.size() == 2) {
                m_max = f[1].toULongLong();
            } else if (f[0] == "online") {
                ++m_welcomes;
            } else if (f[0] == "error") {
                m_errors << QString::fromUtf8(line);
            }
        }
    }
    // Closes stdin: the peer disconnects, closes its history and exits 0.
    bool finish(int timeoutMs = 30000)
    {
        m_process.closeWriteChannel();
        QDeadlineTimer d(timeoutMs);
        while (m_process.state() != QProcess::NotRunning && !d.hasExpired())
            QTest::qWait(20);
        poll();
        return m_process.state() == QProcess::NotRunning && m_process.exitStatus() == QProcess::NormalExit &&
               m_process.exitCode() == 0;
    }
    QProcess &process() { return m_process; }
    bool running() const { return m_process.state() == QProcess::Running; }
    const QHash<QByteArray, quint64> &acked() const { return m_acked; } // client_msg_id hex → seq
    int ackedTwice() const { return m_ackedTwice; }
    bool sentAll() const { return m_sentAll; }
    quint64 max() const { return m_max; }
    int welcomes() const { return m_welcomes; }
    QStringList errors() const { return m_errors; }

private:
    QString m_name;
    QStringList m_args;
    std::unique_ptr<QTemporaryDir> m_dir;
    QProcess m_process;
    QByteArray m_buffer;
    QHash<QByteArray, quint64> m_acked;
    int m_ackedTwice = 0;
    bool m_sentAll = false;
    quint64 m_max = 0;
    int m_welcomes = 0;
    QStringList m_errors;
};

// One message as a client's history holds it.
struct HistoryRow {
    quint64 seq = 0;
    QByteArray clientMsgId;
    QByteArray body;
    int kind = 0;
};

// Reads a client's history of one channel, opening the SQLite file read-only (the client may be
// gone or still running). Empty with *error on failure.
inline QList<HistoryRow> readHistory(const QString &path, const QString &channel, QString *error = nullptr)
{
    QList<HistoryRow> rows;
    const QString name = QStringLiteral("fault-read-%1").arg(quintptr(&rows));
    // The peers' histories are encrypted at rest under the test key of their folder.
    const crypto::EncryptedPageVfs vfs(testHistoryKey(QFileInfo(path).absolutePath()));
    const bool encrypted =
        crypto::EncryptedPageVfs::inspect(path) == crypto::EncryptedPageVfs::FileKind::Encrypted;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        QString openError;
        bool opened = false;
        if (encrypted) {
            opened = vfs.openConnection(db, path, QStringLiteral("QSQLITE_OPEN_READONLY"), &openError);
        } else {
            db.setDatabaseName(path);
            db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY"));
            opened = db.open();
            openError = db.lastError().text();
        }
        if (!opened) {
            if (error)
                *error = openError;
        } else {
            QSqlQuery q(db);
            q.prepare(QStringLiteral(
                "SELECT seq, client_msg_id, body, kind FROM messages WHERE channel = ? ORDER BY seq"));
            q.addBindValue(channel);
            if (!q.exec() && error)
                *error = q.lastError().text();
            while (q.next())
                rows.append({q.value(0).toULongLong(), q.value(1).toByteArray(), q.value(2).toByteArray(),
                             q.value(3).toInt()});
        }
    }
    QSqlDatabase::removeDatabase(name);
    return rows;
}

// How a client's history compares with the gateway's stream of the channel.
struct Comparison {
    int lost = 0;       // gateway seqs missing locally
    int duplicated = 0; // a client_msg_id held twice, or a seq held twice
    int mismatched = 0; // same seq, different message
    int extra = 0;      // local seqs the gateway does not have
    bool identical() const { return lost == 0 && duplicated == 0 && mismatched == 0 && extra == 0; }
    QString text() const
    {
        return QStringLiteral("lost %1, duplicated %2, mismatched %3, extra %4")
            .arg(lost)
            .arg(duplicated)
            .arg(mismatched)
            .arg(extra);
    }
};

inline Comparison compareWithGateway(const QList<HistoryRow> &mine, const QList<hchat::v1::Message> &truth)
{
    Comparison c;
    QHash<quint64, const HistoryRow *> bySeq;
    QSet<QByteArray> ids;
    for (const auto &r : mine) {
        if (bySeq.contains(r.seq))
            ++c.duplicated;
        bySeq.insert(r.seq, &r);
        if (!r.clientMsgId.isEmpty()) {
            if (ids.contains(r.clientMsgId))
                ++c.duplicated;
            ids.insert(r.clientMsgId);
        }
    }
    QSet<quint64> truthSeqs;
    for (const auto &m : truth) {
        truthSeqs.insert(m.seq());
        const HistoryRow *r = bySeq.value(m.seq());
        if (!r)
            ++c.lost;
        else if (r->clientMsgId != QByteArray::fromStdString(m.client_msg_id()) ||
                 r->body != QByteArray::fromStdString(m.body()))
            ++c.mismatched;
    }
    for (const auto &r : mine)
        if (!truthSeqs.contains(r.seq))
            ++c.extra;
    return c;
}

// The gateway's own stream must be gap-free (1..n) with each client_msg_id once.
inline bool gatewayStreamIsClean(const QList<hchat::v1::Message> &truth, QString *why)
{
    QSet<QByteArray> ids;
    for (int i = 0; i < truth.size(); ++i) {
        if (truth[i].seq() != quint64(i + 1)) {
            *why = QStringLiteral("hole: position %1 holds seq %2").arg(i).arg(truth[i].seq());
            return false;
        }
        const auto id = QByteArray::fromStdString(truth[i].client_msg_id());
        if (!id.isEmpty() && ids.contains(id)) {
            *why = QStringLiteral("client_msg_id %1 stored twice").arg(QString::fromLatin1(id.toHex()));
            return false;
        }
        ids.insert(id);
    }
    return true;
}

// One JSON line per test for `make soak`: {"fault_figures":{...}}.
inline void printFigures(const QString &test, const QJsonObject &figures)
{
    QJsonObject o = figures;
    o.insert(QStringLiteral("test"), test);
    o.insert(QStringLiteral("soak"), soak());
    qInfo().noquote() << QString::fromUtf8(
        QJsonDocument(QJsonObject{{QStringLiteral("fault_figures"), o}}).toJson(QJsonDocument::Compact));
}

} // namespace hchat::test
