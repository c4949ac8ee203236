package cognitotest

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The service's patterns, as its messages quote them, and their Go translations. The service
// applies Java regular expressions to the whole value, where \w is [A-Za-z0-9_] and \s is
// [ \t\n\x0B\f\r]; Go's \s lacks \x0B, so every class is spelled out and anchored with \A...\z.
const (
	userPoolIDPattern = `[\w-]+_[0-9a-zA-Z]+`
	identifierPattern = `[\x21\x23-\x5B\x5D-\x7E]+`
	namePattern       = `[\w\s+=,.@-]+`
	scopeNamePattern  = `[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]+`
	nextTokenPattern  = `[\S]+`
)

var (
	userPoolIDRE = regexp.MustCompile(`\A[A-Za-z0-9_-]+_[0-9a-zA-Z]+\z`)
	identifierRE = regexp.MustCompile(`\A[\x21\x23-\x5B\x5D-\x7E]+\z`)
	nameRE       = regexp.MustCompile(`\A[A-Za-z0-9_ \t\n\x0B\f\r+=,.@-]+\z`)
	scopeNameRE  = regexp.MustCompile(`\A[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]+\z`)
	nextTokenRE  = regexp.MustCompile(`\A[^ \t\n\x0B\f\r]+\z`)
)

// Limits of the service model.
const (
	maxUserPoolIDLen   = 55
	maxIdentifierLen   = 256
	maxNameLen         = 256
	maxPoolNameLen     = 128
	maxScopeNameLen    = 256
	maxScopeDescLen    = 256
	maxScopes          = 100
	maxListServers     = 50
	maxListPools       = 60
	defaultListServers = 50
)

// maxListedViolations is how many violations a message spells out; the rest are counted.
const maxListedViolations = 10

// maxEchoRunes is how much of a value a message or the request log repeats: a longer value is
// cut there and marked (see shorten), so that no answer or log entry grows with the request.
const maxEchoRunes = 512

// violations is the list of constraint failures of one request, each in the service's words:
// the first maxListedViolations of them, and the count of all.
type violations struct {
	list  []string
	total int
}

// one returns the violations made of s alone.
func one(s string) violations { return violations{list: []string{s}, total: 1} }

// push adds a violation.
func (v *violations) push(s string) {
	v.total++
	if len(v.list) < maxListedViolations {
		v.list = append(v.list, s)
	}
}

// full reports whether further violations would only be counted, so that a check can skip
// formatting them.
func (v *violations) full() bool { return len(v.list) >= maxListedViolations }

// add appends more to v.
func (v *violations) add(more violations) {
	for _, s := range more.list {
		if len(v.list) < maxListedViolations {
			v.list = append(v.list, s)
		}
	}
	v.total += more.total
}

// message renders the violations as the service does, or "" if there are none. Beyond
// maxListedViolations it lists the first ones and says how many more there are, so that a request
// with a million bad values gets a short answer.
func (v violations) message() string {
	switch v.total {
	case 0:
		return ""
	case 1:
		return "1 validation error detected: " + v.list[0]
	}
	msg := strconv.Itoa(v.total) + " validation errors detected: " + strings.Join(v.list, "; ")
	if more := v.total - len(v.list); more > 0 {
		msg += "; and " + strconv.Itoa(more) + " more"
	}
	return msg
}

// shorten returns s if it has at most maxEchoRunes code points, else its first maxEchoRunes
// followed by "... (N characters)", N being the length of s in code points.
func shorten(s string) string {
	if len(s) <= maxEchoRunes {
		return s
	}
	n := utf8.RuneCountInString(s)
	if n <= maxEchoRunes {
		return s
	}
	i, k := 0, 0
	for k < maxEchoRunes {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		k++
	}
	return s[:i] + "... (" + strconv.Itoa(n) + " characters)"
}

func violation(value, path, constraint string) string {
	return fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: %s", shorten(value), path, constraint)
}

// listViolation is violation for a list that render has already kept short.
func listViolation(rendered, path, constraint string) string {
	return fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: %s", rendered, path, constraint)
}

func nullViolation(path string) string {
	return fmt.Sprintf("Value null at '%s' failed to satisfy constraint: Member must not be null", path)
}

// countString counts the constraints of checkString that value breaks, without formatting them.
func countString(value string, minLen, maxLen int, re *regexp.Regexp) int {
	n, c := utf8.RuneCountInString(value), 0
	if n < minLen {
		c++
	}
	if n > maxLen {
		c++
	}
	if re != nil && !re.MatchString(value) {
		c++
	}
	return c
}

// countRequired is countString for a required member: null is one violation.
func countRequired(value *string, minLen, maxLen int, re *regexp.Regexp) int {
	if value == nil {
		return 1
	}
	return countString(*value, minLen, maxLen, re)
}

// checkString checks a string's length in code points and, if re is not nil, its pattern; it
// reports each broken constraint separately, as the service does (an empty value breaks both
// the minimum length and the pattern).
func checkString(value, path string, minLen, maxLen int, re *regexp.Regexp, pattern string) violations {
	var v violations
	n := utf8.RuneCountInString(value)
	if n < minLen {
		v.push(violation(value, path, fmt.Sprintf("Member must have length greater than or equal to %d", minLen)))
	}
	if n > maxLen {
		v.push(violation(value, path, fmt.Sprintf("Member must have length less than or equal to %d", maxLen)))
	}
	if re != nil && !re.MatchString(value) {
		v.push(violation(value, path, "Member must satisfy regular expression pattern: "+pattern))
	}
	return v
}

// checkRequired checks a required string member: null, then checkString.
func checkRequired(value *string, path string, minLen, maxLen int, re *regexp.Regexp, pattern string) violations {
	if value == nil {
		return one(nullViolation(path))
	}
	return checkString(*value, path, minLen, maxLen, re, pattern)
}

func checkUserPoolID(id string) violations {
	return checkString(id, "userPoolId", 1, maxUserPoolIDLen, userPoolIDRE, userPoolIDPattern)
}

func checkPoolName(name string) violations {
	return checkString(name, "poolName", 1, maxPoolNameLen, nameRE, namePattern)
}

// checkScopes checks a scope list: at most 100 items, each with a ScopeName and a
// ScopeDescription. A nil element is reported as a null member.
func checkScopes(scopes []*wireScope) violations {
	var v violations
	if len(scopes) > maxScopes {
		v.push(listViolation(renderScopes(scopes), "scopes", fmt.Sprintf("Member must have length less than or equal to %d", maxScopes)))
	}
	for i, sc := range scopes {
		if v.full() {
			// Count the rest without formatting them: a huge list costs no memory.
			v.total += countScopeViolations(sc)
			continue
		}
		base := "scopes." + strconv.Itoa(i+1) + ".member"
		if sc == nil {
			v.push(nullViolation(base))
			continue
		}
		v.add(checkRequired(sc.ScopeName, base+".scopeName", 1, maxScopeNameLen, scopeNameRE, scopeNamePattern))
		v.add(checkRequired(sc.ScopeDescription, base+".scopeDescription", 1, maxScopeDescLen, nil, ""))
	}
	return v
}

// countScopeViolations counts the violations checkScopes would report for one scope.
func countScopeViolations(sc *wireScope) int {
	if sc == nil {
		return 1
	}
	return countRequired(sc.ScopeName, 1, maxScopeNameLen, scopeNameRE) +
		countRequired(sc.ScopeDescription, 1, maxScopeDescLen, nil)
}

// renderList renders a list for a message, in the style of the service's Java toString, each
// item by item. Once the text is longer than maxEchoRunes bytes it stops and says how many
// <noun> there are, so that the text stays short whatever the list; item shortens each value.
func renderList[T any](list []T, noun string, item func(T) string) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, v := range list {
		if i > 0 {
			b.WriteString(", ")
		}
		if b.Len() > maxEchoRunes {
			b.WriteString("... (" + strconv.Itoa(len(list)) + " " + noun + ")")
			break
		}
		b.WriteString(item(v))
	}
	b.WriteByte(']')
	return b.String()
}

// renderScopes renders a scope list for a message (see renderList).
func renderScopes(scopes []*wireScope) string {
	return renderList(scopes, "scopes", func(sc *wireScope) string {
		if sc == nil {
			return "null"
		}
		return "ResourceServerScopeType(scopeName=" + shorten(deref(sc.ScopeName)) + ", scopeDescription=" + shorten(deref(sc.ScopeDescription)) + ")"
	})
}

func deref(p *string) string {
	if p == nil {
		return "null"
	}
	return *p
}

// duplicateScopeNames reports the first scope name that appears twice in a request, as an
// InvalidParameterException message, or "" if all names differ. The service does not document
// what it does with a repeated name; the emulator refuses it, as a careful client should.
func duplicateScopeNames(scopes []*wireScope) string {
	seen := make(map[string]bool, len(scopes))
	for _, sc := range scopes {
		if sc == nil || sc.ScopeName == nil {
			continue
		}
		if seen[*sc.ScopeName] {
			return fmt.Sprintf("Duplicate scope name '%s': scope names must be unique within a resource server.", *sc.ScopeName)
		}
		seen[*sc.ScopeName] = true
	}
	return ""
}

// checkServerInput checks the members of a CreateResourceServer or UpdateResourceServer request,
// in the model's member order: UserPoolId, Identifier, Name, Scopes.
func checkServerInput(in *input) violations {
	var v violations
	v.add(checkRequired(in.UserPoolID, "userPoolId", 1, maxUserPoolIDLen, userPoolIDRE, userPoolIDPattern))
	v.add(checkRequired(in.Identifier, "identifier", 1, maxIdentifierLen, identifierRE, identifierPattern))
	v.add(checkRequired(in.Name, "name", 1, maxNameLen, nameRE, namePattern))
	v.add(checkScopes(in.Scopes))
	return v
}

// checkServer checks a ResourceServer given to the Go API like a CreateResourceServer request.
func checkServer(poolID, identifier, name string, scopes []Scope) violations {
	return checkServerInput(&input{
		UserPoolID: &poolID,
		Identifier: &identifier,
		Name:       &name,
		Scopes:     toWireScopes(scopes),
	})
}

// duplicateScope is duplicateScopeNames for the Go API's scopes.
func duplicateScope(scopes []Scope) string {
	return duplicateScopeNames(toWireScopes(scopes))
}

func toWireScopes(scopes []Scope) []*wireScope {
	out := make([]*wireScope, len(scopes))
	for i := range scopes {
		out[i] = &wireScope{ScopeName: &scopes[i].Name, ScopeDescription: &scopes[i].Description}
	}
	return out
}

// checkNextToken checks an optional NextToken member.
func checkNextToken(token *string) violations {
	if token == nil {
		return violations{}
	}
	return checkString(*token, "nextToken", 1, math.MaxInt, nextTokenRE, nextTokenPattern)
}

// checkMaxResults checks a MaxResults member against 1..hi; required says whether null is a
// violation.
func checkMaxResults(n *int32, hi int32, required bool) violations {
	if n == nil {
		if required {
			return one(nullViolation("maxResults"))
		}
		return violations{}
	}
	var v violations
	if *n < 1 {
		v.push(violation(strconv.Itoa(int(*n)), "maxResults", "Member must have value greater than or equal to 1"))
	}
	if *n > hi {
		v.push(violation(strconv.Itoa(int(*n)), "maxResults", fmt.Sprintf("Member must have value less than or equal to %d", hi)))
	}
	return v
}
