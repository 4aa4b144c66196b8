# adwatch — the two commands a newcomer needs:
#   make demo   build and run the whole pipeline on simulated sites
#   make test   install what the tests need, then run every test

GO        ?= go
BIN       := bin/adwatch

.PHONY: all build demo run test test-deps vet fmt-check fuzz bench clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/adwatch

demo: build
	./$(BIN) demo

run: build
	./$(BIN) run

# test checks formatting and vet, installs Chromium if it is missing (the UI
# tests drive a real browser), starts Elasticsearch (scripts/elasticsearch.sh),
# runs every test with the race detector, and stops what it started.
test: fmt-check vet
	bash scripts/test.sh

test-deps:
	bash scripts/test-deps.sh

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

# fuzz runs every fuzz target briefly (FUZZTIME each).
FUZZTIME ?= 20s
fuzz:
	bash scripts/fuzz-all.sh $(FUZZTIME)

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

clean:
	rm -rf bin data/demo data/run

# Elasticsearch for the tests and local use: Elastic's own build from Maven
# Central, run as an unprivileged user on 127.0.0.1:$${ES_PORT:-9200}.
.PHONY: es-up es-down es-status
es-up:
	bash scripts/elasticsearch.sh up
es-down:
	bash scripts/elasticsearch.sh down
es-status:
	bash scripts/elasticsearch.sh status
