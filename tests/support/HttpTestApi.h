#pragma once

#include "hchat.pb.h"

#include <QByteArray>
#include <QString>
#include <QUrl>

namespace hchat::test {

// Blocking calls to the gateway's HTTP API for test set-up and for checking what the gateway
// holds (the truth a client's history is compared with). Each call spins a local event loop with
// a timeout.
class HttpTestApi {
public:
    explicit HttpTestApi(QUrl base) : m_base(std::move(base)) {}

    struct Reply {
        int status = 0;
        QByteArray body;
        QString error;
        bool ok() const { return status >= 200 && status < 300; }
    };
    Reply post(const QString &path, const QByteArray &body, const QString &token = {},
               int timeoutMs = 20000) const;

    bool registerUser(const QString &nick, const QString &password, QString *error = nullptr) const;
    // Logs in (device_id empty: a new device). Returns false on failure.
    bool login(const QString &nick, const QString &password, hchat::v1::LoginResponse *out,
               const QString &deviceId = {}, QString *error = nullptr) const;
    // Registers (if needed) and logs in; returns the token (empty on failure).
    QString account(const QString &nick, const QString &password = QStringLiteral("correct horse battery"),
                    QString *deviceId = nullptr) const;
    bool sync(const QString &token, const QString &channel, quint64 from, quint32 limit,
              hchat::v1::SyncResponse *out) const;
    // Every message of a channel as the gateway holds it, pulled in batches.
    QList<hchat::v1::Message> allMessages(const QString &token, const QString &channel) const;

private:
    QUrl m_base;
};

} // namespace hchat::test
