#!/usr/bin/env bash
# Set-up, build and run in one step, on a fresh Debian 12 machine or an existing checkout.
#   packaging/dev.sh run [FILE...]   build, then open the window on FILE... (default: the bundled sample)
#   packaging/dev.sh test            build, then run the whole test suite (offscreen)
#   packaging/dev.sh test --sanitize the same under AddressSanitizer and UndefinedBehaviorSanitizer (build-sanitize/)
#   packaging/dev.sh bench [NAME] [ARGS...]
#                                    build, then run tests/bench_NAME (default: import, the long import/search
#                                    benchmark; e.g. ingest, layoutstability, livewindow, flamechart; see README)
#   packaging/dev.sh mutants [FILE]  check that the tests catch the one-line bugs of packaging/mutants.txt
#                                    (long: one incremental build and test run per mutant; see mutants.sh)
#   packaging/dev.sh package         build a Release tracemap_VERSION_amd64.deb in build-release/ (CPack; its
#                                    dependencies from dpkg-shlibdeps, Debian's hardening flags)
#   packaging/dev.sh install-test    build the package, install it, try the installed program from outside the
#                                    source tree, run lintian, remove it and check nothing is left (root; CI)
#   packaging/dev.sh fuzz [SECONDS] [TARGET...]
#                                    build the libFuzzer targets of tests/fuzz with clang (build-fuzz/), run each for
#                                    SECONDS (default 60), one at a time, and print executions and coverage (fuzz.sh)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${TRACEMAP_BUILD_DIR:-$here/build}
packages=(cmake ninja-build g++ pkg-config qt6-base-dev qt6-base-dev-tools qt6-svg-dev libgl-dev
          libgraphviz-dev libsqlite3-dev libsimdjson-dev libprotobuf-dev protobuf-compiler zlib1g-dev libzstd-dev
          libqcustomplot-dev libmicrohttpd-dev libgrpc++-dev protobuf-compiler-grpc
          qtkeychain-qt6-dev libigraph-dev libmimalloc-dev openssl) # openssl: tst_remoteclients makes a CA and a server certificate

install_missing() {
    local missing=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -eq 0 ]; then
        echo "dev.sh: installing ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
    else
        echo "dev.sh: these Debian packages are missing: ${missing[*]}" >&2
        echo "dev.sh: install them with: sudo apt-get install ${missing[*]}" >&2
        exit 1
    fi
}

# Builds the given targets (default: everything, tests and benchmarks included).
configure_and_build() {
    install_missing "${packages[@]}"
    if [ ! -f "$build/build.ninja" ]; then
        cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
    fi
    local targets=()
    for t in "$@"; do targets+=(--target "$t"); done
    cmake --build "$build" -j "${TRACEMAP_JOBS:-2}" "${targets[@]}"
}

# The real senders tst_interop drives (tests/interop/package.json, exact versions): node and npm from Debian when
# node is missing, then `npm ci`, skipped while node_modules matches package.json and the lock file.
install_interop_senders() {
    if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
        install_missing nodejs npm
    fi
    local dir=$here/tests/interop stamp=$here/tests/interop/node_modules/.tracemap-installed
    local sum
    sum=$(cd "$dir" && sha256sum package.json package-lock.json)
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ]; then
        return 0
    fi
    echo "dev.sh: installing the interop test senders (npm ci in tests/interop)"
    (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
    echo "$sum" >"$stamp"
}

command=${1:-}
[ $# -gt 0 ] && shift
case "$command" in
    run)
        configure_and_build tracemap # the app alone: opening it does not wait for the tests to compile
        if [ $# -eq 0 ]; then set -- "$here/resources/sample-shop.json.gz"; fi
        if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
            install_missing xvfb xauth
            echo "dev.sh: no display; running under xvfb-run" >&2
            exec xvfb-run -a "$build/app/tracemap" "$@"
        fi
        exec "$build/app/tracemap" "$@"
        ;;
    test)
        if [ "${1:-}" = --sanitize ]; then
            # AddressSanitizer and UndefinedBehaviorSanitizer over the whole project, in a build folder of its own.
            # Any report fails the test that made it (halt_on_error); leaks Qt and the system libraries keep for
            # the process's lifetime are suppressed in packaging/lsan.supp, each with its reason.
            shift
            build=${TRACEMAP_SANITIZE_BUILD_DIR:-$here/build-sanitize}
            install_missing "${packages[@]}"
            if [ ! -f "$build/build.ninja" ]; then
                launcher=()
                if command -v ccache >/dev/null; then
                    launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
                fi
                flags="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
                cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" \
                    -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_C_FLAGS="$flags" \
                    -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
                    -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=address,undefined"
            fi
            cmake --build "$build" -j "${TRACEMAP_JOBS:-2}"
            install_interop_senders
            cd "$build"
            export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1:detect_stack_use_after_return=0"
            export LSAN_OPTIONS="suppressions=$here/packaging/lsan.supp:print_suppressions=0"
            export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
            TRACEMAP_REQUIRE_INTEROP=1 QT_QPA_PLATFORM=offscreen ctest --output-on-failure -j 2 --timeout 900
            exit
        fi
        configure_and_build
        install_interop_senders
        cd "$build"
        # tst_interop fails instead of skipping when the senders are missing: they were just installed.
        TRACEMAP_REQUIRE_INTEROP=1 QT_QPA_PLATFORM=offscreen ctest --output-on-failure -j 2
        ;;
    bench)
        name=import
        if [ $# -gt 0 ] && [ -f "$here/tests/bench_$1.cpp" ]; then name=$1; shift; fi
        configure_and_build "bench_$name"
        [ "$name" = import ] && install_missing nodejs # its baseline is node's JSON.parse
        export TRACEMAP_FIXTURES=${TRACEMAP_FIXTURES:-$here/../shared/fixtures} # as CTest sets it
        exec "$build/tests/bench_$name" "$@"
        ;;
    package | install-test)
        # A Release build of the program alone (no tests) with Debian's hardening flags, and its package.
        build=${TRACEMAP_RELEASE_BUILD_DIR:-$here/build-release}
        install_missing "${packages[@]}" dpkg-dev file help2man
        if [ ! -f "$build/build.ninja" ]; then
            launcher=()
            if command -v ccache >/dev/null; then
                launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
            fi
            # dpkg-buildflags maps the source folder to "." in debug paths, so it runs from there.
            flags=$(cd "$here" && DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --get CPPFLAGS)
            flags+=" $(cd "$here" && DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --get CXXFLAGS)"
            ldflags=$(DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --get LDFLAGS)
            cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
                "${launcher[@]}" -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="$ldflags"
        fi
        cmake --build "$build" -j "${TRACEMAP_JOBS:-2}" --target tracemap tracemap_desktop_files tracemap_changelog
        rm -f "$build"/tracemap_*.deb
        (cd "$build" && cpack -G DEB)
        deb=$(ls "$build"/tracemap_*_*.deb)
        echo "dev.sh: built $deb"
        if [ "$command" = install-test ]; then
            install_missing lintian desktop-file-utils appstream
            export TRACEMAP_FIXTURES=${TRACEMAP_FIXTURES:-$here/../shared/fixtures}
            exec "$here/packaging/install-test.sh" "$deb"
        fi
        ;;
    mutants)
        install_missing "${packages[@]}"
        exec "$here/packaging/mutants.sh" "$@"
        ;;
    fuzz)
        install_missing "${packages[@]}" clang-16 libclang-rt-16-dev # libclang-rt: libFuzzer and the sanitizers
        export TRACEMAP_FIXTURES=${TRACEMAP_FIXTURES:-$here/../shared/fixtures}
        exec "$here/packaging/fuzz.sh" "$@"
        ;;
    *)
        echo "usage: packaging/dev.sh run [FILE...] | test [--sanitize] | bench [NAME] [ARGS...] | package | install-test | mutants [FILE] | fuzz [SECONDS] [TARGET...]" >&2
        exit 2
        ;;
esac
