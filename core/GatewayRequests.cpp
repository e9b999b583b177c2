#include "GatewayRequests.h"

#include "GatewayHttp.h"
#include "PushChannel.h"
#include "hchat.pb.h"

namespace hchat {

GatewayRequests::GatewayRequests(GatewayHttp *http, PushChannel *push, QObject *parent)
    : QObject(parent), m_http(http), m_push(push)
{
}

void GatewayRequests::finishLater(quint64 id, bool ok, const QString &error)
{
    QMetaObject::invokeMethod(
        this, [this, id, ok, error] { emit finished(id, ok, error); }, Qt::QueuedConnection);
}

void GatewayRequests::post(const QString &path, const QByteArray &body, HttpDone done, int urlIndex)
{
    if (m_urls.isEmpty()) {
        done(false, 0, tr("No gateway address is configured."), {});
        return;
    }
    m_http->setBaseUrl(GatewayHttp::httpBaseFromWebSocketUrl(m_urls.at(urlIndex)));
    m_http->post(path, body, [this, path, body, done, urlIndex](const GatewayHttp::Result &r) {
        if (r.networkError() && urlIndex + 1 < m_urls.size()) {
            post(path, body, done, urlIndex + 1);
            return;
        }
        done(r.ok, r.errorCode, r.error, r.body);
    });
}

quint64 GatewayRequests::send(const hchat::v1::Frame &frame, WsAnswer onAnswer)
{
    const quint64 id = nextId();
    sendAs(id, frame, std::move(onAnswer));
    return id;
}

void GatewayRequests::sendAs(quint64 id, const hchat::v1::Frame &frame, WsAnswer onAnswer)
{
    const quint64 rid =
        m_push->sendRequest(frame, [id, onAnswer = std::move(onAnswer)](const hchat::v1::Frame &answer) {
            onAnswer(id, answer);
        });
    if (rid == 0)
        finishLater(id, false, tr("Not connected to the gateway."));
}

QString GatewayRequests::errorText(const hchat::v1::Frame &answer, const QString &fallback)
{
    if (answer.has_error() && !answer.error().message().empty())
        return QString::fromStdString(answer.error().message());
    return fallback;
}

} // namespace hchat
