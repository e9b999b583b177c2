# Fuzz tests (label fuzz): each libFuzzer target runs for HCHAT_FUZZ_SECONDS on a temporary copy of
# its seed corpus after replaying its regression inputs (fuzz/run.sh). The targets come from the
# lean `fuzz` preset (build-fuzz/, which test.sh builds) unless this tree builds them itself; a
# missing binary fails the test. One at a time, so that they do not starve the other tests.
include(${PROJECT_SOURCE_DIR}/fuzz/targets.cmake)
if(HCHAT_FUZZ)
  set(_fuzz_bin_default ${CMAKE_BINARY_DIR}/fuzz)
else()
  set(_fuzz_bin_default ${PROJECT_SOURCE_DIR}/build-fuzz/fuzz)
endif()
set(HCHAT_FUZZ_BINARY_DIR ${_fuzz_bin_default} CACHE PATH "Where the fuzz tests find the fuzz_<target> binaries")
set(HCHAT_FUZZ_SECONDS 20 CACHE STRING "How long each fuzz test fuzzes its target")
foreach(_target IN LISTS HCHAT_FUZZ_TARGETS)
  add_test(NAME fuzz_${_target}
           COMMAND ${PROJECT_SOURCE_DIR}/fuzz/run.sh ${HCHAT_FUZZ_BINARY_DIR} ${HCHAT_FUZZ_SECONDS} ${_target})
  set_tests_properties(fuzz_${_target} PROPERTIES LABELS fuzz TIMEOUT 240 RESOURCE_LOCK hchat_fuzz)
endforeach()
