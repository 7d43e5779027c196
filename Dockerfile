# syntax=docker/dockerfile:1
# Build: docker build -t simklink .
# Run:   docker run -p 8080:8080 -e BASE_URL=https://… -e SIMKL_CLIENT_ID=… \
#          -e SIMKL_CLIENT_SECRET=… -e SESSION_HASH_KEY=… -e SESSION_BLOCK_KEY=… simklink
# Without SIMKL_CLIENT_ID the image refuses to start (DEMO=0). For the demo:
#   docker run -p 8080:8080 -e DEMO=1 -e DEMO_PUBLIC=1 simklink
# /metrics listens on 127.0.0.1:9464 inside the container; to scrape it
# from another container, set METRICS_ADDR=:9464 and keep that port off
# the public network.

FROM golang:1.26.8-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/simklink .

# distroless static: CA certificates and tzdata, no shell, runs as nonroot.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/simklink /simklink
USER nonroot:nonroot
EXPOSE 8080
ENV ADDR=:8080 DEMO=0
ENTRYPOINT ["/simklink"]
