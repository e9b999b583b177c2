// Compiles the test suites' precompiled headers (tests/CMakeLists.txt); holds no code.
