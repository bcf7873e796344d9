#!/usr/bin/env bash
# Install Debian's Chromium (if missing) for the dashboard's browser test (packages/gateway/tests/ui.test.ts,
# driven by playwright-core). Sourced by .ci/run; safe to run by hand. Never fatal: without a browser
# the test is skipped and says so.
chromium_setup() {
  if ! command -v chromium >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1; then
      (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || return 1
    else
      return 1
    fi
  fi
  export KRAIN_CHROMIUM="${KRAIN_CHROMIUM:-$(command -v chromium)}"
  echo "Chromium ready at $KRAIN_CHROMIUM ($("$KRAIN_CHROMIUM" --version 2>/dev/null | head -1))"
}
chromium_setup || echo "Chromium unavailable: the dashboard browser test will be skipped"
