package reconcile_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/reconcile"
)

// aliasBomb is the file of the report: one server anchored, its scope
// list n aliases of one scope, the server listed n times by alias. The
// old decoder expanded it to n*n scopes.
func aliasBomb(n int) string {
	var b strings.Builder
	b.WriteString("userPoolId: us-east-1_A\nresourceServers:\n  - &s\n    identifier: a\n    name: a\n    scopes:\n      - &c {name: r, description: d}\n")
	for range n {
		b.WriteString("      - *c\n")
	}
	for range n {
		b.WriteString("  - *s\n")
	}
	return b.String()
}

// fileError returns err as a *FileError or fails the test.
func fileError(t *testing.T, err error) *reconcile.FileError {
	t.Helper()
	var fe *reconcile.FileError
	if !errors.As(err, &fe) {
		t.Fatalf("error = %v, want a *FileError", err)
	}
	if !errors.Is(err, rserrors.ErrValidation) {
		t.Errorf("error does not match rserrors.ErrValidation")
	}
	return fe
}

func problems(fe *reconcile.FileError) []problem {
	var got []problem
	for _, p := range fe.Problems {
		got = append(got, problem{p.Line, p.Column, p.Path, p.Rule})
	}
	return got
}

// TestParseRefuses: what the file says is never altered and never
// expanded; each refusal names its position and its rule.
func TestParseRefuses(t *testing.T) {
	t.Parallel()
	valid := "userPoolId: us-east-1_A\nresourceServers:\n  - identifier: a\n    name: a\n    scopes: [{name: r, description: d}]\n"
	for _, tc := range []struct {
		name, text string
		want       []problem // the first problems, sorted
		total      int       // len(Problems) + More
	}{
		{"invalid UTF-8 in a value", "userPoolId: us-east-1_A\nresourceServers:\n  - identifier: a\n    name: a\n    scopes: [{name: r, description: \"caf\xe9\"}]\n",
			[]problem{{5, 41, "", rserrors.RuleUTF8}}, 1},
		{"invalid UTF-8 in a key", "userPoolId: us-east-1_A\nré\xffsource: x\n", []problem{{2, 3, "", rserrors.RuleUTF8}}, 1},
		{"invalid UTF-8 in a comment, twice", "# \xc3\x28\nuserPoolId: us-east-1_A # \xe9\n", []problem{{1, 3, "", rserrors.RuleUTF8}, {2, 27, "", rserrors.RuleUTF8}}, 2},
		{"invalid UTF-8 in JSON", "{\"userPoolId\": \"us-east-1_\xe9\"}", []problem{{1, 27, "", rserrors.RuleUTF8}}, 1},
		{"a surrogate encoded in UTF-8", "userPoolId: \xed\xa0\x80\n", []problem{{1, 13, "", rserrors.RuleUTF8}}, 3},
		{"alias bomb", aliasBomb(400), []problem{
			{7, 7, "resourceServers[0].scopes", rserrors.RuleMaxItems}, // 401 entries, not expanded
			{8, 9, "resourceServers[0].scopes[1]", reconcile.RuleAlias},
		}, 801},
		{"alias as a key", "userPoolId: &k us-east-1_A\n*k : x\n", []problem{{2, 1, "", reconcile.RuleAlias}}, 1},
		{"merge key", "userPoolId: us-east-1_A\nresourceServers:\n  - &s {identifier: a, name: a, scopes: []}\n  - <<: *s\n    identifier: b\n",
			[]problem{{4, 5, "resourceServers[1].<<", reconcile.RuleUnknownField}, {4, 5, "resourceServers[1].name", rserrors.RuleRequired}}, 2},
		{"too large", valid + "#" + strings.Repeat("x", reconcile.MaxFileSize) + "\n", []problem{{0, 0, "", reconcile.RuleLimit}}, 1},
		{"deep flow nesting", "userPoolId: " + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + "\n",
			[]problem{{1, 13 + reconcile.MaxDepth - 1, "", reconcile.RuleLimit}}, 1},
		{"deep block nesting", "userPoolId:\n" + strings.Repeat("- ", 5000) + "x\n", []problem{{2, 2*reconcile.MaxDepth + 1, "", reconcile.RuleLimit}}, 1},
		{"a mapping of many keys", strings.Repeat("k: v\n", reconcile.MaxKeys+1), []problem{{reconcile.MaxKeys + 1, 1, "", reconcile.RuleLimit}}, 1},
		{"many documents", strings.Repeat("---\n- x\n", reconcile.MaxKeys+1), []problem{{2*reconcile.MaxKeys + 1, 1, "", reconcile.RuleLimit}}, 1},
		{"UTF-16", "\xff\xfeu\x00s\x00e\x00r\x00", []problem{{1, 1, "", rserrors.RuleUTF8}}, 1},
		{"invalid UTF-8 everywhere", "# " + strings.Repeat("\xff", 150) + "\n", []problem{{1, 3, "", rserrors.RuleUTF8}, {1, 4, "", rserrors.RuleUTF8}}, 150},
		{"too many tokens", "resourceServers:\n" + strings.Repeat("- x\n", reconcile.MaxTokens/3+1), []problem{{0, 0, "", reconcile.RuleLimit}}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := reconcile.Parse("f.yaml", []byte(tc.text))
			fe := fileError(t, err)
			got := problems(fe)
			if len(got) > len(tc.want) {
				got = got[:len(tc.want)]
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Parse() first problems mismatch (-want +got):\n%s\n%v", diff, err)
			}
			if n := len(fe.Problems) + fe.More; n != tc.total {
				t.Errorf("Parse() found %d problems, want %d", n, tc.total)
			}
			if len(fe.Problems) > reconcile.MaxProblems {
				t.Errorf("Parse() listed %d problems, want at most %d", len(fe.Problems), reconcile.MaxProblems)
			}
			if n := len(err.Error()); n > 64<<10 {
				t.Errorf("the message has %d bytes, want a bounded one", n)
			}
		})
	}
}

// TestParseBOM: a leading byte-order mark is skipped, in YAML and JSON,
// and positions are those an editor shows.
func TestParseBOM(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, text string }{
		{"yaml", "\ufeffuserPoolId: us-east-1_A\nresourceServers:\n  - {identifier: a, name: a/b, scopes: []}\n"},
		{"json", "\ufeff{\"userPoolId\": \"us-east-1_A\",\n \"resourceServers\": [{\"identifier\": \"a\", \"name\": \"a/b\", \"scopes\": []}]}"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, err := reconcile.Parse("f", []byte(strings.Replace(tc.text, "a/b", "A", 1)))
			if err != nil {
				t.Fatalf("Parse() error = %v", err)
			}
			if f.UserPoolID != "us-east-1_A" || len(f.ResourceServers) != 1 {
				t.Errorf("Parse() = %+v, want the pool and one server", f)
			}
			_, err = reconcile.Parse("f", []byte(tc.text))
			fe := fileError(t, err)
			// The column an editor shows: the mark is not a character.
			lines := strings.Split(tc.text, "\n")
			line := len(lines) - 1
			if lines[line] == "" {
				line--
			}
			col := strings.Index(lines[line], "a/b") + 1
			if tc.name == "json" {
				col-- // the opening quote
			}
			want := []problem{{line + 1, col, "resourceServers[0].name", rserrors.RulePattern}}
			if diff := cmp.Diff(want, problems(fe)); diff != "" {
				t.Errorf("problems mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestReadFileLimit: ReadFile reads no more than the limit allows.
func TestReadFileLimit(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "big.yaml")
	if err := os.WriteFile(path, []byte("# "+strings.Repeat("x", 4*reconcile.MaxFileSize)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := reconcile.ReadFile(path)
	fe := fileError(t, err)
	if got := problems(fe); len(got) != 1 || got[0].Rule != reconcile.RuleLimit {
		t.Errorf("ReadFile() problems = %v, want one RuleLimit", got)
	}
}

// TestFileErrorMore: the message lists MaxProblems problems and counts
// the rest.
func TestFileErrorMore(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("resourceServers:\n")
	for i := range reconcile.MaxProblems + 7 {
		fmt.Fprintf(&b, "  - {identifier: a%d, name: n, scopes: [], colour: x}\n", i)
	}
	_, err := reconcile.Parse("f", []byte(b.String()))
	fe := fileError(t, err)
	if len(fe.Problems) != reconcile.MaxProblems || fe.More != 7 {
		t.Fatalf("Parse() = %d problems and %d more, want %d and 7", len(fe.Problems), fe.More, reconcile.MaxProblems)
	}
	lines := strings.Split(err.Error(), "\n")
	if got, want := lines[0], fmt.Sprintf("reconcile: f: %d problems", reconcile.MaxProblems+7); got != want {
		t.Errorf("first line = %q, want %q", got, want)
	}
	if got, want := lines[len(lines)-1], "  ... and 7 more"; got != want {
		t.Errorf("last line = %q, want %q", got, want)
	}
}

// TestPlanEveryProblemOnce: a file with mistakes of every kind shows all
// of them in one Plan, after one read of the pool, sorted by position,
// each with its own rule.
func TestPlanEveryProblemOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.put(t, "https://orders.example.com", "Orders", "read", "admin")
	e.putClient(t, "w1", "twin", "https://orders.example.com/read")
	e.putClient(t, "w2", "twin", "https://orders.example.com/read")
	e.putClient(t, "w3", "worker")
	f, err := reconcile.Parse("f.yaml", []byte(`userPoolId: `+pool+`
resourceServers:
  - identifier: https://orders.example.com
    name: Orders
    colour: blue
    scopes: [{name: read, description: read}]
appClients:
  - clientName: nobody
    scopes: [https://orders.example.com/read]
  - clientName: twin
    scopes: [https://orders.example.com/read]
  - clientId: w3
    scopes: [https://orders.example.com/admin, "bad scope"]
  - clientName: worker
    scopes: [https://nowhere.example.com/x]
  - clientId: nosuch
    scopes: 7
`))
	if f == nil {
		t.Fatalf("Parse() = nil, %v; want the File with its problems", err)
	}
	fileError(t, err)
	_, err = e.rec.Plan(t.Context(), f, reconcile.PlanOptions{})
	fe := fileError(t, err)
	want := []problem{
		{5, 5, "resourceServers[0].colour", reconcile.RuleUnknownField},
		{8, 17, "appClients[0].clientName", reconcile.RuleUnknownClient},
		{10, 17, "appClients[1].clientName", reconcile.RuleAmbiguousClient},
		{13, 14, "appClients[2].scopes[0]", reconcile.RuleUndefinedScope},
		{13, 48, "appClients[2].scopes[1]", rserrors.RulePattern},
		{14, 5, "appClients[3]", rserrors.RuleUnique},
		{15, 14, "appClients[3].scopes[0]", reconcile.RuleUndefinedScope},
		{16, 15, "appClients[4].clientId", reconcile.RuleUnknownClient},
		{17, 13, "appClients[4].scopes", reconcile.RuleType},
	}
	if diff := cmp.Diff(want, problems(fe)); diff != "" {
		t.Errorf("Plan() problems mismatch (-want +got):\n%s\n%v", diff, err)
	}
}
