// Package random declares the random provider's RandomPassword, with the real provider's token,
// property names, defaults and rules (https://www.pulumi.com/registry/packages/random/api-docs/randompassword/).
package random

import (
	"crypto/rand"
	"fmt"
	"math/big"
	"time"

	"golang.org/x/crypto/bcrypt"

	"pulumivalkey.local/plugins/internal/provider"
)

const (
	lowerChars   = "abcdefghijklmnopqrstuvwxyz"
	upperChars   = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	numericChars = "0123456789"
	// DefaultSpecial is the special character set when overrideSpecial is not given.
	DefaultSpecial = "!@#$%&*()-_=+[]{}<>:?"
)

// Package is the random plugin.
func Package(version string) *provider.Package {
	return &provider.Package{Name: "random", Version: version, Resources: []*provider.Resource{Password()}}
}

// Password is random:index/randomPassword:RandomPassword.
func Password() *provider.Resource {
	in := func(p provider.Prop) provider.Prop { p.Input = true; return p }
	return &provider.Resource{
		Token: "random:index/randomPassword:RandomPassword",
		Doc:   "A random password from a cryptographic random number generator; result and bcryptHash are secrets.",
		Props: []provider.Prop{
			in(provider.Prop{Name: "length", Kind: provider.Int, Required: true, Min: provider.AtLeast(1), Doc: "The length of the password."}),
			in(provider.Prop{Name: "keepers", Kind: provider.StringMap, Doc: "Arbitrary values that, when changed, replace the password."}),
			in(provider.Prop{Name: "lower", Kind: provider.Bool, Default: true, Doc: "Include lowercase letters."}),
			in(provider.Prop{Name: "upper", Kind: provider.Bool, Default: true, Doc: "Include uppercase letters."}),
			in(provider.Prop{Name: "numeric", Kind: provider.Bool, Doc: "Include digits (default true)."}),
			in(provider.Prop{Name: "number", Kind: provider.Bool, Doc: "Deprecated alias of numeric (default true)."}),
			in(provider.Prop{Name: "special", Kind: provider.Bool, Default: true, Doc: "Include special characters (DefaultSpecial or overrideSpecial)."}),
			in(provider.Prop{Name: "minLower", Kind: provider.Int, Default: int64(0), Min: provider.AtLeast(0), Doc: "Minimum number of lowercase letters."}),
			in(provider.Prop{Name: "minUpper", Kind: provider.Int, Default: int64(0), Min: provider.AtLeast(0), Doc: "Minimum number of uppercase letters."}),
			in(provider.Prop{Name: "minNumeric", Kind: provider.Int, Default: int64(0), Min: provider.AtLeast(0), Doc: "Minimum number of digits."}),
			in(provider.Prop{Name: "minSpecial", Kind: provider.Int, Default: int64(0), Min: provider.AtLeast(0), Doc: "Minimum number of special characters."}),
			in(provider.Prop{Name: "overrideSpecial", Kind: provider.String, Doc: "The special characters to use instead of the default set."}),
			{Name: "result", Kind: provider.String, Secret: true, Doc: "The generated password."},
			{Name: "bcryptHash", Kind: provider.String, Secret: true, Doc: "A bcrypt hash of the password (its first 72 bytes, bcrypt's limit)."},
		},
		Normalize: func(in provider.Values) provider.Values {
			n := numeric(in)
			return provider.Values{"numeric": n, "number": n}
		},
		Validate: validate,
		Create:   create,
	}
}

// numeric: numeric as given, else number as given, else true (the two are kept equal).
func numeric(in provider.Values) bool {
	if in.Has("numeric") {
		return in.Bool("numeric")
	}
	if in.Has("number") {
		return in.Bool("number")
	}
	return true
}

func validate(in provider.Values) []provider.Failure {
	var fails []provider.Failure
	if in.Has("numeric") && in.Has("number") && in.Bool("numeric") != in.Bool("number") {
		fails = append(fails, provider.Failure{Property: "number", Reason: "number is the deprecated name of numeric: when both are given they must be equal"})
	}
	sum := in.Int("minLower") + in.Int("minUpper") + in.Int("minNumeric") + in.Int("minSpecial")
	if in.Int("length") < sum {
		fails = append(fails, provider.Failure{Property: "length", Reason: fmt.Sprintf("length (%d) must be at least minLower + minUpper + minNumeric + minSpecial (%d)", in.Int("length"), sum)})
	}
	if len(charset(in)) == 0 {
		fails = append(fails, provider.Failure{Property: "length", Reason: "lower, upper, numeric and special are all false (or special has an empty overrideSpecial): the password has no characters to draw from"})
	}
	return fails
}

type class struct {
	chars string
	min   int64
}

func classes(in provider.Values) []class {
	var cs []class
	if in.Bool("lower") {
		cs = append(cs, class{lowerChars, in.Int("minLower")})
	}
	if in.Bool("upper") {
		cs = append(cs, class{upperChars, in.Int("minUpper")})
	}
	if numeric(in) {
		cs = append(cs, class{numericChars, in.Int("minNumeric")})
	}
	if in.Bool("special") {
		special := DefaultSpecial
		if in.Has("overrideSpecial") {
			special = in.Str("overrideSpecial")
		}
		if special != "" {
			cs = append(cs, class{special, in.Int("minSpecial")})
		}
	}
	return cs
}

func charset(in provider.Values) string {
	all := ""
	for _, c := range classes(in) {
		all += c.chars
	}
	return all
}

// Generate draws a password: the minimum of each enabled class first, the rest from all enabled
// classes together, then a shuffle; every draw is uniform, from crypto/rand.
func Generate(in provider.Values) (string, error) {
	all := []rune(charset(in))
	if len(all) == 0 {
		return "", fmt.Errorf("the password has no characters to draw from")
	}
	out := make([]rune, 0, in.Int("length"))
	for _, c := range classes(in) {
		chars := []rune(c.chars)
		for i := int64(0); i < c.min; i++ {
			r, err := pick(chars)
			if err != nil {
				return "", err
			}
			out = append(out, r)
		}
	}
	for int64(len(out)) < in.Int("length") {
		r, err := pick(all)
		if err != nil {
			return "", err
		}
		out = append(out, r)
	}
	for i := len(out) - 1; i > 0; i-- {
		j, err := uniform(i + 1)
		if err != nil {
			return "", err
		}
		out[i], out[j] = out[j], out[i]
	}
	return string(out), nil
}

func uniform(n int) (int, error) {
	v, err := rand.Int(rand.Reader, big.NewInt(int64(n)))
	if err != nil {
		return 0, err
	}
	return int(v.Int64()), nil
}

func pick(chars []rune) (rune, error) {
	i, err := uniform(len(chars))
	if err != nil {
		return 0, err
	}
	return chars[i], nil
}

func create(in provider.Values, _ time.Time) (string, provider.Values, error) {
	result, err := Generate(in)
	if err != nil {
		return "", nil, err
	}
	b := []byte(result)
	if len(b) > 72 {
		b = b[:72]
	}
	hash, err := bcrypt.GenerateFromPassword(b, bcrypt.DefaultCost)
	if err != nil {
		return "", nil, fmt.Errorf("bcrypt: %w", err)
	}
	// The real provider's ID for a password is the constant "none" (the result is never an ID).
	return "none", provider.Values{"result": result, "bcryptHash": string(hash)}, nil
}
