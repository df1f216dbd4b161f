# Alpaca Wrapper: everyday commands. `make run` and `make test` are all a newcomer needs.

HOST ?= 127.0.0.1
PORT ?= 8080
GO   ?= go
# Packages under test; `make test PKG=./database/...` narrows the run.
PKG  ?= ./...

.PHONY: run test test-race generate check lint api-lint migrate bench bench-ws bench-scale build node_modules help

## run: serve the app on http://$(HOST):$(PORT) with the embedded database (no set-up needed)
run:
	HOST=$(HOST) PORT=$(PORT) $(GO) run . serve

## build: compile the single binary into bin/
build:
	$(GO) build -trimpath -o bin/alpacawrapper .

## test: run every Go test against one embedded PostgreSQL cluster shared by all packages, then the
## JavaScript unit tests (chart indicators) with Node's built-in runner. The app's tests check every
## exchange with the JSON API against its OpenAPI document and leave the counts in API_CONTRACT_REPORT.
API_CONTRACT_REPORT = $(CURDIR)/.data/api-contract.txt
test:
	@mkdir -p .data && rm -f $(API_CONTRACT_REPORT)
	APP_ENV=test API_CONTRACT_REPORT=$(API_CONTRACT_REPORT) $(GO) run . devdb run -- $(GO) test -count=1 -timeout 30m $(PKG)
	@if [ -f $(API_CONTRACT_REPORT) ]; then cat $(API_CONTRACT_REPORT); fi
	node --test static/js/

## api-lint: write the JSON API's OpenAPI document and lint it with @redocly/cli (redocly.yaml)
api-lint:
	@mkdir -p .data
	OPENAPI_OUT=$(CURDIR)/.data/openapi.json $(GO) test -count=1 -run '^TestAPIDocumentIsValid$$' ./app/
	npx --no-install redocly lint .data/openapi.json --config redocly.yaml --format stylish

## test-race: the same, with the race detector (slower)
test-race:
	APP_ENV=test $(GO) run . devdb run -- $(GO) test -race -count=1 -timeout 60m $(PKG)

node_modules: package-lock.json
	npm ci --no-audit --no-fund
	@touch node_modules

## generate: regenerate templ components, the CSS and the vendored JavaScript
generate: node_modules
	$(GO) tool templ generate
	npm run --silent build

## check: fail if generated files are stale, or if gofmt, go vet or staticcheck object
# Generated files are fingerprinted before and after regenerating, so a source edit that was
# regenerated passes even before it is committed, and one that was not fails.
GENERATED = find views static -name '*_templ.go' -o -path 'static/css/*' -o -path 'static/js/*' | LC_ALL=C sort | xargs sha256sum
check:
	@$(GENERATED) > .generated.before
	@$(MAKE) --no-print-directory generate
	@$(GENERATED) > .generated.after
	@if ! cmp -s .generated.before .generated.after; then 		echo "Generated files were out of date (now regenerated; review and commit them):"; 		diff .generated.before .generated.after | grep '^[<>]' | awk '{print "  " $$3}' | sort -u; 		rm -f .generated.before .generated.after; exit 1; 	fi
	@rm -f .generated.before .generated.after
	@$(MAKE) --no-print-directory lint

## lint: gofmt, go vet and staticcheck
lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...

## migrate: run a migrate action, e.g. `make migrate ARGS=status` or `make migrate ARGS="create add_orders"`
ARGS ?= up
migrate:
	$(GO) run . migrate $(ARGS)

## bench: run the Go benchmarks, then the WebSocket load benchmark (results are recorded in docs/BENCHMARKS.md)
bench:
	APP_ENV=test $(GO) run . devdb run -- $(GO) test -run '^$$' -bench . -benchmem $(PKG)
	$(MAKE) --no-print-directory bench-ws

## bench-ws: 5,000 WebSocket clients on loopback against a child server, e.g. `make bench-ws WSLOAD="-clients 1000 -strict"`
WSLOAD ?=
bench-ws:
	APP_ENV=test $(GO) run . devdb run -- $(GO) run ./tools/wsload $(WSLOAD)

## bench-scale: 6,000 WebSocket clients on one process (the baseline), then on 3 web processes (2,000 each) fed by one feed process over the relay, in one run
SCALE_CLIENTS ?= 6000
bench-scale:
	APP_ENV=test $(GO) run . devdb run -- sh -c '$(GO) build -o /tmp/aw-wsload-server . && \
		$(GO) run ./tools/wsload -server-bin /tmp/aw-wsload-server -clients $(SCALE_CLIENTS) $(WSLOAD) && \
		$(GO) run ./tools/wsload -server-bin /tmp/aw-wsload-server -web 3 -clients $(SCALE_CLIENTS) $(WSLOAD)'

## help: list the targets
help:
	@grep -E '^## ' Makefile | sed 's/^## /  /'
