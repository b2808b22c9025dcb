# The two commands a newcomer needs: `make lab-up` and `make test`. Everything else is optional.
SHELL := /bin/bash
NPM ?= npm
LAB := $(NPM) run --silent lab --

node_modules/.installed: package.json package-lock.json
	$(NPM) ci --no-audit --no-fund --loglevel=error
	@touch $@

.PHONY: deps lab-up lab-down lab-status lab-sim lab-plan exercise pf test typecheck testenv
deps: node_modules/.installed

lab-up: deps        ## create the cluster and install the lab (reconcile; safe to re-run)
	$(LAB) up

lab-down: deps      ## delete the cluster; keeps LAB_DATA_DIR (use: npm run lab -- down --purge)
	$(LAB) down

lab-status: deps
	$(LAB) status

lab-plan: deps
	$(LAB) plan

lab-sim: deps       ## rehearse on a local control plane (no Docker): builds it once from Go modules
	LAB_PROVIDER=sim $(LAB) up

exercise: deps      ## make exercise EX=traffic-split   (EX empty: list them)
	$(NPM) run --silent exercise -- $(if $(EX),$(EX),--list)

pf: deps            ## port-forward lab services to 127.0.0.1 until Ctrl-C
	$(NPM) run --silent pf

testenv: deps       ## build (or reuse) the Go-built control plane and tools used by the tests
	npx tsx scripts/testenv.ts build

typecheck: deps
	npx tsc --noEmit -p .

test: deps testenv typecheck  ## everything CI runs
	npx ava
