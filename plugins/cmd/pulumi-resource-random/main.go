// pulumi-resource-random: pulumi-valkey's own random provider plugin (plugins/README.md).
package main

import (
	"pulumivalkey.local/plugins/internal/provider"
	"pulumivalkey.local/plugins/internal/random"
)

// version is set at build time (-X main.version=...) to the version the npm SDK asks for.
var version = "4.21.1"

func main() { provider.Main(random.Package(version)) }
