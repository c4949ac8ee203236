package validate

import (
	"fmt"
	"strconv"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
)

// Report collects the violations of values that a caller checks under
// field paths of its own choosing, such as the parameters of a function
// ("scopes[2].Name"), so that an error speaks of what its caller passed.
// Each method applies the rules of the function of the same name and
// returns r, so checks chain. The zero value is ready; it allocates only
// when a violation is found. It sends nothing.
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
