# shequn in a small image: build with the Go toolchain, run as a non-root
# user with nothing else inside.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /shequn ./cmd/shequn

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /shequn /shequn
EXPOSE 8080
ENTRYPOINT ["/shequn"]
CMD ["serve", "-config", "/etc/shequn/shequn.yaml"]
