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

# What the tests need from Debian: qemu-ga is the reference the comparison
# tests run beside qgad; the rest are tools the tests drive.
DEPS_PKGS := qemu-guest-agent protobuf-compiler e2fsprogs util-linux strace tzdata systemd rpm zsh bsdutils
deps:
	@dpkg -s $(DEPS_PKGS) >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends $(DEPS_PKGS) >/dev/null; }

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt needed"; exit 1; }

# Everything but the real-guest test, which `make e2e` runs.
unit:
	$(GO) test -count=1 $$($(GO) list ./... | grep -v -e /test/e2e)

# Each fuzz target runs for FUZZTIME (make fuzz FUZZTIME=10m for longer).
fuzz:
	@./scripts/fuzz.sh $(FUZZTIME)

test: deps build packages vet unit fuzz faults e2e

# The fault suite (test/faults, build tag "faults", about 2 minutes): plugin
# and core kills under load, host disconnects, a full or read-only state
# dir, misbehaving plugins, input floods, checksums and limits, each
# against a running bin/qgad. Prints a report line per fault.
faults: deps build
	$(GO) vet -tags faults ./test/faults/
	$(GO) test -tags faults -count=1 -timeout 15m -v ./test/faults/

# A real guest under QEMU (TCG): bin/qgad on a virtio-serial port, then
# Debian's qemu-ga in the same guest for reference (test/e2e). The kernel
# package is downloaded once into test/e2e/out/, never installed.
E2E_PKGS := qemu-system-x86 busybox-static cpio e2fsprogs qemu-guest-agent tzdata
e2e: build
	@dpkg -s $(E2E_PKGS) >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends $(E2E_PKGS) >/dev/null; }
	@apt-cache show linux-image-cloud-amd64 >/dev/null 2>&1 || apt-get update -qq
	$(GO) test -count=1 -v -timeout 10m ./test/e2e/

# qgad against Debian's qemu-ga, side by side on this machine (cmd/qgad-bench,
# about 4 minutes; not part of `make test`): bin/bench.json, bin/bench.md and
# the generated section of BENCHMARKS.md.
bench: deps build
	$(GO) run ./cmd/qgad-bench -settle 6s -bin $(BIN) -json $(BIN)/bench.json -md $(BIN)/bench.md -update BENCHMARKS.md

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
	$(GO) run ./cmd/qgad-docgen -bin $(BIN) -bin $(BIN)/examples -o docs/commands.md

clean:
	rm -rf $(BIN) run
