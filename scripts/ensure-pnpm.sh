# Sourced by the other scripts: puts the project's pnpm on PATH, installing it under .cache/ if missing.
PNPM_VERSION=10.34.9
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
  if [ ! -x .cache/pnpm/node_modules/.bin/pnpm ]; then
    echo "installing pnpm $PNPM_VERSION into .cache/pnpm" >&2
    npm install --silent --no-audit --no-fund --prefix .cache/pnpm "pnpm@$PNPM_VERSION" >&2
  fi
  PATH="$PWD/.cache/pnpm/node_modules/.bin:$PATH"
  export PATH
fi
