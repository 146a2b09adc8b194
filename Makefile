# geodim: the two README commands, and helpers.
#   make demo   installs what is missing, builds, trains configs/quick.yaml on the bundled MNIST
#   make test   installs what is missing, builds, runs the whole test suite
.PHONY: setup build demo test paper clean

SWIFT ?= swift

setup:
	bash scripts/setup.sh

build: setup
	$(SWIFT) build -c release

demo: build
	.build/release/geodim train configs/quick.yaml

paper: build
	.build/release/geodim train configs/paper-mnist.yaml

test: setup
	$(SWIFT) build -c release --build-tests
	$(SWIFT) test -c release --skip-build

clean:
	rm -rf .build
