#!/usr/bin/env bash
# The Debian package of decant, made with Debian's tools from a configured tree
# (CPack's DEB generator, cmake/package.cmake; Depends from dpkg-shlibdeps;
# what goes where: docs/install.md).
#
#   bash scripts/package.sh [BUILD_DIR]         builds BUILD_DIR (default build/, as
#       scripts/setup.sh leaves it) and packs what `cmake --install` installs, the
#       binary stripped, into BUILD_DIR/package/decant_<version>_<arch>.deb
#   bash scripts/package.sh --test [BUILD_DIR]  also installs that package on this
#       system (dpkg -i) and, with PATH=/usr/bin:/bin only, runs the installed decant:
#       --version, the demo's export, inspect, import and verify (scripts/demo.sh with
#       DECANT=decant), finds every man page (man -w), loads the bash completion and
#       completes a command with it; then purges the package and checks that none of
#       its files is left. Any failure fails the script (the package is purged all
#       the same). Skips, with one line, when not root, without dpkg, or when a
#       decant package or /usr/bin/decant is already there (it never replaces them).
#       scripts/test.sh runs this after ctest.
set -euo pipefail
cd "$(dirname "$0")/.."

test_it=0
if [ "${1:-}" = --test ]; then
  test_it=1
  shift
fi
build="${1:-build}"

if ((test_it)) && ! command -v dpkg-deb >/dev/null; then
  echo "package: skipped: no dpkg (not a Debian system)" >&2
  exit 0
fi
if [ ! -f "$build/CPackConfig.cmake" ]; then
  echo "package: $build is not configured: run bash scripts/setup.sh first" >&2
  exit 1
fi
for tool in dpkg-shlibdeps file; do
  if ! command -v "$tool" >/dev/null; then
    echo "package: $tool is missing (Debian: dpkg-dev, file; bash scripts/setup.sh installs them)" >&2
    exit 1
  fi
done

cmake --build "$build" --target decant decant_docs
rm -f "$build"/package/decant_*.deb
log="$build/package/cpack.log"
mkdir -p "$build/package"
if ! cpack --config "$build/CPackConfig.cmake" -G DEB >"$log" 2>&1; then
  cat "$log" >&2
  echo "package: cpack failed" >&2
  exit 1
fi
debs=("$build"/package/decant_*.deb)
deb="${debs[0]}"
[ -f "$deb" ] || { echo "package: cpack made no decant_*.deb (log: $log)" >&2; exit 1; }
echo "package: $deb" >&2
dpkg-deb --field "$deb" Package Version Architecture Depends >&2
if command -v lintian >/dev/null; then
  echo "package: lintian says (not a failure):" >&2
  lintian "$deb" >&2 || true
fi
((test_it)) || exit 0

# ---- the installed package, on a clean PATH --------------------------------
if [ "$(id -u)" -ne 0 ]; then
  echo "package: install test skipped: not root (it installs and purges the package)" >&2
  exit 0
fi
status="$(dpkg-query -W -f='${Status}' decant 2>/dev/null || true)"
if [ -n "$status" ] && [ "$status" != "unknown ok not-installed" ]; then
  echo "package: install test skipped: a decant package is already on this system ($status)" >&2
  exit 0
fi
if [ -e /usr/bin/decant ]; then
  echo "package: install test skipped: /usr/bin/decant is already there (not from a package)" >&2
  exit 0
fi

demo_dir="$(mktemp -d -t decant-package-test.XXXXXX)"
installed=0
cleanup() {
  if ((installed)); then dpkg --purge decant >/dev/null || echo "package: dpkg --purge decant failed" >&2; fi
  rm -rf "$demo_dir"
}
trap cleanup EXIT
fail() {
  echo "package: FAILED: $*" >&2
  exit 1
}
clean_env=(env -i PATH=/usr/bin:/bin HOME="$demo_dir" LANG=C.UTF-8)

echo "package: dpkg -i $deb" >&2
installed=1
dpkg -i "$deb" >&2 || fail "dpkg -i $deb (a Depends missing?)"
mapfile -t files < <(dpkg -L decant | while read -r f; do [ -d "$f" ] || echo "$f"; done)

echo "package: decant --version (PATH=/usr/bin:/bin)" >&2
[ "$("${clean_env[@]}" sh -c 'command -v decant')" = /usr/bin/decant ] || fail "decant is not /usr/bin/decant"
version="$(dpkg-deb --field "$deb" Version)"
out="$("${clean_env[@]}" decant --version)" || fail "decant --version"
echo "  $out" >&2
case "$out" in "decant $version "*) ;; *) fail "decant --version does not say $version" ;; esac

echo "package: the demo with the installed decant (scripts/demo.sh, DECANT=decant)" >&2
"${clean_env[@]}" DECANT=decant DEMO_DIR="$demo_dir/demo" bash scripts/demo.sh >&2 || fail "the demo"

echo "package: man pages" >&2
# A minimal image may tell dpkg to leave man pages out (path-exclude); then only the
# package's list of them is checked.
man_excluded=0
if grep -qsE '^path-exclude[= ]+/usr/share/man' /etc/dpkg/dpkg.cfg /etc/dpkg/dpkg.cfg.d/*; then
  man_excluded=1
  echo "  dpkg leaves /usr/share/man out here (path-exclude): the pages' presence on disk is not checked" >&2
fi
pages=0
for f in "${files[@]}"; do
  case "$f" in /usr/share/man/man1/*) ;; *) continue ;; esac
  page="$(basename "$f")"
  page="${page%.gz}"
  page="${page%.1}"
  pages=$((pages + 1))
  ((man_excluded)) && continue
  [ -f "$f" ] || fail "$f is in the package but not on the system"
  if command -v man >/dev/null; then
    found="$("${clean_env[@]}" man -w "$page")" || fail "man -w $page"
    [ "$found" = "$f" ] || fail "man -w $page found $found, not $f"
  fi
done
contents="$(dpkg-deb --contents "$deb")"
for page in decant decant-export decant-import decant-verify; do
  [[ "$contents" == *" ./usr/share/man/man1/$page.1"* ]] || fail "the package has no man page $page"
done
echo "  $pages pages$( ((man_excluded)) || ! command -v man >/dev/null || echo ', each found by man -w')" >&2

echo "package: bash completion" >&2
completion=/usr/share/bash-completion/completions/decant
# shellcheck disable=SC2016 # expanded by the child bash
"${clean_env[@]}" bash -c 'source "$1" && complete -p decant && COMP_WORDS=(decant exp) COMP_CWORD=1 &&
  _decant && [ "${COMPREPLY[*]}" = export ]' bash "$completion" >&2 || fail "the bash completion"
[ -f /usr/share/zsh/vendor-completions/_decant ] || fail "no zsh completion"
if command -v zsh >/dev/null; then zsh -n /usr/share/zsh/vendor-completions/_decant || fail "zsh -n _decant"; fi

echo "package: dpkg --purge decant" >&2
installed=0
dpkg --purge decant >&2 || fail "dpkg --purge decant"
for f in "${files[@]}"; do
  [ ! -e "$f" ] || fail "$f is left after the purge"
done
[ -z "$(dpkg-query -W -f='${Status}' decant 2>/dev/null | grep -v 'not-installed' || true)" ] ||
  fail "dpkg still knows decant"
echo "package: ok: $deb installed, checked and purged" >&2
