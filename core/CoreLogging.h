#pragma once

#include <QLoggingCategory>

// One logging category per area of the client core. Enable with e.g.
// QT_LOGGING_RULES="hchat.sync.debug=true".
Q_DECLARE_LOGGING_CATEGORY(lcPush)      // hchat.push: WebSocket push channel, reconnects, keep-alive
Q_DECLARE_LOGGING_CATEGORY(lcPull)      // hchat.pull: HTTP /v1/sync batches and retries
Q_DECLARE_LOGGING_CATEGORY(lcSync)      // hchat.sync: merging push and pull, gaps, catch-up reports
Q_DECLARE_LOGGING_CATEGORY(lcStore)     // hchat.store: SQLite history, migrations
Q_DECLARE_LOGGING_CATEGORY(lcOutbox)    // hchat.outbox: pending / sent / failed sends
Q_DECLARE_LOGGING_CATEGORY(lcClient)    // hchat.client: the facade, account, HTTP API
Q_DECLARE_LOGGING_CATEGORY(lcCommunity) // hchat.community: moderation, directory, blocks, admin
Q_DECLARE_LOGGING_CATEGORY(lcVault)     // hchat.vault: token storage in the OS keychain
