#include "GatewayConfig.h"
#include "hchat/Version.h"

#include <cstdio>

int main()
{
    std::printf("hchat-gateway %s (placeholder)\n", hchat::kVersion);
    return 0;
}
