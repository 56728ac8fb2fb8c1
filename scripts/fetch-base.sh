#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fetch Debian's linux-source-7.3 package into the cache and unpack it.
#
# The machine's apt lists only bookworm.  A private apt configuration adds
# trixie-backports and sid, using the Debian mirror that the system's own
# apt sources name (read at run time, never written down here).  Signatures
# are checked against the installed Debian archive keyring.
#
# Prints the path of the unpacked source tree on stdout (and only that:
# callers capture it; messages go to stderr).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

pkg=$BASE_PKG
apt_dir=$BASE_APT
mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial" "$apt_dir/parts"

# The system's Debian mirror: the URI of the entry that serves bookworm.
system_mirror() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk '/^URIs:/ {u=$2} /^Suites:/ && / bookworm( |$)/ {print u; exit}' "$f"
	done | head -n 1
	[ -f /etc/apt/sources.list ] &&
		awk '$1 == "deb" && $3 == "bookworm" {print $2; exit}' /etc/apt/sources.list
	true
}

keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[ -f "$keyring" ] || die "no Debian archive keyring at $keyring"

mirror=$(system_mirror | head -n 1)
[ -n "$mirror" ] || die "cannot find a Debian mirror in the system's apt sources"

cat > "$apt_dir/sources.list" <<SRC
deb [signed-by=$keyring] $mirror trixie-backports main
deb [signed-by=$keyring] $mirror sid main
SRC

aptopts=(-o Dir::Etc::SourceList="$apt_dir/sources.list"
	 -o Dir::Etc::SourceParts="$apt_dir/parts"
	 -o Dir::State::Lists="$apt_dir/lists"
	 -o Dir::Cache::Archives="$apt_dir/archives"
	 -o Dir::Cache::pkgcache="$apt_dir/pkgcache.bin"
	 -o Dir::Cache::srcpkgcache="$apt_dir/srcpkgcache.bin"
	 -o APT::Get::List-Cleanup=0
	 -o APT::Sandbox::User=root)

deb=$(base_deb)
if [ -z "$deb" ]; then
	log "updating private apt lists (trixie-backports, sid)"
	apt-get "${aptopts[@]}" update -q >&2 || log "apt update reported errors; trying what it got"
	got=
	for suite in trixie-backports sid; do
		ver=$(apt-cache "${aptopts[@]}" madison "$pkg" 2>/dev/null |
		      awk -v s="$suite" '$0 ~ s"/main" {print $3; exit}')
		[ -n "$ver" ] || { log "$pkg not in $suite"; continue; }
		log "downloading $pkg $ver from $suite"
		if (cd "$apt_dir/archives" &&
		    apt-get "${aptopts[@]}" download -q "$pkg=$ver" >&2); then
			got=1
			break
		fi
	done
	[ -n "$got" ] || die "no $pkg package could be fetched from trixie-backports or sid"
	deb=$(base_deb)
	[ -n "$deb" ] || die "apt downloaded no $pkg package into $apt_dir/archives"
fi

ver=$(dpkg-deb -f "$deb" Version)
src=$(base_tree "$deb")
if [ ! -f "$src/.unpacked" ]; then
	log "unpacking $deb"
	rm -rf "$src" "$CACHE/deb-$ver"
	dpkg-deb -x "$deb" "$CACHE/deb-$ver"
	tarball=$(ls "$CACHE/deb-$ver"/usr/src/linux-source-*.tar.* | head -n 1)
	mkdir -p "$src"
	tar -xf "$tarball" -C "$src" --strip-components=1
	rm -rf "$CACHE/deb-$ver"
	touch "$src/.unpacked"
fi
echo "$src"
