// Package providertest drives a provider.Server over real gRPC on loopback, as the Pulumi engine
// does, for the plugins' tests.
package providertest

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"

	"pulumivalkey.local/plugins/internal/provider"
)

// Harness is a running plugin server and a client connected to it.
type Harness struct {
	t      *testing.T
	Client pulumirpc.ResourceProviderClient
	// Clock is what the provider sees as now.
	Clock time.Time
}

// Start serves pkg on a loopback port for the test's lifetime and configures it as the engine does.
func Start(t *testing.T, pkg *provider.Package) *Harness {
	t.Helper()
	h := &Harness{t: t, Clock: time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)}
	pkg.Now = func() time.Time { return h.Clock }
	cancel := make(chan bool)
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: cancel,
		Init: func(s *grpc.Server) error {
			pulumirpc.RegisterResourceProviderServer(s, provider.NewServer(pkg))
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	conn, err := grpc.NewClient("127.0.0.1:"+strconv.Itoa(handle.Port), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = conn.Close()
		close(cancel)
		<-handle.Done
	})
	h.Client = pulumirpc.NewResourceProviderClient(conn)
	if _, err := h.Client.Configure(h.ctx(), &pulumirpc.ConfigureRequest{AcceptSecrets: true}); err != nil {
		t.Fatal(err)
	}
	return h
}

func (h *Harness) ctx() context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	h.t.Cleanup(cancel)
	return ctx
}

// URN of a resource named "test" of the given type.
func URN(token string) string {
	return string(resource.NewURN("stack", "project", "", tokens.Type(token), "test"))
}

// Props: plain Go data (map[string]any with string, float64/int, bool, []any, nested maps) to a Struct.
func (h *Harness) Props(m map[string]any) *structpb.Struct {
	h.t.Helper()
	s, err := plugin.MarshalProperties(resource.NewPropertyMapFromMap(m), plugin.MarshalOptions{KeepSecrets: true, KeepUnknowns: true})
	if err != nil {
		h.t.Fatal(err)
	}
	return s
}

// Map decodes a Struct the provider returned, keeping secrets as secrets.
func (h *Harness) Map(s *structpb.Struct) resource.PropertyMap {
	h.t.Helper()
	m, err := plugin.UnmarshalProperties(s, plugin.MarshalOptions{KeepSecrets: true, KeepUnknowns: true})
	if err != nil {
		h.t.Fatal(err)
	}
	return m
}

// Check calls Check with news and returns the inputs and failures.
func (h *Harness) Check(token string, news map[string]any) (resource.PropertyMap, []*pulumirpc.CheckFailure) {
	h.t.Helper()
	resp, err := h.Client.Check(h.ctx(), &pulumirpc.CheckRequest{Urn: URN(token), News: h.Props(news)})
	if err != nil {
		h.t.Fatal(err)
	}
	return h.Map(resp.GetInputs()), resp.GetFailures()
}

// Create checks news (failing the test on a failure) and creates the resource.
func (h *Harness) Create(token string, news map[string]any) (string, resource.PropertyMap) {
	h.t.Helper()
	inputs, fails := h.Check(token, news)
	if len(fails) > 0 {
		h.t.Fatalf("check failed: %v", fails)
	}
	props, err := plugin.MarshalProperties(inputs, plugin.MarshalOptions{KeepSecrets: true})
	if err != nil {
		h.t.Fatal(err)
	}
	resp, err := h.Client.Create(h.ctx(), &pulumirpc.CreateRequest{Urn: URN(token), Properties: props})
	if err != nil {
		h.t.Fatal(err)
	}
	return resp.GetId(), h.Map(resp.GetProperties())
}

// Diff compares a state (and the inputs it was created from) with new inputs.
func (h *Harness) Diff(token string, state, oldInputs resource.PropertyMap, news map[string]any) *pulumirpc.DiffResponse {
	h.t.Helper()
	inputs, fails := h.Check(token, news)
	if len(fails) > 0 {
		h.t.Fatalf("check failed: %v", fails)
	}
	m := func(p resource.PropertyMap) *structpb.Struct {
		s, err := plugin.MarshalProperties(p, plugin.MarshalOptions{KeepSecrets: true, KeepUnknowns: true})
		if err != nil {
			h.t.Fatal(err)
		}
		return s
	}
	resp, err := h.Client.Diff(h.ctx(), &pulumirpc.DiffRequest{Urn: URN(token), Id: "id", Olds: m(state), OldInputs: m(oldInputs), News: m(inputs)})
	if err != nil {
		h.t.Fatal(err)
	}
	return resp
}

// Read refreshes a state.
func (h *Harness) Read(token, id string, state resource.PropertyMap) resource.PropertyMap {
	h.t.Helper()
	s, err := plugin.MarshalProperties(state, plugin.MarshalOptions{KeepSecrets: true})
	if err != nil {
		h.t.Fatal(err)
	}
	resp, err := h.Client.Read(h.ctx(), &pulumirpc.ReadRequest{Urn: URN(token), Id: id, Properties: s, Inputs: s})
	if err != nil {
		h.t.Fatal(err)
	}
	return h.Map(resp.GetProperties())
}

// Info is GetPluginInfo's version.
func (h *Harness) Info() string {
	h.t.Helper()
	resp, err := h.Client.GetPluginInfo(h.ctx(), &emptypb.Empty{})
	if err != nil {
		h.t.Fatal(err)
	}
	return resp.GetVersion()
}

// Str is a string output, failing the test unless it is present (secret or not).
func Str(t *testing.T, m resource.PropertyMap, key string) string {
	t.Helper()
	v, ok := m[resource.PropertyKey(key)]
	if !ok {
		t.Fatalf("no %s in %v", key, m)
	}
	for v.IsSecret() {
		v = v.SecretValue().Element
	}
	if !v.IsString() {
		t.Fatalf("%s is %s, not a string", key, v.TypeString())
	}
	return v.StringValue()
}

// IsSecret reports whether an output is a Pulumi secret.
func IsSecret(m resource.PropertyMap, key string) bool {
	v, ok := m[resource.PropertyKey(key)]
	return ok && v.IsSecret()
}
