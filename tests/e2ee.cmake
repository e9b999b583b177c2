# End-to-end encryption wired into the client (core/Client + core/crypto) against the real gateway.
hchat_add_test(tst_e2ee_channels SOURCES tst_e2ee_channels.cpp E2eeTestHelpers.h CoreTestHelpers.h LIBS hchat_core
               LABELS integration TIMEOUT 240)
hchat_add_test(tst_ui_e2ee SOURCES tst_ui_e2ee.cpp E2eeTestHelpers.h CoreTestHelpers.h LIBS hchat_ui
               LABELS ui integration TIMEOUT 180)
# The identity in the real OS keychain (a private session bus and an unlocked gnome-keyring).
hchat_add_test(tst_e2ee_keychain SOURCES tst_e2ee_keychain.cpp CoreTestHelpers.h LIBS hchat_core
               LABELS integration KEYRING TIMEOUT 90)
# Sender-session rotation after 100 messages; direct messages encrypted by default.
hchat_add_test(tst_e2ee_rotation SOURCES tst_e2ee_rotation.cpp E2eeTestHelpers.h CoreTestHelpers.h LIBS hchat_core
               LABELS integration TIMEOUT 240)
# The hostile gateway: the real gateway behind a tampering proxy the test drives (issue 16).
hchat_add_test(tst_e2ee_hostile_gateway SOURCES tst_e2ee_hostile_gateway.cpp E2eeTestHelpers.h CoreTestHelpers.h
               LIBS hchat_core LABELS integration TIMEOUT 240)
# History on every device (issue 22): a device approved by another receives the sessions it holds.
hchat_add_test(tst_e2ee_history SOURCES tst_e2ee_history.cpp E2eeTestHelpers.h CoreTestHelpers.h LIBS hchat_core
               LABELS integration TIMEOUT 240)
# Recovery key backup (issue 22): a fresh profile restores the whole history with the recovery key;
# a wrong key changes nothing; the gateway holds nothing it could open.
hchat_add_test(tst_e2ee_backup SOURCES tst_e2ee_backup.cpp E2eeTestHelpers.h CoreTestHelpers.h LIBS hchat_core
               LABELS integration TIMEOUT 240)
