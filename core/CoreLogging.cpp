#include "CoreLogging.h"

Q_LOGGING_CATEGORY(lcPush, "hchat.push")
Q_LOGGING_CATEGORY(lcPull, "hchat.pull")
Q_LOGGING_CATEGORY(lcSync, "hchat.sync")
Q_LOGGING_CATEGORY(lcStore, "hchat.store")
Q_LOGGING_CATEGORY(lcOutbox, "hchat.outbox")
Q_LOGGING_CATEGORY(lcClient, "hchat.client")
Q_LOGGING_CATEGORY(lcVault, "hchat.vault")
Q_LOGGING_CATEGORY(lcCommunity, "hchat.community")
