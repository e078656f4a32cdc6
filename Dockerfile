# Albatross controller image. Multi-stage: compile with the full Node 24 image, run on
# distroless Node 24 as a non-root numeric user with production dependencies only.
# The root filesystem can be mounted read-only: the controller writes nothing to disk.
#
#   docker build \
#     --build-arg VERSION=$(node -p "require('./package.json').version") \
#     --build-arg REVISION=$(git rev-parse HEAD) \
#     --build-arg SOURCE=https://github.com/OWNER/albatross \
#     -t albatross:dev .
#
# The files of the runtime image are laid out by scripts/image-layout.ts, which
# test/e2e/image-layout.test.ts runs too: the package's files (npm pack) plus the
# lockfile's production dependencies.

FROM node:24-bookworm AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY controller ./controller
COPY pkg ./pkg
COPY scripts/image-layout.ts ./scripts/image-layout.ts
RUN node node_modules/typescript/bin/tsc -p tsconfig.build.json \
 && node scripts/image-layout.ts /src /app

FROM gcr.io/distroless/nodejs24-debian12:nonroot
ARG VERSION=unknown
ARG REVISION=unknown
ARG SOURCE=unknown
LABEL org.opencontainers.image.title="albatross" \
      org.opencontainers.image.description="Kubernetes Ingress controller for AWS Application Load Balancers" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="${SOURCE}"
WORKDIR /app
COPY --from=build /app /app
# distroless' nonroot user, by number so Kubernetes' runAsNonRoot can verify it.
USER 65532:65532
ENV NODE_ENV=production
# The program is the entrypoint and `controller` its default command: a pod's `args`
# start with `controller` (as the chart's do), and `docker run IMAGE plan -f -` works too.
ENTRYPOINT ["/nodejs/bin/node", "--max-semi-space-size=2", "--optimize-for-size", "/app/dist/controller/main.js"]
CMD ["controller"]
