#include "FuzzNetwork.h"

#include <QTimer>

#include <cstring>

namespace hchat::fuzz {

QNetworkReply *FuzzNetwork::createRequest(Operation op, const QNetworkRequest &request,
                                          QIODevice *outgoingData)
{
    const QByteArray body = outgoingData ? outgoingData->readAll() : QByteArray();
    HttpAnswer answer;
    if (m_queue.empty()) {
        answer = m_default(request, body);
    } else {
        Queued q = std::move(m_queue.front());
        m_queue.pop_front();
        answer = std::move(q.answer);
        if (q.rewrite)
            q.rewrite(body, answer);
    }
    return new FuzzReply(this, op, request, std::move(answer));
}

FuzzReply::FuzzReply(FuzzNetwork *network, QNetworkAccessManager::Operation op,
                     const QNetworkRequest &request, HttpAnswer answer)
    : QNetworkReply(network), m_network(network), m_body(std::move(answer.body))
{
    ++m_network->m_live;
    setRequest(request);
    setUrl(request.url());
    setOperation(op);
    open(QIODevice::ReadOnly | QIODevice::Unbuffered);
    if (answer.status == 0) {
        m_body.clear();
        setError(QNetworkReply::ConnectionRefusedError, QStringLiteral("Connection refused"));
    } else {
        setAttribute(QNetworkRequest::HttpStatusCodeAttribute, answer.status);
        if (answer.status < 200 || answer.status >= 300)
            setError(QNetworkReply::UnknownContentError, QStringLiteral("HTTP error %1").arg(answer.status));
    }
    QTimer::singleShot(0, this, &FuzzReply::deliver);
}

FuzzReply::~FuzzReply()
{
    --m_network->m_live;
}

void FuzzReply::deliver()
{
    if (isFinished())
        return;
    emit metaDataChanged();
    emit downloadProgress(m_body.size(), m_body.size());
    if (!m_body.isEmpty())
        emit readyRead();
    setFinished(true);
    if (error() != QNetworkReply::NoError)
        emit errorOccurred(error());
    emit finished();
}

void FuzzReply::abort()
{
    if (isFinished())
        return;
    m_body.clear();
    setError(QNetworkReply::OperationCanceledError, QStringLiteral("Operation canceled"));
    setFinished(true);
    emit errorOccurred(error());
    emit finished();
}

qint64 FuzzReply::bytesAvailable() const
{
    return m_body.size() - m_pos + QIODevice::bytesAvailable();
}

qint64 FuzzReply::readData(char *data, qint64 maxSize)
{
    if (m_pos >= m_body.size())
        return isFinished() ? -1 : 0;
    const qint64 n = std::min(maxSize, m_body.size() - m_pos);
    std::memcpy(data, m_body.constData() + m_pos, std::size_t(n));
    m_pos += n;
    return n;
}

} // namespace hchat::fuzz
