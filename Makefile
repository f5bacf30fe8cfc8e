# SPDX-License-Identifier: GPL-3.0-or-later
# The two commands a newcomer needs: `make demo` and `make test`. Everything else is a piece of `make test`.
.PHONY: help bootstrap test test-full demo units sanity lint build molecule changelog lock

help:
	@echo "make demo       start the lab and run a rolling upgrade under load, with a report"
	@echo "make test       every test stage (bootstraps first); ends with 'N passed, N failed'"
	@echo "make test-full  make test, with the lab tests CI leaves out (marked on_demand) and the forwarding matrix"
	@echo "make bootstrap  apt packages + .venv (ansible-core 2.19) + .venv-core221 (ansible-core 2.21)"
	@echo "make units | sanity | lint | build | molecule | changelog   one stage of make test"
	@echo "make lock       re-resolve requirements/*.in into the pinned requirements/*.txt"

bootstrap:
	tools/bootstrap

test: bootstrap
	tools/test-all

test-full: bootstrap
	LVS_LAB_FULL=1 tools/test-all

demo: bootstrap
	tools/demo

units: bootstrap
	tools/test-all units

sanity: bootstrap
	tools/test-all sanity

lint: bootstrap
	tools/test-all lint

build: bootstrap
	tools/test-all build

molecule: bootstrap
	tools/test-all molecule

changelog: bootstrap
	tools/test-all changelog

lock:
	tools/lock
