# geodim: the two README commands, and helpers.
#   make demo   installs what is missing, builds, trains configs/quick.yaml on the bundled MNIST
#   make test   installs what is missing, builds, runs the whole test suite
#   make reproduce        every figure and table of docs/reproduction.md (about 1 hour on 2 cores)
#   make reproduce-quick  the same figures at reduced size in runs/reproduce-quick/report (minutes)
#   make demonstrate      docs/demonstration/: the BFD where n·d > P − hidden, exact (about 1 hour on 2 cores)
#   make demonstrate-quick  the same pipeline at smoke size in runs/demonstrate-quick/report (a minute)
#   make slurm-test       a real Slurm on localhost runs a sweep array through scripts/slurm/sweep.sbatch
#                         (requeue, cancel, resubmit; about a minute; root; part of make test too)
#   make shallow          docs/shallow.md: shallow networks, linear regions and the spline limit (issue 17)
#   make shallow-quick    the same at reduced size in runs/shallow-quick/report (seconds)
.PHONY: setup build demo test paper reproduce reproduce-quick demonstrate demonstrate-quick slurm-test shallow shallow-quick clean

SWIFT ?= swift

setup:
	bash scripts/setup.sh

build: setup
	$(SWIFT) build -c release

demo: build
	.build/release/geodim train configs/quick.yaml

paper: build
	.build/release/geodim train configs/paper-mnist.yaml

reproduce: build
	bash scripts/setup.sh --plots
	python3 scripts/reproduce.py

reproduce-quick: build
	bash scripts/setup.sh --plots
	python3 scripts/reproduce.py --quick

demonstrate: build
	bash scripts/setup.sh --plots
	python3 scripts/demonstrate.py

demonstrate-quick: build
	bash scripts/setup.sh --plots
	python3 scripts/demonstrate.py --quick

shallow: build
	bash scripts/setup.sh --plots
	python3 scripts/shallow_report.py

shallow-quick: build
	bash scripts/setup.sh --plots
	python3 scripts/shallow_report.py --quick

# The test suite includes the plotting and `reproduce.py --quick` smoke tests: they need matplotlib.
test:
	bash scripts/setup.sh --plots
	$(SWIFT) build -c release --build-tests
	$(SWIFT) test -c release --skip-build

slurm-test: build
	python3 scripts/slurm/localhost_test.py

clean:
	rm -rf .build
