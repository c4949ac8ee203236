package validate_test

import (
	"errors"
	"regexp"
	"testing"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/google/go-cmp/cmp"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/validate"
)

// refField is the reference implementation of one field's rules: the
// service's pattern compiled by regexp, anchored, with Java's \w and \s
// spelled out as ASCII classes, plus a UTF-8 check and a length count in
// code points. It is slow and obviously right; the fuzz tests hold the
// hand-written matchers to it.
type refField struct {
	field string
	max   int            // 0: no maximum
	re    *regexp.Regexp // nil: no pattern
}

// Java's \w and \s, which RE2 must not be trusted with: RE2's \s lacks
// \x0B.
const (
	javaW = `A-Za-z0-9_`
	javaS = ` \t\n\x0B\f\r`
)

var (
	refUserPoolID       = refField{"UserPoolId", 55, regexp.MustCompile(`^(?:[` + javaW + `-]+_[0-9a-zA-Z]+)$`)}
	refIdentifier       = refField{"Identifier", 256, regexp.MustCompile(`^(?:[\x21\x23-\x5B\x5D-\x7E]+)$`)}
	refName             = refField{"Name", 256, regexp.MustCompile(`^(?:[` + javaW + javaS + `+=,.@-]+)$`)}
	refScopeName        = refField{"ScopeName", 256, regexp.MustCompile(`^(?:[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]+)$`)}
	refScopeDescription = refField{"ScopeDescription", 256, nil}
	refNextToken        = refField{"NextToken", 0, regexp.MustCompile(`^(?:[^` + javaS + `]+)$`)}
)

// rules returns the rules s breaks, in the order and with the
// conventions of the validate package: invalid UTF-8 alone, the empty
// string as a length violation alone, otherwise length then pattern.
func (f refField) rules(s string) []rserrors.Rule {
	if !utf8.ValidString(s) {
		return []rserrors.Rule{rserrors.RuleUTF8}
	}
	n := utf8.RuneCountInString(s)
	if n == 0 {
		return []rserrors.Rule{rserrors.RuleLength}
	}
	var r []rserrors.Rule
	if f.max > 0 && n > f.max {
		r = append(r, rserrors.RuleLength)
	}
	if f.re != nil && !f.re.MatchString(s) {
		r = append(r, rserrors.RulePattern)
	}
	return r
}

func (f refField) valid(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	n := utf8.RuneCountInString(s)
	return n >= 1 && (f.max == 0 || n <= f.max) && (f.re == nil || f.re.MatchString(s))
}

// refUpdateResourceServerInput is the regexp-based reference for a whole
// UpdateResourceServerInput, written as a straightforward implementation
// would be: each field through its refField, and repeated scope names
// found with a map.
func refUpdateResourceServerInput(in *cip.UpdateResourceServerInput) bool {
	ok := in != nil && in.UserPoolId != nil && refUserPoolID.valid(*in.UserPoolId) &&
		in.Identifier != nil && refIdentifier.valid(*in.Identifier) &&
		in.Name != nil && refName.valid(*in.Name) && len(in.Scopes) <= validate.MaxScopes
	if !ok {
		return false
	}
	seen := make(map[string]bool, len(in.Scopes))
	for _, sc := range in.Scopes {
		if sc.ScopeName == nil || !refScopeName.valid(*sc.ScopeName) ||
			sc.ScopeDescription == nil || !refScopeDescription.valid(*sc.ScopeDescription) ||
			seen[*sc.ScopeName] {
			return false
		}
		seen[*sc.ScopeName] = true
	}
	return true
}

// agree fails t unless fn and the reference f report the same rules for
// s, each violation for f's field, in a ValidationError with no
// Operation.
func agree(t *testing.T, f refField, fn func(string) error, s string) {
	t.Helper()
	err := fn(s)
	want := f.rules(s)
	if (err == nil) != (len(want) == 0) {
		t.Fatalf("%s(%q) = %v, but the reference says broken rules %v", f.field, s, err, want)
	}
	if err == nil {
		return
	}
	var ve *rserrors.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("%s(%q) = %v (%T), want a *rserrors.ValidationError", f.field, s, err, err)
	}
	if ve.Operation != "" {
		t.Errorf("%s(%q): Operation = %q, want empty", f.field, s, ve.Operation)
	}
	var got []rserrors.Rule
	for _, v := range ve.Violations {
		if v.Field != f.field {
			t.Errorf("%s(%q): violation for field %q", f.field, s, v.Field)
		}
		if v.Detail == "" {
			t.Errorf("%s(%q): violation %v has no detail", f.field, s, v.Rule)
		}
		got = append(got, v.Rule)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s(%q) rules differ from the reference (-want +got):\n%s", f.field, s, diff)
	}
}

// The fuzz targets hold each hand-written matcher to its reference. Their
// seed corpora are in testdata/fuzz/<target>/; run one with, for
// example, go test -run '^$' -fuzz '^FuzzName$' -fuzztime 30s ./validate.

func FuzzUserPoolID(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) { agree(t, refUserPoolID, validate.UserPoolID, s) })
}

func FuzzIdentifier(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) { agree(t, refIdentifier, validate.Identifier, s) })
}

func FuzzName(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) { agree(t, refName, validate.Name, s) })
}

func FuzzScopeName(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) { agree(t, refScopeName, validate.ScopeName, s) })
}

func FuzzScopeDescription(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) { agree(t, refScopeDescription, validate.ScopeDescription, s) })
}

func FuzzNextToken(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) { agree(t, refNextToken, validate.NextToken, s) })
}

// FuzzUpdateResourceServerInput holds the whole-input validator to the
// reference on inputs built from fuzzed strings, repeated scope names
// included.
func FuzzUpdateResourceServerInput(f *testing.F) {
	f.Add("us-east-1_AbC", "https://orders.example.com", "Orders API", "read", "write", "Read orders")
	f.Add("us-east-1_AbC", "orders", "Orders\x0bAPI", "read", "read", "Read orders")
	f.Add("us-east-1", "orders api", "Orders/API", "a/b", "", "")
	f.Fuzz(func(t *testing.T, pool, id, name, scope1, scope2, desc string) {
		in := &cip.UpdateResourceServerInput{
			UserPoolId: aws.String(pool), Identifier: aws.String(id), Name: aws.String(name),
			Scopes: []types.ResourceServerScopeType{
				{ScopeName: aws.String(scope1), ScopeDescription: aws.String(desc)},
				{ScopeName: aws.String(scope2), ScopeDescription: aws.String(desc)},
			},
		}
		err := validate.UpdateResourceServerInput(in)
		if want := refUpdateResourceServerInput(in); (err == nil) != want {
			t.Fatalf("UpdateResourceServerInput(%q, %q, %q, %q, %q, %q) = %v, reference valid = %v",
				pool, id, name, scope1, scope2, desc, err, want)
		}
	})
}

// TestRE2WhitespaceIsNotJava shows why the matchers and the reference
// spell out Java's \s: copied into Go's regexp, the service's own Name
// pattern refuses a vertical tab the service accepts, and its NextToken
// pattern accepts a vertical tab the service refuses.
func TestRE2WhitespaceIsNotJava(t *testing.T) {
	t.Parallel()
	naiveName := regexp.MustCompile(`^(?:[\w\s+=,.@-]+)$`)
	naiveNextToken := regexp.MustCompile(`^(?:[\S]+)$`)
	for _, tc := range []struct {
		name      string
		naive     bool // what RE2's \s or \S says
		reference bool // what Java's says (the explicit reference)
		got       error
	}{
		{"Name", naiveName.MatchString("\x0b"), refName.valid("\x0b"), validate.Name("\x0b")},
		{"NextToken", naiveNextToken.MatchString("\x0b"), refNextToken.valid("\x0b"), validate.NextToken("\x0b")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.naive == tc.reference {
				t.Fatalf("RE2 and Java agree on %q for %s: the explicit class is not needed", "\x0b", tc.name)
			}
			if (tc.got == nil) != tc.reference {
				t.Errorf("%s(%q) = %v, want valid = %v as Java's pattern says", tc.name, "\x0b", tc.got, tc.reference)
			}
		})
	}
}

// TestReferenceAgreesOnBenchInput checks that the two sides of the
// benchmark accept its input and refuse the same broken copies.
func TestReferenceAgreesOnBenchInput(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		mutate func(*cip.UpdateResourceServerInput)
	}{
		{"valid", func(*cip.UpdateResourceServerInput) {}},
		{"name", func(in *cip.UpdateResourceServerInput) { in.Name = aws.String("Orders/API") }},
		{"scope", func(in *cip.UpdateResourceServerInput) { in.Scopes[42].ScopeName = aws.String("a b") }},
		{"repeat", func(in *cip.UpdateResourceServerInput) { in.Scopes[99].ScopeName = in.Scopes[0].ScopeName }},
		{"description", func(in *cip.UpdateResourceServerInput) { in.Scopes[7].ScopeDescription = aws.String("") }},
		{"too many", func(in *cip.UpdateResourceServerInput) { in.Scopes = append(in.Scopes, NewBenchInput(101).Scopes[100]) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in := NewBenchInput(validate.MaxScopes)
			tc.mutate(in)
			err := validate.UpdateResourceServerInput(in)
			if ref := refUpdateResourceServerInput(in); (err == nil) != ref {
				t.Errorf("hand-written error %v, reference valid = %v", err, ref)
			}
		})
	}
}
