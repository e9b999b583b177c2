# The Debian packages: build, lint, install, upgrade, purge. Installs into the system (root).
hchat_add_test(tst_packaging_debs SOURCES tst_packaging_debs.cpp LIBS Qt6::Gui LABELS packaging XVFB TIMEOUT 600)
target_compile_definitions(tst_packaging_debs PRIVATE HCHAT_BINARY_DIR="${CMAKE_BINARY_DIR}"
  HCHAT_SOURCE_DIR="${PROJECT_SOURCE_DIR}" HCHAT_VERSION="${PROJECT_VERSION}")
set_tests_properties(tst_packaging_debs PROPERTIES RESOURCE_LOCK system_packages)
