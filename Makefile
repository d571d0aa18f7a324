# Layer builds for `sam build` (BuildMethod: makefile). SAM runs `make build-<LogicalId>` with
# ARTIFACTS_DIR set to where the layer's files must land; `npm run build` runs the same targets.

ARTIFACTS_DIR ?= build/CoreLayer
CORE_OUT = $(ARTIFACTS_DIR)/nodejs/node_modules/@headroom/core

# The layer is one ES module: the Node.js 18+ Lambda runtimes resolve bare ESM imports such as
# `@headroom/core` from /opt/nodejs/node_modules. The AWS SDK clients are bundled in, because an ES
# module in a layer cannot reach the runtime's own copy of the SDK.
build-CoreLayer:
	mkdir -p "$(CORE_OUT)"
	npx --no-install esbuild layers/core/src/index.ts --bundle --platform=node --format=esm --target=node22 \
		--minify --sourcemap --legal-comments=none --log-level=warning --outfile="$(CORE_OUT)/index.mjs" \
		"--banner:js=import { createRequire } from 'module'; const require = createRequire(import.meta.url);"
	printf '%s\n' '{"name":"@headroom/core","version":"0.1.0","type":"module","main":"index.mjs","exports":{".":"./index.mjs"}}' \
		> "$(CORE_OUT)/package.json"

.PHONY: build-CoreLayer
