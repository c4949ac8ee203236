package reconcile_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/reconcile"
	"github.com/scopekeeper/scopekeeper/resourceserver"
)

func TestParse(t *testing.T) {
	t.Parallel()
	want := &reconcile.File{
		Name:       "f",
		UserPoolID: "us-east-1_Example1",
		ResourceServers: []reconcile.Server{{
			Identifier: "https://orders.example.com", Name: "Orders API", Additive: true,
			Scopes: []resourceserver.Scope{{Name: "orders.read", Description: "Read orders"}, {Name: "2024", Description: "a year"}},
		}},
		AppClients: []reconcile.AppClient{{ClientName: "billing-worker", Scopes: []string{"https://orders.example.com/orders.read", "openid"}}},
	}
	for _, tc := range []struct{ name, text string }{
		{"yaml", `
userPoolId: us-east-1_Example1   # a comment
resourceServers:
  - identifier: https://orders.example.com
    name: Orders API
    additive: true
    scopes:
      - name: orders.read
        description: &d Read orders
      - {name: 2024, description: "a year"}
appClients:
  - clientName: billing-worker
    scopes: [https://orders.example.com/orders.read, openid]
`},
		{"json", `{"userPoolId": "us-east-1_Example1",
 "resourceServers": [{"identifier": "https://orders.example.com", "name": "Orders API", "additive": true,
   "scopes": [{"name": "orders.read", "description": "Read orders"}, {"name": "2024", "description": "a year"}]}],
 "appClients": [{"clientName": "billing-worker", "scopes": ["https://orders.example.com/orders.read", "openid"]}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := reconcile.Parse("f", []byte(tc.text))
			if err != nil {
				t.Fatalf("Parse() error = %v", err)
			}
			if diff := cmp.Diff(want, got, cmp.AllowUnexported(reconcile.File{}), cmp.FilterPath(func(p cmp.Path) bool {
				return strings.HasSuffix(p.String(), "pos") || strings.HasSuffix(p.String(), "names")
			}, cmp.Ignore())); diff != "" {
				t.Errorf("Parse() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// problem is a Problem without its Detail, for comparison.
type problem struct {
	Line, Column int
	Path         string
	Rule         rserrors.Rule
}

func TestParseProblems(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, text string
		want       []problem
	}{
		{"every problem at once", `userPoolId: not a pool
resourceServers:
  - identifier: https://orders.example.com
    name: Orders/API
    colour: blue
    scopes:
      - name: read
        description: Read
      - name: read
        description: ""
      - name: a b
  - identifier: https://orders.example.com
    name: Again
    additive: maybe
appClients:
  - clientId: abc
    clientName: both
    scopes: [nope, https://x/y, https://x/y]
  - scopes: [openid]
`, []problem{
			{1, 13, "userPoolId", rserrors.RulePattern},
			{4, 11, "resourceServers[0].name", rserrors.RulePattern},
			{5, 5, "resourceServers[0].colour", reconcile.RuleUnknownField},
			{9, 15, "resourceServers[0].scopes[1].name", rserrors.RuleUnique},
			{10, 22, "resourceServers[0].scopes[1].description", rserrors.RuleLength},
			{11, 9, "resourceServers[0].scopes[2].description", rserrors.RuleRequired},
			{11, 15, "resourceServers[0].scopes[2].name", rserrors.RulePattern},
			{12, 17, "resourceServers[1].identifier", rserrors.RuleUnique},
			{14, 15, "resourceServers[1].additive", reconcile.RuleType},
			{17, 17, "appClients[0].clientName", reconcile.RuleOneOf},
			{18, 14, "appClients[0].scopes[0]", rserrors.RulePattern},
			{18, 33, "appClients[0].scopes[2]", rserrors.RuleUnique},
			{19, 5, "appClients[1]", reconcile.RuleOneOf},
		}},
		{"syntax", "resourceServers: [\n", []problem{{1, 18, "", reconcile.RuleSyntax}}},
		{"wrong types", "userPoolId: [a]\nresourceServers: {a: 1}\nappClients:\n  - scopes: x\n", []problem{
			{1, 13, "userPoolId", reconcile.RuleType},
			{2, 18, "resourceServers", reconcile.RuleType},
			{4, 5, "appClients[0]", reconcile.RuleOneOf},
			{4, 13, "appClients[0].scopes", reconcile.RuleType},
		}},
		{"missing keys", "resourceServers:\n  - scopes: []\n", []problem{
			{2, 5, "resourceServers[0].identifier", rserrors.RuleRequired},
			{2, 5, "resourceServers[0].name", rserrors.RuleRequired},
		}},
		{"too many scopes", "resourceServers:\n  - identifier: a\n    name: a\n    scopes:\n" + strings.Repeat("      - {name: s, description: d}\n", 1) +
			func() string {
				var b strings.Builder
				for i := range 100 {
					b.WriteString("      - {name: s" + strings.Repeat("x", i+1) + ", description: d}\n")
				}
				return b.String()
			}(), []problem{{5, 7, "resourceServers[0].scopes", rserrors.RuleMaxItems}}},
		{"empty", "", []problem{{1, 1, "", rserrors.RuleRequired}}},
		{"json, a key twice", `{"userPoolId": "us-east-1_A", "resourceServers": [
  {"identifier": "a", "name": "A", "name": "B", "scopes": [{"name": "x y", "description": "d"}]}]}`, []problem{
			{2, 36, "resourceServers[0].name", reconcile.RuleUnknownField},
			{2, 69, "resourceServers[0].scopes[0].name", rserrors.RulePattern},
		}},
		{"two documents", "userPoolId: us-east-1_A\n---\nuserPoolId: us-east-1_B\n", []problem{{3, 1, "", reconcile.RuleSyntax}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := reconcile.Parse("f.yaml", []byte(tc.text))
			var fe *reconcile.FileError
			if !errors.As(err, &fe) {
				t.Fatalf("Parse() error = %v, want a *FileError", err)
			}
			if !errors.Is(err, rserrors.ErrValidation) || !rserrors.IsValidation(err) {
				t.Errorf("Parse() error does not match rserrors.ErrValidation")
			}
			var got []problem
			for _, p := range fe.Problems {
				if p.File != "f.yaml" || p.Detail == "" {
					t.Errorf("problem %+v: want File f.yaml and a Detail", p)
				}
				got = append(got, problem{p.Line, p.Column, p.Path, p.Rule})
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Parse() problems mismatch (-want +got):\n%s\nerror: %v", diff, err)
			}
			var one *reconcile.Problem
			if !errors.As(err, &one) {
				t.Errorf("errors.As(err, *Problem) = false")
			}
		})
	}
}

func TestProblemError(t *testing.T) {
	t.Parallel()
	p := &reconcile.Problem{File: "s.yaml", Line: 3, Column: 9, Path: "resourceServers[0].name", Rule: rserrors.RulePattern, Detail: "must match x", Value: "a/b"}
	if got, want := p.Error(), `s.yaml:3:9: resourceServers[0].name: pattern: must match x (value "a/b")`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("userPoolId: us-east-1_A\nresourceServers:\n  - identifier: a\n    name: b\n    scopes: [{name: c, description: d}]\n"))
	f.Add([]byte(`{"resourceServers": [{"identifier": "a", "name": "b", "scopes": []}], "appClients": [{"clientId": "x", "scopes": ["a/b"]}]}`))
	f.Add([]byte("a: &x [*x]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := reconcile.Parse("fuzz", data)
		switch {
		case err == nil && file == nil:
			t.Fatal("Parse() = nil, nil")
		case err == nil:
			if cerr := file.Check(); cerr != nil {
				t.Fatalf("Parse() accepted a file that Check refuses: %v", cerr)
			}
		default:
			var fe *reconcile.FileError
			if !errors.As(err, &fe) || len(fe.Problems) == 0 {
				t.Fatalf("Parse() error = %v, want a *FileError with problems", err)
			}
		}
	})
}
