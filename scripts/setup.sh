#!/usr/bin/env bash
# Installs decant's build dependencies from Debian 12 packages (only when one
# is missing) and builds into build/. Safe to run again.
#
#   bash scripts/setup.sh           a user's build (scripts/demo.sh, scripts/package.sh):
#                                   decant alone, warnings stay warnings
#   bash scripts/setup.sh --tests   the project's test build (scripts/test.sh): also the
#                                   tests, warnings are errors (-DDECANT_WERROR=ON), and
#                                   the lint tools scripts/lint.sh runs
#   bash scripts/setup.sh --deps    the build dependencies only, no build (bench/run.sh,
#                                   which builds its own Release tree)
#
# Both use build/; every choice is passed to cmake each time, so whichever ran
# last decides (a previous configure never leaks into the next).
set -euo pipefail
cd "$(dirname "$0")/.."

tests=OFF
deps_only=0
case "${1:-}" in
  "") ;;
  --tests) tests=ON ;;
  --deps) deps_only=1 ;;
  *) echo "usage: bash scripts/setup.sh [--tests|--deps]" >&2; exit 2 ;;
esac

packages=(g++ cmake ninja-build pkg-config time sqlite3
  libsqlite3-dev libzstd-dev libxxhash-dev libcli11-dev nlohmann-json3-dev
  libfmt-dev libspdlog-dev libssl-dev libarchive-dev zlib1g-dev libsimdjson-dev libprotobuf-dev protobuf-compiler
  libgtest-dev libgmock-dev libbenchmark-dev libpq-dev libmariadb-dev mariadb-client
  python3-django python3-psycopg2 python3-mysqldb python3-protobuf)
if [ "$tests" = ON ]; then packages+=(clang-format clang-tidy python3-jsonschema); fi
# Archive signatures (Ed25519, libssl-dev above): the tests make their keys with openssl.
if [ "$tests" = ON ]; then packages+=(openssl); fi
# The sanitizer and fuzz jobs (scripts/sanitize.sh, scripts/fuzz.sh): clang, and the
# runtimes of -fsanitize=fuzzer,address,undefined (libclang_rt.fuzzer, .asan, .ubsan),
# which are in libclang-rt-14-dev, a package clang only recommends.
if [ "$tests" = ON ]; then packages+=(clang libclang-rt-14-dev); fi
# --report in a browser (tests/report/run_test.py): headless Chromium, its fonts, PIL for the screenshot.
if [ "$tests" = ON ]; then packages+=(chromium python3-pil fonts-dejavu-core); fi
# The tests' npm packages (below) need node and npm; Debian's unless some are there.
if [ "$tests" = ON ] && ! command -v npm >/dev/null; then packages+=(nodejs npm); fi
# The Debian package (scripts/package.sh): CPack's DEB generator runs dpkg-shlibdeps
# (dpkg-dev) on what `file` says is a binary; its test looks pages up with man (man-db),
# and the tests parse the zsh completion with zsh.
packages+=(dpkg-dev file)
if [ "$tests" = ON ]; then packages+=(man-db zsh); fi
# ssl-mode against a private TLS server (tests/security/tls_test.py): mariadbd
# (scripts/servers/mariadb.sh installs it too) and openssl for its certificates.
if [ "$tests" = ON ]; then packages+=(mariadb-server openssl); fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "setup: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
[ "$deps_only" = 1 ] && exit 0

# npm packages the tests use, into $NPM_DIR (the default of the CMake cache
# variable DECANT_NPM_DIR), installed again only when this list changes:
# kubernetes-models and yaml validate the Kubernetes manifest of docs/scale.md
# against the Kubernetes API schema (tests/k8s/). As scripts/servers/postgresql.sh
# installs @embedded-postgres: exact versions, npm's ordinary client.
if [ "$tests" = ON ]; then
  NPM_DIR=/var/tmp/decant-npm
  npm_packages="kubernetes-models@4.5.1 yaml@2.9.1"
  if [ "$(cat "$NPM_DIR/.decant-installed" 2>/dev/null)" != "$npm_packages" ]; then
    echo "setup: installing $npm_packages (npm) into $NPM_DIR" >&2
    rm -rf "$NPM_DIR"
    mkdir -p "$NPM_DIR"
    # shellcheck disable=SC2086 # the list is words
    if ! npm install --prefix "$NPM_DIR" --no-audit --no-fund --no-update-notifier --ignore-scripts \
         $npm_packages >"$NPM_DIR/npm-install.log" 2>&1; then
      tail -n 30 "$NPM_DIR/npm-install.log" >&2
      echo "setup: npm install $npm_packages failed (log: $NPM_DIR/npm-install.log)" >&2
      exit 1
    fi
    echo "$npm_packages" >"$NPM_DIR/.decant-installed"
  fi
fi

echo "setup: building decant into build/ (a few minutes on a fresh machine)" >&2
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DDECANT_WERROR="$tests" -DDECANT_BUILD_TESTS="$tests" >/dev/null
cmake --build build -j"$(nproc)"
