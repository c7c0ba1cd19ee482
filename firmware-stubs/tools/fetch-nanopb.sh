#!/bin/sh
# Fetches the nanopb runtime (pb.h, pb_common.[ch], pb_encode.[ch], pb_decode.[ch], LICENSE.txt)
# from Debian's nanopb *source package*, at the version of the installed generator package, into
# DEST. The project commits no third-party code; Debian's `nanopb` package ships only the
# generator and `libnanopb-dev` only headers and an x86-64 library, so the .c files come from here.
#
#   tools/fetch-nanopb.sh DEST
#
# How: one `deb-src` line is derived from the machine's own apt sources (the first enabled
# `deb` entry for this release's suite with component main, in /etc/apt/sources.list,
# sources.list.d/*.list or sources.list.d/*.sources), written to a temporary sources list,
# and apt runs with its source list, lists and cache redirected to a temporary directory: the
# system's apt configuration and state are not changed. apt checks the downloaded files
# against the signed Sources index. Needs only network access to the Debian mirror the machine
# already uses. Idempotent: does nothing when DEST already holds this version.
set -eu

die() {
	echo "fetch-nanopb: $*" >&2
	exit 1
}

[ $# -eq 1 ] || die "usage: $0 DEST"
dest=$1
pkg=nanopb

version=$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null) ||
	die "the '$pkg' package is not installed (apt-get install --no-install-recommends nanopb libnanopb-dev protobuf-compiler)"
[ -n "$version" ] || die "the '$pkg' package is not installed"

if [ -f "$dest/VERSION" ] && [ "$(cat "$dest/VERSION")" = "$version" ]; then
	exit 0
fi

# The release's codename (bookworm, trixie, ...): the suite whose sources we want.
codename=
if [ -r /etc/os-release ]; then
	codename=$(. /etc/os-release && printf '%s' "${VERSION_CODENAME:-}")
fi

# Where apt reads its sources, as configured (normally /etc/apt/sources.list{,.d}).
eval "$(apt-config shell SOURCELIST Dir::Etc::sourcelist/f SOURCEPARTS Dir::Etc::sourceparts/d)"
SOURCELIST=${SOURCELIST:-/etc/apt/sources.list}
SOURCEPARTS=${SOURCEPARTS:-/etc/apt/sources.list.d/}

# Prints one "deb-src [signed-by=...] URI SUITE main" line from the first matching entry.
# One-line format (*.list): deb [options] uri suite component...
# deb822 format (*.sources): stanzas of Types/URIs/Suites/Components/Signed-By/Enabled fields.
derive_line() {
	for f in "$SOURCELIST" "$SOURCEPARTS"*.list "$SOURCEPARTS"*.sources; do
		[ -r "$f" ] || continue
		case $f in
		*.sources)
			awk -v want="$codename" '
				function flush() {
					if (types ~ /(^| )deb( |$)/ && enabled != "no" && comps ~ /(^| )main( |$)/ && uri != "") {
						n = split(suites, s, " ")
						for (i = 1; i <= n; i++) {
							if ((want != "" && s[i] == want) || (want == "" && s[i] !~ /[-\/]/)) {
								opt = signed != "" ? "[signed-by=" signed "] " : ""
								print "deb-src " opt uri " " s[i] " main"
								found = 1
								exit
							}
						}
					}
					types = ""; uri = ""; suites = ""; comps = ""; signed = ""; enabled = ""; field = ""
				}
				/^[ \t]*#/ { next }
				/^[ \t]*$/ { flush(); next }
				/^[ \t]/ { next }  # continuation line (e.g. an inline key): not needed
				{
					key = tolower($1); sub(/:$/, "", key)
					val = $0; sub(/^[^:]*:[ \t]*/, "", val); gsub(/[ \t]+/, " ", val)
					if (key == "types") types = val
					else if (key == "uris") { split(val, u, " "); uri = u[1] }
					else if (key == "suites") suites = val
					else if (key == "components") comps = val
					else if (key == "enabled") enabled = tolower(val)
					else if (key == "signed-by" && val ~ /^\//) { split(val, k, " "); signed = k[1] }
				}
				END { if (!found) flush() }
			' "$f"
			;;
		*)
			awk -v want="$codename" '
				/^[ \t]*deb[ \t]/ {
					line = $0; sub(/#.*/, "", line)
					opts = ""
					if (match(line, /\[[^]]*\]/)) {
						opts = substr(line, RSTART, RLENGTH) " "
						line = substr(line, 1, RSTART - 1) substr(line, RSTART + RLENGTH)
					}
					n = split(line, w, /[ \t]+/)
					if (n < 4) next
					uri = w[2]; suite = w[3]; main = 0
					for (i = 4; i <= n; i++) if (w[i] == "main") main = 1
					if (!main) next
					if ((want != "" && suite == want) || (want == "" && suite !~ /[-\/]/)) {
						print "deb-src " opts uri " " suite " main"
						exit
					}
				}
			' "$f"
			;;
		esac
	done | head -n 1
}

line=$(derive_line)
[ -n "$line" ] || die "no enabled 'deb' source for suite '${codename:-?}' with component main in $SOURCELIST or $SOURCEPARTS"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fetch-nanopb.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir -p "$tmp/lists/partial" "$tmp/cache/archives/partial" "$tmp/src" "$tmp/out"
printf '%s\n' "$line" >"$tmp/sources.list"

set -- -q -o "Dir::Etc::SourceList=$tmp/sources.list" -o Dir::Etc::SourceParts=/dev/null \
	-o "Dir::State::Lists=$tmp/lists" -o "Dir::Cache=$tmp/cache" \
	-o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=
if [ "$(id -u)" -eq 0 ]; then
	# As root apt would drop to the _apt user, who cannot write into our temporary directory.
	set -- "$@" -o APT::Sandbox::User=root
fi

echo "fetch-nanopb: $pkg $version source from: $line" >&2
apt-get "$@" update >"$tmp/update.log" 2>&1 || {
	cat "$tmp/update.log" >&2
	die "apt-get update with the derived deb-src line failed"
}
(cd "$tmp/src" && apt-get "$@" source --download-only "$pkg=$version") >"$tmp/source.log" 2>&1 || {
	cat "$tmp/source.log" >&2
	die "apt-get source --download-only $pkg=$version failed"
}

upstream=${version#*:}
upstream=${upstream%-*}
orig=$(ls "$tmp/src/${pkg}_${upstream}.orig.tar."* 2>/dev/null | head -n 1)
[ -n "$orig" ] || die "no ${pkg}_${upstream}.orig.tar.* in the source package"
mkdir -p "$tmp/x"
tar -xf "$orig" -C "$tmp/x"
top=$(ls -d "$tmp/x"/*/ | head -n 1)

# Apply Debian's patches (debian/patches/series), so the runtime is what Debian built
# (0.4.7-2 has none). Needs xz to unpack the Debian tarball and `patch` only if there are any.
deb=$(ls "$tmp/src/${pkg}_${version#*:}.debian.tar."* 2>/dev/null | head -n 1 || true)
if [ -n "$deb" ]; then
	if ! tar -xf "$deb" -C "$top" 2>/dev/null; then
		echo "fetch-nanopb: warning: cannot unpack $(basename "$deb") (xz-utils missing?): Debian's patches, if any, are not applied" >&2
	elif [ -s "$top/debian/patches/series" ]; then
		command -v patch >/dev/null 2>&1 || die "Debian's nanopb has patches: install 'patch' to apply them"
		grep -v '^[ \t]*#' "$top/debian/patches/series" | while read -r p _; do
			[ -n "$p" ] || continue
			patch -s -p1 -d "$top" <"$top/debian/patches/$p" || die "patch $p does not apply"
		done
	fi
fi

for f in pb.h pb_common.c pb_common.h pb_encode.c pb_encode.h pb_decode.c pb_decode.h LICENSE.txt; do
	[ -f "$top/$f" ] || die "$f is missing from the source package"
	cp "$top/$f" "$tmp/out/$f"
done
grep -q "#define NANOPB_VERSION \"nanopb-$upstream\"" "$tmp/out/pb.h" ||
	die "pb.h from the source package is not nanopb-$upstream"
printf '%s\n' "$version" >"$tmp/out/VERSION"

mkdir -p "$(dirname "$dest")"
rm -rf "$dest.old.$$"
[ ! -e "$dest" ] || mv "$dest" "$dest.old.$$"
mv "$tmp/out" "$dest"
rm -rf "$dest.old.$$"
echo "fetch-nanopb: nanopb runtime $version in $dest" >&2
