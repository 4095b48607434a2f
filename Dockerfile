# b24-botkit: compiled JavaScript, production dependencies only.
# Build:  docker build -t b24-botkit .
# Run:    docker run -p 3000:3000 -e PUBLIC_URL=https://bots.example.com -e B24_CLIENT_ID=... b24-botkit
# Cluster (PostgreSQL + Redis + two instances behind a load balancer): see compose.yaml and README "Scaling out".

# --- build: all dependencies, compile TypeScript to dist/ ---
FROM node:20-bookworm-slim AS build
# better-sqlite3 compiles from source when no prebuilt binary can be downloaded.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig*.json ./
COPY src ./src
COPY bots ./bots
RUN npm run build

# --- production dependencies only (native modules built here, same base image as the runtime) ---
FROM build AS prod-deps
RUN rm -rf node_modules && npm ci --omit=dev --no-audit --no-fund

# --- runtime ---
FROM node:20-bookworm-slim
ENV NODE_ENV=production PORT=3000 HOST=0.0.0.0 DATA_DIR=/data
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --retries=3 CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/src/main.js"]
