#include "PrekeySupply.h"

#include "CoreLogging.h"
#include "GatewayHttp.h"
#include "Limits.h"
#include "crypto/ChannelCrypto.h"
#include "hchat.pb.h"

namespace hchat {

PrekeySupply::PrekeySupply(GatewayHttp *http, crypto::ChannelCrypto *crypto, QObject *parent)
    : QObject(parent), m_http(http), m_crypto(crypto)
{
    m_claimTimer.setSingleShot(true);
    m_claimTimer.setInterval(20);
    connect(&m_claimTimer, &QTimer::timeout, this, &PrekeySupply::claim);
    m_topUpTimer.setSingleShot(true);
    m_topUpTimer.setInterval(500);
    connect(&m_topUpTimer, &QTimer::timeout, this, &PrekeySupply::topUp);
    connect(m_crypto, &crypto::ChannelCrypto::prekeysWanted, this, [this] {
        if (m_started && !m_claimTimer.isActive())
            m_claimTimer.start();
    });
    connect(m_crypto, &crypto::ChannelCrypto::prekeyUsed, this, [this] {
        if (m_started && !m_topUpTimer.isActive())
            m_topUpTimer.start();
    });
}

void PrekeySupply::start()
{
    m_started = true;
    topUp();
    claim();
}

void PrekeySupply::stop()
{
    m_started = false;
    m_claimTimer.stop();
    m_topUpTimer.stop();
}

void PrekeySupply::topUp()
{
    if (!m_started)
        return;
    if (m_topUpRunning) {
        m_topUpAgain = true;
        return;
    }
    m_topUpRunning = true;
    m_http->post(QStringLiteral("/v1/keys/prekeys"), hchat::v1::PrekeyUpload(), [this](const GatewayHttp::Result &r) {
        hchat::v1::PrekeyCount count;
        if (!r.ok || !count.ParseFromArray(r.body.constData(), int(r.body.size()))) {
            qCWarning(lcClient).noquote() << "asking for the prekey count failed:" << r.error;
            m_topUpRunning = false;
            return;
        }
        publish(int(std::min<quint32>(count.available(), quint32(limits::kMaxPrekeysPerDevice))));
    });
}

void PrekeySupply::publish(int available)
{
    const QList<crypto::PrekeyStore::Prekey> fresh = m_crypto->prekeysToPublish(available);
    auto finish = [this] {
        m_topUpRunning = false;
        if (std::exchange(m_topUpAgain, false))
            topUp();
    };
    if (fresh.isEmpty())
        return finish();
    hchat::v1::PrekeyUpload upload;
    // Each id is sent once: if the answer is lost, the next top-up makes new ones rather than
    // sending these again (the gateway could have handed some out already, and would take them
    // back in).
    const qsizetype sent = fresh.size();
    for (const auto &k : fresh) {
        auto *p = upload.add_prekeys();
        p->set_key_id(k.keyId);
        p->set_public_key(k.publicKey.constData(), std::size_t(k.publicKey.size()));
        p->set_signature(k.signature.constData(), std::size_t(k.signature.size()));
    }
    m_http->post(QStringLiteral("/v1/keys/prekeys"), upload, [sent, finish](const GatewayHttp::Result &r) {
        hchat::v1::PrekeyCount count;
        if (!r.ok || !count.ParseFromArray(r.body.constData(), int(r.body.size()))) {
            qCWarning(lcClient).noquote() << "publishing prekeys failed:" << r.error;
            return finish();
        }
        qCInfo(lcClient) << "published" << sent << "one-time prekeys;" << count.available() << "at the gateway";
        finish();
    });
}

void PrekeySupply::claim()
{
    if (!m_started)
        return;
    if (m_claimRunning) {
        m_claimAgain = true;
        return;
    }
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    hchat::v1::PrekeyClaim req;
    QHash<QString, QString> asked; // device → nick
    for (const auto &[nick, device] : m_crypto->devicesNeedingPrekeys()) {
        const auto exhausted = m_exhaustedAt.constFind(device);
        if (exhausted != m_exhaustedAt.cend() && now - *exhausted < kExhaustedRetryMs)
            continue;
        if (asked.size() >= int(limits::kMaxPrekeyClaims)) {
            m_claimAgain = true;
            break;
        }
        asked.insert(device, nick);
        req.add_device_ids(device.toStdString());
    }
    if (asked.isEmpty())
        return;
    m_claimRunning = true;
    m_http->post(QStringLiteral("/v1/keys/claim"), req, [this, asked, now](const GatewayHttp::Result &r) {
        m_claimRunning = false;
        hchat::v1::PrekeyClaimResponse resp;
        const bool answered = r.ok && resp.ParseFromArray(r.body.constData(), int(r.body.size()));
        if (answered)
            m_crypto->applyClaimedPrekeys(resp, asked);
        else
            qCWarning(lcClient).noquote() << "claiming prekeys failed:" << r.error;
        // None left, one that did not verify, or no answer at all: not again for a while (the
        // shares to those devices are sealed to their device keys meanwhile).
        for (auto it = asked.cbegin(); it != asked.cend(); ++it)
            if (!m_crypto->prekeys().claimed(it.value(), it.key()))
                m_exhaustedAt.insert(it.key(), now);
        if (std::exchange(m_claimAgain, false) && answered)
            m_claimTimer.start();
    });
}

} // namespace hchat
