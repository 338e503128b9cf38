# Warning and sanitizer flags shared by every strata target (applied through strata_options).
add_library(strata_options INTERFACE)
target_compile_options(strata_options INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
                                                -Wno-sign-conversion)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  # GCC 12 reports false "maybe uninitialized" positives inside Boost.Geometry's envelope code at -O2.
  target_compile_options(strata_options INTERFACE -Wno-maybe-uninitialized)
endif()
if(STRATA_WARNINGS_AS_ERRORS)
  target_compile_options(strata_options INTERFACE -Werror)
endif()
if(STRATA_FUZZ)
  # Coverage instrumentation in every strata target, so libFuzzer sees the library code it drives.
  target_compile_options(strata_options INTERFACE -fsanitize=fuzzer-no-link,address,undefined)
  target_link_options(strata_options INTERFACE -fsanitize=address,undefined)
endif()
if(STRATA_SANITIZE)
  target_compile_options(strata_options INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer)
  target_link_options(strata_options INTERFACE -fsanitize=address,undefined)
endif()

# Declares a strata library for one top-level folder: sources under src/, public headers
# under include/strata/<folder>/.
function(strata_add_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(strata_${name} ${ARG_SOURCES})
  add_library(strata::${name} ALIAS strata_${name})
  target_include_directories(strata_${name} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include)
  target_link_libraries(strata_${name} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE strata_options ${ARG_PRIVATE_DEPS})
  # `cmake --install`: the library and its public headers (include/strata/<name>/).
  install(TARGETS strata_${name} ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
                                 LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
  install(DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
endfunction()
