# Gateway integration suites: each starts the real hchat-gateway binary on a free loopback port with
# a temporary database and talks to it with tests/support/ProtocolClient. Split into several
# executables so that CTest runs them in parallel.
target_link_libraries(hchat_testsupport PUBLIC Qt6::WebSockets)

hchat_add_test(tst_gateway_messaging SOURCES tst_gateway_messaging.cpp LIBS PkgConfig::SODIUM LABELS integration TIMEOUT 180)
hchat_add_test(tst_gateway_durability SOURCES tst_gateway_durability.cpp LABELS integration TIMEOUT 180)
hchat_add_test(tst_gateway_badinput SOURCES tst_gateway_badinput.cpp LABELS integration TIMEOUT 180)
hchat_add_test(tst_gateway_http SOURCES tst_gateway_http.cpp LIBS PkgConfig::SODIUM SQLite::SQLite3 LABELS integration TIMEOUT 180)

# Recovery key backup (issue 22): sealed entries all or none, paging, bad input, other accounts, caps.
hchat_add_test(tst_gateway_backup SOURCES tst_gateway_backup.cpp LABELS integration TIMEOUT 240)

# The gateway benchmark at a tiny size, so it cannot rot (real figures come from `make bench`).
if(HCHAT_BUILD_BENCH)
  add_test(NAME bench_gateway_smoke
    COMMAND $<TARGET_FILE:gateway_bench> --connections 200 --messages 10 --reference 50)
  set_tests_properties(bench_gateway_smoke PROPERTIES LABELS unit TIMEOUT 120
    PASS_REGULAR_EXPRESSION "\"acked_messages_per_s\"")
endif()

# Front-door security: routes from the route table, frame types from the descriptor.
hchat_add_test(tst_gateway_security SOURCES tst_gateway_security.cpp
               LIBS hchat_server PkgConfig::SODIUM SQLite::SQLite3 LABELS integration TIMEOUT 180)

# Account and devices: revocation cuts open sessions, change password, log out everywhere, delete
# account.
hchat_add_test(tst_gateway_account SOURCES tst_gateway_account.cpp LABELS integration TIMEOUT 180)

# Attachments: chunked resumable uploads, ranged downloads, limits, the ATTACHMENT message's
# checks, recall erasing the bytes, kill -9 in the middle of an upload.
hchat_add_test(tst_gateway_attachments SOURCES tst_gateway_attachments.cpp LIBS SQLite::SQLite3
               LABELS integration TIMEOUT 180)

# Abuse by one user or one address: connection limits at accept time, password throttles and fair
# hashing, per-user quotas, sessions that end when they should (issue 17).
hchat_add_test(tst_gateway_abuse SOURCES tst_gateway_abuse.cpp LIBS hchat_server LABELS integration TIMEOUT 300)

# Running a community: the permission matrix of moderation, kick/ban/unban, blocks, the directory,
# invite-only and closed registration, administration from the command line and the app (issue 21).
hchat_add_test(tst_gateway_community SOURCES tst_gateway_community.cpp LABELS integration TIMEOUT 300)

# The commit writer's bounded queue (unit: a real SQLite store, no gateway process).
hchat_add_test(tst_server_commitwriter SOURCES tst_server_commitwriter.cpp LIBS hchat_server LABELS unit TIMEOUT 60)
hchat_add_test(tst_server_channelcache SOURCES tst_server_channelcache.cpp LIBS hchat_server LABELS unit TIMEOUT 60)

# Paging the channel list to fit a frame (unit).
hchat_add_test(tst_server_channelpages SOURCES tst_server_channelpages.cpp LIBS hchat_server LABELS unit TIMEOUT 60)
hchat_add_test(tst_server_sendvalidation SOURCES tst_server_sendvalidation.cpp LIBS hchat_server LABELS unit TIMEOUT 60)

# Write coalescing under the WebSocket stream (unit: a loopback connection, no gateway process).
hchat_add_test(tst_server_corkstream SOURCES tst_server_corkstream.cpp LIBS hchat_server LABELS unit TIMEOUT 60)

# The commit writer's answers handed to the sessions once per I/O thread, in order (unit).
hchat_add_test(tst_server_deliverylanes SOURCES tst_server_deliverylanes.cpp LIBS hchat_server LABELS unit TIMEOUT 60)
