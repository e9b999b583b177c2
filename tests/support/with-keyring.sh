#!/bin/sh
# Runs a command with an unlocked GNOME keyring (Secret Service) on the current session bus, in a
# throw-away HOME, so that QtKeychain works headless:
#   dbus-run-session -- tests/support/with-keyring.sh ./tst_something
# The keyring daemon goes away with the session bus when dbus-run-session ends.
set -eu

if [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ]; then
    echo "with-keyring.sh: no session bus; run under dbus-run-session" >&2
    exit 77
fi
if ! command -v gnome-keyring-daemon >/dev/null 2>&1; then
    echo "with-keyring.sh: gnome-keyring-daemon is not installed" >&2
    exit 77
fi

# Under CTest the throw-away HOME goes to the build tree's tests/tmp (HCHAT_TEST_TMP), because
# exec leaves nobody behind to delete it.
root="${HCHAT_TEST_TMP:-${TMPDIR:-/tmp}}"
mkdir -p "$root"
base=$(mktemp -d "$root/hchat-keyring.XXXXXX")
export HOME="$base/home"
export XDG_DATA_HOME="$HOME/.local/share"
export XDG_CONFIG_HOME="$HOME/.config"
export XDG_CACHE_HOME="$HOME/.cache"
export XDG_RUNTIME_DIR="$base/run"
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"

# --unlock reads the login keyring's password from stdin (a new keyring gets this password) and
# prints VAR=value lines (GNOME_KEYRING_CONTROL …) to export.
out=$(printf '%s' "hchat-test-keyring" | gnome-keyring-daemon --unlock --components=secrets)
for line in $out; do
    case "$line" in
    *=*) export "$line" ;;
    esac
done

export HCHAT_KEYRING_WRAPPED=1
exec "$@"
