# Build and test pipeline for the outsystems.lifetime collection.
# `make help` lists the targets; DEVELOPERS.md explains them.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
# The targets below depend on running in the order they are listed.
.NOTPARALLEL:

PYTHON ?= python3
# The one Python version ansible-test sanity checks the code with.
SANITY_PYTHON ?= 3.11
# Extra arguments, e.g. make unit PYTEST_ARGS='-k environment -x'
PYTEST_ARGS ?=
SANITY_ARGS ?=

VENV := $(CURDIR)/.venv
BIN := $(VENV)/bin
TMP := $(CURDIR)/.tmp
DIST := $(TMP)/dist
# The built collection is installed here; tests and playbooks use this copy.
COLLECTIONS := $(TMP)/collections
INSTALLED := $(COLLECTIONS)/ansible_collections/outsystems/lifetime
# ansible-test must run from .../ansible_collections/<namespace>/<name>/.
SANITY_DIR := $(TMP)/sanity/ansible_collections/outsystems/lifetime
# ansible-test keeps its pip bootstrap script and its per-test virtualenvs under
# $HOME/.ansible/test. Giving it a HOME inside .tmp keeps the pipeline independent
# of the caller's HOME (empty in CI) and lets the virtualenvs be reused.
ANSIBLE_TEST_HOME ?= $(TMP)/ansible-test-home

STAMP := $(VENV)/.requirements-installed
# The older ansible-core releases the collection supports (meta/runtime.yml): each gets a virtualenv
# .tmp/core-<version> from tests/requirements-core-<version>.txt; .venv has the newest (2.19).
COMPAT_CORES ?= 2.16 2.17 2.18
# What `make compat` runs under each: the component tests and one playbook run (promote, the same again with
# nothing to do, rollback), plus the playbooks' handling of survey answers and release records.
# Left out, so the three releases leave pytest a core: what does not depend on ansible-core, the simulator's own tests,
# the transport's hostile servers (make floor runs them under the oldest Python, requests and urllib3), the files,
# downloads, manifests and dates of the hostile suites (module_utils logic, the same under any release), and the
# governance client and name lookups (no Ansible in them).
COMPAT_TESTS := tests/component tests/integration/test_playbooks.py tests/integration/test_survey_answers.py \
	tests/integration/test_awx_workflow.py --ignore=tests/component/simulator --ignore=tests/component/test_transport_hostile.py \
	--ignore=tests/component/modules/test_hostile_files.py --ignore=tests/component/modules/test_hostile_manifests.py \
	--ignore=tests/component/modules/test_hostile_dates.py --ignore=tests/component/test_governance_client.py \
	--ignore=tests/component/test_governance_resolve.py
COMPAT_SELECT := -k 'not test_playbooks.py or test_promote_deploys_verifies_and_a_second_run_changes_nothing \
	or test_rollback_returns_production_to_the_version_that_ran_before'
# galaxy-importer and antsibull-docs pin packages differently from tests/requirements.txt: their own virtualenv.
GALAXY_VENV := $(TMP)/galaxy-tools
GALAXY_STAMP := $(GALAXY_VENV)/.requirements-installed
# `make test` installs once and then runs each layer with SKIP_INSTALL=1.
INSTALL_FIRST := $(if $(SKIP_INSTALL),venv,install)
BUILD_FIRST := $(if $(SKIP_INSTALL),venv,build)

# Tools from the virtualenv come first, so `ansible-playbook` run by a test is ours.
export PATH := $(BIN):$(PATH)
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# Tests, playbooks and ansible-lint all use the installed build, never ~/.ansible.
COLLECTION_ENV := ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS) OUTSYSTEMS_LIFETIME_COLLECTIONS=$(COLLECTIONS)

# $(call pytest,PATHS): run pytest on the PATHS that exist; "no tests collected"
# (exit 5) is not a failure while a test layer is still empty.
define pytest
	paths="$(wildcard $(1))"; \
	if [ -z "$$paths" ]; then echo "pytest: none of $(1) exists yet, nothing to run"; exit 0; fi; \
	rc=0; $(COLLECTION_ENV) $(BIN)/python -m pytest $$paths $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest: no tests collected in $$paths"; rc=0; fi; \
	exit $$rc
endef

.PHONY: help
help:
	@echo 'make test               everything CI runs: build, install, pytest, then compat, floor, sanity, lint, galaxy and docs'
	@echo 'make venv               create .venv and install tests/requirements.txt'
	@echo 'make build              build the collection tarball into .tmp/dist'
	@echo 'make install            build, then install it into .tmp/collections'
	@echo 'make pytest             unit, component, contract and integration tests against the installed build'
	@echo 'make unit               tests/unit only (pure functions, no server)'
	@echo 'make component          tests/component only (modules, client and simulator against the simulator)'
	@echo 'make contract           tests/contract only (seed examples, the API definition, outsystems-pipeline)'
	@echo 'make integration        tests/integration only (ansible-playbook against the simulator)'
	@echo 'make compat             tests/component and a playbook run under ansible-core $(COMPAT_CORES), in parallel'
	@echo 'make floor              the client and transport tests under the oldest promised Python 3.8, requests and urllib3'
	@echo 'make sanity             ansible-test sanity on a copy of the source in .tmp/sanity'
	@echo 'make lint               ansible-lint --profile production, the radon complexity gate, shellcheck'
	@echo 'make galaxy             galaxy-importer and antsibull-docs lint-collection-docs on the built tarball'
	@echo 'make docs               the HTML documentation site into .tmp/docs/html (UPDATE_RST=1: docs/docsite from the guides first)'
	@echo 'make changelog-lint     antsibull-changelog lint'
	@echo 'make changelog-release  antsibull-changelog release (see DEVELOPERS.md)'
	@echo 'make release            VERSION=x.y.z [SUMMARY=...]: the version everywhere, the summary, antsibull-changelog release'
	@echo 'make soak               the long runs: 20 concurrency rounds, the release flow model for 300 steps'
	@echo 'make demo               run tests/utils/demo.sh against the simulator'
	@echo 'make clean              remove .tmp and tests/output; make distclean also removes .venv'

.PHONY: venv
venv: $(STAMP)

$(STAMP): tests/requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r tests/requirements.txt
	touch $@

.PHONY: build
build: venv
	rm -rf $(DIST)
	mkdir -p $(DIST)
	$(BIN)/ansible-galaxy collection build --force --output-path $(DIST) $(CURDIR)

.PHONY: install
install: build
	rm -rf $(INSTALLED)
	$(COLLECTION_ENV) $(BIN)/ansible-galaxy collection install --offline --no-deps --force \
		-p $(COLLECTIONS) $(DIST)/outsystems-lifetime-*.tar.gz

.PHONY: pytest
# Every simulator of the run appends the requests it gets to .tmp/request-logs; then, unless PYTEST_ARGS narrows
# the run, tests/contract/test_requests_sent.py checks the collection's requests against the API definition.
pytest: $(INSTALL_FIRST)
	rm -rf $(TMP)/request-logs && mkdir -p $(TMP)/request-logs
	rc=0; (export LIFETIME_SIM_REQUEST_LOG_DIR=$(TMP)/request-logs; $(call pytest,tests/unit tests/component tests/contract tests/integration)) || rc=$$?; \
	if [ -z "$(strip $(PYTEST_ARGS))" ]; then \
		$(COLLECTION_ENV) LIFETIME_CONTRACT_REQUEST_LOGS=$(TMP)/request-logs $(BIN)/python -m pytest tests/contract/test_requests_sent.py || rc=$$?; \
	else echo "pytest: PYTEST_ARGS narrows the run, so its requests are not checked against the API definition"; fi; \
	exit $$rc

.PHONY: unit
unit: $(INSTALL_FIRST)
	$(call pytest,tests/unit)

.PHONY: component
component: $(INSTALL_FIRST)
	$(call pytest,tests/component)

.PHONY: contract
contract: $(INSTALL_FIRST)
	$(call pytest,tests/contract)

.PHONY: integration
integration: $(INSTALL_FIRST)
	$(call pytest,tests/integration)

.PHONY: compat
# One virtualenv per ansible-core release, reused between runs (like .venv, reinstalled when its requirements file
# changes). The releases run at the same time, each with its own pytest temporary directory and log; the logs are
# printed one after the other, and the target fails if any release failed.
compat: $(INSTALL_FIRST) $(foreach core,$(COMPAT_CORES),$(TMP)/core-$(core)/.requirements-installed)
	@pids=; for core in $(COMPAT_CORES); do \
		( start=$$SECONDS; export PATH=$(TMP)/core-$$core/bin:$$PATH; rc=0; \
		  $(COLLECTION_ENV) $(TMP)/core-$$core/bin/python -m pytest -p no:cacheprovider --basetemp=$(TMP)/core-$$core/pytest \
			$(COMPAT_TESTS) $(COMPAT_SELECT) $(PYTEST_ARGS) > $(TMP)/core-$$core/pytest.log 2>&1 || rc=$$?; \
		  echo "ansible-core $$core: exit status $$rc in $$((SECONDS - start)) s" >> $(TMP)/core-$$core/pytest.log; exit $$rc ) & \
		pids="$$pids $$!"; \
	done; \
	failed=; i=0; for pid in $$pids; do i=$$((i + 1)); wait $$pid || failed="$$failed $$(echo $(COMPAT_CORES) | cut -d' ' -f$$i)"; done; \
	for core in $(COMPAT_CORES); do echo "=== ansible-core $$core ($$($(TMP)/core-$$core/bin/python -c 'import ansible; print(ansible.__version__)'))"; \
		cat $(TMP)/core-$$core/pytest.log; done; \
	if [ -n "$$failed" ]; then echo "compat: failed under ansible-core$$failed"; exit 1; fi

$(TMP)/core-%/.requirements-installed: tests/requirements-core-%.txt
	test -x $(TMP)/core-$*/bin/python || $(PYTHON) -m venv $(TMP)/core-$*
	$(TMP)/core-$*/bin/python -m pip install --quiet -r $<
	touch $@

# The oldest versions README.md promises on the host that runs the tasks: Python 3.8, requests 2.25, urllib3 1.26.
FLOOR_VENV := $(TMP)/floor
FLOOR_STAMP := $(FLOOR_VENV)/.requirements-installed
FLOOR_TESTS := tests/component/test_client.py tests/component/test_transport_hostile.py tests/unit/test_http_internals.py \
	tests/unit/test_parsing.py
# A Python 3.8 to make .tmp/floor with; when not given: python3.8 on PATH, else pyenv's newest 3.8.
FLOOR_PYTHON ?=

.PHONY: floor floor-python-given
floor-python-given:
# The client and transport tests in .tmp/floor (tests/requirements-floor.txt, reused until that file changes), against
# the installed build. The simulator runs in the test process: tests/floor_plugin.py gives it the one call it makes
# that Python 3.8 lacks.
floor: $(INSTALL_FIRST) $(FLOOR_STAMP)
	PATH=$(FLOOR_VENV)/bin:$$PATH $(COLLECTION_ENV) $(FLOOR_VENV)/bin/python -m pytest -p no:cacheprovider -p tests.floor_plugin \
		--basetemp=$(FLOOR_VENV)/pytest $(FLOOR_TESTS) $(PYTEST_ARGS)

# ansible-core 2.16 declares Python 3.10 for the controller; only its module_utils are used here (see the requirements file).
# FLOOR_PYTHON, when given, is always checked and used: the virtualenv is made again from it.
$(FLOOR_STAMP): tests/requirements-floor.txt $(if $(FLOOR_PYTHON),floor-python-given)
	@is_38='import sys; sys.exit(sys.version_info[:2] != (3, 8))'; python=; \
	if [ -n "$(FLOOR_PYTHON)" ]; then \
		if ! "$(FLOOR_PYTHON)" -c "$$is_38" > /dev/null 2>&1; then \
			echo 'make floor: FLOOR_PYTHON=$(FLOOR_PYTHON) is not a Python 3.8: name a Python 3.8, or leave FLOOR_PYTHON unset to look for one'; \
			exit 1; \
		fi; \
		python='$(FLOOR_PYTHON)'; \
	fi; \
	for candidate in $$([ -n "$$python" ] || echo python3.8 $$(ls -d $${PYENV_ROOT:-$${HOME:-/root}/.pyenv}/versions/3.8.*/bin/python3.8 \
			/root/.pyenv/versions/3.8.*/bin/python3.8 2>/dev/null | sort -rV)); do \
		if "$$candidate" -c "$$is_38" > /dev/null 2>&1; then python=$$candidate; break; fi; \
	done; \
	if [ -z "$$python" ]; then \
		echo 'make floor: no Python 3.8 found (python3.8 on PATH, or pyenv under $$PYENV_ROOT or ~/.pyenv/versions/3.8.*):' \
			'install one, or name it with make floor FLOOR_PYTHON=/path/to/python3.8'; \
		exit 1; \
	fi; \
	if ! $(FLOOR_VENV)/bin/python -c "$$is_38" > /dev/null 2>&1 || [ -n "$(FLOOR_PYTHON)" ]; then rm -rf $(FLOOR_VENV); "$$python" -m venv $(FLOOR_VENV); fi; \
	echo "make floor: tests/requirements-floor.txt into $(FLOOR_VENV) ($$($(FLOOR_VENV)/bin/python --version 2>&1))"
	$(FLOOR_VENV)/bin/python -m pip install --quiet --no-deps --ignore-requires-python -r tests/requirements-floor.txt
	$(FLOOR_VENV)/bin/python -m pip check
	touch $@

.PHONY: galaxy
# What Galaxy and Automation Hub run on an upload (galaxy-importer: metadata, ansible-doc of every plugin and role,
# ansible-lint, changelog; offline, no containers), then antsibull-docs lint-collection-docs --plugin-docs on the
# tarball installed into .tmp/galaxy-docs. Any warning fails the target.
galaxy: $(BUILD_FIRST) $(GALAXY_STAMP)
	@rc=0; \
	$(GALAXY_VENV)/bin/python tests/utils/galaxy_importer.py $(wildcard $(DIST)/outsystems-lifetime-*.tar.gz) $(TMP)/galaxy-importer || rc=1; \
	rm -rf $(TMP)/galaxy-docs; \
	$(BIN)/ansible-galaxy collection install --offline --no-deps --force -p $(TMP)/galaxy-docs $(DIST)/outsystems-lifetime-*.tar.gz; \
	if env -u ANSIBLE_COLLECTIONS_PATH ANSIBLE_HOME=$(TMP)/galaxy-docs/ansible-home PATH=$(GALAXY_VENV)/bin:$(PATH) \
		GIT_CEILING_DIRECTORIES=$(TMP)/galaxy-docs \
		$(GALAXY_VENV)/bin/antsibull-docs lint-collection-docs --plugin-docs --validate-collection-refs all \
		$(TMP)/galaxy-docs/ansible_collections/outsystems/lifetime; \
	then echo 'antsibull-docs lint-collection-docs: no findings'; else echo 'antsibull-docs lint-collection-docs: findings above'; rc=1; fi; \
	exit $$rc

$(GALAXY_STAMP): tests/requirements-galaxy.txt
	test -x $(GALAXY_VENV)/bin/python || $(PYTHON) -m venv $(GALAXY_VENV)
	$(GALAXY_VENV)/bin/python -m pip install --quiet -r tests/requirements-galaxy.txt
	touch $@

# The documentation site of `make docs` and the virtualenv it is built with (tests/requirements-docs.txt).
DOCS_VENV := $(TMP)/docs-tools
DOCS_STAMP := $(DOCS_VENV)/.requirements-installed
DOCS := $(TMP)/docs
# antsibull-docs lints the copy of a collection inside a Git work tree as the files Git lists, and .tmp is ignored: it
# would lint nothing. GIT_CEILING_DIRECTORIES keeps Git from finding this repository above the copy.
DOCS_ENV := ANSIBLE_COLLECTIONS_PATH=$(DOCS)/collections ANSIBLE_HOME=$(DOCS)/ansible-home PATH=$(DOCS_VENV)/bin:$$PATH \
	GIT_CEILING_DIRECTORIES=$(DOCS)

.PHONY: docs
# The collection's HTML documentation site, as docs.ansible.com would show it, into .tmp/docs/html:
# 1. docs/docsite (extra-docs.yml, rst/*.rst) must be what tests/utils/docsite.py makes of README.md and docs/*.md;
#    UPDATE_RST=1 writes it there first;
# 2. the collection is built and installed into .tmp/docs/collections;
# 3. antsibull-docs lint-collection-docs checks every plugin's, role's and guide's references;
# 4. antsibull-docs sphinx-init and collection write the Sphinx project, and sphinx-build -W -n builds it: any warning,
#    an unresolved reference first of all, fails the target.
docs: venv $(DOCS_STAMP)
	$(if $(UPDATE_RST),$(DOCS_VENV)/bin/python tests/utils/docsite.py extra-docs docs/docsite)
	rm -rf $(DOCS) && mkdir -p $(DOCS)/site/rst
	$(DOCS_VENV)/bin/python tests/utils/docsite.py extra-docs $(DOCS)/docsite
	@if diff -ru docs/docsite/rst $(DOCS)/docsite/rst && diff -u docs/docsite/extra-docs.yml $(DOCS)/docsite/extra-docs.yml; then \
		echo 'docs: docs/docsite is what README.md and docs/*.md make'; \
	else echo 'docs: docs/docsite is not what README.md and docs/*.md make (the differences above): run make docs UPDATE_RST=1'; exit 1; fi
	$(BIN)/ansible-galaxy collection build --force --output-path $(DOCS)/dist $(CURDIR) > /dev/null
	env $(DOCS_ENV) $(BIN)/ansible-galaxy collection install --offline --no-deps --force -p $(DOCS)/collections $(DOCS)/dist/outsystems-lifetime-*.tar.gz > /dev/null
	env $(DOCS_ENV) antsibull-docs lint-collection-docs --plugin-docs --validate-collection-refs all \
		$(DOCS)/collections/ansible_collections/outsystems/lifetime
	env $(DOCS_ENV) antsibull-docs sphinx-init --use-current --squash-hierarchy --fail-on-error --dest-dir $(DOCS)/site \
		--project outsystems.lifetime --title 'outsystems.lifetime' --copyright 'outsystems.lifetime contributors' outsystems.lifetime > /dev/null
	$(DOCS_VENV)/bin/python tests/utils/docsite.py configure $(DOCS)/site
	chmod og-w $(DOCS)/site/rst
	env $(DOCS_ENV) antsibull-docs --config-file $(DOCS)/site/antsibull-docs.cfg collection --use-current --squash-hierarchy \
		--fail-on-error --cleanup everything --dest-dir $(DOCS)/site/rst outsystems.lifetime
	env $(DOCS_ENV) sphinx-build -b html -W --keep-going -n -q -c $(DOCS)/site $(DOCS)/site/rst $(DOCS)/html
	@echo 'docs: the site is in $(DOCS)/html (index.html)'

$(DOCS_STAMP): tests/requirements-docs.txt
	test -x $(DOCS_VENV)/bin/python || $(PYTHON) -m venv $(DOCS_VENV)
	$(DOCS_VENV)/bin/python -m pip install --quiet -r tests/requirements-docs.txt
	touch $@

.PHONY: sanity
sanity: venv
	@for f in $(wildcard tests/sanity/ignore-*.txt); do \
		if grep -q '[^[:space:]]' "$$f"; then echo "$$f must stay empty: fix the code instead of ignoring a sanity finding"; exit 1; fi; \
	done
	$(BIN)/python tests/utils/stage_collection.py $(SANITY_DIR)
	HOME=$(ANSIBLE_TEST_HOME) $(BIN)/python tests/utils/install_get_pip_shim.py $(SANITY_PYTHON)
	cd $(SANITY_DIR) && env -u ANSIBLE_COLLECTIONS_PATH HOME=$(ANSIBLE_TEST_HOME) \
		$(BIN)/ansible-test sanity --venv --python $(SANITY_PYTHON) --requirements --color no $(SANITY_ARGS)

.PHONY: lint
lint: $(INSTALL_FIRST)
	$(BIN)/shellcheck .ci/run $(wildcard tests/utils/*.sh)
	@# Cyclomatic complexity: no function in plugins/ above 15 (radon grades D and worse start at 21, so list C and filter).
	@over=$$($(BIN)/radon cc -s -n C --no-assert plugins | grep -E '\((1[6-9]|[2-9][0-9]|[0-9]{3,})\)$$' || true); \
	if [ -n "$$over" ]; then echo "radon: functions in plugins/ above complexity 15:"; echo "$$over"; exit 1; fi; \
	echo 'radon: no function in plugins/ above complexity 15'
	$(COLLECTION_ENV) $(BIN)/ansible-lint --profile production $(if $(CI),--nocolor)

.PHONY: changelog-lint
changelog-lint: venv
	$(BIN)/antsibull-changelog lint

# Release the version in galaxy.yml: fragments -> changelogs/changelog.yaml + CHANGELOG.md.
# It runs ansible-doc (from .venv, first in PATH) to list new modules.
.PHONY: changelog-release
changelog-release: venv
	$(BIN)/antsibull-changelog release

.PHONY: release
# Release VERSION: tests/utils/release.py checks first (VERSION newer than galaxy.yml's, no version_added after it, the
# fragments lint), then writes VERSION wherever the collection repeats its version, docs/docsite again, the release
# summary fragment (SUMMARY='...', or a line counting the changes) and runs antsibull-changelog release with .venv's
# tools. See DEVELOPERS.md, "Releasing".
release: export SUMMARY ?=
# VERSION reaches the script through the environment, never through the shell's parsing of the recipe.
release: export RELEASE_VERSION = $(VERSION)
release: venv
	@if [ -z "$$RELEASE_VERSION" ]; then echo 'make release: name the version, e.g. make release VERSION=0.2.0'; exit 1; fi
	$(BIN)/python tests/utils/release.py "$$RELEASE_VERSION" "$$SUMMARY"

.PHONY: test
# Every layer runs even when an earlier one fails, so one run reports all
# failures; the exit status is non-zero if any layer failed. pytest takes about
# one core for most of the run, so the BACKGROUND_LAYERS run one after
# the other in the background meanwhile, each into .tmp/make-test-<layer>.log,
# printed after pytest's output.
BACKGROUND_LAYERS := compat floor sanity lint galaxy docs
test: install
	@failed=; \
	echo "=== make test: $(BACKGROUND_LAYERS) start in the background, one after the other"; \
	( for layer in $(BACKGROUND_LAYERS); do \
		rc=0; $(MAKE) --no-print-directory $$layer SKIP_INSTALL=1 > $(TMP)/make-test-$$layer.log 2>&1 || rc=$$?; \
		echo $$rc > $(TMP)/make-test-$$layer.rc; \
	  done ) & background=$$!; \
	echo "=== make test: pytest"; \
	$(MAKE) --no-print-directory pytest SKIP_INSTALL=1 || failed="$$failed pytest"; \
	wait $$background; \
	for layer in $(BACKGROUND_LAYERS); do \
		echo "=== make test: $$layer"; \
		cat $(TMP)/make-test-$$layer.log; \
		[ "$$(cat $(TMP)/make-test-$$layer.rc 2>/dev/null)" = 0 ] || failed="$$failed $$layer"; \
	done; \
	if [ -n "$$failed" ]; then echo "make test: FAILED:$$failed"; exit 1; fi; \
	echo 'make test: pytest, $(BACKGROUND_LAYERS) passed'

.PHONY: soak
# The long runs that do not belong in every make test: 20 rounds of each concurrency test (make test runs 3), the
# release flow model with 300 steps (make test runs about 30). SOAK_ROUNDS and SOAK_FLOW_STEPS change them.
SOAK_ROUNDS ?= 20
SOAK_FLOW_STEPS ?= 300
soak: $(INSTALL_FIRST)
	$(COLLECTION_ENV) LIFETIME_CONCURRENCY_ROUNDS=$(SOAK_ROUNDS) LIFETIME_FLOW_STEPS=$(SOAK_FLOW_STEPS) $(BIN)/python -m pytest \
		-p no:cacheprovider -o timeout=0 tests/integration/test_concurrency.py tests/integration/test_release_flow_model.py $(PYTEST_ARGS)

.PHONY: demo
demo: install
	$(COLLECTION_ENV) PYTHON=$(BIN)/python tests/utils/demo.sh

.PHONY: clean
clean:
	rm -rf $(TMP) tests/output .pytest_cache

.PHONY: distclean
distclean: clean
	rm -rf $(VENV)
