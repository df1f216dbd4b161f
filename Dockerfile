# syntax=docker/dockerfile:1
# Multi-stage build of the single binary. Not built on the development machines (they have no
# Docker engine): written to be correct by reading, see the README.
#
# Generated files (templ output, CSS, vendored JS) are committed, so the Go toolchain alone builds
# a complete app: no Node stage is needed.

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X alpacawrapper/app.version=${VERSION}" -o /out/alpacawrapper .

# distroless/static: no shell or package manager, CA certificates included, runs as uid 65532.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/alpacawrapper /usr/local/bin/alpacawrapper
USER nonroot:nonroot
ENV APP_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080
EXPOSE 8080
# One image, every role: the command picks it (docker-compose.yml runs them side by side).
#   migrate up              the release step, once per deploy before the new version takes traffic
#                           (production defaults MIGRATE_ON_START to false so instances never race)
#   serve  (ROLES=web)      HTTP and WebSockets; run as many as the load needs behind a load balancer
#   worker                  River job workers; run one or more
#   feed                    the market feed and the matcher; run two: one is elected, one stands by
#   serve  (no ROLES)       everything in one container, for a small installation
# Every role needs DATABASE_URL, SECRET_KEY and SMTP_HOST, e.g.
#   docker run --rm -e DATABASE_URL=... -e SECRET_KEY=... -e SMTP_HOST=... IMAGE migrate up
ENTRYPOINT ["/usr/local/bin/alpacawrapper"]
CMD ["serve"]
