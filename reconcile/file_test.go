package reconcile_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

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

// FuzzParse: Parse never panics, never alters a byte (a value holds
// U+FFFD only if the file does), reports at most MaxProblems problems
// sorted by position, and accepts only what Check accepts. The seeds hold
// the hostile shapes: aliases, invalid UTF-8, a byte-order mark, deep
// nesting, merge keys, tags and several documents.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"userPoolId: us-east-1_A\nresourceServers:\n  - identifier: a\n    name: b\n    scopes: [{name: c, description: d}]\n",
		`{"resourceServers": [{"identifier": "a", "name": "b", "scopes": []}], "appClients": [{"clientId": "x", "scopes": ["a/b"]}]}`,
		"a: &x [*x]\n",
		aliasBomb(20),
		"resourceServers:\n  - &s {identifier: a, name: a, scopes: []}\n  - <<: *s\n    identifier: b\n",
		"userPoolId: us-east-1_A\nresourceServers:\n  - {identifier: a, name: b, scopes: [{name: c, description: \"caf\xe9\"}]}\n",
		"# \xff comment\nuserPoolId: us-east-1_A\n",
		"\ufeffuserPoolId: us-east-1_A\n",
		"\ufeff{\"userPoolId\": \"us-east-1_A\"}",
		"userPoolId: " + strings.Repeat("[", 40) + strings.Repeat("]", 40),
		"userPoolId:\n" + strings.Repeat("- ", 40) + "x\n",
		"userPoolId: !!binary aGVsbG8=\nresourceServers: !!seq []\n",
		"userPoolId: us-east-1_A\n---\nuserPoolId: us-east-1_B\n...\n",
		"resourceServers:\n  - identifier: a\n    name: |\n      multi\n      line\n    scopes: []\n",
		"userPoolId: \"\\uFFFD\\x00\\ud800\"\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := reconcile.Parse("fuzz", data)
		if err == nil {
			if file == nil {
				t.Fatal("Parse() = nil, nil")
			}
			if cerr := file.Check(); cerr != nil {
				t.Fatalf("Parse() accepted a file that Check refuses: %v", cerr)
			}
			// A value holds U+FFFD only if the file does, as text or as
			// an escape.
			if !bytes.ContainsRune(data, utf8.RuneError) && !bytes.ContainsRune(data, '\\') {
				for _, s := range fileStrings(file) {
					if strings.ContainsRune(s, utf8.RuneError) || !utf8.ValidString(s) {
						t.Fatalf("Parse() altered a value to %q", s)
					}
				}
			}
			return
		}
		var fe *reconcile.FileError
		if !errors.As(err, &fe) || len(fe.Problems) == 0 {
			t.Fatalf("Parse() error = %v, want a *FileError with problems", err)
		}
		if file != nil && file.Check() == nil {
			t.Fatalf("Parse() returned a File with problems that Check accepts: %v", err)
		}
		if len(fe.Problems) > reconcile.MaxProblems || fe.More > 0 && len(fe.Problems) != reconcile.MaxProblems {
			t.Fatalf("Parse() listed %d problems and %d more, want at most %d listed", len(fe.Problems), fe.More, reconcile.MaxProblems)
		}
		for i := 1; i < len(fe.Problems); i++ {
			a, b := fe.Problems[i-1], fe.Problems[i]
			if a.Line > b.Line || a.Line == b.Line && a.Column > b.Column {
				t.Fatalf("problems out of order: %v before %v", a, b)
			}
		}
		if !utf8.Valid(data) && fe.Problems[0].Rule != rserrors.RuleUTF8 && fe.Problems[0].Rule != reconcile.RuleLimit {
			t.Fatalf("Parse() of invalid UTF-8 = %v, want a RuleUTF8 problem", err)
		}
	})
}

// fileStrings returns every string of f.
func fileStrings(f *reconcile.File) []string {
	out := []string{f.UserPoolID}
	for _, s := range f.ResourceServers {
		out = append(out, s.Identifier, s.Name)
		for _, sc := range s.Scopes {
			out = append(out, sc.Name, sc.Description)
		}
	}
	for _, c := range f.AppClients {
		out = append(out, c.ClientID, c.ClientName)
		out = append(out, c.Scopes...)
	}
	return out
}
