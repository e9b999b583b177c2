#include "ProxiedGatewaySuite.h"

#include <QtTest>

namespace hchat::test {

ProxiedGatewaySuite::~ProxiedGatewaySuite() = default;

bool ProxiedGatewaySuite::startGatewayAndProxy()
{
    if (!startGateway())
        return false;
    m_proxy = std::make_unique<GatewayProxy>(m_gw->httpUrl());
    return m_proxy->listen();
}

void ProxiedGatewaySuite::initTestCase()
{
    QVERIFY(startGatewayAndProxy());
}

void ProxiedGatewaySuite::cleanup()
{
    m_proxy->clearHooks();
}

void ProxiedGatewaySuite::cleanupTestCase()
{
    m_proxy.reset();
    m_gw.reset();
}

} // namespace hchat::test
