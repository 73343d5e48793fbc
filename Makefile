# qgad: a QEMU guest agent built from plugins.
#   make run    build everything and serve on a unix socket in ./run
#   make test   install what the tests need, build, and run the whole suite

GO       ?= go
BIN      := bin
FAMILIES := exec file fs fsfreeze network power system users
LDFLAGS  := -s -w
FUZZTIME ?= 30s
export CGO_ENABLED := 0

.PHONY: all build run test deps vet unit fuzz faults bench e2e packages docs generate clean

all: build

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/qgad ./cmd/qgad
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/qgactl ./cmd/qgactl
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/qgad-builtin ./cmd/qgad-builtin
	@for f in $(FAMILIES); do ln -sfn qgad-builtin $(BIN)/qgad-plugin-$$f; done
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/examples/qgad-plugin-com.example.hello ./examples/hello
	@chmod 0755 $(BIN) $(BIN)/examples

run: build
	@mkdir -p run/state
	@echo "qgad is serving on $(CURDIR)/run/qgad.sock"
	@echo "try:  $(BIN)/qgactl -s run/qgad.sock guest-info"
	exec $(BIN)/qgad -m unix-listen -p run/qgad.sock -t run/state -v

# Debian's qemu-ga is the reference the comparison tests run beside qgad.
deps:
	@if ! command -v qemu-ga >/dev/null 2>&1 && [ ! -x /usr/sbin/qemu-ga ] || ! command -v protoc >/dev/null 2>&1 \
	   || ! command -v mkfs.ext4 >/dev/null 2>&1 || ! command -v fsfreeze >/dev/null 2>&1; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			qemu-guest-agent protobuf-compiler e2fsprogs util-linux strace tzdata systemd >/dev/null; \
	fi

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt needed"; exit 1; }

unit:
	$(GO) test -count=1 ./...

# Each fuzz target runs for FUZZTIME (make fuzz FUZZTIME=10m for longer).
fuzz:
	@./scripts/fuzz.sh $(FUZZTIME)

test: deps build packages vet unit fuzz

# .deb and .rpm packages of the core, each family, all of them and the
# example plugin, into bin/packages (nfpm configs: packaging/nfpm, written by
# `go run ./packaging/nfpmgen`). Their version is the agent's, from qgad -V.
PKGDIR := $(BIN)/packages
packages: build
	@rm -rf $(PKGDIR) && mkdir -p $(PKGDIR)
	@v=$$($(BIN)/qgad -V | sed -n 's/^QEMU Guest Agent \([^ ]*\) (qgad)$$/\1/p'); test -n "$$v" || { echo "packages: no version from $(BIN)/qgad -V"; exit 1; }; \
	arch=$$($(GO) env GOARCH); \
	for f in packaging/nfpm/*.yaml; do for p in deb rpm; do \
		QGAD_VERSION=$$v GOARCH=$$arch $(GO) tool nfpm package -f $$f -p $$p -t $(PKGDIR)/ >/dev/null || exit 1; \
	done; done; echo "packages $$v ($$arch) in $(PKGDIR)/:"; ls $(PKGDIR)

# The command reference, generated from the schemas the plugins register.
docs: build
	$(GO) run ./cmd/qgad-docgen -bin $(BIN) -o docs/commands.md

clean:
	rm -rf $(BIN) run
