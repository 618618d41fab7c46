# syntax=docker/dockerfile:1
# Latch's container image: one static binary with every asset embedded, on
# distroless (no shell, no package manager), running as a non-root user.
#
#   docker build -t latch .
#   docker compose up            # with PostgreSQL, see compose.yaml
#
# The build stage fetches the Datastar bundle, the common-password list and
# Go modules (go tool -modfile=go.tool.mod task assets generate), so it needs
# the Go module proxy and the npm registry; the final image needs nothing.

FROM golang:1.26-bookworm AS build
WORKDIR /src
# Modules first, so a code change reuses the download layer.
COPY go.mod go.sum go.tool.mod go.tool.sum ./
RUN go mod download && go mod download -modfile=go.tool.mod
COPY . .
RUN go tool -modfile=go.tool.mod task assets generate
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/latch ./server/cmd/latch

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/latch /latch
# 65532 is distroless's nonroot user; Kubernetes checks runAsNonRoot on it.
USER 65532:65532
ENV LATCH_ENV=production \
    LATCH_ADDR=:8080 \
    LATCH_LOG_FORMAT=json
EXPOSE 8080
ENTRYPOINT ["/latch"]
CMD ["serve"]
