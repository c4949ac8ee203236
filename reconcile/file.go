package reconcile

import (
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/scopekeeper/scopekeeper/appclient"
	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/resourceserver"
	"github.com/scopekeeper/scopekeeper/validate"
)

// File is the desired state of one user pool, as read from a file by
// [Parse] or [ReadFile]. Build one in code just as well: [Reconciler.Plan]
// checks it with [File.Check] before it reads the pool.
type File struct {
	// Name is where the file came from, used in every [Problem]; "" for a
	// File built in code.
	Name string
	// UserPoolID is the user pool the file describes ("userPoolId"); it
	// may be empty when the caller names the pool.
	UserPoolID string
	// ResourceServers are the resource servers the file owns, in file
	// order ("resourceServers").
	ResourceServers []Server
	// AppClients are the grants the file owns, in file order
	// ("appClients").
	AppClients []AppClient

	// names holds the names of app clients known by ID (from Export),
	// written as comments.
	names map[string]string
	// pos maps a field path, such as "resourceServers[0].scopes[1].name",
	// to where its value stands in the file.
	pos map[string]position
	// probs holds the problems Parse found in the text (unknown keys,
	// wrong types, aliases), which Check reports with its own.
	probs []*Problem
}

// Server is one resource server of a [File].
type Server struct {
	// Identifier is the resource server's identifier ("identifier").
	Identifier string
	// Name is its name ("name").
	Name string
	// Additive, when true, makes the file own only the scopes it lists:
	// they are added or described anew, and no scope of the server is ever
	// removed ("additive").
	Additive bool
	// Scopes are the scopes, in order ("scopes", each with "name" and
	// "description"). Unless Additive, they are the server's whole set.
	Scopes []resourceserver.Scope
}

// AppClient is the grants of one app client in a [File], named by its ID or
// by its name (exactly one of the two).
type AppClient struct {
	// ClientID is the app client's ID ("clientId").
	ClientID string
	// ClientName is the app client's name ("clientName"); it must name
	// exactly one app client of the pool.
	ClientName string
	// Scopes are the scopes the app client is to allow ("scopes"), each
	// "<identifier>/<scope name>" or a standard scope such as "openid". Of
	// the scopes of resource servers the file owns, the app client ends up
	// allowing exactly these; other scopes it allows are left alone.
	Scopes []string
}

// position is a line and a column in a file, both from 1.
type position struct{ line, column int }

// Rules of a file that are not Cognito's own field rules; a [Problem] may
// also carry any rserrors.Rule of package validate.
const (
	// RuleSyntax: the file is not well-formed YAML or JSON.
	RuleSyntax rserrors.Rule = "syntax"
	// RuleUnknownField: a key the schema does not have, or one given twice.
	RuleUnknownField rserrors.Rule = "unknown field"
	// RuleType: a value of the wrong kind, such as a list where a string
	// belongs.
	RuleType rserrors.Rule = "type"
	// RuleOneOf: exactly one of two fields must be given.
	RuleOneOf rserrors.Rule = "one of"
	// RuleUndefinedScope: a granted scope that neither the file nor the
	// pool defines, or that the plan removes.
	RuleUndefinedScope rserrors.Rule = "undefined scope"
	// RuleUnknownClient: a clientName that names no app client of the
	// pool; a clientId that names none.
	RuleUnknownClient rserrors.Rule = "unknown app client"
	// RuleAmbiguousClient: a clientName that names more than one app
	// client of the pool.
	RuleAmbiguousClient rserrors.Rule = "ambiguous app client"
	// RuleAlias: a YAML alias (*name). The schema never needs one, and
	// expanding aliases lets a small file grow without bound.
	RuleAlias rserrors.Rule = "alias"
	// RulePool: the file's userPoolId differs from the pool the caller
	// named, or neither names one.
	RulePool rserrors.Rule = "user pool"
)

// maxClientName is Cognito's limit on an app client's ClientName and
// ClientId, in code points.
const maxClientName = 128

// ReadFile reads and parses the file at path; see [Parse]. It reads at
// most MaxFileSize bytes (and one more, to refuse a larger file).
func ReadFile(path string) (*File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// Parse reads a desired state from data, YAML or JSON (the same schema:
// JSON is read by the same YAML parser), and checks it with [File.Check].
// name is used in messages only. It sends nothing.
//
// The bytes are never altered: invalid UTF-8 anywhere (a key, a value, a
// comment) is refused with its position, before the parser sees it, and
// so is a file beyond the limits ([MaxFileSize] and the constants next to
// it), or a YAML alias. A leading byte-order mark is skipped.
//
// Problems come in a *[FileError], each with its line and column and
// sorted by them: a problem that stops the reading (invalid UTF-8, a
// limit, a syntax error) and nothing else, or every key the schema does
// not have, value of the wrong type and rule of [File.Check]. In the
// second case Parse also returns the File as far as it could be read,
// which keeps those problems: [File.Check] and [Reconciler.Plan] refuse
// it, Plan reporting them together with those found against the pool, so
// that one run shows them all.
func Parse(name string, data []byte) (*File, error) {
	f, probs, more := decode(name, data)
	if f == nil {
		e := newFileError(name, probs)
		e.More += more
		return nil, e
	}
	f.probs = probs
	if err := f.Check(); err != nil {
		return f, err
	}
	return f, nil
}

// Check reports every entry of f that breaks a rule, as a *[FileError]
// (nil when there is none), without sending anything: the problems Parse
// found in the text; Cognito's rules for the pool ID, identifiers, names,
// scope names and descriptions (package validate); more than 100 scopes
// on a server or 50 on an app client; a repeated identifier, scope name,
// app client or granted scope; an app client with both or neither of
// clientId and clientName; a granted scope that is neither standard nor
// "<identifier>/<scope name>".
func (f *File) Check() error {
	if e := newFileError(f.Name, f.check()); e != nil {
		return e
	}
	return nil
}

// check returns the problems of Check, in the order found.
func (f *File) check() []*Problem {
	// A value the decoder refused is left empty in f: what the rules say
	// of that field would repeat the problem.
	return merge(f.probs, f.rules())
}

// merge returns probs and those of more that are not at or under a path
// of probs.
func merge(probs, more []*Problem) []*Problem {
	if len(probs) == 0 {
		return more
	}
	reported := map[string]bool{}
	for _, p := range probs {
		reported[p.Path] = true
	}
	out := slices.Clip(probs)
	for _, p := range more {
		if !underAny(p.Path, reported) {
			out = append(out, p)
		}
	}
	return out
}

// rules checks f's values against the rules of Check.
func (f *File) rules() []*Problem {
	var r validate.Report
	if f.UserPoolID != "" {
		r.UserPoolID("userPoolId", f.UserPoolID)
	}
	ids := map[string]int{}
	for i, s := range f.ResourceServers {
		at := "resourceServers[" + strconv.Itoa(i) + "]"
		r.Identifier(at+".identifier", s.Identifier).Name(at+".name", s.Name)
		if j, ok := ids[s.Identifier]; ok && s.Identifier != "" {
			r.Add(at+".identifier", rserrors.RuleUnique, "repeats the identifier of resourceServers["+strconv.Itoa(j)+"]", s.Identifier)
		} else {
			ids[s.Identifier] = i
		}
		r.MaxItems(at+".scopes", len(s.Scopes), validate.MaxScopes)
		names := map[string]int{}
		for k, sc := range s.Scopes {
			sat := at + ".scopes[" + strconv.Itoa(k) + "]"
			r.ScopeName(sat+".name", sc.Name).ScopeDescription(sat+".description", sc.Description)
			if j, ok := names[sc.Name]; ok && sc.Name != "" {
				r.Add(sat+".name", rserrors.RuleUnique, "repeats the scope name of "+at+".scopes["+strconv.Itoa(j)+"]", sc.Name)
			} else {
				names[sc.Name] = k
			}
		}
	}
	clients := map[string]int{}
	for i, c := range f.AppClients {
		at := "appClients[" + strconv.Itoa(i) + "]"
		key := "id:" + c.ClientID
		switch {
		case c.ClientID == "" && c.ClientName == "":
			r.Add(at, RuleOneOf, "give clientId or clientName", "")
		case c.ClientID != "" && c.ClientName != "":
			r.Add(at+".clientName", RuleOneOf, "give clientId or clientName, not both", c.ClientName)
		case c.ClientID != "":
			checkClientText(&r, at+".clientId", c.ClientID, true)
		default:
			key = "name:" + c.ClientName
			checkClientText(&r, at+".clientName", c.ClientName, false)
		}
		if j, ok := clients[key]; ok {
			field := at + ".clientId"
			if c.ClientID == "" {
				field = at + ".clientName"
			}
			r.Add(field, rserrors.RuleUnique, "repeats the app client of appClients["+strconv.Itoa(j)+"]", strings.SplitN(key, ":", 2)[1])
		} else if c.ClientID != "" || c.ClientName != "" {
			clients[key] = i
		}
		r.MaxItems(at+".scopes", len(c.Scopes), appclient.MaxScopes)
		seen := map[string]int{}
		for k, sc := range c.Scopes {
			sat := at + ".scopes[" + strconv.Itoa(k) + "]"
			checkGrantedScope(&r, sat, sc)
			if j, ok := seen[sc]; ok {
				r.Add(sat, rserrors.RuleUnique, "repeats "+at+".scopes["+strconv.Itoa(j)+"]", sc)
			} else {
				seen[sc] = k
			}
		}
	}
	return f.problems(&r)
}

// checkClientText checks a clientId ([\w+]+) or a clientName
// ([\w\s+=,.@-]+), each 1 to 128 code points.
func checkClientText(r *validate.Report, at, s string, id bool) {
	if !utf8.ValidString(s) {
		r.Add(at, rserrors.RuleUTF8, "must be valid UTF-8", s)
		return
	}
	if n := utf8.RuneCountInString(s); n > maxClientName {
		r.Add(at, rserrors.RuleLength, "length must be 1 to 128 code points, got "+strconv.Itoa(n), s)
	}
	if !id {
		var names validate.Report
		if names.Name(at, s); names.Len() > 0 {
			r.Add(at, rserrors.RulePattern, `must match [\w\s+=,.@-]+`, s)
		}
		return
	}
	for i, c := range s {
		if !(c == '_' || c == '+' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			r.Add(at, rserrors.RulePattern, `must match [\w+]+: character `+strconv.QuoteRune(c)+" at index "+strconv.Itoa(i)+" is not allowed", s)
			return
		}
	}
}

// checkGrantedScope checks a scope an app client is to allow: a standard
// scope, or "<identifier>/<scope name>" with both parts valid.
func checkGrantedScope(r *validate.Report, at, s string) {
	if appclient.IsStandard(s) {
		return
	}
	if !strings.Contains(s, "/") {
		r.Add(at, rserrors.RulePattern, `must be a standard scope or "<identifier>/<scope name>"`, s)
		return
	}
	r.Scope(at, s)
}

// problems turns the violations of r into Problems placed in f.
func (f *File) problems(r *validate.Report) []*Problem {
	var ve *rserrors.ValidationError
	if !asValidation(r.Err(""), &ve) {
		return nil
	}
	out := make([]*Problem, 0, len(ve.Violations))
	for _, v := range ve.Violations {
		out = append(out, f.problem(v.Field, v.Rule, v.Detail, v.Value))
	}
	return out
}

// problem returns a Problem at the field path, placed at the nearest
// position the file recorded for it or for an enclosing field.
func (f *File) problem(path string, rule rserrors.Rule, detail, value string) *Problem {
	p := &Problem{File: f.Name, Path: path, Rule: rule, Detail: detail, Value: rserrors.Shorten(value)}
	for at := path; at != ""; at = parentPath(at) {
		if pos, ok := f.pos[at]; ok {
			p.Line, p.Column = pos.line, pos.column
			break
		}
	}
	return p
}

// underAny reports whether path or a path enclosing it is in paths.
func underAny(path string, paths map[string]bool) bool {
	for at := path; at != ""; at = parentPath(at) {
		if paths[at] {
			return true
		}
	}
	return false
}

// parentPath returns the path that encloses at: "a[1].b" -> "a[1]" -> "a".
func parentPath(at string) string {
	i := max(strings.LastIndexByte(at, '.'), strings.LastIndexByte(at, '['))
	if i < 0 {
		return ""
	}
	return at[:i]
}

// server returns the file's server with the identifier, if any.
func (f *File) server(identifier string) (Server, bool) {
	i := slices.IndexFunc(f.ResourceServers, func(s Server) bool { return s.Identifier == identifier })
	if i < 0 {
		return Server{}, false
	}
	return f.ResourceServers[i], true
}
