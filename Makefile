# `make test` is the one test command, for a newcomer's fresh clone and for
# CI alike (.ci/run calls exactly it): it installs what the tests need when
# it is missing (tools/testdeps), checks formatting, vet, staticcheck and the
# OpenAPI document, and runs every test of every module on both engines.

GO ?= go
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
REDOCLY := tools/redocly/node_modules/.bin/redocly
# A busy machine makes the browser and PostgreSQL tests slow, not wrong:
# give a package more than go test's default ten minutes.
GOTESTFLAGS ?= -timeout 30m
# The Go SDK may be a module of its own; its tests run too when it is.
MODULES := . $(if $(wildcard client/go.mod),client)

.PHONY: test deps lint gotest
.NOTPARALLEL:

test: deps lint gotest

deps:
	@./tools/testdeps

lint: deps
	@echo "make: gofmt"
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	@for m in $(MODULES); do \
		echo "make: go vet and staticcheck ($$m)"; \
		(cd $$m && $(GO) vet ./... && $(GO) run $(STATICCHECK) ./...) || exit 1; \
	done
	@echo "make: redocly lint api/openapi.yaml"
	@out=$$(REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
		$(REDOCLY) lint --config tools/redocly/redocly.yaml api/openapi.yaml 2>&1) \
		|| { echo "$$out"; exit 1; }; \
	if echo "$$out" | grep -Eq "You have [0-9]+ warning"; then echo "$$out"; echo "redocly: warnings are not allowed"; exit 1; fi

gotest: deps
	@for m in $(MODULES); do \
		echo "make: go test ($$m)"; \
		(cd $$m && $(GO) test $(GOTESTFLAGS) ./...) || exit 1; \
	done
