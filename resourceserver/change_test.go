package resourceserver_test

import (
	"context"
	"fmt"
	"log"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scopekeeper/scopekeeper/resourceserver"
)

func TestChangeCompose(t *testing.T) {
	t.Parallel()
	a, b, c := resourceserver.Scope{Name: "a", Description: "A"}, resourceserver.Scope{Name: "b", Description: "B"}, resourceserver.Scope{Name: "c", Description: "C"}
	cur := resourceserver.ResourceServer{Name: "API", Scopes: []resourceserver.Scope{a, b}}
	tests := []struct {
		name        string
		ch          resourceserver.Change
		wantScopes  []resourceserver.Scope
		wantName    string
		wantAdded   []resourceserver.Scope
		wantRemoved []string
		wantReplace bool
	}{
		{name: "zero", ch: resourceserver.Change{}, wantScopes: []resourceserver.Scope{a, b}, wantName: "API"},
		{name: "add then remove the same", ch: resourceserver.Change{}.Add(c).Remove("c"),
			wantScopes: []resourceserver.Scope{a, b}, wantName: "API", wantRemoved: []string{"c"}},
		{name: "remove then add the same", ch: resourceserver.Change{}.Remove("a").Add(a),
			wantScopes: []resourceserver.Scope{a, b}, wantName: "API", wantAdded: []resourceserver.Scope{a}},
		{name: "later description wins", ch: resourceserver.Change{}.Add(resourceserver.Scope{Name: "c", Description: "1"}, resourceserver.Scope{Name: "c", Description: "2"}),
			wantScopes: []resourceserver.Scope{a, b, {Name: "c", Description: "2"}}, wantName: "API", wantAdded: []resourceserver.Scope{{Name: "c", Description: "2"}}},
		{name: "replace forgets earlier edits", ch: resourceserver.Change{}.Add(c).Remove("a").Replace(b),
			wantScopes: []resourceserver.Scope{b}, wantName: "API", wantAdded: []resourceserver.Scope{b}, wantReplace: true},
		{name: "edits after a replace", ch: resourceserver.Change{}.Clear().Add(c).Remove("c").Add(a),
			wantScopes: []resourceserver.Scope{a}, wantName: "API", wantAdded: []resourceserver.Scope{a}, wantReplace: true},
		{name: "rename twice", ch: resourceserver.Change{}.Rename("X").Rename("Y"), wantScopes: []resourceserver.Scope{a, b}, wantName: "Y"},
		{name: "Then", ch: resourceserver.Change{}.Add(c).Then(resourceserver.Change{}.Rename("Z").Remove("a")),
			wantScopes: []resourceserver.Scope{b, c}, wantName: "Z", wantAdded: []resourceserver.Scope{c}, wantRemoved: []string{"a"}},
		{name: "Then a replace", ch: resourceserver.Change{}.Add(c).Rename("Z").Then(resourceserver.Change{}.Replace(a)),
			wantScopes: []resourceserver.Scope{a}, wantName: "Z", wantAdded: []resourceserver.Scope{a}, wantReplace: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := tt.ch.ApplyTo(cur)
			if diff := cmp.Diff(tt.wantScopes, got.Scopes); diff != "" || got.Name != tt.wantName {
				t.Errorf("ApplyTo() = %q %v, want %q (-want +got scopes):\n%s", got.Name, got.Scopes, tt.wantName, diff)
			}
			if diff := cmp.Diff(tt.wantAdded, tt.ch.Added()); diff != "" {
				t.Errorf("Added() mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantRemoved, tt.ch.Removed()); diff != "" {
				t.Errorf("Removed() mismatch (-want +got):\n%s", diff)
			}
			if tt.ch.ReplacesAll() != tt.wantReplace {
				t.Errorf("ReplacesAll() = %t, want %t", tt.ch.ReplacesAll(), tt.wantReplace)
			}
		})
	}
}

// TestChangeIsAValue checks that a Change shares no memory with the
// slices given to it or taken from it, nor with the Change it came from.
func TestChangeIsAValue(t *testing.T) {
	t.Parallel()
	scopes := []resourceserver.Scope{{Name: "a", Description: "A"}}
	base := resourceserver.Change{}.Add(scopes...)
	scopes[0].Name = "changed"
	base.Added()[0].Name = "changed too"
	derived := base.Add(resourceserver.Scope{Name: "b", Description: "B"})
	if got := base.Added(); len(got) != 1 || got[0].Name != "a" {
		t.Errorf("base.Added() = %v, want [a] whatever was done to other slices", got)
	}
	if got := len(derived.Added()); got != 2 {
		t.Errorf("derived has %d scopes, want 2", got)
	}
}

func TestResolveRemovesOnlyWhatItRead(t *testing.T) {
	t.Parallel()
	read := resourceserver.ResourceServer{Name: "API", Scopes: []resourceserver.Scope{{Name: "a", Description: "A"}, {Name: "b", Description: "B"}}}
	r := resourceserver.Change{}.Replace(resourceserver.Scope{Name: "b", Description: "B"}).Resolve(read)
	if r.ReplacesAll() || !slices.Equal(r.Removed(), []string{"a"}) {
		t.Fatalf("Resolve() = %v, want removal of a only", r)
	}
	later := read
	later.Scopes = append(slices.Clone(read.Scopes), resourceserver.Scope{Name: "new", Description: "N"})
	got := r.ApplyTo(later)
	if want := []string{"b", "new"}; !slices.Equal(scopeNames(got.Scopes), want) {
		t.Errorf("resolved replace on a later state kept %v, want %v", scopeNames(got.Scopes), want)
	}
}

func scopeNames(s []resourceserver.Scope) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = x.Name
	}
	return out
}

// FuzzDiff checks that Diff(from, to) applied to from gives to's name and
// scope set, and that Diff of a state with itself is zero.
func FuzzDiff(f *testing.F) {
	f.Add("API", "a,b,c", "API2", "b,c2,d")
	f.Add("", "", "X", "a")
	f.Add("N", "a,a,b", "N", "")
	f.Fuzz(func(t *testing.T, fromName, fromScopes, toName, toScopes string) {
		from := resourceserver.ResourceServer{Name: fromName, Scopes: parseScopes(fromScopes)}
		to := resourceserver.ResourceServer{Name: toName, Scopes: parseScopes(toScopes)}
		got := resourceserver.Diff(from, to).ApplyTo(from)
		sorted := func(s []resourceserver.Scope) []resourceserver.Scope {
			s = slices.Clone(s)
			slices.SortFunc(s, func(a, b resourceserver.Scope) int { return cmpString(a.Name, b.Name) })
			return s
		}
		if got.Name != to.Name || !slices.Equal(sorted(got.Scopes), sorted(to.Scopes)) {
			t.Errorf("Diff(%v, %v).ApplyTo(from) = %v", from, to, got)
		}
		if d := resourceserver.Diff(to, to); !d.IsZero() {
			t.Errorf("Diff(to, to) = %v, want zero", d)
		}
	})
}

// parseScopes turns "a,b2" into scopes a (description "a") and b
// (description "b2"): the first byte is the name, the rest picks the
// description; repeated names keep the last.
func parseScopes(s string) []resourceserver.Scope {
	var out []resourceserver.Scope
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && s[j] != ',' {
			j++
		}
		if j > i {
			sc := resourceserver.Scope{Name: s[i : i+1], Description: s[i:j]}
			if k := slices.IndexFunc(out, func(x resourceserver.Scope) bool { return x.Name == sc.Name }); k >= 0 {
				out[k] = sc
			} else {
				out = append(out, sc)
			}
		}
		i = j + 1
	}
	return out
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func ExampleChange() {
	ch := resourceserver.Change{}.
		Rename("Orders API").
		Add(resourceserver.Scope{Name: "orders.write", Description: "Write orders"}).
		Remove("orders.admin")
	fmt.Println(ch)
	// Output:
	// ~ name "Orders API"
	// + orders.write "Write orders"
	// - orders.admin
}

func ExampleDiff() {
	from := resourceserver.ResourceServer{Name: "Orders", Scopes: []resourceserver.Scope{
		{Name: "orders.read", Description: "Read orders"}, {Name: "orders.admin", Description: "Administer orders"}}}
	to := resourceserver.ResourceServer{Name: "Orders", Scopes: []resourceserver.Scope{
		{Name: "orders.read", Description: "Read every order"}, {Name: "orders.write", Description: "Write orders"}}}
	fmt.Println(resourceserver.Diff(from, to))
	// Output:
	// + orders.read "Read every order"
	// + orders.write "Write orders"
	// - orders.admin
}

func ExampleClient_Apply() {
	s := emulator()
	defer s.Close()
	c := resourceserver.New(s.Client())
	ch := resourceserver.Change{}.Add(resourceserver.Scope{Name: "orders.write", Description: "Write orders"})
	rs, err := c.Apply(context.Background(), examplePool, "https://orders.example.com", ch)
	if err != nil {
		log.Fatal(err)
	}
	printServer(rs)
	// Output:
	// https://orders.example.com (Orders API)
	//   orders.read: Read orders
	//   orders.write: Write orders
}

func ExampleClient_Ensure() {
	s := emulator()
	defer s.Close()
	c := resourceserver.New(s.Client())
	// Every replica of a service can call this at start-up.
	rs, err := c.Ensure(context.Background(), resourceserver.ResourceServer{
		UserPoolID: examplePool, Identifier: "https://billing.example.com", Name: "Billing API",
		Scopes: []resourceserver.Scope{{Name: "invoices.read", Description: "Read invoices"}},
	})
	if err != nil {
		log.Fatal(err)
	}
	printServer(rs)
	// Output:
	// https://billing.example.com (Billing API)
	//   invoices.read: Read invoices
}
