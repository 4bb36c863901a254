# Included by the top-level CMakeLists.txt before any target when TRACEMAP_FUZZ is on: every library the fuzz
# targets link is compiled with libFuzzer's coverage instrumentation and with AddressSanitizer and
# UndefinedBehaviorSanitizer (Qt and the system libraries stay as Debian built them). Clang only.
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "TRACEMAP_FUZZ needs clang (e.g. -DCMAKE_CXX_COMPILER=clang++-16); packaging/dev.sh fuzz sets it")
endif()
add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
                    -fno-omit-frame-pointer -gline-tables-only)
add_link_options(-fsanitize=address,undefined)
# Assertions on, ours and Qt's inline ones (QList bounds, QString indices), whatever the build type.
add_compile_options(-UNDEBUG)
add_compile_definitions(QT_FORCE_ASSERTS)
# GCC 12's libstdc++ declares std::expected only when __cpp_concepts >= 202002L, which clang 16 (full C++20
# concepts but for one corner) does not define yet. Qt is built against libstdc++, so this stays libstdc++.
add_compile_options(-D__cpp_concepts=202002L -Wno-macro-redefined)
