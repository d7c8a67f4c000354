# syntax=docker/dockerfile:1
# Quota Chat for production: the web app built once, the server run by Node with tsx (the code is
# TypeScript, run as is), dependencies without the dev ones, as the unprivileged `node` user.
# A recipe: the test suite checks that what it copies and runs exists (server/src/deploy.test.ts),
# not that it builds. README "Deploying with Docker".

# 1. Every dependency, dev ones included, to build the web app.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# 2. The production build of the web app (web/dist).
FROM deps AS build
COPY tsconfig.json ./
COPY web ./web
RUN npm run build:web

# 3. What runs: production dependencies, the server's source and migrations, the built web app.
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 DATA_DIR=/data
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY tsconfig.json ./
COPY server/src ./server/src
COPY server/migrations ./server/migrations
COPY --from=build /app/web/dist ./web/dist
# The embedded database and a generated secret live in DATA_DIR when DATABASE_URL is not set.
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node
EXPOSE 3000
# Ready = the database answers and its migrations are current (GET /ready).
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Node itself is the container's process, so SIGTERM reaches the server's graceful shutdown
# (SHUTDOWN_GRACE_SECONDS); give `docker stop` a longer timeout than that (compose: stop_grace_period).
STOPSIGNAL SIGTERM
CMD ["node", "--import", "tsx", "server/src/main.ts"]
