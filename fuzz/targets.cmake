# The fuzz targets: fuzz/fuzz_<name>.cpp, corpus in fuzz/corpus/<name>/, crashers kept as
# regression inputs in fuzz/regressions/<name>/. Read by fuzz/CMakeLists.txt and tests/fuzz.cmake.
set(HCHAT_FUZZ_TARGETS gateway_ws gateway_http client_sync e2ee)
