#include "crypto/CryptoLogging.h"

Q_LOGGING_CATEGORY(lcCrypto, "hchat.crypto")
