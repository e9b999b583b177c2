#pragma once

#include "GatewayProcess.h"
#include "HttpTestApi.h"

#include <QObject>
#include <QStringList>

#include <memory>

namespace hchat::test {

// The fixture of a QtTest suite against one real gateway: derive from it instead of QObject. The
// gateway (m_gw, started with gatewayArguments) runs from before the suite's first test until
// after its last. A suite that needs more set-up declares its own initTestCase and calls
// startGateway() in it first.
class GatewaySuite : public QObject {
    Q_OBJECT
public:
    explicit GatewaySuite(QStringList gatewayArguments = {});
    ~GatewaySuite() override;

protected:
    // False (with the gateway's output) when the gateway did not start.
    bool startGateway();
    HttpTestApi api() const { return HttpTestApi(m_gw->httpUrl()); }
    // Registers nick (if needed) and logs in as a new device: its session token (empty: failed).
    QString account(const QString &nick) const { return api().account(nick); }

    std::unique_ptr<GatewayProcess> m_gw;

private slots:
    void initTestCase();
    void cleanupTestCase();

private:
    QStringList m_gatewayArguments;
};

} // namespace hchat::test
