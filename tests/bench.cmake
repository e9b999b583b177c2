# Every bench program runs once at a tiny size in the test suite, so none can rot. The figures of
# a real run come from `make bench`, never from here.
set(_bench_tmp ${CMAKE_CURRENT_BINARY_DIR}/tmp/bench)
add_test(NAME bench_ui_open_smoke
  COMMAND sh -c "mkdir -p '${_bench_tmp}' && '$<TARGET_FILE:make_history_fixture>' '${_bench_tmp}/history-2k.db' 2000 && '$<TARGET_FILE:ui_open_bench>' '${_bench_tmp}/history-2k.db'")
set_tests_properties(bench_ui_open_smoke PROPERTIES LABELS unit TIMEOUT 120
  ENVIRONMENT "QT_QPA_PLATFORM=offscreen" PASS_REGULAR_EXPRESSION "\"open_to_first_paint_ms\"")
