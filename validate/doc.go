// Package validate checks the input of Amazon Cognito's five
// resource-server operations against every rule the service applies, on
// the client and before anything is sent. The SDK checks only that
// required members are present; Cognito checks lengths and patterns only
// after the request went out, and answers with an InvalidParameterException
// whose message is text. This package reports every broken rule at once,
// each a typed value with its field path, and sends nothing: it does no I/O.
//
// # Rules
//
// The rules are those of the service model of cognito-idp:
//
//	field              length (code points)  pattern (whole value, Java syntax)
//	UserPoolId         1 to 55               [\w-]+_[0-9a-zA-Z]+
//	Identifier         1 to 256              [\x21\x23-\x5B\x5D-\x7E]+
//	Name               1 to 256              [\w\s+=,.@-]+
//	ScopeName          1 to 256              [\x21\x23-\x2E\x30-\x5B\x5D-\x7E]+
//	ScopeDescription   1 to 256              none: any Unicode
//	NextToken          1 or more             [\S]+
//	Scopes             0 to 100 items (MaxScopes), no scope name repeated
//	MaxResults         1 to 50 (MaxListResults)
//
// UserPoolId and Identifier are required by every single-server
// operation, Name by Create and Update, ScopeName and ScopeDescription by
// every scope, and UserPoolId by ListResourceServers; MaxResults and
// NextToken may be left out. A repeated scope name is not documented by
// Cognito either way; it is ambiguous, so it is refused.
//
// # Java, not RE2
//
// The patterns are Java regular expressions. In Java, \w is the ASCII
// class [A-Za-z0-9_] and \s is [ \t\n\x0B\f\r], which includes the
// vertical tab \x0B; Go's RE2 \s lacks it. So a pattern copied into
// package regexp would refuse a Name holding a vertical tab, which
// Cognito accepts, and accept a NextToken holding one, which Cognito
// refuses. This package does not use regexp: each pattern is a
// hand-written loop over a table of ASCII byte classes, which follows
// Java's classes exactly and allocates nothing. Its tests hold it to a
// regexp-based reference with the classes spelled out, by fuzzing.
//
// Lengths count Unicode code points, so a 4-byte character such as
// U+1D11E counts once. A value that is not valid UTF-8 cannot be sent
// faithfully (encoding/json would replace the bad bytes with U+FFFD), so
// it is refused, never altered.
//
// # Errors
//
// Every function returns nil or a *rserrors.ValidationError (package
// github.com/scopekeeper/scopekeeper/errors) whose Violations hold one
// *rserrors.FieldError per broken rule, in field order: UserPoolId,
// Identifier, Name, Scopes, then for each scope Scopes[i].ScopeName and
// Scopes[i].ScopeDescription; for ListResourceServers UserPoolId,
// MaxResults, NextToken. The functions for one input set Operation to the
// operation's name ("UpdateResourceServer"); those for one field leave it
// empty. The error matches rserrors.ErrValidation, and errors.As reaches
// each FieldError through Unwrap.
//
// Each FieldError's Rule is one of:
//
//   - RuleRequired: the member is nil. A nil input is checked as an empty
//     one, which is what the SDK sends for it.
//   - RuleUTF8: the value is not valid UTF-8; no other rule of that value
//     is reported, as neither its length nor its characters are defined.
//   - RuleLength: the length in code points is out of range. The empty
//     string "" breaks this rule only: the pattern's "+" failing on it is
//     the same fact.
//   - RulePattern: the value does not fully match the pattern. A value too
//     long and with a forbidden character breaks both RuleLength and
//     RulePattern, reported in that order.
//   - RuleMaxItems: Scopes holds more than MaxScopes items.
//   - RuleUnique: a scope name repeats the one of an earlier scope.
//   - RuleRange: MaxResults is out of range.
//
// A Detail states the rule and what broke it, such as "length must be 1 to
// 256 code points, got 300", "must match [\w\s+=,.@-]+: character '/'
// (U+002F) at index 6 is not allowed" (indexes count code points from 0),
// "must be valid UTF-8: invalid byte 0xff at byte offset 2" or "repeats
// the scope name at Scopes[0]".
//
// # Use
//
// Call a function directly:
//
//	if err := validate.UpdateResourceServerInput(in); err != nil {
//		return err // a *rserrors.ValidationError
//	}
//
// or let a Cognito client check every call with [WithValidation]:
//
//	client := cognitoidentityprovider.NewFromConfig(cfg, validate.WithValidation)
//
// Checking a valid input allocates nothing, so the checks are cheap
// enough to run on every call.
package validate
