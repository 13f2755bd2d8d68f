# syntax=docker/dockerfile:1
# Pushwire in a container: built in one stage, run in a second that holds only the compiled
# server, its runtime dependencies and Node, as the unprivileged `node` user.
#
#   docker build -t pushwire .
#   docker run --rm -p 127.0.0.1:6001:6001 pushwire

FROM node:20-slim AS build
WORKDIR /app
# Dependencies first, so a change to the sources reuses the installed layer.
COPY package.json package-lock.json ./
COPY packages/sdk/package.json packages/sdk/
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY packages/sdk packages/sdk
COPY src src
COPY bin bin
RUN npm run build && npm prune --omit=dev

FROM node:20-slim
ENV NODE_ENV=production
# Inside a container only an address other than loopback is reachable through a published port.
ENV PUSHWIRE_HOST=0.0.0.0
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/packages/sdk/package.json packages/sdk/
COPY --from=build /app/packages/sdk/dist packages/sdk/dist
COPY --from=build /app/dist dist
COPY --from=build /app/bin bin
USER node
EXPOSE 6001
# 200 while serving, 503 while draining after SIGTERM. Follows PUSHWIRE_PORT, and speaks https
# when PUSHWIRE_TLS_CERT_FILE is set (the certificate names the public host, not 127.0.0.1).
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD ["node", "-e", "const tls = Boolean(process.env.PUSHWIRE_TLS_CERT_FILE); require(tls ? 'https' : 'http').get({ host: '127.0.0.1', port: process.env.PUSHWIRE_PORT || 6001, path: '/ready', rejectUnauthorized: false, timeout: 2000 }, (r) => process.exit(r.statusCode === 200 ? 0 : 1)).on('error', () => process.exit(1))"]
ENTRYPOINT ["node", "bin/pushwire.js"]
CMD ["start"]
