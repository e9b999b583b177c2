# Client core suites (core/: hchat_core). Unit suites need nothing but the library; integration
# suites run the real hchat-gateway (tests/support/GatewayProcess) and real clients.
hchat_add_test(tst_core_backoff SOURCES tst_core_backoff.cpp LIBS hchat_core LABELS unit TIMEOUT 60)
hchat_add_test(tst_core_historystore SOURCES tst_core_historystore.cpp LIBS hchat_core LABELS unit TIMEOUT 120)
hchat_add_test(tst_core_outbox SOURCES tst_core_outbox.cpp LIBS hchat_core LABELS unit TIMEOUT 60)
hchat_add_test(tst_core_mentions SOURCES tst_core_mentions.cpp LIBS hchat_core LABELS unit TIMEOUT 60)
hchat_add_test(tst_core_attachmentinfo SOURCES tst_core_attachmentinfo.cpp LIBS hchat_core LABELS unit TIMEOUT 60)
# No cleartext to another machine without the user's consent (a loopback proxy stands in for the network).
hchat_add_test(tst_core_cleartext SOURCES tst_core_cleartext.cpp CoreTestHelpers.h LIBS hchat_core LABELS unit TIMEOUT 60)

# The client core as a separate headless process (killed with -9 mid-catch-up by tst_core_crash).
add_executable(hchat_core_probe hchat_core_probe.cpp)
target_link_libraries(hchat_core_probe PRIVATE hchat_core)
hchat_strict_warnings(hchat_core_probe)

hchat_add_test(tst_core_catchup SOURCES tst_core_catchup.cpp CoreTestHelpers.h LIBS hchat_core
               LABELS integration TIMEOUT 180)
hchat_add_test(tst_core_gaps SOURCES tst_core_gaps.cpp CoreTestHelpers.h LIBS hchat_core
               LABELS integration TIMEOUT 120)
hchat_add_test(tst_core_crash SOURCES tst_core_crash.cpp LIBS hchat_core LABELS integration TIMEOUT 180)
target_compile_definitions(tst_core_crash PRIVATE HCHAT_CORE_PROBE="$<TARGET_FILE:hchat_core_probe>")
add_dependencies(tst_core_crash hchat_core_probe)
hchat_add_test(tst_core_devices SOURCES tst_core_devices.cpp CoreTestHelpers.h LIBS hchat_core
               LABELS integration TIMEOUT 120)
# A real keychain: gnome-keyring (Secret Service) inside a private session bus.
hchat_add_test(tst_core_keychain SOURCES tst_core_keychain.cpp CoreTestHelpers.h LIBS hchat_core
               LABELS integration KEYRING TIMEOUT 90)
hchat_add_test(tst_core_pushchannel SOURCES tst_core_pushchannel.cpp CoreTestHelpers.h LIBS hchat_core
               LABELS integration TIMEOUT 120)
hchat_add_test(tst_core_amendments SOURCES tst_core_amendments.cpp E2eeTestHelpers.h LIBS hchat_core
               LABELS integration TIMEOUT 180)
# Account operations through the client core: change password, log out everywhere, delete account
# ("deleted user" live and after catch-up).
hchat_add_test(tst_core_account SOURCES tst_core_account.cpp CoreTestHelpers.h LIBS hchat_core
               LABELS integration TIMEOUT 120)
# Attachments through the real gateway: resumable uploads (also across a gateway restart and an
# app restart), downloads, encrypted files, deletion, limits.
hchat_add_test(tst_core_attachments SOURCES tst_core_attachments.cpp E2eeTestHelpers.h LIBS hchat_core
               LABELS integration TIMEOUT 240)
hchat_add_test(tst_core_presence SOURCES tst_core_presence.cpp CoreTestHelpers.h LIBS hchat_core
               LABELS integration TIMEOUT 120)
# Issue 21, the history's side: moderators' deletions only in unencrypted channels, topic/read-only/role kept.
hchat_add_test(tst_core_moderation SOURCES tst_core_moderation.cpp LIBS hchat_core LABELS unit TIMEOUT 60)
# Issue 21 end to end: moderation, roles, read-only, directory, blocking, administration,
# invite-only and closed registration, through client cores against the real gateway.
hchat_add_test(tst_core_community SOURCES tst_core_community.cpp CoreTestHelpers.h LIBS hchat_core
               LABELS integration TIMEOUT 240)
