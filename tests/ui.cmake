# UI suites: real widgets and real desktop services.
hchat_add_test(tst_ui_notification_policy SOURCES tst_ui_notification_policy.cpp LIBS hchat_ui LABELS ui DBUS)

# The shared 1,000,000-message history, built once per test run and reused by the benchmark.
set(HCHAT_HISTORY_FIXTURE ${CMAKE_BINARY_DIR}/fixtures/history-1m.db CACHE INTERNAL "")
add_test(NAME fixture_history_1m COMMAND make_history_fixture ${HCHAT_HISTORY_FIXTURE} 1000000)
set_tests_properties(fixture_history_1m PROPERTIES FIXTURES_SETUP history1m LABELS ui TIMEOUT 600)

hchat_add_test(tst_ui_message_model SOURCES tst_ui_message_model.cpp LIBS hchat_ui LABELS ui
               FIXTURES_REQUIRED history1m ENV HCHAT_HISTORY_FIXTURE=${HCHAT_HISTORY_FIXTURE})

hchat_add_test(tst_ui_main_window SOURCES tst_ui_main_window.cpp LIBS hchat_ui LABELS ui integration TIMEOUT 240)

hchat_add_test(tst_ui_screenshots SOURCES tst_ui_screenshots.cpp LIBS hchat_ui LABELS ui XVFB TIMEOUT 180)
target_compile_definitions(tst_ui_screenshots PRIVATE HCHAT_BINARY_DIR="${CMAKE_BINARY_DIR}")

hchat_add_test(tst_ui_notifications SOURCES tst_ui_notifications.cpp LIBS hchat_ui LABELS ui integration DBUS TIMEOUT 180)

hchat_add_test(tst_ui_account SOURCES tst_ui_account.cpp LIBS hchat_ui LABELS ui integration TIMEOUT 180)

# Desktop integration on a private session bus: portal dark mode, single instance, --help/--version.
hchat_add_test(tst_ui_desktop SOURCES tst_ui_desktop.cpp LIBS hchat_ui LABELS ui DBUS TIMEOUT 120)
target_compile_definitions(tst_ui_desktop PRIVATE HCHAT_APP_BINARY="$<TARGET_FILE:hchat>")
add_dependencies(tst_ui_desktop hchat)

# The tray icon against a StatusNotifierItem host the test plays (X server + private session bus).
hchat_add_test(tst_ui_tray SOURCES tst_ui_tray.cpp LIBS hchat_ui LABELS ui integration DBUS XVFB TIMEOUT 120)

# Reply, mention completion, edit and delete in the window, against the real gateway.
hchat_add_test(tst_ui_chat_actions SOURCES tst_ui_chat_actions.cpp LIBS hchat_ui LABELS ui integration TIMEOUT 180)

# Text from the network (gateway errors, device names and ids, nicks) shown as text in labels,
# message boxes and tool tips; a GatewayProxy plays the hostile gateway.
hchat_add_test(tst_ui_remote_text SOURCES tst_ui_remote_text.cpp LIBS hchat_ui LABELS ui integration TIMEOUT 180)

# Inline thumbnails from the network: no decompression bombs, decoded at the drawn size, a bounded cache.
hchat_add_test(tst_ui_thumbnails SOURCES tst_ui_thumbnails.cpp LIBS hchat_ui LABELS ui TIMEOUT 120)

# Sign-in: host:port means TLS (except on this machine); http:// to another machine asks first.
hchat_add_test(tst_ui_cleartext SOURCES tst_ui_cleartext.cpp LIBS hchat_ui LABELS ui TIMEOUT 120)

# Attachments in the window: upload progress and thumbnails, downloads with progress, drops.
hchat_add_test(tst_ui_attachments SOURCES tst_ui_attachments.cpp LIBS hchat_ui LABELS ui integration TIMEOUT 180)

# Issue 21 in the window (real X server, real gateway): browse and join, the member menu by role,
# channel settings, read-only, blocked users, administration; screenshots in build/screenshots.
hchat_add_test(tst_ui_community SOURCES tst_ui_community.cpp LIBS hchat_ui LABELS ui integration XVFB TIMEOUT 240)
target_compile_definitions(tst_ui_community PRIVATE HCHAT_BINARY_DIR="${CMAKE_BINARY_DIR}")

# Issue 23 in the window (real gateway): Markdown rendered safely, icons without an icon theme, the
# composer's focus after a join, the sign-in dialog's first words, Help, encrypted previews.
hchat_add_test(tst_ui_rich_messages SOURCES tst_ui_rich_messages.cpp LIBS hchat_ui LABELS ui integration TIMEOUT 180)
