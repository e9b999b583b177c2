# Fault suite (issue #8): kill -9 loops of the gateway and of a client, a fault-injecting TCP proxy,
# a full disk, clock jumps and resume. The short versions run here (label fault); HCHAT_SOAK=1
# runs the long ones (make soak). Clients are real client cores: in-process or hchat_fault_peer.
add_executable(hchat_fault_peer hchat_fault_peer.cpp)
target_link_libraries(hchat_fault_peer PRIVATE hchat_core)
hchat_strict_warnings(hchat_fault_peer)

function(hchat_add_fault_test name)
  hchat_add_test(${name} SOURCES ${name}.cpp FaultTestHelpers.h LIBS hchat_core Qt6::Sql LABELS fault ${ARGN})
  target_compile_definitions(${name} PRIVATE HCHAT_FAULT_PEER="$<TARGET_FILE:hchat_fault_peer>"
                                             HCHAT_CORE_PROBE="$<TARGET_FILE:hchat_core_probe>")
  add_dependencies(${name} hchat_fault_peer hchat_core_probe)
endfunction()

hchat_add_fault_test(tst_fault_gateway_crash TIMEOUT 300)
hchat_add_fault_test(tst_fault_client_crash TIMEOUT 300)
hchat_add_fault_test(tst_fault_network TIMEOUT 300)
hchat_add_fault_test(tst_fault_diskfull TIMEOUT 240)
hchat_add_fault_test(tst_fault_resume TIMEOUT 240)
