// pulumi-resource-tls: pulumi-valkey's own tls provider plugin (plugins/README.md).
package main

import (
	"pulumivalkey.local/plugins/internal/provider"
	"pulumivalkey.local/plugins/internal/tlsres"
)

// version is set at build time (-X main.version=...) to the version the npm SDK asks for.
var version = "5.5.1"

func main() { provider.Main(tlsres.Package(version)) }
