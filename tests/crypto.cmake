# E2EE suites (core/crypto). Unit suites: real libsodium, real SQLite files, real key files.
hchat_add_test(tst_crypto_identity SOURCES tst_crypto_identity.cpp LIBS hchat_core LABELS unit TIMEOUT 60)
hchat_add_test(tst_crypto_passphrase SOURCES tst_crypto_passphrase.cpp LIBS hchat_core LABELS unit TIMEOUT 120)
hchat_add_test(tst_crypto_trust SOURCES tst_crypto_trust.cpp LIBS hchat_core LABELS unit TIMEOUT 60)
hchat_add_test(tst_crypto_messages SOURCES tst_crypto_messages.cpp LIBS hchat_core LABELS unit TIMEOUT 120)
hchat_add_test(tst_crypto_attachments SOURCES tst_crypto_attachments.cpp LIBS hchat_core LABELS unit TIMEOUT 60)
hchat_add_test(tst_crypto_senderkeystore SOURCES tst_crypto_senderkeystore.cpp LIBS hchat_core LABELS unit TIMEOUT 60)
hchat_add_test(tst_crypto_encryptedpages SOURCES tst_crypto_encryptedpages.cpp LIBS hchat_core LABELS unit TIMEOUT 120)
# The OS keychain through QtKeychain: a private session bus and an unlocked gnome-keyring-daemon
# in a temporary HOME (KEYRING).
hchat_add_test(tst_crypto_keychain SOURCES tst_crypto_keychain.cpp LIBS hchat_core LABELS unit KEYRING TIMEOUT 60)
hchat_add_test(tst_crypto_channel SOURCES tst_crypto_channel.cpp LIBS hchat_core LABELS unit TIMEOUT 60)
# Signed membership: who is a member of an encrypted channel (genesis, add, accept, leave, remove).
hchat_add_test(tst_crypto_membership SOURCES tst_crypto_membership.cpp LIBS hchat_core LABELS unit TIMEOUT 60)
# One-time prekeys: shares sealed to them, their secrets gone from the file once used.
hchat_add_test(tst_crypto_prekeys SOURCES tst_crypto_prekeys.cpp LIBS hchat_core LABELS unit TIMEOUT 60)
# Signed device lists: which list replaces which, and what a list does to trust.
hchat_add_test(tst_crypto_devicelist SOURCES tst_crypto_devicelist.cpp LIBS hchat_core LABELS unit TIMEOUT 60)
# Recovery key backup (issue 22): the recovery key's words and checksum, sealed backup entries.
hchat_add_test(tst_crypto_recoverykey SOURCES tst_crypto_recoverykey.cpp LIBS hchat_core LABELS unit TIMEOUT 60)
