# Albatross controller image. Multi-stage: compile with the full Node 24 image, run on
# distroless Node 24 as a non-root user with production dependencies only. The root
# filesystem can be mounted read-only: the controller writes nothing to disk.

FROM node:24-bookworm AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY controller ./controller
COPY pkg ./pkg
RUN node node_modules/typescript/bin/tsc -p tsconfig.build.json \
 && npm prune --omit=dev --no-audit --no-fund

FROM gcr.io/distroless/nodejs24-debian12:nonroot
LABEL org.opencontainers.image.title="albatross" \
      org.opencontainers.image.description="Kubernetes Ingress controller for AWS Application Load Balancers" \
      org.opencontainers.image.licenses="Apache-2.0"
WORKDIR /app
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
USER nonroot:nonroot
ENV NODE_ENV=production
# distroless' entrypoint is node itself.
ENTRYPOINT ["/nodejs/bin/node", "--max-semi-space-size=2", "--optimize-for-size", "/app/dist/controller/main.js"]
CMD ["controller"]
