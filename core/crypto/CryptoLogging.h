#pragma once

#include <QLoggingCategory>

// hchat.crypto: E2EE (identities, key shares, sender sessions). Never logs secrets or plaintext:
// only nicks, device ids, session ids (hex, truncated) and error reasons.
Q_DECLARE_LOGGING_CATEGORY(lcCrypto)
