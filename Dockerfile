# Weft as a container: `docker compose up` builds it (see docker-compose.yml).

# The UI is built with the dev dependencies (`npm ci` runs `prepare`, which builds ui/build).
FROM node:20-bookworm-slim AS ui
WORKDIR /app
COPY . .
RUN npm ci --no-audit --no-fund && test -f ui/build/index.html

# The runtime keeps the production dependencies and the built UI only.
FROM node:20-bookworm-slim
WORKDIR /app
# prepare (scripts/build-ui.mjs) finds no vite here and builds nothing.
COPY package.json package-lock.json ./
COPY scripts/build-ui.mjs scripts/
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
COPY --from=ui /app/ui/build ./ui/build
EXPOSE 3000 4318
ENTRYPOINT ["node", "bin/weft.mjs"]
CMD ["start"]
