package reconcile

import (
	"bytes"
	"strconv"
	"unicode/utf8"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
)

// Limits of a file, checked by [Parse] before the YAML parser sees a byte.
// The YAML parser (which reads JSON too) allocates up to 50 bytes per byte
// of text and about 1 KB per token, and its cost grows with the square of
// the nesting depth, of the keys of a block mapping and of the documents.
// These bounds keep the parsing of any file under 50 MB and well under a
// second (TestParseMemory and BenchmarkParseHostile measure the worst
// shapes). A pool at Cognito's default quota, 25 resource servers of 100
// scopes, fits when its scopes average under about 60 bytes of name and
// description; the 20,000 scopes of a 1 MiB file do not.
const (
	// MaxFileSize is the largest file Parse reads, in bytes.
	MaxFileSize = 256 << 10
	// MaxTokens bounds the YAML tokens of a file (keys, values and
	// indicators such as "-", ":", "[", ","), as counted by a scan of the
	// text before it is parsed.
	MaxTokens = 32 << 10
	// MaxDepth bounds the nesting of collections, counted the same way;
	// the schema needs 5.
	MaxDepth = 32
	// MaxKeys bounds the keys of one block mapping, and the document
	// markers, counted the same way: the parser's cost grows with the
	// square of either. The schema's mappings have at most 4 keys.
	MaxKeys = 100
	// MaxProblems is how many problems a *[FileError] lists; it counts
	// the rest in FileError.More.
	MaxProblems = 100
)

// RuleLimit: the file exceeds MaxFileSize, MaxTokens, MaxDepth or
// MaxKeys.
const RuleLimit rserrors.Rule = "limit"

// bom is the UTF-8 encoding of U+FEFF, which some editors write at the
// start of a file.
var bom = []byte("\ufeff")

// screen checks data before it is parsed and returns it without a leading
// byte-order mark. It refuses, with the position of each, invalid UTF-8
// (the parser would replace it with U+FFFD, altering the value) and a
// file beyond the limits. It allocates nothing but the first MaxProblems
// problems, and counts the others in more.
func screen(name string, data []byte) (_ []byte, probs []*Problem, more int) {
	if len(data) > MaxFileSize {
		return nil, []*Problem{{File: name, Rule: RuleLimit,
			Detail: "the file is larger than the limit of " + strconv.Itoa(MaxFileSize) + " bytes"}}, 0
	}
	if bytes.HasPrefix(data, []byte{0xff, 0xfe}) || bytes.HasPrefix(data, []byte{0xfe, 0xff}) {
		// Windows PowerShell 5 writes UTF-16 by default.
		return nil, []*Problem{{File: name, Line: 1, Column: 1, Rule: rserrors.RuleUTF8,
			Detail: "the file is UTF-16 (it starts with a UTF-16 byte-order mark): save it as UTF-8"}}, 0
	}
	data = bytes.TrimPrefix(data, bom)
	line, col := 1, 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r != utf8.RuneError || size > 1:
		case len(probs) == MaxProblems:
			more++
		default:
			probs = append(probs, &Problem{File: name, Line: line, Column: col, Rule: rserrors.RuleUTF8,
				Detail: "the file must be UTF-8: byte 0x" + strconv.FormatUint(uint64(data[i]), 16) + " at offset " + strconv.Itoa(i) + " is not (nothing is altered: fix the encoding)"})
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		i += size
	}
	if len(probs) > 0 {
		return nil, probs, more
	}
	e := shape(data)
	var p *Problem
	switch {
	case e.tokens > MaxTokens:
		return nil, []*Problem{{File: name, Rule: RuleLimit,
			Detail: "the file has more than " + strconv.Itoa(MaxTokens) + " YAML tokens (keys, values and indicators)"}}, 0
	case e.depth > MaxDepth:
		p = &Problem{File: name, Rule: RuleLimit, Detail: "collections nest deeper than " + strconv.Itoa(MaxDepth) + " levels"}
		p.Line, p.Column = lineCol(data, e.depthAt)
	case e.docs > MaxKeys:
		p = &Problem{File: name, Rule: RuleLimit, Detail: "the file has more than " + strconv.Itoa(MaxKeys) + " document markers (--- or ...)"}
		p.Line, p.Column = lineCol(data, e.docsAt)
	case e.keys > MaxKeys:
		p = &Problem{File: name, Rule: RuleLimit, Detail: "a mapping has more than " + strconv.Itoa(MaxKeys) + " keys"}
		p.Line, p.Column = lineCol(data, e.keysAt)
	default:
		return data, nil, 0
	}
	return nil, []*Problem{p}, 0
}

// estimate is what shape finds of a text.
type estimate struct {
	tokens  int // the YAML tokens
	depth   int // the deepest nesting of collections
	depthAt int // the offset where the nesting first exceeds MaxDepth
	keys    int // the most keys of one block mapping
	keysAt  int // the offset of the key that first exceeds MaxKeys
	docs    int // the document markers, "---" and "..."
	docsAt  int // the offset of the marker that first exceeds MaxKeys
}

// level is a block collection that encloses a line: the column of its
// entries and how many keys it has had.
type level struct{ indent, keys int }

// shape estimates, from the text alone, how many tokens the YAML parser
// will make of data, how deep its collections nest and how many keys a
// block mapping has. It errs on the high side: an indicator inside a
// quoted string counts too.
func shape(data []byte) estimate {
	var e estimate
	var levels []level // the block collections enclosing this line
	flow := 0          // depth of [ and { at this point
	for start := 0; start < len(data); {
		end := bytes.IndexByte(data[start:], '\n')
		if end < 0 {
			end = len(data)
		} else {
			end += start
		}
		line := data[start:end]
		indent := 0
		for indent < len(line) && line[indent] == ' ' {
			indent++
		}
		body := bytes.TrimSpace(line)
		if len(body) == 0 {
			start = end + 1
			continue
		}
		e.tokens++
		if body[0] == '#' {
			start = end + 1
			continue
		}
		if bytes.HasPrefix(line, []byte("---")) || bytes.HasPrefix(line, []byte("...")) {
			if len(line) == 3 || line[3] == ' ' || line[3] == '\t' || line[3] == '\r' {
				if e.docs++; e.docs == MaxKeys+1 {
					e.docsAt = start
				}
			}
		}
		if flow == 0 {
			for len(levels) > 0 && levels[len(levels)-1].indent > indent {
				levels = levels[:len(levels)-1]
			}
			// "- - a: b" opens a collection at each "- ".
			for col := indent; ; {
				if len(levels) == 0 || levels[len(levels)-1].indent < col {
					levels = append(levels, level{indent: col})
				}
				if len(levels) > e.depth {
					e.depth = len(levels)
					if e.depth == MaxDepth+1 {
						e.depthAt = start + col
					}
				}
				rest := line[col:]
				if len(rest) > 0 && rest[0] == '-' && (len(rest) == 1 || rest[1] == ' ' || rest[1] == '\t') {
					col++
					for col < len(line) && (line[col] == ' ' || line[col] == '\t') {
						col++
					}
					if col < len(line) {
						continue
					}
					break
				}
				if isKeyLine(rest) {
					top := &levels[len(levels)-1]
					if top.keys++; top.keys > e.keys {
						e.keys = top.keys
						if e.keys == MaxKeys+1 {
							e.keysAt = start + col
						}
					}
				}
				break
			}
		}
		for k := 0; k < len(line); k++ {
			c := line[k]
			next := byte(' ')
			if k+1 < len(line) {
				next = line[k+1]
			}
			switch c {
			case '[', '{':
				e.tokens += 2
				flow++
			case ']', '}':
				e.tokens += 2
				flow = max(flow-1, 0)
			case ',':
				e.tokens += 2
			case '-', ':', '?':
				if next == ' ' || next == '\t' || next == '\r' {
					e.tokens += 2
				}
			case '#', '&', '*', '!', '|', '>':
				e.tokens += 2
			}
			if d := len(levels) + flow; d > e.depth {
				e.depth = d
				if e.depth == MaxDepth+1 {
					e.depthAt = start + k
				}
			}
		}
		start = end + 1
	}
	return e
}

// isKeyLine reports whether a line of a block collection, from its first
// character past any "- ", looks like a key of a block mapping.
func isKeyLine(rest []byte) bool {
	rest = bytes.TrimRight(rest, " \t\r")
	if len(rest) == 0 || rest[0] == '[' || rest[0] == '{' || rest[0] == '#' {
		return false
	}
	if rest[0] == '?' && (len(rest) == 1 || rest[1] == ' ' || rest[1] == '\t') {
		return true // an explicit key
	}
	return bytes.Contains(rest, []byte(": ")) || bytes.Contains(rest, []byte(":\t")) || bytes.HasSuffix(rest, []byte{':'})
}

// lineCol returns the line and column, both from 1 and the column in
// characters, of the byte at offset in data.
func lineCol(data []byte, offset int) (line, col int) {
	line = 1 + bytes.Count(data[:offset], []byte{'\n'})
	lineStart := bytes.LastIndexByte(data[:offset], '\n') + 1
	return line, 1 + utf8.RuneCount(data[lineStart:offset])
}
