# syntax=docker/dockerfile:1
# One image for both services: the api (default command) and the worker
# (docker-compose.yml overrides the command with workers/main.ts).

FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only; tsx is one of them, because the services run
# the TypeScript sources directly (there is no build step to dist/).
# Install scripts stay on: native/optional packages need them.
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force

FROM node:20-bookworm-slim
# Inside a container, listening on loopback (the app's default) is unreachable.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY api ./api
COPY workflows ./workflows
COPY activities ./activities
COPY workers ./workers
COPY models ./models
COPY domain ./domain
COPY lib ./lib
COPY scripts ./scripts
# Sources stay root-owned and read-only for the runtime user; DATA_DIR is its
# own (the api saves segment previews' snapshot there: mount a volume on it).
ENV DATA_DIR=/data
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 3000
# Called through node (not the tsx shim) so signals reach the process directly.
CMD ["node", "node_modules/tsx/dist/cli.mjs", "api/main.ts"]
