# UI suites: real widgets and real desktop services.
hchat_add_test(tst_ui_notification_policy SOURCES tst_ui_notification_policy.cpp LIBS hchat_ui LABELS ui DBUS)
