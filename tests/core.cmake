# Client core suites (core/: hchat_core). Unit suites need nothing but the library; integration
# suites run the real hchat-gateway (tests/support/GatewayProcess) and real clients.
hchat_add_test(tst_core_backoff SOURCES tst_core_backoff.cpp LIBS hchat_core LABELS unit TIMEOUT 60)
hchat_add_test(tst_core_historystore SOURCES tst_core_historystore.cpp LIBS hchat_core LABELS unit TIMEOUT 120)
