package provider

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
)

// Main serves the package as a Pulumi resource plugin: the engine starts the binary (with its own
// address and logging flags as arguments, which this plugin does not need), reads the port it
// prints on stdout and talks gRPC to it on loopback until it is killed.
func Main(pkg *Package) {
	for _, a := range os.Args[1:] {
		if a == "--version" || a == "-version" {
			fmt.Println(pkg.Version)
			return
		}
		if a == "--schema" {
			js, err := pkg.SchemaJSON()
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
			fmt.Println(js)
			return
		}
	}
	srv := NewServer(pkg)
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(s *grpc.Server) error {
			pulumirpc.RegisterResourceProviderServer(s, srv)
			return nil
		},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-resource-%s: %v\n", pkg.Name, err)
		os.Exit(1)
	}
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-resource-%s: %v\n", pkg.Name, err)
		os.Exit(1)
	}
}

// SchemaJSON is the package schema (https://www.pulumi.com/docs/iac/extending-pulumi/schema/),
// generated from the resource declarations: what `pulumi package get-schema` prints.
func (pkg *Package) SchemaJSON() (string, error) {
	types := map[string]any{}
	resources := map[string]any{}
	for _, r := range pkg.Resources {
		props, inputs := map[string]any{}, map[string]any{}
		required, requiredInputs := []string{}, []string{}
		typeName := r.Token[strings.LastIndex(r.Token, ":")+1:]
		for _, p := range r.Props {
			spec := propSpec(pkg, typeName, p, types)
			props[p.Name] = spec
			if p.Input {
				inputs[p.Name] = spec
				if p.Required {
					requiredInputs = append(requiredInputs, p.Name)
				}
			}
			if !p.Input || p.Required || p.Default != nil {
				required = append(required, p.Name)
			}
		}
		resources[r.Token] = map[string]any{
			"description":     r.Doc,
			"properties":      props,
			"required":        required,
			"inputProperties": inputs,
			"requiredInputs":  requiredInputs,
		}
	}
	doc := map[string]any{
		"name":        pkg.Name,
		"version":     pkg.Version,
		"description": fmt.Sprintf("pulumi-valkey's own %s provider: the resources pulumi-valkey uses, with the real provider's tokens and property names", pkg.Name),
		"resources":   resources,
		"types":       types,
		"language":    map[string]any{"nodejs": map[string]any{"packageName": "@pulumi/" + pkg.Name}},
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	return string(b), err
}

func propSpec(pkg *Package, owner string, p Prop, types map[string]any) map[string]any {
	spec := map[string]any{"description": p.Doc}
	switch p.Kind {
	case String:
		spec["type"] = "string"
	case Int:
		spec["type"] = "integer"
	case Bool:
		spec["type"] = "boolean"
	case StringList:
		spec["type"] = "array"
		spec["items"] = map[string]any{"type": "string"}
	case StringMap:
		spec["type"] = "object"
		spec["additionalProperties"] = map[string]any{"type": "string"}
	case Object:
		name := owner + strings.ToUpper(p.Name[:1]) + p.Name[1:]
		token := fmt.Sprintf("%s:index/%s:%s", pkg.Name, name, name)
		fields := map[string]any{}
		for _, f := range p.Fields {
			fields[f.Name] = propSpec(pkg, name, f, types)
		}
		types[token] = map[string]any{"type": "object", "properties": fields}
		spec["$ref"] = "#/types/" + token
	}
	if p.Default != nil {
		spec["default"] = p.Default
	}
	if p.Secret {
		spec["secret"] = true
	}
	return spec
}
