# rtc-room signaling server (and demo). Build: docker build -t rtc-room .
# Run:   docker run -p 3000:3000 rtc-room     (configuration: see `rtc-room-server --help`)
# Behind nginx or a load balancer add -e TRUST_PROXY=1 -e ALLOWED_ORIGINS=https://your.site
# (README, Deployment): without TRUST_PROXY every client counts as the proxy's IP.

FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY server/package.json ./server/
# The two workspaces (rtc-room at the top, rtc-room-server in server/). Dev dependencies are
# needed to build (rollup, tsc, the manifest analyzer); no install scripts.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json rollup.config.js custom-elements-manifest.config.mjs ./
COPY scripts/cem-plugins.mjs scripts/cem-editor-data.mjs ./scripts/
COPY components ./components
COPY server ./server
COPY protocol ./protocol
COPY demo ./demo
RUN npm run build && npm prune --omit=dev

FROM node:20-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/server/package.json ./server/
COPY --from=build --chown=node:node /app/server/dist ./server/dist
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --from=build --chown=node:node /app/demo ./demo
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "server/dist/server/main.js"]
