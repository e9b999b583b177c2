#pragma once

#include "GatewayProxy.h"
#include "GatewaySuite.h"

namespace hchat::test {

// A GatewaySuite with a GatewayProxy (m_proxy) in front of its gateway, for the suites that play
// a hostile gateway: clients connect to the proxy, whose hooks are cleared after each test. A suite
// that needs more set-up declares its own initTestCase and calls startGatewayAndProxy() in it.
class ProxiedGatewaySuite : public GatewaySuite {
    Q_OBJECT
public:
    using GatewaySuite::GatewaySuite;
    ~ProxiedGatewaySuite() override;

protected:
    bool startGatewayAndProxy();

    std::unique_ptr<GatewayProxy> m_proxy;

private slots:
    void initTestCase();
    void cleanup();
    void cleanupTestCase();
};

} // namespace hchat::test
