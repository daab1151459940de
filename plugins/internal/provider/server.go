package provider

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

// Server implements pulumirpc.ResourceProviderServer for a Package.
type Server struct {
	pulumirpc.UnimplementedResourceProviderServer
	pkg *Package
	// keepSecrets: the engine said it accepts secrets (Configure); every engine since 2019 does.
	keepSecrets bool
}

func NewServer(pkg *Package) *Server { return &Server{pkg: pkg, keepSecrets: true} }

func (s *Server) unmarshal(m *structpb.Struct) (resource.PropertyMap, error) {
	return plugin.UnmarshalProperties(m, plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true, SkipNulls: true})
}

func (s *Server) marshal(m resource.PropertyMap) (*structpb.Struct, error) {
	return plugin.MarshalProperties(m, plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: s.keepSecrets})
}

func typeOf(urn string) string { return string(resource.URN(urn).Type()) }

func (s *Server) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: s.pkg.Version}, nil
}

func (s *Server) GetSchema(_ context.Context, req *pulumirpc.GetSchemaRequest) (*pulumirpc.GetSchemaResponse, error) {
	if req.GetVersion() > 0 {
		return nil, status.Errorf(codes.InvalidArgument, "unsupported schema version %d", req.GetVersion())
	}
	js, err := s.pkg.SchemaJSON()
	if err != nil {
		return nil, err
	}
	return &pulumirpc.GetSchemaResponse{Schema: js}, nil
}

// The provider itself takes no configuration; a key it does not know is refused like any other.
func (s *Server) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	news, err := s.unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	var fails []*pulumirpc.CheckFailure
	for _, k := range news.StableKeys() {
		if k == "version" || len(k) > 1 && k[:2] == "__" {
			continue
		}
		fails = append(fails, &pulumirpc.CheckFailure{Property: string(k), Reason: fmt.Sprintf("unknown provider configuration %q: the %s provider takes none", k, s.pkg.Name)})
	}
	return &pulumirpc.CheckResponse{Inputs: req.GetNews(), Failures: fails}, nil
}

func (s *Server) DiffConfig(context.Context, *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
}

func (s *Server) Configure(_ context.Context, req *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	s.keepSecrets = req.GetAcceptSecrets()
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true, SupportsPreview: true}, nil
}

func (s *Server) Invoke(_ context.Context, req *pulumirpc.InvokeRequest) (*pulumirpc.InvokeResponse, error) {
	return nil, status.Errorf(codes.Unimplemented, "pulumi-resource-%s %s implements no functions (asked for %q)", s.pkg.Name, s.pkg.Version, req.GetTok())
}

func (s *Server) GetMapping(context.Context, *pulumirpc.GetMappingRequest) (*pulumirpc.GetMappingResponse, error) {
	return &pulumirpc.GetMappingResponse{}, nil
}

func (s *Server) GetMappings(context.Context, *pulumirpc.GetMappingsRequest) (*pulumirpc.GetMappingsResponse, error) {
	return &pulumirpc.GetMappingsResponse{}, nil
}

func (s *Server) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

// Check validates a resource's inputs and applies the defaults.
func (s *Server) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	r, err := s.pkg.resource(typeOf(req.GetUrn()))
	if err != nil {
		return nil, err
	}
	news, err := s.unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	inputs, fails := CheckInputs(r, news)
	out, err := s.marshal(inputs)
	if err != nil {
		return nil, err
	}
	resp := &pulumirpc.CheckResponse{Inputs: out}
	for _, f := range fails {
		resp.Failures = append(resp.Failures, &pulumirpc.CheckFailure{Property: f.Property, Reason: f.Reason})
	}
	return resp, nil
}

// CheckInputs returns the inputs with defaults applied (values as given, secrets kept) and the
// failures: unknown properties, missing required ones, values of the wrong kind or out of range,
// and the resource's own rules.
func CheckInputs(r *Resource, news resource.PropertyMap) (resource.PropertyMap, []Failure) {
	fails := unknownKeys(r.Props, news, "")
	inputs := resource.PropertyMap{}
	plain := Values{}
	allKnown := true
	for _, p := range r.Props {
		if !p.Input {
			continue
		}
		key := resource.PropertyKey(p.Name)
		v, ok := news[key]
		if !ok || v.IsNull() {
			if p.Required {
				fails = append(fails, Failure{Property: p.Name, Reason: fmt.Sprintf("missing required property %q", p.Name)})
			} else if p.Default != nil {
				inputs[key] = encode(p.Default)
				plain[p.Name] = p.Default
			}
			continue
		}
		x, f := decode(p, v, p.Name)
		fails = append(fails, f...)
		inputs[key] = v
		if _, u := x.(unknown); u {
			allKnown = false
		} else if x != nil {
			plain[p.Name] = x
		}
	}
	if allKnown && r.Normalize != nil {
		for name, x := range r.Normalize(plain) {
			if _, given := inputs[resource.PropertyKey(name)]; !given {
				inputs[resource.PropertyKey(name)] = encode(x)
				plain[name] = x
			}
		}
	}
	if len(fails) == 0 && allKnown && r.Validate != nil {
		fails = append(fails, r.Validate(plain)...)
	}
	return inputs, fails
}

// Diff: a changed input replaces the resource unless it is declared InPlace; a resource whose
// ForceReplace names outputs (a certificate due for renewal) is replaced without input changes.
func (s *Server) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	r, err := s.pkg.resource(typeOf(req.GetUrn()))
	if err != nil {
		return nil, err
	}
	olds, err := s.unmarshal(req.GetOlds())
	if err != nil {
		return nil, err
	}
	oldInputs := olds
	if req.GetOldInputs() != nil {
		if oldInputs, err = s.unmarshal(req.GetOldInputs()); err != nil {
			return nil, err
		}
	}
	news, err := s.unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	return DiffInputs(r, olds, oldInputs, news, req.GetIgnoreChanges(), s.pkg.now), nil
}

func DiffInputs(r *Resource, olds, oldInputs, news resource.PropertyMap, ignore []string, now func() time.Time) *pulumirpc.DiffResponse {
	ignored := map[string]bool{}
	for _, k := range ignore {
		ignored[k] = true
	}
	resp := &pulumirpc.DiffResponse{DetailedDiff: map[string]*pulumirpc.PropertyDiff{}, HasDetailedDiff: true}
	for _, p := range r.Props {
		if !p.Input || ignored[p.Name] {
			continue
		}
		key := resource.PropertyKey(p.Name)
		ov, oldHas := oldInputs[key]
		nv, newHas := news[key]
		oldHas = oldHas && !ov.IsNull()
		newHas = newHas && !nv.IsNull()
		var o, n any
		if oldHas {
			o, _ = decode(p, ov, p.Name)
		}
		if newHas {
			n, _ = decode(p, nv, p.Name)
		}
		_, newUnknown := n.(unknown)
		if !newUnknown && oldHas == newHas && equal(o, n) {
			continue
		}
		kind := pulumirpc.PropertyDiff_UPDATE
		switch {
		case !oldHas:
			kind = pulumirpc.PropertyDiff_ADD
		case !newHas:
			kind = pulumirpc.PropertyDiff_DELETE
		}
		if !p.InPlace {
			kind++ // ADD -> ADD_REPLACE, DELETE -> DELETE_REPLACE, UPDATE -> UPDATE_REPLACE
			resp.Replaces = append(resp.Replaces, p.Name)
		}
		resp.Diffs = append(resp.Diffs, p.Name)
		resp.DetailedDiff[p.Name] = &pulumirpc.PropertyDiff{Kind: kind, InputDiff: true}
	}
	if r.ForceReplace != nil {
		state, _ := decodeAll(r, olds)
		for _, name := range r.ForceReplace(state, now()) {
			if _, done := resp.DetailedDiff[name]; done {
				continue
			}
			resp.Replaces = append(resp.Replaces, name)
			resp.Diffs = append(resp.Diffs, name)
			resp.DetailedDiff[name] = &pulumirpc.PropertyDiff{Kind: pulumirpc.PropertyDiff_UPDATE_REPLACE}
		}
	}
	sort.Strings(resp.Replaces)
	sort.Strings(resp.Diffs)
	resp.Changes = pulumirpc.DiffResponse_DIFF_NONE
	if len(resp.Diffs) > 0 {
		resp.Changes = pulumirpc.DiffResponse_DIFF_SOME
	}
	return resp
}

// outputs: the inputs as given, then the computed outputs; Secret properties are secrets.
func outputs(r *Resource, inputs resource.PropertyMap, computed Values) resource.PropertyMap {
	out := inputs.Copy()
	for name, x := range computed {
		out[resource.PropertyKey(name)] = encode(x)
	}
	for _, p := range r.Props {
		key := resource.PropertyKey(p.Name)
		if v, ok := out[key]; ok && p.Secret && !v.IsSecret() && !v.IsComputed() {
			out[key] = resource.MakeSecret(v)
		}
	}
	return out
}

func (s *Server) Create(_ context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	r, err := s.pkg.resource(typeOf(req.GetUrn()))
	if err != nil {
		return nil, err
	}
	inputs, err := s.unmarshal(req.GetProperties())
	if err != nil {
		return nil, err
	}
	in, allKnown := decodeAll(r, inputs)
	if req.GetPreview() || !allKnown {
		if !req.GetPreview() {
			return nil, fmt.Errorf("%s: inputs are still unknown at create", r.Token)
		}
		// A preview: every output is unknown until the resource is created.
		out := inputs.Copy()
		for _, p := range r.Props {
			if !p.Input {
				out[resource.PropertyKey(p.Name)] = resource.MakeComputed(resource.NewStringProperty(""))
			}
		}
		props, err := s.marshal(out)
		if err != nil {
			return nil, err
		}
		return &pulumirpc.CreateResponse{Properties: props}, nil
	}
	id, computed, err := r.Create(in, s.pkg.now())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", r.Token, err)
	}
	props, err := s.marshal(outputs(r, inputs, computed))
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CreateResponse{Id: id, Properties: props}, nil
}

// Read returns the state as it is, with the time-dependent outputs recomputed (a refresh marks a
// certificate inside its renewal window ready_for_renewal).
func (s *Server) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	r, err := s.pkg.resource(typeOf(req.GetUrn()))
	if err != nil {
		return nil, err
	}
	state, err := s.unmarshal(req.GetProperties())
	if err != nil {
		return nil, err
	}
	if len(state) == 0 {
		return nil, fmt.Errorf("%s: import is not supported: these resources are generated, there is nothing to read back", r.Token)
	}
	if r.Refresh != nil {
		plain, _ := decodeAll(r, state)
		state = outputs(r, state, r.Refresh(plain, s.pkg.now()))
	}
	props, err := s.marshal(state)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.ReadResponse{Id: req.GetId(), Properties: props, Inputs: req.GetInputs()}, nil
}

// Update applies the InPlace inputs (the only changes that do not replace) to the state.
func (s *Server) Update(_ context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	r, err := s.pkg.resource(typeOf(req.GetUrn()))
	if err != nil {
		return nil, err
	}
	olds, err := s.unmarshal(req.GetOlds())
	if err != nil {
		return nil, err
	}
	news, err := s.unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	state := olds.Copy()
	for _, p := range r.Props {
		if !p.Input {
			continue
		}
		key := resource.PropertyKey(p.Name)
		if v, ok := news[key]; ok {
			state[key] = v
		} else {
			delete(state, key)
		}
	}
	var computed Values
	if r.Refresh != nil {
		plain, _ := decodeAll(r, state)
		computed = r.Refresh(plain, s.pkg.now())
	}
	props, err := s.marshal(outputs(r, state, computed))
	if err != nil {
		return nil, err
	}
	return &pulumirpc.UpdateResponse{Properties: props}, nil
}

// Delete: nothing exists outside the state.
func (s *Server) Delete(context.Context, *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}
