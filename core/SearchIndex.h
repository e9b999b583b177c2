#pragma once

#include <QMutex>
#include <QString>
#include <QThread>
#include <QWaitCondition>

#include <atomic>

namespace hchat {

class SearchIndexWorker;
namespace crypto {
class EncryptedPageVfs;
}

// The full-text index of the history, kept in a file of its own beside it (search.sqlite, in the
// history's format: encrypted at rest under the same key) and built by a thread of its own, so
// that tokenizing every message costs the GUI thread nothing during a catch-up. The history is the
// truth: the index follows its rows above the last one indexed, and the rows listed in its
// search_dirty table (written in the transaction that changed what they show: a decryption, an
// edit, a deletion). Derived data only: a search file that cannot be used is deleted and built
// again, and the history's connection attaches it read-only as "search".
class SearchIndex {
public:
    SearchIndex();
    ~SearchIndex();
    SearchIndex(const SearchIndex &) = delete;
    SearchIndex &operator=(const SearchIndex &) = delete;

    // The search file of a history file.
    static QString pathFor(const QString &historyPath);
    // Creates or checks the search file of the history whose search_link token is token (replacing
    // one that is damaged, of the other format, under another key or of another history). False
    // with *error when even a new one cannot be made.
    static bool prepare(const QString &historyPath, const crypto::EncryptedPageVfs *vfs,
                        const QByteArray &token, QString *error);
    // Deletes the search file (and its log) of a history file.
    static void remove(const QString &historyPath);

    void start(const QString &historyPath, const crypto::EncryptedPageVfs *vfs);
    void stop(); // waits for the thread; before the history's connection and the VFS go
    bool isRunning() const { return m_thread.isRunning(); }

    // After a commit that added rows or search_dirty entries.
    void schedule();
    // Waits (at most timeoutMs) until what was committed before is indexed. False on timeout.
    bool waitUntilCurrent(int timeoutMs);

private:
    QThread m_thread;
    SearchIndexWorker *m_worker = nullptr; // lives in m_thread
    std::atomic<bool> m_stopping{false};
    std::atomic<quint64> m_requested{0};
    QMutex m_mutex;
    QWaitCondition m_indexedChanged;
    quint64 m_indexed = 0; // under m_mutex
};

} // namespace hchat
