# The controller image for docker-compose.yml.
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY controller ./controller
COPY migrations ./migrations
# npm ci runs the postinstall script (scripts/lock-platforms.js); test/unit/dockerfile.test.ts checks this list.
COPY scripts ./scripts
RUN npm ci --no-audit --no-fund && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production CALLREC_LOG_FORMAT=json
# glibc's allocator as bin/callrec.js sets it (controller/src/cli/heap.ts, MALLOC_ENV).
ENV MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=131072 MALLOC_TRIM_THRESHOLD_=131072
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The dashboard is served from its source folder (plain ES modules, no build step).
COPY --from=build /app/controller/src/web ./controller/src/web
COPY package.json ./
COPY bin ./bin
COPY dialplan ./dialplan
COPY sounds ./sounds
USER node
ENTRYPOINT ["node", "--max-semi-space-size=4", "bin/callrec.js"]
CMD ["start"]
