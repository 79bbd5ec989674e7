# Weft as a container: `docker compose up` builds it (see docker-compose.yml).
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
EXPOSE 3000 4318
ENTRYPOINT ["node", "bin/weft.mjs"]
CMD ["start"]
