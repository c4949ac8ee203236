package resourceserver

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
)

// TestGuard feeds the guard updates as a bug would corrupt them and
// checks that it refuses each, naming what would be lost.
func TestGuard(t *testing.T) {
	t.Parallel()
	a, b, c := Scope{"a", "A"}, Scope{"b", "B"}, Scope{"c", "C"}
	cur := ResourceServer{UserPoolID: "us-east-1_x", Identifier: "api", Name: "API", Scopes: []Scope{a, b}}
	with := func(name string, s ...Scope) *cip.UpdateResourceServerInput {
		rs := cur
		rs.Name, rs.Scopes = name, s
		return rs.updateInput()
	}
	tests := []struct {
		name string
		in   *cip.UpdateResourceServerInput
		d    *delta
		want *rserrors.UnsafeUpdateError // nil: allowed
	}{
		{name: "add keeps all", in: with("API", a, b, c), d: &delta{upsert: []Scope{c}}},
		{name: "add drops one", in: with("API", a, c), d: &delta{upsert: []Scope{c}},
			want: &rserrors.UnsafeUpdateError{Lost: []string{"b"}}},
		{name: "scopes left out", in: &cip.UpdateResourceServerInput{UserPoolId: aws.String("us-east-1_x"), Identifier: aws.String("api"), Name: aws.String("API")},
			d: &delta{rename: true, name: "API"}, want: &rserrors.UnsafeUpdateError{Lost: []string{"a", "b"}}},
		{name: "nil scope name", in: &cip.UpdateResourceServerInput{Name: aws.String("API"),
			Scopes: append(with("API", a).Scopes, types.ResourceServerScopeType{ScopeDescription: aws.String("B")})},
			d: &delta{}, want: &rserrors.UnsafeUpdateError{Lost: []string{"b"}}},
		{name: "remove named", in: with("API", a), d: &delta{remove: []string{"b"}}},
		{name: "remove drops another", in: with("API"), d: &delta{remove: []string{"b"}},
			want: &rserrors.UnsafeUpdateError{Lost: []string{"a"}}},
		{name: "nil name", in: &cip.UpdateResourceServerInput{Scopes: with("", a, b).Scopes}, d: &delta{},
			want: &rserrors.UnsafeUpdateError{MissingName: true}},
		{name: "empty name and lost scope", in: with("", a), d: &delta{},
			want: &rserrors.UnsafeUpdateError{MissingName: true, Lost: []string{"b"}}},
		{name: "nil input", in: nil, d: &delta{},
			want: &rserrors.UnsafeUpdateError{MissingName: true, Lost: []string{"a", "b"}}},
		{name: "replace with new set", in: with("API", c), d: &delta{replace: true, scopes: []Scope{c}}},
		{name: "clear", in: with("API"), d: &delta{replace: true}},
		{name: "replace drops a kept scope", in: with("API", c), d: &delta{replace: true, scopes: []Scope{a, c}},
			want: &rserrors.UnsafeUpdateError{Lost: []string{"a"}}},
		{name: "modify removal counts as named", in: with("API", b), d: diff(cur, ResourceServer{Name: "API", Scopes: []Scope{b}})},
		{name: "modify add, update drops", in: with("API", a, c), d: diff(cur, ResourceServer{Name: "API", Scopes: []Scope{a, b, c}}),
			want: &rserrors.UnsafeUpdateError{Lost: []string{"b"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := guard(cur, tt.in, tt.d)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("guard() = %v, want nil", err)
				}
				return
			}
			if !rserrors.IsUnsafeUpdate(err) {
				t.Fatalf("guard() = %v, want an unsafe update", err)
			}
			var got *rserrors.UnsafeUpdateError
			if !errors.As(err, &got) {
				t.Fatalf("guard() = %v (%T), want *rserrors.UnsafeUpdateError", err, err)
			}
			want := *tt.want
			want.UserPoolID, want.Identifier = cur.UserPoolID, cur.Identifier
			if diff := cmp.Diff(&want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("guard() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestGuardIsInTheUpdatePath checks that Client.update consults the guard:
// a delta whose application loses a scope (as a bug in apply would) is
// refused before anything is sent.
func TestGuardIsInTheUpdatePath(t *testing.T) {
	t.Parallel()
	cur := ResourceServer{UserPoolID: "us-east-1_x", Identifier: "api", Name: "API", Scopes: []Scope{{"a", "A"}, {"b", "B"}}}
	corrupted := cur.clone()
	corrupted.Scopes = corrupted.Scopes[:1]
	c := New(nil, func(o *Options) { o.DisableRateLimit = true }) // a nil API panics if called
	_, _, err := c.write(t.Context(), cur, corrupted, &delta{upsert: []Scope{{"a", "A2"}}})
	var u *rserrors.UnsafeUpdateError
	if !errors.As(err, &u) || !cmp.Equal(u.Lost, []string{"b"}) {
		t.Fatalf("write() = %v, want an UnsafeUpdateError losing b", err)
	}
}

func TestDeltaApply(t *testing.T) {
	t.Parallel()
	a, b, c := Scope{"a", "A"}, Scope{"b", "B"}, Scope{"c", "C"}
	cur := ResourceServer{Name: "API", Scopes: []Scope{a, b}}
	tests := []struct {
		name        string
		d           *delta
		want        []Scope
		wantName    string
		wantChanged bool
	}{
		{"upsert new appends", &delta{upsert: []Scope{c}}, []Scope{a, b, c}, "API", true},
		{"upsert same is no change", &delta{upsert: []Scope{b}}, []Scope{a, b}, "API", false},
		{"upsert description in place", &delta{upsert: []Scope{{"a", "A2"}}}, []Scope{{"a", "A2"}, b}, "API", true},
		{"remove", &delta{remove: []string{"a", "z"}}, []Scope{b}, "API", true},
		{"remove missing", &delta{remove: []string{"z"}}, []Scope{a, b}, "API", false},
		{"replace", &delta{replace: true, scopes: []Scope{c, a}}, []Scope{c, a}, "API", true},
		{"replace same set", &delta{replace: true, scopes: []Scope{b, a}}, []Scope{b, a}, "API", false},
		{"clear", &delta{replace: true}, nil, "API", true},
		{"rename", &delta{rename: true, name: "New"}, []Scope{a, b}, "New", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			before := cur.clone()
			got, changed := tt.d.apply(cur)
			if changed != tt.wantChanged || got.Name != tt.wantName {
				t.Errorf("apply() = name %q changed %t, want %q %t", got.Name, changed, tt.wantName, tt.wantChanged)
			}
			if diff := cmp.Diff(tt.want, got.Scopes, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("apply() scopes mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(before, cur); diff != "" {
				t.Errorf("apply() changed its input (-before +after):\n%s", diff)
			}
		})
	}
}
