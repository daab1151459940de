package random_test

import (
	"fmt"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"

	"pulumivalkey.local/plugins/internal/provider"
	"pulumivalkey.local/plugins/internal/providertest"
	"pulumivalkey.local/plugins/internal/random"
)

const token = "random:index/randomPassword:RandomPassword"

func resourceKey(k string) resource.PropertyKey { return resource.PropertyKey(k) }

func failures(fs []*pulumirpc.CheckFailure) string {
	var out []string
	for _, f := range fs {
		out = append(out, f.GetProperty()+": "+f.GetReason())
	}
	return strings.Join(out, "\n")
}

// What pulumi-valkey asks for (sdk/credentials/password.ts): through the plugin's gRPC server a
// few times (bcrypt at its default cost takes ~60 ms a draw), then 2000 draws of the same rules.
func TestPackagePasswordRules(t *testing.T) {
	h := providertest.Start(t, random.Package("4.21.1"))
	if v := h.Info(); v != "4.21.1" {
		t.Fatalf("plugin version %q", v)
	}
	asked := map[string]any{"length": 32, "special": false, "minLower": 1, "minUpper": 1, "minNumeric": 1}
	for i := 0; i < 5; i++ {
		id, out := h.Create(token, asked)
		if id != "none" {
			t.Fatalf("id %q, want none", id)
		}
		if !providertest.IsSecret(out, "result") || !providertest.IsSecret(out, "bcryptHash") {
			t.Fatalf("result and bcryptHash must be secrets: %v", out)
		}
		pw := providertest.Str(t, out, "result")
		checkPackagePassword(t, pw, map[rune]bool{})
		if err := bcrypt.CompareHashAndPassword([]byte(providertest.Str(t, out, "bcryptHash")), []byte(pw)); err != nil {
			t.Fatalf("bcryptHash does not match result: %v", err)
		}
	}
	inputs, _ := h.Check(token, asked)
	values := provider.Values{}
	for k, v := range inputs {
		switch x := v.V.(type) {
		case float64:
			values[string(k)] = int64(x)
		default:
			values[string(k)] = x
		}
	}
	seen := map[rune]bool{}
	results := map[string]bool{}
	for i := 0; i < 2000; i++ {
		pw, err := random.Generate(values)
		if err != nil {
			t.Fatal(err)
		}
		checkPackagePassword(t, pw, seen)
		results[pw] = true
	}
	if len(seen) != 62 {
		t.Fatalf("2000 passwords used %d of the 62 letters and digits", len(seen))
	}
	if len(results) != 2000 {
		t.Fatalf("%d distinct passwords in 2000", len(results))
	}
}

func checkPackagePassword(t *testing.T, pw string, seen map[rune]bool) {
	t.Helper()
	if len(pw) != 32 {
		t.Fatalf("length %d: %q", len(pw), pw)
	}
	var lower, upper, digit int
	for _, r := range pw {
		seen[r] = true
		switch {
		case r >= 'a' && r <= 'z':
			lower++
		case r >= 'A' && r <= 'Z':
			upper++
		case r >= '0' && r <= '9':
			digit++
		default:
			t.Fatalf("special character %q in %q with special false", r, pw)
		}
	}
	if lower < 1 || upper < 1 || digit < 1 {
		t.Fatalf("%q misses a class (lower %d upper %d digit %d)", pw, lower, upper, digit)
	}
}

func TestDefaultsAndSpecialCharacters(t *testing.T) {
	h := providertest.Start(t, random.Package("4.21.1"))
	inputs, fails := h.Check(token, map[string]any{"length": 20})
	if len(fails) != 0 {
		t.Fatal(failures(fails))
	}
	want := map[string]string{"lower": "true", "upper": "true", "numeric": "true", "number": "true", "special": "true", "minLower": "0", "minSpecial": "0"}
	for k, v := range want {
		if got := fmt.Sprint(inputs[resourceKey(k)].V); got != v {
			t.Fatalf("default %s = %s, want %s", k, got, v)
		}
	}
	specialSeen := false
	for i := 0; i < 20; i++ {
		_, out := h.Create(token, map[string]any{"length": 20, "minSpecial": 3, "upper": false, "numeric": false})
		pw := providertest.Str(t, out, "result")
		n := 0
		for _, r := range pw {
			if strings.ContainsRune(random.DefaultSpecial, r) {
				n++
				specialSeen = true
			} else if r < 'a' || r > 'z' {
				t.Fatalf("%q holds %q: only lowercase and %s were allowed", pw, r, random.DefaultSpecial)
			}
		}
		if n < 3 {
			t.Fatalf("%q has %d special characters, minSpecial 3", pw, n)
		}
	}
	if !specialSeen {
		t.Fatal("no special character drawn")
	}
	_, out := h.Create(token, map[string]any{"length": 40, "overrideSpecial": "_", "minSpecial": 2, "lower": false, "upper": false, "number": false})
	pw := providertest.Str(t, out, "result")
	if strings.Trim(pw, "_") != "" {
		t.Fatalf("%q: with only special and overrideSpecial \"_\" every character is _", pw)
	}
	if got := fmt.Sprint(out[resourceKey("numeric")].V); got != "false" {
		t.Fatalf("number false must make numeric false too, got %s", got)
	}
}

func TestRefusedInputs(t *testing.T) {
	h := providertest.Start(t, random.Package("4.21.1"))
	cases := []struct {
		in   map[string]any
		want string
	}{
		{map[string]any{"length": 16, "lenght": 3}, `lenght: unknown property "lenght": the accepted properties are keepers, length, lower, minLower, minNumeric, minSpecial, minUpper, number, numeric, overrideSpecial, special, upper`},
		{map[string]any{"special": true}, `length: missing required property "length"`},
		{map[string]any{"length": 0}, "length: length must be at least 1 (got 0)"},
		{map[string]any{"length": 2.5}, "length: length must be a whole number (got 2.5)"},
		{map[string]any{"length": "32"}, `length: length must be a whole number (got the string "32")`},
		{map[string]any{"length": 3, "minUpper": 2, "minNumeric": 2}, "length: length (3) must be at least minLower + minUpper + minNumeric + minSpecial (4)"},
		{map[string]any{"length": 3, "minUpper": -1}, "minUpper: minUpper must be at least 0 (got -1)"},
		{map[string]any{"length": 8, "lower": false, "upper": false, "numeric": false, "special": false}, "length: lower, upper, numeric and special are all false (or special has an empty overrideSpecial): the password has no characters to draw from"},
		{map[string]any{"length": 8, "numeric": true, "number": false}, "number: number is the deprecated name of numeric: when both are given they must be equal"},
		{map[string]any{"length": 8, "keepers": map[string]any{"a": 1}}, "keepers.a: keepers.a must be a string (got the number 1)"},
	}
	for _, c := range cases {
		_, fails := h.Check(token, c.in)
		if got := failures(fails); got != c.want {
			t.Errorf("Check(%v):\n got %s\nwant %s", c.in, got, c.want)
		}
	}
}

func TestDiffReplacesOnEveryInput(t *testing.T) {
	h := providertest.Start(t, random.Package("4.21.1"))
	in := map[string]any{"length": 24, "special": false, "keepers": map[string]any{"epoch": "1"}}
	_, state := h.Create(token, in)
	inputs, _ := h.Check(token, in)
	if d := h.Diff(token, state, inputs, in); d.GetChanges() != pulumirpc.DiffResponse_DIFF_NONE {
		t.Fatalf("same inputs: %v", d)
	}
	d := h.Diff(token, state, inputs, map[string]any{"length": 24, "special": false, "keepers": map[string]any{"epoch": "2"}})
	if d.GetChanges() != pulumirpc.DiffResponse_DIFF_SOME || strings.Join(d.GetReplaces(), ",") != "keepers" {
		t.Fatalf("a keeper change must replace: %v", d)
	}
	d = h.Diff(token, state, inputs, map[string]any{"length": 25, "special": false, "keepers": map[string]any{"epoch": "1"}})
	if strings.Join(d.GetReplaces(), ",") != "length" || d.GetDetailedDiff()["length"].GetKind() != pulumirpc.PropertyDiff_UPDATE_REPLACE {
		t.Fatalf("a length change must replace: %v", d)
	}
}
