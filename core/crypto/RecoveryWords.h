#pragma once

#include <array>

namespace hchat::crypto {

// The word list of recovery keys (RecoveryKey): word i stands for byte value i.
const std::array<const char *, 256> &recoveryWords();

} // namespace hchat::crypto
