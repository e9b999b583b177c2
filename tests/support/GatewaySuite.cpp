#include "GatewaySuite.h"

#include <QtTest>

namespace hchat::test {

GatewaySuite::GatewaySuite(QStringList gatewayArguments) : m_gatewayArguments(std::move(gatewayArguments)) {}

GatewaySuite::~GatewaySuite() = default;

bool GatewaySuite::startGateway()
{
    m_gw = std::make_unique<GatewayProcess>();
    m_gw->setExtraArguments(m_gatewayArguments);
    if (m_gw->start())
        return true;
    qWarning().noquote() << "the gateway did not start:" << m_gw->output();
    return false;
}

void GatewaySuite::initTestCase()
{
    QVERIFY(startGateway());
}

void GatewaySuite::cleanupTestCase()
{
    m_gw.reset();
}

} // namespace hchat::test
