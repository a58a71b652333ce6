# The user-facing entry points. `make sim` and `make test` install what is
# missing first (Debian packages and npm packages), so a fresh machine needs
# nothing else.
.PHONY: all deps gen sim test typecheck synth bench clean check-slurm

all: sim

deps:
	@bash scripts/deps.sh

gen: deps
	npm run --silent gen

sim: gen
	npm run --silent sim

typecheck: deps
	npx tsc --noEmit -p .

test: deps typecheck
	@mkdir -p build
	@status=0; npx vitest run --reporter=default --reporter=json --outputFile.json=build/test-results.json || status=$$?; \
	  node scripts/test-summary.mjs build/test-results.json || status=1; exit $$status

synth: deps
	npm run --silent synth

# Runs a small experiment as a Slurm array on a private single-node cluster
# (installs slurm-wlm if missing); not part of `test`, see docs/experiments.md.
check-slurm: deps
	bash scripts/check-slurm.sh

clean:
	rm -rf build
