# Scale-out suites (label `scale`): several gateways sharing a real PostgreSQL 15 and fanning out
# through a real Redis 7, all on loopback. scripts/local-services starts PostgreSQL (and a Redis)
# once for the label, in the build tree, as a CTest fixture; each test makes its own databases
# and its own redis-server. Nothing here skips: a server that cannot start fails the test.
set(HCHAT_SCALE_SERVICES ${CMAKE_CURRENT_BINARY_DIR}/tmp/scale-services)
set(_scale_env "QT_QPA_PLATFORM=offscreen;QT_LOGGING_RULES=*.debug=false;HCHAT_TEST_TMP=${CMAKE_CURRENT_BINARY_DIR}/tmp")

add_test(NAME scale_services_start
  COMMAND ${PROJECT_SOURCE_DIR}/scripts/local-services start ${HCHAT_SCALE_SERVICES})
set_tests_properties(scale_services_start PROPERTIES FIXTURES_SETUP scale_services LABELS scale TIMEOUT 120)
add_test(NAME scale_services_stop
  COMMAND ${PROJECT_SOURCE_DIR}/scripts/local-services stop ${HCHAT_SCALE_SERVICES})
set_tests_properties(scale_services_stop PROPERTIES FIXTURES_CLEANUP scale_services LABELS scale TIMEOUT 60)

# Two gateways, one database, Redis fan-out: push across gateways, concurrent writers, Redis
# restart, failover after kill -9.
hchat_add_test(tst_scale_cluster SOURCES tst_scale_cluster.cpp LABELS scale TIMEOUT 240
  FIXTURES_REQUIRED scale_services ENV HCHAT_SCALE_SERVICES=${HCHAT_SCALE_SERVICES})
target_compile_definitions(tst_scale_cluster PRIVATE HCHAT_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
# The two heaviest (thousands of sends; the SIGTERM case must drain its queue within 20 s) never
# overlap on a 2-core machine.
set_tests_properties(tst_scale_cluster PROPERTIES RESOURCE_LOCK scale_heavy)

# The gateway's contract suites again, on PostgreSQL (GatewayProcess runs each gateway on a
# database of its own when HCHAT_TEST_PG_SERVICES is set): seq, idempotency, sync, bad input, and
# durability (kill -9 mid-stream, SIGTERM, group commit). The SQLite-only cases (disk full through
# a file-size limit; reading the database file directly) stay with the SQLite suites.
function(hchat_add_postgres_run suite)
  add_test(NAME tst_gateway_${suite}_postgres COMMAND $<TARGET_FILE:tst_gateway_${suite}> ${ARGN})
  set_tests_properties(tst_gateway_${suite}_postgres PROPERTIES
    LABELS scale TIMEOUT 240 FIXTURES_REQUIRED scale_services
    SKIP_REGULAR_EXPRESSION "SKIP   :"
    ENVIRONMENT "${_scale_env};HCHAT_TEST_PG_SERVICES=${HCHAT_SCALE_SERVICES}")
endfunction()
hchat_add_postgres_run(messaging)
hchat_add_postgres_run(badinput)
hchat_add_postgres_run(account)
hchat_add_postgres_run(attachments)
hchat_add_postgres_run(community)
hchat_add_postgres_run(backup)
hchat_add_postgres_run(durability killNineMidStreamLosesNoAcknowledgedMessage sigtermFinishesInFlightCommits
                       groupCommitBatchesConcurrentSenders)
set_tests_properties(tst_gateway_durability_postgres PROPERTIES RESOURCE_LOCK scale_heavy)

# The real client core with both addresses: pushes across gateways, then failover after kill -9.
if(TARGET hchat_core)
  hchat_add_test(tst_scale_failover SOURCES tst_scale_failover.cpp LIBS hchat_core LABELS scale TIMEOUT 240
    FIXTURES_REQUIRED scale_services ENV HCHAT_SCALE_SERVICES=${HCHAT_SCALE_SERVICES})
  target_compile_definitions(tst_scale_failover PRIVATE HCHAT_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
endif()
# Replies, edits and deletions on PostgreSQL (the SQLite-file checks of the deletion case stay
# with the SQLite run).
add_test(NAME tst_core_amendments_postgres COMMAND $<TARGET_FILE:tst_core_amendments>
         replyNamesTheQuotedMessageOnEveryMember editReachesOnlineAndOfflineMembers onlyTheSenderMayEditOrDelete
         encryptedEditAndDeleteAreSignedAndApplied)
set_tests_properties(tst_core_amendments_postgres PROPERTIES
  LABELS scale TIMEOUT 240 FIXTURES_REQUIRED scale_services SKIP_REGULAR_EXPRESSION "SKIP   :"
  ENVIRONMENT "${_scale_env};HCHAT_TEST_PG_SERVICES=${HCHAT_SCALE_SERVICES}")
