# Consortia — run `make` for the list of targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Pinned tool versions (installed from the Go module proxy into .bin/).
BUF_VERSION                := v1.75.0
PROTOC_GEN_GO_VERSION      := v1.36.12
PROTOC_GEN_GO_GRPC_VERSION := v1.6.0
PROTOC_GEN_GRPC_GATEWAY_VERSION := v2.33.0
PROTOC_GEN_OPENAPIV2_VERSION    := v2.33.0

BIN       := $(CURDIR)/.bin
MODULES   := proto/gen/go services/platform services/member services/mongotest services/tender services/commission services/notification services/gateway services/consortia deploy/manifests
PKGS      := $(foreach m,$(MODULES),./$(m)/...)
STATE_DIR ?= $(CURDIR)/.data
# Gateway stubs and the merged OpenAPI document, generated into the gateway's module.
GATEWAY_GEN := services/gateway/gen

.PHONY: help
help: ## Show this help.
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-16s\033[0m %s\n", $$1, $$2}'

.PHONY: run
# Built, then run (not `go run`, which turns the program's clean exit on Ctrl-C into status 1).
run: ## Run the whole product locally (embedded NATS, all services, demo data).
	@go build -o $(BIN)/consortia ./services/consortia
	@$(BIN)/consortia dev --state $(STATE_DIR)

# Each parser's fuzz target runs briefly on every `make test` (FUZZTIME=1m for a real session).
FUZZTIME ?= 5s
FUZZ_TARGETS := eforms:FuzzParseNotice ocds:FuzzParseOCDS placsp:FuzzParseFeed xlsx:FuzzParseXLSX

.PHONY: test
# -timeout is a net for a hung test binary, not a bound on a run: the gateway's
# package (one stack with demo data per console test) takes ~7 min on a quiet
# 2-core machine and over 20 at a load of 15, when it must still pass.
test: lint generate-check ## Vet, lint, check generated code, run all tests with -race, fuzz the parsers briefly.
	go test -race -count=1 -timeout 45m $(PKGS)
	$(MAKE) fuzz

.PHONY: fuzz
fuzz: ## Run each tender-intake parser's fuzz target for FUZZTIME (default 5s).
	@for t in $(FUZZ_TARGETS); do pkg=$${t%%:*}; fn=$${t##*:}; \
	  echo "fuzz $$pkg $$fn ($(FUZZTIME))"; \
	  (cd services/tender && go test -run='^$$' -fuzz="^$$fn$$" -fuzztime=$(FUZZTIME) -fuzzminimizetime=20x ./intake/$$pkg) || exit 1; \
	done

.PHONY: test-short
test-short: ## Run all tests without the race detector (faster local loop).
	go test -count=1 $(PKGS)

.PHONY: lint
lint: tools ## gofmt check, go vet every module and buf lint the protos.
	@unformatted=$$(gofmt -l services proto/gen deploy); if [ -n "$$unformatted" ]; then echo "not gofmt-ed:"; echo "$$unformatted"; exit 1; fi
	go vet $(PKGS)
	cd proto && $(BIN)/buf lint

.PHONY: generate
generate: tools ## Regenerate protobuf code into proto/gen/go.
	cd proto && rm -rf gen/go/consortia ../$(GATEWAY_GEN) && PATH=$(BIN):$$PATH $(BIN)/buf generate

.PHONY: generate-check
generate-check: tools ## Fail if the committed generated code differs from a fresh generation.
	@tmp=$$(mktemp -d) && trap 'rm -rf $$tmp' EXIT && \
	mkdir -p $$tmp/proto && cp -r proto/. $$tmp/proto/ && rm -rf $$tmp/proto/gen/go/consortia && \
	(cd $$tmp/proto && PATH=$(BIN):$$PATH $(BIN)/buf generate --template buf.gen.yaml) && \
	for d in proto/gen/go/consortia $(GATEWAY_GEN); do \
	  if ! diff -r $$d $$tmp/$$d >/dev/null; then \
	    echo "generated code is out of date: run 'make generate' and commit"; diff -r $$d $$tmp/$$d | head -20; exit 1; \
	  fi; \
	done && echo "generated code is up to date"

.PHONY: tidy
tidy: ## go mod tidy every module.
	@for m in $(MODULES); do echo "tidy $$m"; (cd $$m && go mod tidy) || exit 1; done

.PHONY: bench
bench: ## Go benchmarks of every module (event log, domain).
	go test -run='^$$' -bench=. -benchmem $(PKGS)

.PHONY: bench-match
bench-match: ## Matching-engine benchmark with brute-force oracle (prints a table).
	cd services/tender && go run ./cmd/bench-match $(BENCH_ARGS)

.PHONY: bench-e2e
bench-e2e: ## The stack at scale against same-run baselines, issue 12's table (BENCH_ARGS=-quick: 1-2 min).
	cd services/consortia && go run ./cmd/bench-e2e $(BENCH_ARGS)

.PHONY: tools
tools: $(BIN)/buf $(BIN)/protoc-gen-go $(BIN)/protoc-gen-go-grpc $(BIN)/protoc-gen-grpc-gateway $(BIN)/protoc-gen-openapiv2 ## Install pinned code generators into .bin/.

$(BIN)/buf:
	GOBIN=$(BIN) GOFLAGS= go install github.com/bufbuild/buf/cmd/buf@$(BUF_VERSION)
$(BIN)/protoc-gen-go:
	GOBIN=$(BIN) GOFLAGS= go install google.golang.org/protobuf/cmd/protoc-gen-go@$(PROTOC_GEN_GO_VERSION)
$(BIN)/protoc-gen-go-grpc:
	GOBIN=$(BIN) GOFLAGS= go install google.golang.org/grpc/cmd/protoc-gen-go-grpc@$(PROTOC_GEN_GO_GRPC_VERSION)
$(BIN)/protoc-gen-grpc-gateway:
	GOBIN=$(BIN) GOFLAGS= go install github.com/grpc-ecosystem/grpc-gateway/v2/protoc-gen-grpc-gateway@$(PROTOC_GEN_GRPC_GATEWAY_VERSION)
$(BIN)/protoc-gen-openapiv2:
	GOBIN=$(BIN) GOFLAGS= go install github.com/grpc-ecosystem/grpc-gateway/v2/protoc-gen-openapiv2@$(PROTOC_GEN_OPENAPIV2_VERSION)

.PHONY: grpcurl
grpcurl: $(BIN)/grpcurl ## Install a pinned grpcurl into .bin/ (for scripts/smoke.sh).
$(BIN)/grpcurl:
	GOBIN=$(BIN) GOFLAGS= go install github.com/fullstorydev/grpcurl/cmd/grpcurl@v1.9.3

.PHONY: clean
clean: ## Remove local tools and the local data folder.
	rm -rf $(BIN) $(STATE_DIR)
