#pragma once

#include <QObject>
#include <QString>

#include <atomic>
#include <functional>
#include <memory>

namespace hchat {

class SqliteStatement;
namespace crypto {
class EncryptedPageVfs;
}

// Builds the search index on a thread of its own (see SearchIndex): one connection opened there on
// the search file, with the history attached read-mostly. Each run indexes the history's rows above
// the last one indexed and the rows its search_dirty table lists, in transactions of a bounded
// size, until nothing is left.
class SearchIndexWorker : public QObject {
    Q_OBJECT
public:
    SearchIndexWorker(QString historyPath, QString searchPath, const crypto::EncryptedPageVfs *vfs,
                      const std::atomic<bool> *stopping, const std::atomic<quint64> *requested);
    ~SearchIndexWorker() override;

    // What search finds of a row of the history, or nothing (not text, ciphertext not decrypted,
    // refused, deleted).
    static QString searchTextOf(int kind, bool encrypted, int cryptoState, bool deleted,
                                const QByteArray &body, const QString &plainText,
                                const QByteArray &attachment);

public slots:
    // Indexes everything committed before it started (unless a run since did), then emits
    // indexed() with the generation requested when it started.
    void indexPending(quint64 generation);
    void close();

signals:
    void indexed(quint64 generation);

private:
    bool openConnection();
    enum class Outcome { More, Done, Failed };
    // One transaction's worth.
    Outcome indexSome();

    QString m_historyPath;
    QString m_searchPath;
    const crypto::EncryptedPageVfs *m_vfs;
    const std::atomic<bool> *m_stopping;
    const std::atomic<quint64> *m_requested;
    quint64 m_doneThrough = 0; // generations up to this one are indexed
    QString m_connectionName;
    bool m_open = false;
    // Prepared once per connection: a run follows every commit that stored messages.
    std::unique_ptr<SqliteStatement> m_insert;
    std::unique_ptr<SqliteStatement> m_remove;
    bool m_broken = false; // the connection failed: stays idle until the history is opened again
};

} // namespace hchat
