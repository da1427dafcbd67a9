#!/usr/bin/env bash
# What the test suite needs beyond npm: Debian's chromium (browser tests through playwright-core,
# which never downloads a browser), redis-server (distributed search jobs) and
# dataset-fashion-mnist (the Fashion-MNIST loader's offline source). Installed with apt when
# missing; run by `npm test` (pretest), so a fresh machine needs nothing done by hand.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
[ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || need+=(dataset-fashion-mnist)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then sudo=(); elif command -v sudo >/dev/null 2>&1; then sudo=(sudo -n); else
  echo "test-deps: missing Debian packages ${need[*]}; install them with: apt-get install ${need[*]}" >&2
  exit 1
fi
command -v apt-get >/dev/null 2>&1 || {
  echo "test-deps: missing ${need[*]} and no apt-get here; install them with your package manager" >&2
  exit 1
}
echo "test-deps: installing ${need[*]} with apt-get" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
