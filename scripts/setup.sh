#!/usr/bin/env bash
# Installs decant's build dependencies from Debian 12 packages (only when one
# is missing) and builds into build/. Safe to run again.
#
#   bash scripts/setup.sh           a user's build (scripts/demo.sh): decant alone,
#                                   warnings stay warnings
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
  libfmt-dev libspdlog-dev libarchive-dev zlib1g-dev libsimdjson-dev libprotobuf-dev protobuf-compiler
  libgtest-dev libgmock-dev libbenchmark-dev libpq-dev libmariadb-dev mariadb-client
  python3-django python3-psycopg2 python3-mysqldb python3-protobuf)
if [ "$tests" = ON ]; then packages+=(clang-format clang-tidy); fi

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

echo "setup: building decant into build/ (a few minutes on a fresh machine)" >&2
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DDECANT_WERROR="$tests" -DDECANT_BUILD_TESTS="$tests" >/dev/null
cmake --build build -j"$(nproc)"
