#!/usr/bin/env bash
# Installs, from Debian 12's archive, whatever hookline needs to build, run and test that this
# machine lacks. Safe to run again: it installs nothing when everything is there.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git clang-format
  libboost1.81-dev libcurl4-openssl-dev libssl-dev libhiredis-dev nlohmann-json3-dev
  libspdlog-dev libfmt-dev libcli11-dev libtomlplusplus-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # The fuzzers of fuzz/: clang, its libFuzzer and sanitizer runtimes, llvm-symbolizer.
  clang libclang-rt-14-dev llvm
  redis-server
  # The Debian package and its test (tests/packaging/): cpack's dependency scan (dpkg-shlibdeps)
  # and file type checks, systemd-analyze for the unit, groff for the man page.
  dpkg-dev file systemd groff-base
  # The Python producer example of docs/producers.md (redis-py, for /usr/bin/python3), which
  # the tests run.
  python3 python3-redis
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

# Node.js runs the independent signature verifier, the OpenAPI checks and the docs' examples in
# the tests (their npm packages come later, from tests/node/package.json).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi

if ((${#missing[@]} > 0)); then
  echo "Installing: ${missing[*]}"
  sudo_cmd=()
  if [[ $(id -u) -ne 0 ]]; then
    sudo_cmd=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  # Debian starts a system redis-server on install where it can; hookline's demo and tests run
  # their own on free ports, so that one is not needed, but it does no harm.
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
