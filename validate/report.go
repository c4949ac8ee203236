package validate

import (
	"fmt"
	"strconv"
	"strings"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
)

// Report collects the violations of values that a caller checks under
// field paths of its own choosing, such as the parameters of a function
// ("scopes[2].Name"), so that an error speaks of what its caller passed.
// A method named after a function of this package applies that
// function's rules; Scope checks the two parts of a scope string, and
// Chars a string rule of the caller's own. Each returns r, so checks
// chain. The zero value is ready; it allocates only when a violation is
// found. It sends nothing.
type Report struct {
	r report
}

func (r *Report) check(sp *spec, at, s string) *Report {
	if b := sp.check(s); b != 0 {
		sp.describeAt(&r.r, path{full: at}, s, b)
	}
	return r
}

// UserPoolID checks s as [UserPoolID] does, reporting at the path at.
func (r *Report) UserPoolID(at, s string) *Report { return r.check(&userPoolIDSpec, at, s) }

// Identifier checks s as [Identifier] does, reporting at the path at.
func (r *Report) Identifier(at, s string) *Report { return r.check(&identifierSpec, at, s) }

// Name checks s as [Name] does, reporting at the path at.
func (r *Report) Name(at, s string) *Report { return r.check(&nameSpec, at, s) }

// ScopeName checks s as [ScopeName] does, reporting at the path at.
func (r *Report) ScopeName(at, s string) *Report { return r.check(&scopeNameSpec, at, s) }

// ScopeDescription checks s as [ScopeDescription] does, reporting at the
// path at.
func (r *Report) ScopeDescription(at, s string) *Report {
	return r.check(&scopeDescriptionSpec, at, s)
}

// Scope checks s as a scope of a resource server named the way app
// clients and access tokens name it, "<identifier>/<scope name>": split
// on its last "/" (an identifier may hold "/", a scope name may not), the
// identifier must obey the rules of [Identifier] and the scope name those
// of [ScopeName]. Each violation is reported at the path at with s as its
// value and a detail that names the part, such as "the scope name part:
// length must be 1 to 256 code points, got 0"; an s without "/" breaks
// RulePattern.
func (r *Report) Scope(at, s string) *Report {
	i := strings.LastIndexByte(s, '/')
	if i < 0 {
		r.r.add(path{full: at}, rserrors.RulePattern, `must be "<identifier>/<scope name>"`, s)
		return r
	}
	r.part(at, s, "identifier", &identifierSpec, s[:i])
	r.part(at, s, "scope name", &scopeNameSpec, s[i+1:])
	return r
}

// part reports, at the path at and with the value whole, each rule of sp
// that the part of whole named what, s, breaks.
func (r *Report) part(at, whole, what string, sp *spec, s string) {
	b := sp.check(s)
	if b == 0 {
		return
	}
	var p report
	sp.describeAt(&p, path{full: what}, s, b)
	for _, v := range p.errs {
		r.r.add(path{full: at}, v.Rule, "the "+what+" part: "+v.Detail, whole)
	}
}

// Chars checks s, at the path at, against a rule of the caller's own that
// has the shape of Cognito's string rules: 1 to max code points (at least
// one when max is 0), each of them one that allowed accepts. pattern is
// the rule as the service states it, quoted in the detail. Violations and
// details are those of the functions of this package: RuleUTF8 alone for
// invalid UTF-8, else RuleLength and RulePattern, the empty string
// breaking RuleLength only.
func (r *Report) Chars(at, s string, max int, pattern string, allowed func(rune) bool) *Report {
	sp := spec{max: max, pattern: pattern}
	b := sp.check(s) // no class: UTF-8 and length only
	sp.describeAt(&r.r, path{full: at}, s, b)
	if b&brokenUTF8 != 0 {
		return r
	}
	i := 0
	for _, c := range s {
		if !allowed(c) {
			r.r.add(path{full: at}, rserrors.RulePattern,
				fmt.Sprintf("must match %s: character %q (%U) at index %d is not allowed", pattern, c, c, i), s)
			break
		}
		i++
	}
	return r
}

// MaxItems reports a list at the path at that holds n items when at most
// limit are allowed (rule RuleMaxItems); it reports nothing when n <= limit.
func (r *Report) MaxItems(at string, n, limit int) *Report {
	if n > limit {
		r.r.add(path{full: at}, rserrors.RuleMaxItems, fmt.Sprintf("at most %d items, got %d", limit, n), strconv.Itoa(n))
	}
	return r
}

// Add records a violation found by the caller's own rule.
func (r *Report) Add(at string, rule rserrors.Rule, detail, value string) *Report {
	r.r.add(path{full: at}, rule, detail, value)
	return r
}

// Len returns the number of violations recorded.
func (r *Report) Len() int { return len(r.r.errs) }

// Err returns nil when no violation was recorded, or a
// *rserrors.ValidationError for operation op listing each one in the order
// it was found.
func (r *Report) Err(op string) error {
	if len(r.r.errs) == 0 {
		return nil
	}
	return &rserrors.ValidationError{Operation: op, Violations: r.r.errs}
}
