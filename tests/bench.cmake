# Every bench program runs once at a tiny size in the test suite, so none can rot. The figures of
# a real run come from `make bench`, never from here.
set(_bench_tmp ${CMAKE_CURRENT_BINARY_DIR}/tmp/bench)
add_test(NAME bench_ui_open_smoke
  COMMAND sh -c "mkdir -p '${_bench_tmp}' && '$<TARGET_FILE:make_history_fixture>' '${_bench_tmp}/history-2k.db' 2000 && '$<TARGET_FILE:ui_open_bench>' '${_bench_tmp}/history-2k.db'")
set_tests_properties(bench_ui_open_smoke PROPERTIES LABELS unit TIMEOUT 120
  ENVIRONMENT "QT_QPA_PLATFORM=offscreen" PASS_REGULAR_EXPRESSION "\"open_to_first_paint_ms\"")

# startup_bench: hchat and its bare-Qt reference started on a small profile, both to their painted
# channel list and messages.
add_test(NAME bench_startup_smoke COMMAND startup_bench --messages 2000 --channels 20 --runs 1
  --profile ${_bench_tmp}/startup-profile)
set_tests_properties(bench_startup_smoke PROPERTIES LABELS unit TIMEOUT 120
  ENVIRONMENT "QT_QPA_PLATFORM=offscreen" PASS_REGULAR_EXPRESSION "\"complete\":true")

# loadgen against the real gateway and against the Node.js reference: 4 connections in 2 channels,
# 2 senders, 20 messages; every message acknowledged and delivered to every member. The reference's
# npm packages come from scripts/install-deps; missing, the test fails and says so.
if(HCHAT_BUILD_BENCH)
foreach(_server hchat reference)
  add_test(NAME bench_loadgen_${_server}_smoke
    COMMAND ${PROJECT_SOURCE_DIR}/bench/smoke_loadgen.sh ${_server} $<TARGET_FILE:loadgen> $<TARGET_FILE:hchat-gateway>)
  set_tests_properties(bench_loadgen_${_server}_smoke PROPERTIES LABELS unit TIMEOUT 60
    ENVIRONMENT "TMPDIR=${_bench_tmp}" PASS_REGULAR_EXPRESSION "\"delivery_ratio\":1.0000")
endforeach()
endif()

# catchup_bench and crypto_bench at a tiny size (gateway_bench's smoke is in gateway.cmake).
if(HCHAT_BUILD_BENCH AND TARGET hchat_core AND TARGET hchat_testsupport)
  # Both modes (plain and encrypted) in one line; every message stored, and decrypted.
  add_test(NAME bench_catchup_smoke COMMAND catchup_bench 500)
  set_tests_properties(bench_catchup_smoke PROPERTIES LABELS unit TIMEOUT 90
    ENVIRONMENT "QT_QPA_PLATFORM=offscreen;HCHAT_TEST_TMP=${CMAKE_CURRENT_BINARY_DIR}/tmp"
    PASS_REGULAR_EXPRESSION "\"catchup_msgs_per_s\".*\"complete\":true.*\"encrypted_catchup_msgs_per_s\"")
endif()
if(HCHAT_BUILD_BENCH AND TARGET hchat_core)
  add_test(NAME bench_crypto_smoke COMMAND crypto_bench --messages 200)
  set_tests_properties(bench_crypto_smoke PROPERTIES LABELS unit TIMEOUT 60
    ENVIRONMENT "QT_QPA_PLATFORM=offscreen" PASS_REGULAR_EXPRESSION "\"encrypt_per_s\"")
endif()

# cluster_bench (two gateways on PostgreSQL + Redis against one) at a tiny size; it starts its own
# PostgreSQL and Redis through scripts/local-services, hence the `scale` label.
if(HCHAT_BUILD_BENCH AND TARGET hchat_testsupport)
  add_test(NAME bench_cluster_smoke COMMAND cluster_bench --senders 1 --receivers 2 --messages 20)
  set_tests_properties(bench_cluster_smoke PROPERTIES LABELS scale TIMEOUT 180 RESOURCE_LOCK scale_heavy
    ENVIRONMENT "QT_QPA_PLATFORM=offscreen;HCHAT_TEST_TMP=${CMAKE_CURRENT_BINARY_DIR}/tmp"
    PASS_REGULAR_EXPRESSION "\"complete\":true")
endif()
