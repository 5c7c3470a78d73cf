# Touchpoint's images, one target per service:
#   docker build --target collector -t touchpoint-collector .
#   docker build --target ingester -t touchpoint-ingester .
FROM node:20-bookworm-slim AS base
WORKDIR /app
RUN npm install -g pnpm@10.34.9
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml tsconfig.base.json ./
# kafkajs with the fix of a retry that could lose messages (patches/kafkajs@2.2.4.patch), applied by the install
COPY patches ./patches
COPY packages ./packages
COPY services ./services
RUN pnpm install --frozen-lockfile
# tp.js, which the collector serves at /tp.js (the build context leaves every dist/ out)
RUN pnpm --filter @touchpoint/browser build
ENV NODE_ENV=production HOST=0.0.0.0 TOUCHPOINT_DATA_DIR=/data
VOLUME /data

FROM base AS collector
ENV PORT=8080
EXPOSE 8080
CMD ["node", "--import", "tsx", "packages/cli/src/bin.ts", "start"]

FROM base AS ingester
ENV PORT=8081
EXPOSE 8081
CMD ["node", "--import", "tsx", "packages/cli/src/bin.ts", "ingest"]
