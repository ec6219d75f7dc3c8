# NeuralLimits: `make run` and `make test` are the two setup commands (see README.md).
# Each installs what is missing on a Debian machine, builds, then runs the main job / the tests.

SWIFT        ?= swift
APT_PACKAGES := libgsl-dev liblapacke-dev libopenblas-dev gnuplot-nox jq pkg-config
BIN          := .build/release/neural-limits

## A second release binary tuned for this CPU's vector extension (read from /proc/cpuinfo), installed
## beside the portable one as $(BIN)-avx2 or $(BIN)-avx512: the portable binary checks the CPU at
## run time and hands over to the tuned one only when the CPU has every extension it was built for.
CPU_FLAGS := $(shell grep -m1 '^flags' /proc/cpuinfo 2>/dev/null)
ifeq ($(words $(filter avx2 fma avx512f avx512cd avx512bw avx512dq avx512vl,$(CPU_FLAGS))),7)
  TUNED       := avx512
  TUNED_FLAGS := -Xcc -mavx2 -Xcc -mfma -Xcc -mavx512f -Xcc -mavx512cd -Xcc -mavx512bw -Xcc -mavx512dq \
                 -Xcc -mavx512vl -Xswiftc -DNEURAL_LIMITS_AVX512
else ifeq ($(words $(filter avx2 fma,$(CPU_FLAGS))),2)
  TUNED       := avx2
  TUNED_FLAGS := -Xcc -mavx2 -Xcc -mfma -Xswiftc -DNEURAL_LIMITS_AVX2
endif

.PHONY: run test deps release bench notebooks clean tuned-flags

## Install missing Debian packages (only those not installed) and check for a Swift toolchain.
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "make: installing$$missing"; \
	  sudo=""; [ "$$(id -u)" -eq 0 ] || sudo=sudo; \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing; \
	fi
	@command -v $(SWIFT) >/dev/null || { echo "make: no 'swift' on PATH: install Swift 6 from swift.org"; exit 1; }

release: deps
	$(SWIFT) build -c release --product neural-limits
ifdef TUNED
	$(SWIFT) build -c release --product neural-limits --scratch-path .build-$(TUNED) $(TUNED_FLAGS)
	cp .build-$(TUNED)/release/neural-limits $(BIN)-$(TUNED)
endif

## The tuned build's name and compiler flags (empty on CPUs without AVX2 and FMA), for Benchmarks/run.sh.
tuned-flags:
	@echo "$(TUNED) $(TUNED_FLAGS)"

## The main job: theory (NNGP/NTK in the infinite-width limit) against finite-width simulation.
run: release
	$(BIN) compare

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

## Every notebook (Notebooks/*.sh), each writing its tables and figures to Data/results/<paper>/.
notebooks: release
	@set -e; for nb in Notebooks/*.sh; do echo "== $$nb"; start=$$(date +%s); bash "$$nb"; \
	  echo "   done in $$(( $$(date +%s) - start )) s"; done

## Side-by-side benchmarks against neural-tangents (creates .venv-nt from PyPI on first use).
bench: deps
	@[ -x .venv-nt/bin/python ] || { python3 -m venv .venv-nt && .venv-nt/bin/pip install -q \
	  neural-tangents==0.6.5 jax==0.4.23 jaxlib==0.4.23 "numpy<2" "scipy<1.13" tf2jax==0.3.5; }
	Benchmarks/run.sh all

clean:
	rm -rf .build .build-avx2 .build-avx512
