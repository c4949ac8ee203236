package reconcile

import (
	"bytes"
	"strconv"
	"unicode/utf8"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
)

// Limits of a file, checked by [Parse] before the YAML parser sees a byte.
// The YAML parser allocates about 100 bytes per byte of text and about
// 1 KB per token, and its cost grows with the square of the nesting depth;
// these bounds keep any file within about 50 MB and well under a second
// (BenchmarkParseHostile and TestParseMemory measure the worst shapes).
// The largest file Cognito's quotas allow at the default of 25 resource
// servers (100 scopes each) fits with room to spare.
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
	// MaxProblems is how many problems a *[FileError] lists; it counts
	// the rest in FileError.More.
	MaxProblems = 100
)

// RuleLimit: the file exceeds MaxFileSize, MaxTokens or MaxDepth.
const RuleLimit rserrors.Rule = "limit"

// bom is the UTF-8 encoding of U+FEFF, which some editors write at the
// start of a file.
var bom = []byte("\ufeff")

// screen checks data before it is parsed and returns it without a leading
// byte-order mark. It refuses, with the position of each, invalid UTF-8
// (the parser would replace it with U+FFFD, altering the value) and a
// file beyond the limits. It allocates nothing but the problems.
func screen(name string, data []byte) ([]byte, []*Problem) {
	if len(data) > MaxFileSize {
		return nil, []*Problem{{File: name, Rule: RuleLimit,
			Detail: "the file has " + strconv.Itoa(len(data)) + " bytes; the limit is " + strconv.Itoa(MaxFileSize)}}
	}
	data = bytes.TrimPrefix(data, bom)
	var probs []*Problem
	line, col := 1, 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			probs = append(probs, &Problem{File: name, Line: line, Column: col, Rule: rserrors.RuleUTF8,
				Detail: "the file must be UTF-8: byte 0x" + strconv.FormatUint(uint64(data[i]), 16) + " at offset " + strconv.Itoa(i) + " is not (nothing is altered: fix the encoding)"})
			if len(probs) > MaxProblems {
				break // Parse reports the first MaxProblems and "more"
			}
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		i += size
	}
	if len(probs) > 0 {
		return nil, probs
	}
	if tokens, depth, at := shape(data); tokens > MaxTokens {
		return nil, []*Problem{{File: name, Rule: RuleLimit,
			Detail: "the file has more than " + strconv.Itoa(MaxTokens) + " YAML tokens (keys, values and indicators)"}}
	} else if depth > MaxDepth {
		p := &Problem{File: name, Rule: RuleLimit, Detail: "collections nest deeper than " + strconv.Itoa(MaxDepth) + " levels"}
		p.Line, p.Column = lineCol(data, at)
		return nil, []*Problem{p}
	}
	return data, nil
}

// shape estimates, from the text alone, how many tokens the YAML parser
// will make of data and how deep its collections nest, and returns the
// offset where the nesting first exceeds MaxDepth. It errs on the high
// side: an indicator inside a quoted string counts too.
func shape(data []byte) (tokens, depth, at int) {
	var indents []int // indentation of the enclosing block collections
	flow := 0         // depth of [ and { at this point
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
		if len(body) > 0 && body[0] != '#' {
			tokens++
			if flow == 0 {
				for len(indents) > 0 && indents[len(indents)-1] >= indent {
					indents = indents[:len(indents)-1]
				}
				indents = append(indents, indent)
			}
			dashes := 0 // "- - x" nests a sequence in a sequence on one line
			for k := 0; k < len(line); k++ {
				c := line[k]
				next := byte(' ')
				if k+1 < len(line) {
					next = line[k+1]
				}
				switch c {
				case '[', '{':
					tokens += 2
					flow++
				case ']', '}':
					tokens += 2
					flow = max(flow-1, 0)
				case ',':
					tokens += 2
				case '-', ':', '?':
					if next == ' ' || next == '\t' || next == '\r' {
						tokens += 2
						if c == '-' && flow == 0 && k < indent+2*(dashes+1) {
							dashes++
						}
					}
				case '#', '&', '*', '!', '|', '>':
					tokens += 2
				}
				if d := len(indents) + dashes + flow; d > depth {
					depth = d
					if depth == MaxDepth+1 {
						at = start + k
					}
				}
			}
		}
		start = end + 1
	}
	return tokens, depth, at
}

// lineCol returns the line and column, both from 1 and the column in
// characters, of the byte at offset in data.
func lineCol(data []byte, offset int) (line, col int) {
	line = 1 + bytes.Count(data[:offset], []byte{'\n'})
	lineStart := bytes.LastIndexByte(data[:offset], '\n') + 1
	return line, 1 + utf8.RuneCount(data[lineStart:offset])
}
