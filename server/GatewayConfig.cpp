#include "GatewayConfig.h"
