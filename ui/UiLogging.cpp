#include "UiLogging.h"

Q_LOGGING_CATEGORY(lcNotify, "hchat.notify")
Q_LOGGING_CATEGORY(lcUi, "hchat.ui")
