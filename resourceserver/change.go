package resourceserver

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/scopekeeper/scopekeeper/validate"
)

// Change is an edit to one resource server, kept apart from any state: a
// new name, scopes to add or to describe anew, scope names to remove, or a
// whole new scope set. [Client.Apply] applies it by a read-modify-write;
// planning, printing and checking work on the value alone.
//
// The zero Change changes nothing. Its methods return a new Change that is
// the receiver followed by one more edit, so edits compose in order and no
// combination is illegal: a later edit of a scope wins over an earlier one.
//
//	ch := resourceserver.Change{}.Add(resourceserver.Scope{Name: "orders.write", Description: "Write orders"}).Remove("orders.admin")
//
// A Change never aliases the slices passed to it or returned by it.
type Change struct {
	name    string
	rename  bool
	replace bool     // the scope set becomes exactly upsert
	upsert  []Scope  // scopes to add or describe anew; names unique, in order
	remove  []string // names to remove; disjoint from upsert, empty when replace

	policy    GrantPolicy // see WithGrantPolicy
	hasPolicy bool
}

// Rename returns ch followed by setting the name to name.
func (ch Change) Rename(name string) Change {
	ch = ch.clone()
	ch.name, ch.rename = name, true
	return ch
}

// Add returns ch followed by adding scopes: a scope whose name is new is
// appended, one whose name exists gets the description given. When
// scopes repeat a name, the last one wins.
func (ch Change) Add(scopes ...Scope) Change {
	ch = ch.clone()
	for _, s := range scopes {
		ch.remove = slices.DeleteFunc(ch.remove, func(n string) bool { return n == s.Name })
		if i := indexScope(ch.upsert, s.Name); i >= 0 {
			ch.upsert[i] = s
		} else {
			ch.upsert = append(ch.upsert, s)
		}
	}
	return ch
}

// Remove returns ch followed by removing the scopes named. A name that is
// not there when the Change is applied is no error.
func (ch Change) Remove(names ...string) Change {
	ch = ch.clone()
	for _, n := range names {
		ch.upsert = slices.DeleteFunc(ch.upsert, func(s Scope) bool { return s.Name == n })
		if !ch.replace && !slices.Contains(ch.remove, n) {
			ch.remove = append(ch.remove, n)
		}
	}
	return ch
}

// Replace returns ch followed by making the scope set exactly scopes: every
// other scope is removed. When scopes repeat a name, the last one wins.
// Applied to a state, a replace becomes the scopes it adds or describes
// anew and the names it actually removes from that state (see
// [Change.Resolve]).
func (ch Change) Replace(scopes ...Scope) Change {
	ch = ch.clone()
	ch.replace, ch.upsert, ch.remove = true, nil, nil
	return ch.Add(scopes...)
}

// Clear returns ch followed by removing every scope: Replace with none.
func (ch Change) Clear() Change { return ch.Replace() }

// Then returns ch followed by next.
func (ch Change) Then(next Change) Change {
	if next.replace {
		ch = ch.Replace(next.upsert...)
	} else {
		ch = ch.Remove(next.remove...).Add(next.upsert...)
	}
	if next.rename {
		ch = ch.Rename(next.name)
	}
	if next.hasPolicy {
		ch.policy, ch.hasPolicy = next.policy, true
	}
	return ch
}

// NewName returns the name ch sets, and whether it sets one.
func (ch Change) NewName() (string, bool) { return ch.name, ch.rename }

// Added returns the scopes ch adds or describes anew, in order.
func (ch Change) Added() []Scope {
	if len(ch.upsert) == 0 {
		return nil
	}
	return cloneScopes(ch.upsert)
}

// Removed returns the scope names ch removes by name, in order. A Change
// that replaces the whole set removes every scope not in Added instead.
func (ch Change) Removed() []string {
	if len(ch.remove) == 0 {
		return nil
	}
	return slices.Clone(ch.remove)
}

// ReplacesAll reports whether ch makes the scope set exactly Added.
func (ch Change) ReplacesAll() bool { return ch.replace }

// IsZero reports whether ch changes nothing, whatever the state.
func (ch Change) IsZero() bool {
	return !ch.rename && !ch.replace && len(ch.upsert) == 0 && len(ch.remove) == 0
}

// Resolve returns the Change that does to rs what ch does, without
// replacing the whole set: a replace becomes the names it removes from rs.
// Applied to a later state, the resolved Change removes only scopes that
// existed in rs, so it never deletes a scope added since.
func (ch Change) Resolve(rs ResourceServer) Change {
	if !ch.replace {
		return ch.clone()
	}
	out := ch.clone()
	out.replace = false
	for _, s := range rs.Scopes {
		if indexScope(ch.upsert, s.Name) < 0 {
			out.remove = append(out.remove, s.Name)
		}
	}
	return out
}

// ApplyTo returns rs with ch applied. Existing scopes keep their order and
// new ones are appended. It sends nothing and does not check the result
// against Cognito's rules.
func (ch Change) ApplyTo(rs ResourceServer) ResourceServer {
	next := rs.clone()
	if ch.replace {
		ch = ch.Resolve(rs)
	}
	if len(ch.remove) > 0 {
		next.Scopes = slices.DeleteFunc(next.Scopes, func(s Scope) bool { return slices.Contains(ch.remove, s.Name) })
	}
	for _, u := range ch.upsert {
		if i := indexScope(next.Scopes, u.Name); i >= 0 {
			next.Scopes[i].Description = u.Description
		} else {
			next.Scopes = append(next.Scopes, u)
		}
	}
	if len(next.Scopes) == 0 {
		next.Scopes = nil
	}
	if ch.rename {
		next.Name = ch.name
	}
	return next
}

// Diff returns the Change that turns from into to: a new name if it
// differs, the scopes of to that are new or described differently (in to's
// order), and the names of the scopes of from that to lacks (in from's
// order). Diff(a, b).ApplyTo(a) holds the same name and scopes as b, order
// aside. Identifier and UserPoolID are not compared.
func Diff(from, to ResourceServer) Change {
	var ch Change
	if from.Name != to.Name {
		ch.name, ch.rename = to.Name, true
	}
	old := scopeMap(from.Scopes)
	for _, s := range to.Scopes {
		if d, ok := old[s.Name]; !ok || d != s.Description {
			ch = ch.Add(s)
		}
	}
	for _, s := range from.Scopes {
		if indexScope(to.Scopes, s.Name) < 0 {
			ch = ch.Remove(s.Name)
		}
	}
	return ch
}

// String describes ch one edit a line, as a diff reads: `~ name "Orders"`
// for a rename, `= replace every scope` before the set of a replace,
// `+ read "Read orders"` for a scope added or described anew, and
// `- admin` for a scope removed; "no change" for the zero Change.
func (ch Change) String() string {
	if ch.IsZero() {
		return "no change"
	}
	var b strings.Builder
	line := func(format string, args ...any) {
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, format, args...)
	}
	if ch.rename {
		line("~ name %q", ch.name)
	}
	if ch.replace {
		line("= replace every scope")
	}
	for _, s := range ch.upsert {
		line("+ %s %q", s.Name, s.Description)
	}
	for _, n := range ch.remove {
		line("- %s", n)
	}
	return b.String()
}

// check reports, into r, every part of ch that breaks Cognito's rules,
// under the paths "Change.Name", "Change.Add[i].Name",
// "Change.Add[i].Description" and "Change.Remove[i]", and more than
// validate.MaxScopes scopes added.
func (ch Change) check(r *validate.Report) {
	if ch.rename {
		r.Name("Change.Name", ch.name)
	}
	r.MaxItems("Change.Add", len(ch.upsert), validate.MaxScopes)
	for i, s := range ch.upsert {
		at := "Change.Add[" + strconv.Itoa(i) + "]"
		r.ScopeName(at+".Name", s.Name).ScopeDescription(at+".Description", s.Description)
	}
	for i, n := range ch.remove {
		r.ScopeName("Change.Remove["+strconv.Itoa(i)+"]", n)
	}
}

// checkResult reports a resource server that Cognito would refuse after a
// change: more than validate.MaxScopes scopes.
func checkResult(op string, rs ResourceServer) error {
	var r validate.Report
	r.MaxItems("Scopes", len(rs.Scopes), validate.MaxScopes)
	return r.Err(op)
}

// same reports whether a and b have the same name and the same scopes,
// names and descriptions, in any order.
func same(a, b ResourceServer) bool { return a.Name == b.Name && sameScopes(a.Scopes, b.Scopes) }

func (ch Change) clone() Change {
	ch.upsert = cloneScopes(ch.upsert)
	ch.remove = slices.Clone(ch.remove)
	return ch
}

func indexScope(s []Scope, name string) int {
	return slices.IndexFunc(s, func(x Scope) bool { return x.Name == name })
}
