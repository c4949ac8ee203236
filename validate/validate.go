package validate

import (
	"fmt"
	"hash/maphash"
	"strconv"
	"strings"
	"unicode/utf8"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
)

// MaxScopes is the most scopes one resource server may hold: a hard quota
// of Cognito that cannot be raised.
const MaxScopes = 100

// MaxListResults is the largest MaxResults that ListResourceServers accepts.
const MaxListResults = 50

// Character classes, one bit each in the classes table. Every class but
// cNotSpace holds ASCII bytes only.
const (
	// cIdentifier is [\x21\x23-\x5B\x5D-\x7E].
	cIdentifier uint8 = 1 << iota
	// cScopeName is [\x21\x23-\x2E\x30-\x5B\x5D-\x7E].
	cScopeName
	// cName is Java's [\w\s+=,.@-].
	cName
	// cPoolID is Java's [\w-], the alphabet of a user pool ID.
	cPoolID
	// cAlnum is [0-9a-zA-Z], the part after a user pool ID's last '_'.
	cAlnum
	// cNotSpace is Java's [\S]: every byte but [ \t\n\x0B\f\r]. It holds
	// the bytes 0x80 to 0xFF too, because UTF-8 encodes every non-ASCII
	// code point with those bytes only, and each such code point is \S.
	cNotSpace
)

// classes maps each byte to the classes it belongs to.
var classes = func() (t [256]uint8) {
	for b := 0; b < 256; b++ {
		c := byte(b)
		word := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
		space := c == ' ' || c == '\t' || c == '\n' || c == '\x0b' || c == '\f' || c == '\r'
		var m uint8
		if c == 0x21 || c >= 0x23 && c <= 0x5b || c >= 0x5d && c <= 0x7e {
			m |= cIdentifier
			if c != '/' {
				m |= cScopeName
			}
		}
		if word || space || strings.IndexByte("+=,.@-", c) >= 0 {
			m |= cName
		}
		if word || c == '-' {
			m |= cPoolID
		}
		if word && c != '_' {
			m |= cAlnum
		}
		if !space {
			m |= cNotSpace
		}
		t[b] = m
	}
	return t
}()

// scan returns the byte offset of the first byte of s outside class, or -1
// if every byte is in it.
func scan(s string, class uint8) int {
	for i := 0; i < len(s); i++ {
		if classes[s[i]]&class == 0 {
			return i
		}
	}
	return -1
}

// spec is the rule set of one string member of the Cognito model.
type spec struct {
	field   string // the SDK member name, such as "ScopeName"
	max     int    // the most code points allowed; 0 means no maximum
	class   uint8  // the class every byte must belong to; 0 means any
	ascii   bool   // whether class holds ASCII bytes only
	poolID  bool   // whether the user pool ID's '_' structure applies
	pattern string // the service's pattern, quoted in details
}

var (
	userPoolIDSpec       = spec{field: "UserPoolId", max: 55, class: cPoolID, ascii: true, poolID: true, pattern: `[\w-]+_[0-9a-zA-Z]+`}
	identifierSpec       = spec{field: "Identifier", max: 256, class: cIdentifier, ascii: true, pattern: `[\x21\x23-\x5B\x5D-\x7E]+`}
	nameSpec             = spec{field: "Name", max: 256, class: cName, ascii: true, pattern: `[\w\s+=,.@-]+`}
	scopeNameSpec        = spec{field: "ScopeName", max: 256, class: cScopeName, ascii: true, pattern: `[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]+`}
	scopeDescriptionSpec = spec{field: "ScopeDescription", max: 256}
	nextTokenSpec        = spec{field: "NextToken", class: cNotSpace, pattern: `[\S]+`}
)

// broken is a set of the rules a value breaks.
type broken uint8

const (
	brokenUTF8 broken = 1 << iota
	brokenLength
	brokenPattern
)

// check reports which rules of sp the value s breaks, without allocating.
// Invalid UTF-8 is reported alone; the empty string breaks only the
// length rule (its pattern failure, a "+" with nothing to match, is the
// same fact); otherwise length and pattern are checked independently.
func (sp *spec) check(s string) broken {
	if sp.ascii && scan(s, sp.class) < 0 {
		// Every byte is in an ASCII class: s is valid UTF-8 and len(s)
		// counts its code points.
		if len(s) == 0 {
			return brokenLength
		}
		var b broken
		if len(s) > sp.max {
			b |= brokenLength
		}
		if sp.poolID && !poolIDShapeOK(s) {
			b |= brokenPattern
		}
		return b
	}
	if !utf8.ValidString(s) {
		return brokenUTF8
	}
	if len(s) == 0 {
		return brokenLength
	}
	var b broken
	// A string of at most max bytes has at most max code points, so only
	// a longer one needs counting.
	if sp.max > 0 && len(s) > sp.max && utf8.RuneCountInString(s) > sp.max {
		b |= brokenLength
	}
	if sp.class != 0 && (scan(s, sp.class) >= 0 || sp.poolID && !poolIDShapeOK(s)) {
		b |= brokenPattern
	}
	return b
}

// poolIDShapeOK reports whether s, made of [\w-] only, matches
// [\w-]+_[0-9a-zA-Z]+: its last '_' has something before it and one or
// more letters or digits after it.
func poolIDShapeOK(s string) bool {
	j := strings.LastIndexByte(s, '_')
	return j >= 1 && j < len(s)-1 && scan(s[j+1:], cAlnum) < 0
}

// describe adds to r one FieldError for each rule in b that s breaks.
func (sp *spec) describe(r *report, index int, s string, b broken) {
	sp.describeAt(r, path{field: sp.field, index: index}, s, b)
}

// describeAt is describe for a violation reported at p.
func (sp *spec) describeAt(r *report, p path, s string, b broken) {
	if b&brokenUTF8 != 0 {
		i := firstInvalidUTF8(s)
		r.add(p, rserrors.RuleUTF8, fmt.Sprintf("must be valid UTF-8: invalid byte %#02x at byte offset %d", s[i], i), s)
		return
	}
	if b&brokenLength != 0 {
		n := utf8.RuneCountInString(s)
		var detail string
		if sp.max > 0 {
			detail = fmt.Sprintf("length must be 1 to %d code points, got %d", sp.max, n)
		} else {
			detail = fmt.Sprintf("length must be at least 1 code point, got %d", n)
		}
		r.add(p, rserrors.RuleLength, detail, s)
	}
	if b&brokenPattern != 0 {
		r.add(p, rserrors.RulePattern, "must match "+sp.pattern+": "+sp.patternProblem(s), s)
	}
}

// patternProblem says where the valid UTF-8 string s first departs from
// sp's pattern.
func (sp *spec) patternProblem(s string) string {
	if i := scan(s, sp.class); i >= 0 {
		c, _ := utf8.DecodeRuneInString(s[i:])
		return fmt.Sprintf("character %q (%U) at index %d is not allowed", c, c, utf8.RuneCountInString(s[:i]))
	}
	// Every character is in [\w-], which is ASCII, so byte offsets are
	// code point indexes.
	j := strings.LastIndexByte(s, '_')
	switch {
	case j < 0:
		return "no '_' separates the prefix from the letters and digits"
	case j == len(s)-1:
		return fmt.Sprintf("the last '_' (index %d) must be followed by one or more letters or digits", j)
	case j == 0:
		return "the '_' at index 0 must follow one or more of [\\w-]"
	}
	k := j + 1 + scan(s[j+1:], cAlnum)
	c := rune(s[k])
	return fmt.Sprintf("character %q (%U) at index %d is not allowed after the last '_' (index %d)", c, c, k, j)
}

// firstInvalidUTF8 returns the byte offset of the first byte of s that
// does not start a valid UTF-8 sequence, or -1 if s is valid.
func firstInvalidUTF8(s string) int {
	for i := 0; i < len(s); {
		c, n := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return -1
}

// path is the path of a field: a top-level member, or a member of one
// item of Scopes. It is turned into a string only when a violation is
// reported.
type path struct {
	field string // the member name
	index int    // the position in Scopes, or -1 for a top-level member
	full  string // when set, the whole path as a caller named it
}

func (p path) String() string {
	if p.full != "" {
		return p.full
	}
	if p.index < 0 {
		return p.field
	}
	return "Scopes[" + strconv.Itoa(p.index) + "]." + p.field
}

// report collects violations. Its zero value is ready; it allocates only
// when a violation is added.
type report struct {
	op   string
	errs []*rserrors.FieldError
}

func (r *report) add(p path, rule rserrors.Rule, detail, value string) {
	r.errs = append(r.errs, rserrors.NewFieldError(p.String(), rule, detail, value))
}

// required checks a member the SDK marks as required: nil breaks
// RuleRequired, anything else is checked against sp.
func (r *report) required(index int, sp *spec, s *string) {
	if s == nil {
		r.add(path{field: sp.field, index: index}, rserrors.RuleRequired, "is required", "")
		return
	}
	r.optional(index, sp, s)
}

// optional checks a member that may be nil; a non-nil value is checked
// against sp.
func (r *report) optional(index int, sp *spec, s *string) {
	if s == nil {
		return
	}
	if b := sp.check(*s); b != 0 {
		sp.describe(r, index, *s, b)
	}
}

// scopes checks a scope list: its size, each scope's two members, and
// that no scope name repeats an earlier one.
func (r *report) scopes(scopes []types.ResourceServerScopeType) {
	n := len(scopes)
	var (
		seen  nameTable      // first index of each name, up to MaxScopes scopes
		first map[string]int // the same for an over-long list, already a violation
	)
	if n > MaxScopes {
		r.add(path{field: "Scopes", index: -1}, rserrors.RuleMaxItems,
			fmt.Sprintf("at most %d items, got %d", MaxScopes, n), strconv.Itoa(n))
		first = make(map[string]int, n)
	}
	for i := range scopes {
		sc := &scopes[i]
		r.required(i, &scopeNameSpec, sc.ScopeName)
		if sc.ScopeName != nil {
			j := -1
			if first != nil {
				if k, ok := first[*sc.ScopeName]; ok {
					j = k
				} else {
					first[*sc.ScopeName] = i
				}
			} else {
				j = seen.firstOrAdd(scopes, i)
			}
			if j >= 0 {
				r.add(path{field: "ScopeName", index: i}, rserrors.RuleUnique,
					fmt.Sprintf("repeats the scope name at Scopes[%d]", j), *sc.ScopeName)
			}
		}
		r.required(i, &scopeDescriptionSpec, sc.ScopeDescription)
	}
}

// nameSlots is the size of a nameTable: a power of two, over twice
// MaxScopes so that probe sequences stay short, and at most 256 so that a
// slot fits a scope index plus one in a byte.
const nameSlots = 256

// Compile-time checks of nameSlots against MaxScopes.
var (
	_ [nameSlots - 2*MaxScopes]struct{}
	_ [256 - nameSlots]struct{}
)

// hashSeed seeds the hash of scope names. A seed per process makes
// collisions unpredictable; they would cost time, never correctness.
var hashSeed = maphash.MakeSeed()

// nameTable finds repeated scope names among up to MaxScopes scopes
// without allocating: an open-addressing hash table with linear probing
// whose zero value is empty and which fits on the stack.
type nameTable struct {
	slots [nameSlots]uint8 // 0: empty; otherwise the index of a scope plus one
}

// firstOrAdd returns the index of the first scope before i whose name is
// that of scopes[i], or records scopes[i] and returns -1. Each scope i
// must be offered once, in order, and only if its ScopeName is not nil.
func (t *nameTable) firstOrAdd(scopes []types.ResourceServerScopeType, i int) int {
	name := *scopes[i].ScopeName
	for k := maphash.String(hashSeed, name); ; k++ {
		slot := &t.slots[k%nameSlots]
		if *slot == 0 {
			*slot = uint8(i + 1)
			return -1
		}
		if j := int(*slot) - 1; *scopes[j].ScopeName == name {
			return j
		}
	}
}

// maxResults checks ListResourceServers' MaxResults.
func (r *report) maxResults(n int32) {
	if n < 1 || n > MaxListResults {
		r.add(path{field: "MaxResults", index: -1}, rserrors.RuleRange,
			fmt.Sprintf("must be 1 to %d, got %d", MaxListResults, n), strconv.Itoa(int(n)))
	}
}

// err returns the collected violations as a *rserrors.ValidationError, or
// nil if there are none.
func (r *report) err() error {
	if len(r.errs) == 0 {
		return nil
	}
	return &rserrors.ValidationError{Operation: r.op, Violations: r.errs}
}

// single checks one value against sp as a top-level field.
func single(sp *spec, s string) error {
	b := sp.check(s)
	if b == 0 {
		return nil
	}
	var r report
	sp.describe(&r, -1, s, b)
	return r.err()
}

// UserPoolID checks a user pool ID against Cognito's rules for UserPoolId:
// 1 to 55 characters matching [\w-]+_[0-9a-zA-Z]+, such as
// "us-east-1_AbCdEf123". It sends nothing. It returns nil, or a
// *rserrors.ValidationError with an empty Operation whose violations, for
// the field "UserPoolId", have the rule RuleUTF8, RuleLength or
// RulePattern.
func UserPoolID(s string) error { return single(&userPoolIDSpec, s) }

// Identifier checks a resource server identifier against Cognito's rules
// for Identifier: 1 to 256 printable ASCII characters other than space,
// '"' and '\', so a URL such as "https://api.example.com" is valid. It
// sends nothing. It returns nil, or a *rserrors.ValidationError with an
// empty Operation whose violations, for the field "Identifier", have the
// rule RuleUTF8, RuleLength or RulePattern.
func Identifier(s string) error { return single(&identifierSpec, s) }

// Name checks a resource server's friendly name against Cognito's rules
// for Name: 1 to 256 characters matching Java's [\w\s+=,.@-]+, that is
// ASCII letters, digits, '_', the six whitespace characters space, \t, \n,
// \v (0x0B), \f and \r, and + = , . @ -. It sends nothing. It returns nil,
// or a *rserrors.ValidationError with an empty Operation whose violations,
// for the field "Name", have the rule RuleUTF8, RuleLength or
// RulePattern.
func Name(s string) error { return single(&nameSpec, s) }

// ScopeName checks a scope name against Cognito's rules for ScopeName: 1
// to 256 printable ASCII characters other than space, '"', '\' and '/'.
// It sends nothing. It returns nil, or a *rserrors.ValidationError with an
// empty Operation whose violations, for the field "ScopeName", have the
// rule RuleUTF8, RuleLength or RulePattern.
func ScopeName(s string) error { return single(&scopeNameSpec, s) }

// ScopeDescription checks a scope description against Cognito's rules for
// ScopeDescription: 1 to 256 code points of any kind, in valid UTF-8. It
// sends nothing. It returns nil, or a *rserrors.ValidationError with an
// empty Operation whose violation, for the field "ScopeDescription", has
// the rule RuleUTF8 or RuleLength.
func ScopeDescription(s string) error { return single(&scopeDescriptionSpec, s) }

// NextToken checks a ListResourceServers pagination token against
// Cognito's rules for NextToken: one or more code points, none of them
// Java whitespace [ \t\n\x0B\f\r]. It sends nothing. It returns nil, or a
// *rserrors.ValidationError with an empty Operation whose violations, for
// the field "NextToken", have the rule RuleUTF8, RuleLength or
// RulePattern.
func NextToken(s string) error { return single(&nextTokenSpec, s) }

// MaxResults checks ListResourceServers' MaxResults: 1 to MaxListResults.
// It sends nothing. It returns nil, or a *rserrors.ValidationError with an
// empty Operation and one RuleRange violation for the field "MaxResults".
func MaxResults(n int32) error {
	var r report
	r.maxResults(n)
	return r.err()
}

// Scopes checks a resource server's scope list as Create and Update send
// it: at most MaxScopes items, each with a ScopeName and a
// ScopeDescription that obey ScopeName's and ScopeDescription's rules, and
// no scope name repeated. It sends nothing and, for a valid list,
// allocates nothing. It returns nil, or a *rserrors.ValidationError with
// an empty Operation listing every violation in order: "Scopes"
// (RuleMaxItems) first, then for each scope "Scopes[i].ScopeName"
// (RuleRequired, RuleUTF8, RuleLength, RulePattern, then RuleUnique) and
// "Scopes[i].ScopeDescription" (RuleRequired, RuleUTF8, RuleLength).
func Scopes(scopes []types.ResourceServerScopeType) error {
	var r report
	r.scopes(scopes)
	return r.err()
}

// CreateResourceServerInput checks a CreateResourceServer input against
// every rule Cognito applies: UserPoolId, Identifier and Name are
// required and must obey the rules of UserPoolID, Identifier and Name, and
// Scopes must obey the rules of Scopes. A nil input is checked as an empty
// one, which is what the SDK sends for it, so each required member is
// reported missing. It sends nothing and, for a valid input, allocates
// nothing. It returns nil, or a *rserrors.ValidationError with Operation
// "CreateResourceServer" listing every violation in the order UserPoolId,
// Identifier, Name, Scopes.
func CreateResourceServerInput(in *cip.CreateResourceServerInput) error {
	var empty cip.CreateResourceServerInput
	if in == nil {
		in = &empty
	}
	r := report{op: "CreateResourceServer"}
	r.required(-1, &userPoolIDSpec, in.UserPoolId)
	r.required(-1, &identifierSpec, in.Identifier)
	r.required(-1, &nameSpec, in.Name)
	r.scopes(in.Scopes)
	return r.err()
}

// UpdateResourceServerInput checks an UpdateResourceServer input against
// every rule Cognito applies, exactly as CreateResourceServerInput does.
// It does not check that Scopes is the complete list: Update replaces the
// name and every scope, so a partial list deletes the scopes left out. It
// sends nothing and, for a valid input, allocates nothing. It returns nil,
// or a *rserrors.ValidationError with Operation "UpdateResourceServer"
// listing every violation in the order UserPoolId, Identifier, Name,
// Scopes.
func UpdateResourceServerInput(in *cip.UpdateResourceServerInput) error {
	var empty cip.UpdateResourceServerInput
	if in == nil {
		in = &empty
	}
	r := report{op: "UpdateResourceServer"}
	r.required(-1, &userPoolIDSpec, in.UserPoolId)
	r.required(-1, &identifierSpec, in.Identifier)
	r.required(-1, &nameSpec, in.Name)
	r.scopes(in.Scopes)
	return r.err()
}

// DescribeResourceServerInput checks a DescribeResourceServer input:
// UserPoolId and Identifier are required and must obey the rules of
// UserPoolID and Identifier. A nil input is checked as an empty one. It
// sends nothing. It returns nil, or a *rserrors.ValidationError with
// Operation "DescribeResourceServer" listing every violation.
func DescribeResourceServerInput(in *cip.DescribeResourceServerInput) error {
	var empty cip.DescribeResourceServerInput
	if in == nil {
		in = &empty
	}
	r := report{op: "DescribeResourceServer"}
	r.required(-1, &userPoolIDSpec, in.UserPoolId)
	r.required(-1, &identifierSpec, in.Identifier)
	return r.err()
}

// DeleteResourceServerInput checks a DeleteResourceServer input:
// UserPoolId and Identifier are required and must obey the rules of
// UserPoolID and Identifier. A nil input is checked as an empty one. It
// sends nothing. It returns nil, or a *rserrors.ValidationError with
// Operation "DeleteResourceServer" listing every violation.
func DeleteResourceServerInput(in *cip.DeleteResourceServerInput) error {
	var empty cip.DeleteResourceServerInput
	if in == nil {
		in = &empty
	}
	r := report{op: "DeleteResourceServer"}
	r.required(-1, &userPoolIDSpec, in.UserPoolId)
	r.required(-1, &identifierSpec, in.Identifier)
	return r.err()
}

// ListResourceServersInput checks a ListResourceServers input: UserPoolId
// is required and must obey the rules of UserPoolID; MaxResults, if set,
// must be 1 to MaxListResults; NextToken, if set, must obey the rules of
// NextToken. A nil input is checked as an empty one. It sends nothing. It
// returns nil, or a *rserrors.ValidationError with Operation
// "ListResourceServers" listing every violation in the order UserPoolId,
// MaxResults, NextToken.
func ListResourceServersInput(in *cip.ListResourceServersInput) error {
	var empty cip.ListResourceServersInput
	if in == nil {
		in = &empty
	}
	r := report{op: "ListResourceServers"}
	r.required(-1, &userPoolIDSpec, in.UserPoolId)
	if in.MaxResults != nil {
		r.maxResults(*in.MaxResults)
	}
	r.optional(-1, &nextTokenSpec, in.NextToken)
	return r.err()
}
