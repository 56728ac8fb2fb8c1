# SPDX-License-Identifier: GPL-2.0
# Shared settings for the project's scripts.  Source it; do not run it.

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${SVM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/amdgpu-svm}
OUT=$REPO/out
JOBS=${JOBS:-$(nproc)}
export CCACHE_DIR=${CCACHE_DIR:-$CACHE/ccache}
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-8G}
# Builds run from several trees and output dirs; hash by content only.
export CCACHE_NOHASHDIR=1
export CCACHE_BASEDIR=$CACHE
CC_WRAP="ccache gcc"

mkdir -p "$CACHE" "$OUT"

log() { echo "== $*" >&2; }
die() { echo "error: $*" >&2; exit 1; }

# The base kernel: Debian's $BASE_PKG, downloaded by scripts/fetch-base.sh
# into $BASE_APT/archives and unpacked into the tree base_tree names.
BASE_PKG=linux-source-7.3
BASE_APT=$CACHE/apt

# The newest $BASE_PKG package in the cache; empty when there is none.
base_deb() {
	ls "$BASE_APT"/archives/"$BASE_PKG"_*.deb 2>/dev/null | sort -V | tail -n 1 || true
}

# The base tree unpacked from package DEB (base_deb, normally): the one
# scripts/fetch-base.sh makes and scripts/prepare-tree.sh turns into git.
base_tree() {
	local deb=$1 ver
	[ -n "$deb" ] || die "no $BASE_PKG package in $BASE_APT/archives (run make)"
	ver=$(dpkg-deb -f "$deb" Version) || die "cannot read the version of $deb"
	echo "$CACHE/linux-$(echo "$ver" | tr "~+" "__")"
}

# Install the Debian packages named, when any of them is missing.
need_packages() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	log "installing ${missing[*]}"
	[ "$(id -u)" = 0 ] || die "need root to install ${missing[*]}"
	apt-get update -q >/dev/null || true
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2
}

BUILD_PACKAGES=(gcc make flex bison bc libelf-dev libssl-dev ccache sparse
		python3 perl git rsync cpio kmod libdw-dev)
