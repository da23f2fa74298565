# A slim image of `colony`: built with the Swift toolchain, run on Debian slim with the static
# Swift standard library linked in, so the runtime image needs no Swift.
#   docker build -t colony:latest .
#   kubectl apply -k deploy/kubernetes
FROM swift:6.1-bookworm AS build
WORKDIR /src
COPY . .
RUN apt-get update && apt-get install -y --no-install-recommends zlib1g-dev && rm -rf /var/lib/apt/lists/*
RUN swift build -c release --product colony --static-swift-stdlib \
    && cp "$(swift build -c release --show-bin-path)/colony" /colony

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends zlib1g ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 1000 --home-dir /home/colony --create-home colony
COPY --from=build /colony /usr/local/bin/colony
USER colony
EXPOSE 9100
ENTRYPOINT ["colony"]
CMD ["node"]
