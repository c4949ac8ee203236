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
		d    Change
		want *rserrors.UnsafeUpdateError // nil: allowed
	}{
		{name: "add keeps all", in: with("API", a, b, c), d: Change{}.Add(c)},
		{name: "add drops one", in: with("API", a, c), d: Change{}.Add(c),
			want: &rserrors.UnsafeUpdateError{Lost: []string{"b"}}},
		{name: "scopes left out", in: &cip.UpdateResourceServerInput{UserPoolId: aws.String("us-east-1_x"), Identifier: aws.String("api"), Name: aws.String("API")},
			d: Change{}.Rename("API"), want: &rserrors.UnsafeUpdateError{Lost: []string{"a", "b"}}},
		{name: "nil scope name", in: &cip.UpdateResourceServerInput{Name: aws.String("API"),
			Scopes: append(with("API", a).Scopes, types.ResourceServerScopeType{ScopeDescription: aws.String("B")})},
			d: Change{}, want: &rserrors.UnsafeUpdateError{Lost: []string{"b"}}},
		{name: "remove named", in: with("API", a), d: Change{}.Remove("b")},
		{name: "remove drops another", in: with("API"), d: Change{}.Remove("b"),
			want: &rserrors.UnsafeUpdateError{Lost: []string{"a"}}},
		{name: "nil name", in: &cip.UpdateResourceServerInput{Scopes: with("", a, b).Scopes}, d: Change{},
			want: &rserrors.UnsafeUpdateError{MissingName: true}},
		{name: "empty name and lost scope", in: with("", a), d: Change{},
			want: &rserrors.UnsafeUpdateError{MissingName: true, Lost: []string{"b"}}},
		{name: "nil input", in: nil, d: Change{},
			want: &rserrors.UnsafeUpdateError{MissingName: true, Lost: []string{"a", "b"}}},
		{name: "replace with new set", in: with("API", c), d: Change{}.Replace(c)},
		{name: "clear", in: with("API"), d: Change{}.Clear()},
		{name: "replace drops a kept scope", in: with("API", c), d: Change{}.Replace(a, c),
			want: &rserrors.UnsafeUpdateError{Lost: []string{"a"}}},
		{name: "modify removal counts as named", in: with("API", b), d: Diff(cur, ResourceServer{Name: "API", Scopes: []Scope{b}})},
		{name: "modify add, update drops", in: with("API", a, c), d: Diff(cur, ResourceServer{Name: "API", Scopes: []Scope{a, b, c}}),
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

// TestGuardIsInTheUpdatePath checks that the kind's Write consults the guard:
// a change whose application loses a scope (as a bug in ApplyTo would) is
// refused before anything is sent.
func TestGuardIsInTheUpdatePath(t *testing.T) {
	t.Parallel()
	cur := ResourceServer{UserPoolID: "us-east-1_x", Identifier: "api", Name: "API", Scopes: []Scope{{"a", "A"}, {"b", "B"}}}
	corrupted := cur.clone()
	corrupted.Scopes = corrupted.Scopes[:1]
	c := New(struct{ API }{}, func(o *Options) { o.DisableRateLimit = true }) // its nil API panics if called
	_, _, _, err := kind{c}.Write(t.Context(), cur, corrupted, opChange{Change{}.Add(Scope{"a", "A2"}), "AddScope"})
	var u *rserrors.UnsafeUpdateError
	if !errors.As(err, &u) || !cmp.Equal(u.Lost, []string{"b"}) {
		t.Fatalf("write() = %v, want an UnsafeUpdateError losing b", err)
	}
}

func TestChangeApplyTo(t *testing.T) {
	t.Parallel()
	a, b, c := Scope{"a", "A"}, Scope{"b", "B"}, Scope{"c", "C"}
	cur := ResourceServer{Name: "API", Scopes: []Scope{a, b}}
	tests := []struct {
		name        string
		d           Change
		want        []Scope
		wantName    string
		wantChanged bool
	}{
		{"upsert new appends", Change{}.Add(c), []Scope{a, b, c}, "API", true},
		{"upsert same is no change", Change{}.Add(b), []Scope{a, b}, "API", false},
		{"upsert description in place", Change{}.Add(Scope{"a", "A2"}), []Scope{{"a", "A2"}, b}, "API", true},
		{"remove", Change{}.Remove("a", "z"), []Scope{b}, "API", true},
		{"remove missing", Change{}.Remove("z"), []Scope{a, b}, "API", false},
		{"replace", Change{}.Replace(c, a), []Scope{a, c}, "API", true},
		{"replace same set", Change{}.Replace(b, a), []Scope{a, b}, "API", false},
		{"clear", Change{}.Clear(), nil, "API", true},
		{"rename", Change{}.Rename("New"), []Scope{a, b}, "New", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			before := cur.clone()
			got := tt.d.ApplyTo(cur)
			changed := !same(got, cur)
			if changed != tt.wantChanged || got.Name != tt.wantName {
				t.Errorf("ApplyTo() = name %q changed %t, want %q %t", got.Name, changed, tt.wantName, tt.wantChanged)
			}
			if diff := cmp.Diff(tt.want, got.Scopes, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("ApplyTo() scopes mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(before, cur); diff != "" {
				t.Errorf("ApplyTo() changed its input (-before +after):\n%s", diff)
			}
		})
	}
}
