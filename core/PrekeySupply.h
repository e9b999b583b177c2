#pragma once

#include <QDateTime>
#include <QHash>
#include <QObject>
#include <QTimer>

namespace hchat {

class GatewayHttp;
namespace crypto {
class ChannelCrypto;
}

// Keeps one-time prekeys flowing for ChannelCrypto, over the gateway's HTTP API:
//   - this device's: asks how many the gateway still holds and publishes more below the low-water
//     mark (POST /v1/keys/prekeys), at start and after some were used;
//   - peers': claims one for each trusted device of a member of an encrypted channel that has
//     none (POST /v1/keys/claim), whenever ChannelCrypto wants more. A device the gateway had
//     none for is not asked again for a while (it seals to the device's exchange key meanwhile).
// One request of each kind at a time; requests that come meanwhile are folded into the next.
class PrekeySupply : public QObject {
    Q_OBJECT
public:
    static constexpr qint64 kExhaustedRetryMs = 10 * 60 * 1000;

    PrekeySupply(GatewayHttp *http, crypto::ChannelCrypto *crypto, QObject *parent = nullptr);

    // The device keys are published: prekeys may follow.
    void start();
    void stop();

private:
    void topUp();
    void publish(int available);
    void claim();

    GatewayHttp *m_http;
    crypto::ChannelCrypto *m_crypto;
    bool m_started = false;
    bool m_topUpRunning = false;
    bool m_topUpAgain = false;
    bool m_claimRunning = false;
    bool m_claimAgain = false;
    QTimer m_claimTimer;
    QTimer m_topUpTimer;
    QHash<QString, qint64> m_exhaustedAt; // device → when the gateway had no prekey for it
};

} // namespace hchat
