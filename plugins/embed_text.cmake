# Writes the file IN as a C++ raw string constant into the header OUT.
file(READ ${IN} TEXT)
get_filename_component(NAME ${IN} NAME)
file(WRITE ${OUT} "#pragma once\n// Generated from ${NAME} by plugins/embed_text.cmake: do not edit.\n"
                  "inline constexpr const char* kStrataLadmExtension = R\"strata_ext(${TEXT})strata_ext\";\n")
