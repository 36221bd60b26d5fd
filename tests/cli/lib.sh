# Shared by the CLI tests: arguments SLOTLAB KERNEL WORKDIR, a fresh working
# directory, and fail() counting failures; finish() reports and sets the status.
set -u
S=$1 K=$2 W=$3
rm -rf "$W" && mkdir -p "$W" && cd "$W" || exit 1
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
finish() { echo "$fails failures"; [ $fails -eq 0 ]; }
