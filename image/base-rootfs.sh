#!/usr/bin/env bash
# The image's base: a root filesystem of only what Node 24 and the operator's Go tools need at run
# time, made from the Debian archive with mmdebstrap (no Docker Hub). mmdebstrap installs a minbase
# system with ca-certificates, libstdc++6 and netbase (its maintainer scripts write the CA bundle); from it
# only the files of KEEP are copied, with a dpkg status naming exactly those packages (for the SBOM
# and image scanners) and neither dpkg, apt nor a shell: nothing can install or run a package.
#
#   image/base-rootfs.sh <out-dir>     write the base into <out-dir> (must not exist)
#   image/base-rootfs.sh --from <root> <out-dir>
#                                      take the files from a Debian root that has the packages
#                                      installed instead of running mmdebstrap: the Dockerfile's
#                                      base stage, where a builder gives no privilege to mount
#                                      /proc or unshare (its own root, after apt-get install)
#
# DEBIAN_SUITE (bookworm) and DEBIAN_MIRROR choose the archive; SOURCE_DATE_EPOCH sets file times.
set -euo pipefail
from=""
if [[ "${1:-}" == "--from" ]]; then from="${2:?usage: base-rootfs.sh --from <root> <out-dir>}"; shift 2; fi
out="${1:?usage: base-rootfs.sh [--from <root>] <out-dir>}"
[[ ! -e "$out" ]] || { echo "base-rootfs.sh: $out exists; give a new directory" >&2; exit 2; }
SUITE="${DEBIAN_SUITE:-bookworm}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
# The C and C++ runtime Node links against (libc6, libstdc++6, libgcc-s1 and its gcc-12-base), the
# CA bundle helm uses for https chart repositories, /etc/os-release (base-files) and
# /etc/services and /etc/protocols (netbase). Node carries its own OpenSSL, ICU and time zones.
KEEP=(base-files netbase libc6 libgcc-s1 gcc-12-base libstdc++6 ca-certificates)

work="$(mktemp -d "${TMPDIR:-/tmp}/keelson-base-XXXXXX")"
trap 'rm -rf "$work"' EXIT
full="$work/full"
if [[ -n "$from" ]]; then
  full="$from"
else
  mmdebstrap --quiet --variant=minbase --include=ca-certificates,libstdc++6,netbase --aptopt='Acquire::Retries "3"' \
    "$SUITE" "$full" "$MIRROR" >&2
fi

# Merged /usr: the top-level links (/lib64 -> usr/lib64, ...) come first, and the packages' paths
# under them are taken at their /usr location, where they are.
merged=""
for d in bin lib lib64 sbin; do [[ -L "$full/$d" ]] && merged+="$d|"; done
list="$work/files"
{
  for d in bin lib lib64 sbin; do [[ -L "$full/$d" ]] && echo "$d"; done
  for p in "${KEEP[@]}"; do
    f="$full/var/lib/dpkg/info/$p.list"; [[ -f "$f" ]] || f="$full/var/lib/dpkg/info/$p:amd64.list"
    [[ -f "$f" ]] || { echo "base-rootfs.sh: package $p is not installed in the mmdebstrap tree" >&2; exit 1; }
    # Documentation and manuals are left out, copyright files kept.
    grep -vE '^/usr/share/(man|info|lintian|locale)/|^/usr/share/doc/[^/]+/[^c]|^/\.$' "$f" \
      | sed -E "s#^/(${merged%|})(/|\$)#usr/\1\2#; s#^/##"
  done
  echo etc/ssl/certs/ca-certificates.crt
} | awk '!seen[$0]++' > "$list"
mkdir -p "$out"
tar -C "$full" --no-recursion -cf - -T "$list" | tar -C "$out" -xf -

# The dpkg status of exactly the packages copied.
mkdir -p "$out/var/lib/dpkg"
awk -v keep=" ${KEEP[*]} " 'BEGIN { RS = ""; ORS = "\n\n" }
  { match($0, /^Package: [^\n]+/); name = substr($0, 10, RLENGTH - 9); if (index(keep, " " name " ")) print }' \
  "$full/var/lib/dpkg/status" > "$out/var/lib/dpkg/status"
for p in "${KEEP[@]}"; do
  grep -q "^Package: $p\$" "$out/var/lib/dpkg/status" || { echo "base-rootfs.sh: no status of $p" >&2; exit 1; }
done

# Users: root, the operator (10001) and nobody; name lookups from files, hosts from files then DNS.
mkdir -p "$out/etc" "$out/tmp" "$out/var/cache/keelson"
printf '%s\n' 'root:x:0:0:root:/root:/usr/sbin/nologin' \
  'keelson:x:10001:10001:keelson:/var/cache/keelson:/usr/sbin/nologin' \
  'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin' > "$out/etc/passwd"
printf '%s\n' 'root:x:0:' 'keelson:x:10001:' 'nogroup:x:65534:' > "$out/etc/group"
printf '%s\n' 'passwd: files' 'group: files' 'hosts: files dns' > "$out/etc/nsswitch.conf"
chmod 1777 "$out/tmp"
chown 10001:10001 "$out/var/cache/keelson"
if [[ -n "${SOURCE_DATE_EPOCH:-}" ]]; then
  find "$out" -newermt "@$SOURCE_DATE_EPOCH" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
fi
du -sh "$out" | awk '{print "base rootfs: " $1}' >&2
