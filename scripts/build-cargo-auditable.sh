#!/usr/bin/env bash
# build-cargo-auditable.sh CACHE_DIR
#
# Provides a working `cargo-auditable` on a Debian 12 (bookworm) host using
# only packages from Debian 13 (trixie) main, fetched from deb.debian.org
# through a PRIVATE apt configuration under CACHE_DIR (the system's apt
# sources, lists and dpkg status are never touched, nothing is installed).
#
# Why not build from source: the rust-* source packages (rust-cargo-auditable,
# rust-itoa, ...) are not downloadable from the deb.debian.org we can reach
# (HTTP 404 for their .dsc/.orig.tar.gz), while binary .debs are.  Trixie's
# binary `cargo-auditable` needs GLIBC_2.39, so it is run against trixie's own
# glibc: the binary's ELF interpreter and RPATH are pointed (with trixie's
# patchelf) at a private trixie libc6/libgcc-s1 under CACHE_DIR.  Processes it
# spawns (cargo, rustc, the linker) use the system libc as usual.
#
# Afterwards a probe crate depending on `itoa` (from a local directory
# registry made of trixie librust-*-dev packages) is built with
# `cargo auditable build --release --offline`, and its `.dep-v0` section is
# checked with readelf.
#
# Layout of CACHE_DIR:
#   bin/cargo-auditable   the binary (last stdout line of this script)
#   sysroot/              extracted trixie runtime debs (glibc, libgcc, ...)
#   registry/             cargo directory registry (trixie librust-*-dev)
#   cargo-home/           CARGO_HOME whose config.toml uses registry/, offline
#   manifest.txt          exact trixie package versions + sha256 of the debs
#   apt/, debs/, probe/, target/   private apt config, downloads, verification
#                         (apt lists are deleted after a successful run)
#
# Idempotent: if bin/cargo-auditable exists and runs, only its path is
# printed.  Progress goes to stderr; stdout carries only the binary path.
set -euo pipefail
umask 022

SUITE=trixie
MIRROR=http://deb.debian.org/debian
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
# Runtime closure of the trixie cargo-auditable and patchelf binaries.
RUNTIME_PKGS=(cargo-auditable patchelf libc6 libgcc-s1 libstdc++6)
# Packages that may appear in their Depends without being needed at runtime.
IGNORABLE_DEPS=(gcc-14-base)
# Crates for the verification probe (closure is resolved by apt).
REGISTRY_ROOTS=(librust-itoa-dev)

log() { printf '[build-cargo-auditable] %s\n' "$*" >&2; }
die() { printf '[build-cargo-auditable] ERROR: %s\n' "$*" >&2; exit 1; }
trap 'rc=$?; printf "[build-cargo-auditable] ERROR: command failed (exit %s) at line %s: %s\n" "$rc" "$LINENO" "$BASH_COMMAND" >&2' ERR

[ $# -eq 1 ] && [ -n "$1" ] || die "usage: $0 CACHE_DIR"
mkdir -p "$1"
CACHE=$(cd "$1" && pwd -P)
case "$CACHE" in *[[:space:]\"\\]*) die "CACHE_DIR must not contain whitespace, quotes or backslashes: $CACHE" ;; esac
BIN="$CACHE/bin/cargo-auditable"

# `cargo-auditable --version` exits 1 ("should be invoked through Cargo");
# `cargo-auditable auditable --version` is what `cargo auditable --version`
# runs: it proves the binary loads and then execs `cargo --version`.
binary_runs() { [ -x "$BIN" ] && "$BIN" auditable --version >/dev/null 2>&1; }

if binary_runs; then echo "$BIN"; exit 0; fi

command -v flock >/dev/null || die "flock (util-linux) not found"
exec 9>"$CACHE/.lock"
flock 9
if binary_runs; then echo "$BIN"; exit 0; fi   # built concurrently meanwhile

START=$SECONDS
for tool in apt-get apt-cache dpkg dpkg-deb cargo sha256sum; do
  command -v "$tool" >/dev/null || die "required tool '$tool' not found in PATH"
done
[ -r "$KEYRING" ] || die "$KEYRING missing (package debian-archive-keyring)"

if ! command -v readelf >/dev/null; then
  log "readelf not found; installing binutils with the system apt"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends binutils >&2 \
    || { apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends binutils >&2; } \
    || die "could not install binutils (needed for readelf)"
fi

ARCH=$(dpkg --print-architecture)

# ---------------------------------------------------------------- private apt
APTDIR="$CACHE/apt"
APTCONF="$APTDIR/apt.conf"
mkdir -p "$APTDIR"/{lists/partial,archives/partial,cache,state,etc/sources.list.d,etc/preferences.d}
cat >"$APTDIR/sources.list" <<EOF
deb [signed-by=$KEYRING] $MIRROR $SUITE main
EOF
cat >"$APTCONF" <<EOF
// Private apt configuration of build-cargo-auditable.sh (system state untouched).
Dir::Etc::sourcelist "$APTDIR/sources.list";
Dir::Etc::sourceparts "$APTDIR/etc/sources.list.d";
Dir::Etc::preferences "$APTDIR/etc/preferences";
Dir::Etc::preferencesparts "$APTDIR/etc/preferences.d";
Dir::State "$APTDIR/state";
Dir::State::lists "$APTDIR/lists";
Dir::State::extended_states "$APTDIR/state/extended_states";
Dir::State::status "/dev/null";
Dir::Cache "$APTDIR/cache";
Dir::Cache::archives "$APTDIR/archives";
Dir::Cache::pkgcache "$APTDIR/cache/pkgcache.bin";
Dir::Cache::srcpkgcache "$APTDIR/cache/srcpkgcache.bin";
APT::Architecture "$ARCH";
#clear APT::Architectures;
APT::Architectures:: "$ARCH";
APT::Sandbox::User "root";
Acquire::Languages "none";
Acquire::Retries "3";
#clear APT::Update::Pre-Invoke;
#clear APT::Update::Post-Invoke;
#clear APT::Update::Post-Invoke-Success;
EOF
APT_GET=(apt-get -c "$APTCONF" -qq)
APT_CACHE=(apt-cache -c "$APTCONF")

log "apt-get update ($SUITE main, private config $APTCONF)"
"${APT_GET[@]}" update >&2 || die "apt-get update for $SUITE failed (is $MIRROR reachable?)"

candidate_version() {
  "${APT_CACHE[@]}" show --no-all-versions "$1" 2>/dev/null | awk '/^Version:/{print $2; exit}'
}

# Runtime packages: exact candidate versions, and make sure their Depends did
# not grow beyond what we extract.
declare -A WANT=()
for p in "${RUNTIME_PKGS[@]}"; do
  v=$(candidate_version "$p")
  [ -n "$v" ] || die "package $p not found in $SUITE"
  WANT[$p]=$v
done
for p in cargo-auditable patchelf libc6 libgcc-s1; do
  while read -r dep; do
    [ -n "$dep" ] || continue
    [ -n "${WANT[$dep]:-}" ] && continue
    for ok in "${IGNORABLE_DEPS[@]}"; do [ "$dep" = "$ok" ] && continue 2; done
    die "$p ${WANT[$p]} depends on '$dep', which this script does not provide; update RUNTIME_PKGS"
  done < <("${APT_CACHE[@]}" depends --no-recommends --no-suggests --no-conflicts \
             --no-breaks --no-replaces --no-enhances "$p=${WANT[$p]}" \
           | awk '$1 == "Depends:" || $1 == "PreDepends:" {gsub(/[<>]/, "", $2); print $2}')
done

# Registry packages: let apt resolve the dependency closure (virtual
# librust-foo-N+feature-dev names, version constraints), keep librust-*.
roots=$(IFS=,; echo "${REGISTRY_ROOTS[*]}")
sat_out=$("${APT_GET[@]}" -s satisfy "$roots" 2>&1) \
  || { printf '%s\n' "$sat_out" >&2; die "apt could not resolve $roots in $SUITE"; }
REG_PKGS=()
while read -r p v; do
  REG_PKGS+=("$p"); WANT[$p]=$v
done < <(printf '%s\n' "$sat_out" | awk '$1 == "Inst" && $2 ~ /^librust-/ {v = $3; sub(/^\(/, "", v); print $2, v}')
[ "${#REG_PKGS[@]}" -gt 0 ] || { printf '%s\n' "$sat_out" >&2; die "no librust-* packages resolved for $roots"; }

# ------------------------------------------------------------------ download
DEBS="$CACHE/debs"
rm -rf "$DEBS"; mkdir -p "$DEBS"
specs=()
for p in "${!WANT[@]}"; do specs+=("$p=${WANT[$p]}"); done
mapfile -t specs < <(printf '%s\n' "${specs[@]}" | LC_ALL=C sort)
log "downloading ${#specs[@]} .debs from $SUITE"
(cd "$DEBS" && "${APT_GET[@]}" download "${specs[@]}" >&2) || die "apt-get download failed"
n=$(find "$DEBS" -maxdepth 1 -name '*.deb' | wc -l)
[ "$n" -eq "${#specs[@]}" ] || die "expected ${#specs[@]} .debs in $DEBS, found $n"

deb_of() { ls "$DEBS/$1"_*.deb; }   # exactly one per package in a fresh dir

# ------------------------------------------------------------------- extract
SYSROOT="$CACHE/sysroot"
REGROOT="$CACHE/registry-root"
rm -rf "$SYSROOT" "$REGROOT"; mkdir -p "$SYSROOT" "$REGROOT"
for p in "${RUNTIME_PKGS[@]}"; do dpkg-deb -x "$(deb_of "$p")" "$SYSROOT"; done
for p in "${REG_PKGS[@]}"; do dpkg-deb -x "$(deb_of "$p")" "$REGROOT"; done
REGISTRY="$REGROOT/usr/share/cargo/registry"
[ -d "$REGISTRY" ] || die "no usr/share/cargo/registry in the librust-*-dev packages"
ln -sfn "$REGISTRY" "$CACHE/registry"

# ------------------------------------------------- relocate cargo-auditable
ORIG="$SYSROOT/usr/bin/cargo-auditable"
[ -x "$ORIG" ] || die "cargo-auditable binary missing from the .deb"
interp=$(readelf -l "$ORIG" | sed -n 's/.*Requesting program interpreter: \(.*\)\]$/\1/p')
[ -n "$interp" ] || die "cannot read ELF interpreter of $ORIG"
libc=$(find "$SYSROOT/usr/lib" -name libc.so.6 -type f | LC_ALL=C sort | head -n1)
[ -n "$libc" ] || die "libc.so.6 not found in extracted libc6"
LIBDIR=$(dirname "$libc")
LDSO="$LIBDIR/$(basename "$interp")"
[ -x "$LDSO" ] || die "dynamic loader $LDSO not found in extracted libc6"

STAGE="$CACHE/stage"
rm -rf "$STAGE"; mkdir -p "$STAGE/bin"
cp "$ORIG" "$STAGE/bin/cargo-auditable"
# trixie's patchelf needs trixie's libstdc++/glibc too: run it via the loader.
"$LDSO" --library-path "$LIBDIR" "$SYSROOT/usr/bin/patchelf" \
  --set-interpreter "$LDSO" --force-rpath --set-rpath "$LIBDIR" "$STAGE/bin/cargo-auditable" \
  || die "patchelf failed"

# ---------------------------------------------------------------- cargo home
CARGO_HOME_DIR="$CACHE/cargo-home"
mkdir -p "$CARGO_HOME_DIR"
cat >"$CARGO_HOME_DIR/config.toml" <<EOF
# Generated by build-cargo-auditable.sh: crates come only from Debian $SUITE
# librust-*-dev packages (directory registry); no network.
[source.crates-io]
replace-with = "debian-$SUITE"

[source.debian-$SUITE]
directory = "$REGISTRY"

[net]
offline = true
EOF

# -------------------------------------------------------------------- verify
PROBE="$CACHE/probe"
TARGET="$CACHE/target"
rm -rf "$PROBE" "$TARGET"; mkdir -p "$PROBE/src"
cat >"$PROBE/Cargo.toml" <<'EOF'
[package]
name = "auditable-probe"
version = "0.1.0"
edition = "2021"
publish = false

[dependencies]
itoa = "1"

# A workspace of its own: the cache may sit inside another cargo workspace (a repository's node_modules).
[workspace]
EOF
cat >"$PROBE/src/main.rs" <<'EOF'
fn main() {
    let mut buf = itoa::Buffer::new();
    println!("{}", buf.format(42u64));
}
EOF

log "verifying: cargo auditable build --release --offline (probe crate using itoa)"
if ! build_log=$(cd "$PROBE" && CARGO_HOME="$CARGO_HOME_DIR" CARGO_TARGET_DIR="$TARGET" \
      PATH="$STAGE/bin:$PATH" cargo auditable build --release --offline 2>&1); then
  printf '%s\n' "$build_log" >&2
  log "cargo: $(command -v cargo) / $(cargo --version 2>&1)"
  log "cargo-auditable ELF: interpreter=$(readelf -l "$STAGE/bin/cargo-auditable" | sed -n 's/.*interpreter: \(.*\)\]$/\1/p')"
  "$STAGE/bin/cargo-auditable" auditable --version >&2 || true
  die "probe build with cargo auditable failed"
fi
PROBE_BIN="$TARGET/release/auditable-probe"
sections=$(readelf -S "$PROBE_BIN")
if ! grep -q '\.dep-v0' <<<"$sections"; then
  printf '%s\n' "$build_log" >&2
  printf '%s\n' "$sections" >&2
  die "$PROBE_BIN has no .dep-v0 section"
fi
out=$("$PROBE_BIN") && [ "$out" = 42 ] || die "probe binary did not run correctly (output: ${out:-none})"
if command -v objcopy >/dev/null && command -v python3 >/dev/null; then
  objcopy --dump-section .dep-v0="$TARGET/dep-v0.z" "$PROBE_BIN" "$TARGET/probe.tmp"
  json=$(python3 -c 'import sys,zlib; print(zlib.decompress(open(sys.argv[1],"rb").read()).decode())' "$TARGET/dep-v0.z") \
    || die ".dep-v0 is not zlib-compressed data"
  grep -q '"name":"itoa"' <<<"$json" || die ".dep-v0 does not list itoa: $json"
  log ".dep-v0: $json"
fi

# ------------------------------------------------------------------- install
{
  echo "# build-cargo-auditable.sh: Debian $SUITE main from $MIRROR ($ARCH)"
  awk '/^(Version|Date):/' "$APTDIR"/lists/*_dists_${SUITE}_InRelease 2>/dev/null | sed 's/^/# release /' || true
  for f in "$DEBS"/*.deb; do
    printf '%s %s %s\n' "$(dpkg-deb -f "$f" Package)" "$(dpkg-deb -f "$f" Version)" "$(sha256sum "$f" | cut -d' ' -f1)"
  done
} >"$CACHE/manifest.txt"
mkdir -p "$CACHE/bin"
mv -f "$STAGE/bin/cargo-auditable" "$BIN.tmp"
mv -f "$BIN.tmp" "$BIN"
rm -rf "$STAGE" "$APTDIR/lists" "$APTDIR/cache"   # ~100 MB of indexes, refetched if ever needed
binary_runs || die "$BIN does not run after installation"
log "cargo-auditable ${WANT[cargo-auditable]} (Debian $SUITE) ready in $((SECONDS - START))s; ${#specs[@]} .debs, registry $REGISTRY"
echo "$BIN"
