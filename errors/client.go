package errors

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// Rule names the kind of constraint a FieldError reports.
type Rule string

// The rules a FieldError can report.
const (
	// RuleRequired: a required field is missing (nil); an empty string breaks RuleLength.
	RuleRequired Rule = "required"
	// RuleLength: the length in Unicode code points is out of range.
	RuleLength Rule = "length"
	// RulePattern: the value does not fully match the service's pattern.
	RulePattern Rule = "pattern"
	// RuleUTF8: the value is not valid UTF-8 and cannot be sent faithfully.
	RuleUTF8 Rule = "utf8"
	// RuleMaxItems: a list has too many items.
	RuleMaxItems Rule = "max items"
	// RuleRange: a number is out of range.
	RuleRange Rule = "range"
	// RuleUnique: a value repeats one earlier in the same list.
	RuleUnique Rule = "unique"
	// RuleImmutable: a read-only field was changed.
	RuleImmutable Rule = "immutable"
)

// maxValueLen is how many code points of a bad value a FieldError keeps.
const maxValueLen = 64

// FieldError is one violation of one of Cognito's rules, found on the client
// before anything was sent.
type FieldError struct {
	// Field is the path of the field, such as "Name" or "Scopes[2].ScopeName".
	Field string
	// Rule is the kind of rule broken.
	Rule Rule
	// Detail states the rule, such as "length must be 1 to 256 code points, got 300".
	Detail string
	// Value is the offending value as Shorten returns it: its first 64 code
	// points with "..." when longer, each invalid UTF-8 byte shown as U+FFFD.
	Value string
}

// NewFieldError returns a FieldError for field, keeping a copy of the
// offending value shortened by Shorten. It sends nothing to Cognito.
func NewFieldError(field string, rule Rule, detail, value string) *FieldError {
	return &FieldError{Field: field, Rule: rule, Detail: detail, Value: Shorten(value)}
}

// Shorten returns s cut to its first 64 code points followed by "..." when
// it is longer, never in the middle of a multi-byte character. Each byte of
// s that is not part of valid UTF-8 becomes one U+FFFD, as ranging over the
// string decodes it, so the result counts the same code points as
// utf8.RuneCountInString(s) up to the cut.
func Shorten(s string) string {
	n := 0
	if utf8.ValidString(s) {
		for i := range s {
			if n == maxValueLen {
				return s[:i] + "..."
			}
			n++
		}
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 2*utf8.UTFMax)
	for _, r := range s {
		if n == maxValueLen {
			b.WriteString("...")
			break
		}
		b.WriteRune(r) // an invalid byte decodes as utf8.RuneError, U+FFFD
		n++
	}
	return b.String()
}

// Error returns "<Field>: <Detail> (value "<Value>")", the value quoted
// as by %q.
func (e *FieldError) Error() string {
	return fmt.Sprintf("%s: %s (value %q)", e.Field, e.Detail, e.Value)
}

// Is reports whether target is ErrValidation.
func (e *FieldError) Is(target error) bool { return target == ErrValidation }

// ValidationError is the list of every rule an input broke. Nothing was
// sent to Cognito.
type ValidationError struct {
	// Operation names what was validated, such as "UpdateResourceServer";
	// empty for a single field.
	Operation string
	// Violations holds every violation found, in field order.
	Violations []*FieldError
}

// Error lists every violation: "validation failed for <Operation>: 2
// violations: Name: ...; Scopes[0].ScopeName: ...".
func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("validation failed")
	if e.Operation != "" {
		b.WriteString(" for ")
		b.WriteString(e.Operation)
	}
	switch len(e.Violations) {
	case 0:
	case 1:
		b.WriteString(": ")
		b.WriteString(e.Violations[0].Error())
	default:
		fmt.Fprintf(&b, ": %d violations: ", len(e.Violations))
		for i, v := range e.Violations {
			if i > 0 {
				b.WriteString("; ")
			}
			b.WriteString(v.Error())
		}
	}
	return b.String()
}

// Unwrap returns the violations, each a *FieldError.
func (e *ValidationError) Unwrap() []error {
	errs := make([]error, len(e.Violations))
	for i, v := range e.Violations {
		errs[i] = v
	}
	return errs
}

// Is reports whether target is ErrValidation.
func (e *ValidationError) Is(target error) bool { return target == ErrValidation }

// UnsafeUpdateError reports an update that was refused before it was sent
// because it would have lost or changed what the caller did not ask to
// change: of a resource server (Identifier set) the name or scopes not
// named for removal; of an app client (ClientID set) a field the change
// did not touch, or OAuth turned off. Package resourceserver and
// appclient both return it; appclient.UnsafeUpdateError is an alias.
type UnsafeUpdateError struct {
	// UserPoolID and Identifier name the resource server; empty
	// Identifier for an app client.
	UserPoolID, Identifier string
	// ClientID names the app client; empty for a resource server.
	ClientID string
	// MissingName is true when the update carried no name, which Cognito
	// would reject or reset.
	MissingName bool
	// OAuthOff is true when an app client's update would have turned OAuth
	// off (AllowedOAuthFlowsUserPoolClient from true to false) without the
	// caller setting it to false.
	OAuthOff bool
	// Lost lists, for a resource server, the names of the scopes the
	// update would have deleted; for an app client, the
	// UpdateUserPoolClientInput members it would have reset or changed.
	Lost []string
}

// Error lists what the update would have lost: "unsafe update of
// <UserPoolID>/<Identifier> refused: the name is empty; it would delete
// <n> scope(s) not named for removal: <Lost...>", or for an app client
// "unsafe update of app client <UserPoolID>/<ClientID> refused: it would
// turn OAuth off; it would reset or change <n> field(s) not asked for:
// <Lost...>".
func (e *UnsafeUpdateError) Error() string {
	var parts []string
	target := e.UserPoolID + "/" + e.Identifier
	if e.ClientID != "" {
		target = "app client " + e.UserPoolID + "/" + e.ClientID
	}
	if e.MissingName {
		parts = append(parts, "the name is empty")
	}
	if e.OAuthOff {
		parts = append(parts, "it would turn OAuth off")
	}
	if len(e.Lost) > 0 {
		what := "delete %d scope(s) not named for removal: %s"
		if e.ClientID != "" {
			what = "reset or change %d field(s) not asked for: %s"
		}
		parts = append(parts, fmt.Sprintf("it would "+what, len(e.Lost), strings.Join(e.Lost, ", ")))
	}
	if len(parts) == 0 {
		return fmt.Sprintf("unsafe update of %s refused", target)
	}
	return fmt.Sprintf("unsafe update of %s refused: %s", target, strings.Join(parts, "; "))
}

// Is reports whether target is ErrUnsafeUpdate.
func (e *UnsafeUpdateError) Is(target error) bool { return target == ErrUnsafeUpdate }

// ConflictError reports a read-modify-write whose change other writers kept
// overwriting until the bounded number of attempts ran out.
type ConflictError struct {
	// UserPoolID and Identifier name the resource server.
	UserPoolID, Identifier string
	// Attempts is how many times the update was written.
	Attempts int
}

// Error names the resource server and the number of attempts.
func (e *ConflictError) Error() string {
	return fmt.Sprintf("conflict on %s/%s: change overwritten by a concurrent writer after %d attempt(s)",
		e.UserPoolID, e.Identifier, e.Attempts)
}

// Is reports whether target is ErrConflict.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// LockLostError reports that a lock shared by several writers (a
// resourceserver.Locker) was lost while a change held it: its lease ran out
// or another owner took it over. The change was stopped before its next
// write; what it wrote before the loss stays written.
type LockLostError struct {
	// Key is the lock's key, such as "cognito-idp/<pool>/<identifier>".
	Key string
	// Err is the Locker's own account of the loss, if it gave one.
	Err error
}

// Error returns "lock <Key> lost", followed by the cause when there is one.
func (e *LockLostError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("lock %s lost", e.Key)
	}
	return fmt.Sprintf("lock %s lost: %v", e.Key, e.Err)
}

// Unwrap returns the Locker's cause.
func (e *LockLostError) Unwrap() error { return e.Err }

// Is reports whether target is ErrLockLost.
func (e *LockLostError) Is(target error) bool { return target == ErrLockLost }

// InvalidResponseError reports an answer from Cognito (or from whatever
// stands in for it: a proxy, a fake) that succeeded but lacks what the
// operation must return, such as a DescribeResourceServer answer without a
// resource server or without its name. Nothing is sent after it: writing
// from such a state would delete what it left out.
type InvalidResponseError struct {
	// Operation is the SDK operation, such as "DescribeResourceServer".
	Operation string
	// Detail says what is missing.
	Detail string
}

// Error returns "invalid <Operation> answer: <Detail>".
func (e *InvalidResponseError) Error() string {
	return "invalid " + e.Operation + " answer: " + e.Detail
}

// Is reports whether target is ErrInvalidResponse.
func (e *InvalidResponseError) Is(target error) bool { return target == ErrInvalidResponse }

// GrantsError reports a change refused because of the app clients of the
// pool: they allow scopes the change would remove, which would leave them
// dangling (inactive, left out of tokens), or they still list, inactive,
// scopes the change would define again, which would grant them again
// silently. It is what a resourceserver.Client with Options.Grants returns
// for one resource server, and what a reconcile plan refused for its
// impact returns for the whole pool (reconcile.ImpactError is an alias).
// Nothing was sent to the resource servers, except when a removal found
// new holders after its Update (see resourceserver.Client.Apply).
type GrantsError struct {
	// UserPoolID is the user pool; Identifier the resource server, empty
	// for a change to the whole pool.
	UserPoolID, Identifier string
	// Dangling maps each scope ("<identifier>/<scope name>") the change
	// would remove to the IDs of the app clients that allow it, sorted.
	Dangling map[string][]string
	// Regrant maps each scope the change would define again to the IDs of
	// the app clients that would be granted it again, sorted.
	Regrant map[string][]string
	// Names maps app client IDs to their names, where known, for the
	// message.
	Names map[string]string
}

// Error lists each scope and its app clients, in scope order: "change of
// <pool>/<identifier> refused for its app clients: it would leave dangling
// <scope> (app clients <ids>); ...", or for the whole pool "plan for user
// pool <pool> refused: removing <scope> leaves it inactive on app
// client(s) <name> (<id>); adding <scope> grants it again to app client(s)
// ...".
func (e *GrantsError) Error() string {
	pool := e.Identifier == ""
	var parts []string
	list := func(what string, m map[string][]string) {
		scopes := make([]string, 0, len(m))
		for s := range m {
			scopes = append(scopes, s)
		}
		sort.Strings(scopes)
		for _, s := range scopes {
			ids := make([]string, len(m[s]))
			for i, id := range m[s] {
				ids[i] = id
				if n := e.Names[id]; n != "" {
					ids[i] = n + " (" + id + ")"
				}
			}
			parts = append(parts, fmt.Sprintf(what, s, strings.Join(ids, ", ")))
		}
	}
	if pool {
		list("removing %s leaves it inactive on app client(s) %s", e.Dangling)
		list("adding %s grants it again to app client(s) %s", e.Regrant)
		return "plan for user pool " + e.UserPoolID + " refused: " + strings.Join(parts, "; ")
	}
	list("it would leave dangling %s (app clients %s)", e.Dangling)
	list("it would grant again %s (app clients %s)", e.Regrant)
	return fmt.Sprintf("change of %s/%s refused for its app clients: %s", e.UserPoolID, e.Identifier, strings.Join(parts, "; "))
}

// Is reports whether target is ErrDanglingGrants (Dangling is not empty)
// or ErrRegrant (Regrant is not empty).
func (e *GrantsError) Is(target error) bool {
	return (target == ErrDanglingGrants && len(e.Dangling) > 0) || (target == ErrRegrant && len(e.Regrant) > 0)
}

// OpError records an error from a method of a scopekeeper Client together
// with the method and what it worked on, in the manner of
// io/fs.PathError. Every error a resourceserver.Client or an
// appclient.Client method returns is an *OpError; resourceserver.OpError
// and appclient.OpError are aliases of it.
//
// Err is the cause, kept in the chain: a service error mapped by [From]
// (so IsNotFound(err) and errors.As into the SDK's exception types work),
// a *ValidationError, an *UnsafeUpdateError, a *ConflictError, a
// *GrantsError, a *LockLostError, a context error, or the error returned by
// a Modify function or a Locker.
type OpError struct {
	// Package is the package of the Client: "resourceserver" or
	// "appclient".
	Package string
	// Op is the Client method, such as "AddScopes".
	Op string
	// UserPoolID is the user pool the method worked on.
	UserPoolID string
	// Identifier is the resource server's identifier; empty for an app
	// client and for methods over the whole pool.
	Identifier string
	// ClientID is the app client's ID; empty for a resource server and for
	// methods over the whole pool.
	ClientID string
	// Err is the cause.
	Err error
}

// Error returns "<Package>: <Op> <UserPoolID>/<Identifier or ClientID>:
// <cause>", leaving out the "/..." part when both are empty, and
// "<Package>: " when Package is.
func (e *OpError) Error() string {
	s := e.Op + " " + e.UserPoolID
	if e.Package != "" {
		s = e.Package + ": " + s
	}
	switch {
	case e.Identifier != "":
		s += "/" + e.Identifier
	case e.ClientID != "":
		s += "/" + e.ClientID
	}
	if e.Err == nil {
		return s
	}
	return s + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *OpError) Unwrap() error { return e.Err }
