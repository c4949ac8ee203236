package reconcile

import (
	"errors"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/resourceserver"
)

// decoder walks the syntax tree of a file against the schema, recording
// the position of every field and every problem, so that all of them are
// reported at once (a decoder into structs stops at the first).
type decoder struct {
	f     *File
	probs []*Problem
}

// decode screens data (see [screen]), parses it and fills a File. A file
// the screen refuses, or a syntax error, returns a nil File and those
// problems (and a count of more, when the screen stopped listing them).
func decode(name string, data []byte) (_ *File, _ []*Problem, more int) {
	data, probs, more := screen(name, data)
	if probs != nil {
		return nil, probs, more
	}
	f := &File{Name: name, pos: map[string]position{}}
	tree, err := parser.ParseBytes(data, 0, parser.AllowDuplicateMapKey())
	if err != nil {
		p := &Problem{File: name, Rule: RuleSyntax, Detail: err.Error()}
		var te interface {
			GetToken() *token.Token
			GetMessage() string
		}
		if errors.As(err, &te) {
			p.Detail = te.GetMessage()
			if tk := te.GetToken(); tk != nil && tk.Position != nil {
				p.Line, p.Column = tk.Position.Line, tk.Position.Column
			}
		}
		return nil, []*Problem{p}, 0
	}
	d := &decoder{f: f}
	var body ast.Node
	for i, doc := range tree.Docs {
		if doc == nil || doc.Body == nil {
			continue
		}
		if body != nil {
			d.add(doc.Body, "", RuleSyntax, "a file holds one document; this is document "+strconv.Itoa(i+1), "")
			continue
		}
		body = doc.Body
	}
	if body == nil {
		d.probs = append(d.probs, &Problem{File: name, Line: 1, Column: 1, Rule: rserrors.RuleRequired, Detail: "the file is empty"})
		return f, d.probs, 0
	}
	d.root(body)
	return f, d.probs, 0
}

func (d *decoder) add(n ast.Node, path string, rule rserrors.Rule, detail, value string) {
	p := &Problem{File: d.f.Name, Path: path, Rule: rule, Detail: detail, Value: rserrors.Shorten(value)}
	if pos, ok := nodePos(n); ok {
		p.Line, p.Column = pos.line, pos.column
	}
	d.probs = append(d.probs, p)
}

// nodePos returns where n starts: a block mapping by its first key, any
// other node by its token.
func nodePos(n ast.Node) (position, bool) {
	if n == nil {
		return position{}, false
	}
	if m, ok := n.(*ast.MappingNode); ok && !m.IsFlowStyle && len(m.Values) > 0 {
		return nodePos(m.Values[0].Key)
	}
	tk := n.GetToken()
	if tk == nil || tk.Position == nil {
		return position{}, false
	}
	return position{tk.Position.Line, tk.Position.Column}, true
}

// resolve returns the node that holds n's value, past an anchor or a tag.
// An alias is refused (ok false, the problem recorded at path): the schema
// never needs one, and following aliases lets a file of a few KB expand
// to gigabytes.
func (d *decoder) resolve(n ast.Node, path string) (_ ast.Node, ok bool) {
	n = unwrap(n)
	if _, alias := n.(*ast.AliasNode); alias {
		d.add(n, path, RuleAlias, "aliases (*name) are not allowed: write the value out", nodeText(n))
		return n, false
	}
	return n, true
}

// unwrap returns the node under n's anchors and tags.
func unwrap(n ast.Node) ast.Node {
	for {
		switch v := n.(type) {
		case *ast.AnchorNode:
			n = v.Value
		case *ast.TagNode:
			n = v.Value
		default:
			return n
		}
	}
}

// field is one key of a mapping in the schema.
type field struct {
	key string
	set func(n ast.Node, path string)
}

// mapping checks that n is a mapping whose keys are all in fields, each
// given once, and calls each field's set with its value and path.
func (d *decoder) mapping(n ast.Node, path string, fields []field) bool {
	n, ok := d.resolve(n, path)
	if !ok {
		return false
	}
	m, ok := n.(*ast.MappingNode)
	if !ok {
		d.add(n, path, RuleType, "must be a mapping of "+keysOf(fields), nodeText(n))
		return false
	}
	seen := map[string]bool{}
	for _, mv := range m.Values {
		key := ""
		kn, ok := d.resolve(mv.Key, path)
		if !ok {
			continue
		}
		if k, ok := kn.(ast.ScalarNode); ok {
			key = k.GetToken().Value
		}
		at := join(path, key)
		i := indexField(fields, key)
		switch {
		case i < 0:
			d.add(mv.Key, at, RuleUnknownField, "unknown key "+strconv.Quote(key)+"; the keys here are "+keysOf(fields), "")
			continue
		case seen[key]:
			d.add(mv.Key, at, RuleUnknownField, "key "+strconv.Quote(key)+" given twice", "")
			continue
		}
		seen[key] = true
		if pos, ok := nodePos(mv.Value); ok {
			d.f.pos[at] = pos
		} else if pos, ok := nodePos(mv.Key); ok {
			d.f.pos[at] = pos
		}
		fields[i].set(mv.Value, at)
	}
	return true
}

// sequence checks that n is a sequence and calls item with each element
// and its path. A null is an empty sequence.
func (d *decoder) sequence(n ast.Node, path string, item func(n ast.Node, path string)) {
	n, ok := d.resolve(n, path)
	if !ok {
		return
	}
	if _, null := n.(*ast.NullNode); null {
		return
	}
	s, ok := n.(*ast.SequenceNode)
	if !ok {
		d.add(n, path, RuleType, "must be a list", nodeText(n))
		return
	}
	for i, v := range s.Values {
		at := path + "[" + strconv.Itoa(i) + "]"
		if pos, ok := nodePos(unwrap(v)); ok {
			d.f.pos[at] = pos
		}
		item(v, at)
	}
}

// str decodes a scalar into a string: a string as written (quotes and
// escapes resolved), a number or a boolean as its text.
func (d *decoder) str(n ast.Node, path string, dst *string) {
	r, ok := d.resolve(n, path)
	if !ok {
		return
	}
	switch v := r.(type) {
	case *ast.StringNode:
		*dst = v.Value
	case *ast.LiteralNode:
		*dst = v.Value.Value
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		*dst = v.GetToken().Value
	case *ast.NullNode:
		d.add(n, path, RuleType, "must be a string, not null", "")
	default:
		d.add(n, path, RuleType, "must be a string", nodeText(n))
	}
}

func (d *decoder) boolean(n ast.Node, path string, dst *bool) {
	r, ok := d.resolve(n, path)
	if !ok {
		return
	}
	v, ok := r.(*ast.BoolNode)
	if !ok {
		d.add(n, path, RuleType, "must be true or false", nodeText(n))
		return
	}
	*dst = v.Value
}

func (d *decoder) root(n ast.Node) {
	f := d.f
	d.mapping(n, "", []field{
		{"userPoolId", func(n ast.Node, at string) { d.str(n, at, &f.UserPoolID) }},
		{"resourceServers", func(n ast.Node, at string) {
			d.sequence(n, at, func(n ast.Node, at string) {
				f.ResourceServers = append(f.ResourceServers, d.server(n, at))
			})
		}},
		{"appClients", func(n ast.Node, at string) {
			d.sequence(n, at, func(n ast.Node, at string) {
				f.AppClients = append(f.AppClients, d.appClient(n, at))
			})
		}},
	})
}

func (d *decoder) server(n ast.Node, path string) Server {
	var s Server
	var hasID, hasName bool
	if !d.mapping(n, path, []field{
		{"identifier", func(n ast.Node, at string) { hasID = true; d.str(n, at, &s.Identifier) }},
		{"name", func(n ast.Node, at string) { hasName = true; d.str(n, at, &s.Name) }},
		{"additive", func(n ast.Node, at string) { d.boolean(n, at, &s.Additive) }},
		{"scopes", func(n ast.Node, at string) {
			d.sequence(n, at, func(n ast.Node, at string) {
				var sc resourceserver.Scope
				var hasName, hasDesc bool
				if d.mapping(n, at, []field{
					{"name", func(n ast.Node, at string) { hasName = true; d.str(n, at, &sc.Name) }},
					{"description", func(n ast.Node, at string) { hasDesc = true; d.str(n, at, &sc.Description) }},
				}) {
					d.required(n, at, "name", hasName)
					d.required(n, at, "description", hasDesc)
				}
				s.Scopes = append(s.Scopes, sc)
			})
		}},
	}) {
		return s
	}
	d.required(n, path, "identifier", hasID)
	d.required(n, path, "name", hasName)
	return s
}

func (d *decoder) appClient(n ast.Node, path string) AppClient {
	var c AppClient
	d.mapping(n, path, []field{
		{"clientId", func(n ast.Node, at string) { d.str(n, at, &c.ClientID) }},
		{"clientName", func(n ast.Node, at string) { d.str(n, at, &c.ClientName) }},
		{"scopes", func(n ast.Node, at string) {
			d.sequence(n, at, func(n ast.Node, at string) {
				var s string
				d.str(n, at, &s)
				c.Scopes = append(c.Scopes, s)
			})
		}},
	})
	return c
}

// required reports a missing key. (Parse then drops what File.Check
// says of the empty value left in its place.)
func (d *decoder) required(n ast.Node, path, key string, present bool) {
	if !present {
		d.add(n, join(path, key), rserrors.RuleRequired, "the key "+strconv.Quote(key)+" is required", "")
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func indexField(fields []field, key string) int {
	for i, f := range fields {
		if f.key == key {
			return i
		}
	}
	return -1
}

func keysOf(fields []field) string {
	keys := make([]string, len(fields))
	for i, f := range fields {
		keys[i] = f.key
	}
	return strings.Join(keys, ", ")
}

// nodeText returns a short text of n for a message.
func nodeText(n ast.Node) string {
	if n == nil {
		return ""
	}
	return rserrors.Shorten(n.String())
}
