# One image for every kfed service; compose.yaml (or a Deployment) picks the program with its command.
FROM node:20-bookworm-slim AS build
WORKDIR /kfed
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY libs libs
COPY services services
COPY cli cli
COPY bench bench
COPY schemas schemas
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /kfed
ENV NODE_ENV=production
COPY --from=build /kfed/package.json ./
COPY --from=build /kfed/node_modules node_modules
COPY --from=build /kfed/dist dist
COPY examples examples
# Named volumes mounted here start with this ownership, so the service user can write to them.
RUN mkdir -p /kfed/state && chown node:node /kfed/state
USER node
# Override per service, e.g. ["node", "dist/services/scheduler/main.js"].
CMD ["node", "dist/services/apiserver/main.js"]
