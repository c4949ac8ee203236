package reconcile

import (
	"bytes"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// hostile is a shape of file, grown by its parameter k.
type hostile struct {
	name string
	gen  func(k int) string
}

// hostileShapes are the worst shapes found for the parser: expansion,
// size, token count, nesting and line length.
var hostileShapes = []hostile{
	{"alias bomb", func(k int) string {
		var b strings.Builder
		b.WriteString("userPoolId: us-east-1_A\nresourceServers:\n  - &s\n    identifier: a\n    name: a\n    scopes:\n      - &c {name: r, description: d}\n")
		b.WriteString(strings.Repeat("      - *c\n", k))
		b.WriteString(strings.Repeat("  - *s\n", k))
		return b.String()
	}},
	{"servers", func(k int) string {
		var b strings.Builder
		b.WriteString("userPoolId: us-east-1_A\nresourceServers:\n")
		for i := range k {
			fmt.Fprintf(&b, "  - identifier: https://api%d.example.com\n    name: API %d\n    scopes:\n      - {name: read, description: Read}\n", i, i)
		}
		return b.String()
	}},
	{"servers json", func(k int) string {
		var b strings.Builder
		b.WriteString(`{"userPoolId": "us-east-1_A", "resourceServers": [`)
		for i := range k {
			if i > 0 {
				b.WriteString(",\n")
			}
			fmt.Fprintf(&b, `{"identifier": "https://api%d.example.com", "name": "API %d", "scopes": [{"name": "read", "description": "Read"}]}`, i, i)
		}
		b.WriteString("]}\n")
		return b.String()
	}},
	{"short items", func(k int) string { return "resourceServers:\n" + strings.Repeat("- x\n", k) }},
	{"unknown keys", func(k int) string {
		return "resourceServers:\n" + strings.Repeat("  - {identifier: a, name: b, scopes: [], colour: blue}\n", k)
	}},
	{"deep flow", func(k int) string { return "userPoolId: " + strings.Repeat("[", k) + strings.Repeat("]", k) + "\n" }},
	{"many items, deep", func(k int) string {
		return "userPoolId: " + strings.Repeat("[", MaxDepth-2) + strings.Repeat("a,", k) + strings.Repeat("]", MaxDepth-2) + "\n"
	}},
	{"many keys, deep", func(k int) string {
		var b strings.Builder
		for i := range MaxDepth - 1 {
			b.WriteString(strings.Repeat(" ", i) + "a:\n")
		}
		b.WriteString(strings.Repeat(strings.Repeat(" ", MaxDepth-1)+"b: c\n", k))
		return b.String()
	}},
	{"documents", func(k int) string { return strings.Repeat("---\n- x\n", k) }},
	{"complex keys", func(k int) string { return strings.Repeat("? a\n- b\n", k) }},
	{"deep block", func(k int) string { return "userPoolId:\n" + strings.Repeat("- ", k) + "x\n" }},
	{"deep indent", func(k int) string {
		var b strings.Builder
		for i := range k {
			b.WriteString(strings.Repeat(" ", i) + "a:\n")
		}
		return b.String()
	}},
	{"long plain line", func(k int) string { return "userPoolId: " + strings.Repeat("ab", k) + "\n" }},
	{"comments", func(k int) string { return "userPoolId: us-east-1_A\n" + strings.Repeat("# ab cd\n", k) }},
	{"long quoted line", func(k int) string { return `userPoolId: "` + strings.Repeat(`a\"`, k) + "\"\n" }},
	{"items and a long line", func(k int) string { // as many tokens as allowed, then text
		return "userPoolId: " + strings.Repeat("a", k) + "\nresourceServers:\n" + strings.Repeat("- x\n", MaxTokens/3-4)
	}},
	{"long descriptions", func(k int) string {
		var b strings.Builder
		b.WriteString("userPoolId: us-east-1_A\nresourceServers:\n  - identifier: a\n    name: a\n    scopes:\n")
		for i := range k {
			fmt.Fprintf(&b, "      - name: s%d\n        description: %s\n", i, strings.Repeat("word ", 50))
		}
		return b.String()
	}},
}

// cut returns the first size bytes of gen(k) for a k large enough.
func cut(gen func(int) string, size int) string {
	for k := 1; ; k *= 2 {
		if s := gen(k); len(s) >= size {
			return s[:size]
		}
	}
}

// largest returns gen(k) for about the largest k whose text passes the
// screen: k is extrapolated from gen(64) to the size and token limits,
// and approached by doubling from 64, then by halving.
func largest(gen func(int) string) string {
	ok := func(k int) bool {
		_, probs, _ := screen("", []byte(gen(k)))
		return probs == nil
	}
	size0, tokens0 := len(gen(0)), tokensOf(gen(0))
	size, tokens := len(gen(64))-size0, tokensOf(gen(64))-tokens0
	hi := 64*(MaxFileSize-size0)/max(size, 1) + 1
	if tokens > 0 {
		hi = min(hi, 64*(MaxTokens-tokens0)/tokens+1)
	}
	lo := 0 // ok(lo) or lo == 0, and !ok(hi)
	for k := 64; ; k *= 2 {
		if k >= hi {
			if ok(hi) {
				return gen(hi)
			}
			break
		}
		if !ok(k) {
			hi = k // a shape whose text grows faster than k
			break
		}
		lo = k
	}
	for hi-lo > 1 {
		if mid := (lo + hi) / 2; ok(mid) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return gen(lo)
}

func tokensOf(s string) int { return shape([]byte(s)).tokens }

// hostileFiles returns, for each shape, the largest file that the screen
// lets through to the parser and, with oneMiB, a file of 1 MiB (which
// the screen refuses by its size).
func hostileFiles(oneMiB bool) []struct{ name, text string } {
	var out []struct{ name, text string }
	for _, h := range hostileShapes {
		out = append(out, struct{ name, text string }{h.name + "/largest accepted", largest(h.gen)})
		if oneMiB {
			out = append(out, struct{ name, text string }{h.name + "/1MiB", cut(h.gen, 1<<20)})
		}
	}
	return out
}

// maxParseBytes is what parsing any file may allocate.
const maxParseBytes = 50 << 20

// TestParseMemory: every hostile file the screen lets through is parsed
// within maxParseBytes of allocation (a count that does not depend on the
// machine); so is a file of 1 MiB, which it refuses. The time is
// reported, not asserted (go test -v); BenchmarkParseHostile measures
// both for every shape.
func TestParseMemory(t *testing.T) {
	// Not parallel: the allocation is read from the process's counters.
	if testing.Short() {
		t.Skip("allocates up to 50 MB per file")
	}
	files := append(hostileFiles(false), struct{ name, text string }{"alias bomb/1MiB", cut(hostileShapes[0].gen, 1<<20)})
	for _, f := range files {
		data := []byte(f.text)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		_, err := Parse("f", data)
		elapsed := time.Since(start)
		runtime.ReadMemStats(&after)
		alloc := after.TotalAlloc - before.TotalAlloc
		refused := "parsed"
		var fe *FileError
		switch {
		case errors.As(err, &fe) && fe.Problems[0].Rule == RuleLimit:
			refused = "refused by a limit"
		case err != nil:
			refused = "parsed, has problems"
		}
		t.Logf("%-40s %8d bytes: %s, %6.1f MB allocated, %v", f.name, len(data), refused, float64(alloc)/(1<<20), elapsed.Round(time.Millisecond))
		if alloc > maxParseBytes {
			t.Errorf("Parse(%s, %d bytes) allocated %d MB, want at most %d", f.name, len(f.text), alloc>>20, maxParseBytes>>20)
		}
		if err != nil && len(err.Error()) > 64<<10 {
			t.Errorf("Parse(%s) error has %d bytes, want a bounded message", f.name, len(err.Error()))
		}
	}
}

// BenchmarkParseHostile reports the time and the allocation of parsing
// (or refusing) each hostile file: go test -run '^$' -bench ParseHostile
// -benchmem ./reconcile.
func BenchmarkParseHostile(b *testing.B) {
	for _, f := range hostileFiles(true) {
		data := []byte(f.text)
		b.Run(f.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				_, _ = Parse("f", data)
			}
		})
	}
}

// FuzzScreen: the screen never panics, lets through only valid UTF-8
// without a byte-order mark, and places each problem inside the file.
func FuzzScreen(f *testing.F) {
	for _, h := range hostileShapes {
		f.Add([]byte(h.gen(3)))
	}
	f.Add([]byte("\ufeff- - - a: b\n  ? c\n---\n\xff"))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, probs, more := screen("f", data)
		if probs == nil {
			if !utf8.Valid(out) || bytes.HasPrefix(out, bom) && !bytes.HasPrefix(data, append(bom, bom...)) {
				t.Fatalf("screen(%q) let through %q", data, out)
			}
			return
		}
		if out != nil || len(probs) > MaxProblems || more > 0 && len(probs) != MaxProblems {
			t.Fatalf("screen(%q) = %q, %d problems, %d more", data, out, len(probs), more)
		}
		lines := 1 + bytes.Count(data, []byte{'\n'})
		for _, p := range probs {
			if p.Line > lines || p.Line < 0 || p.Line > 0 && p.Column < 1 {
				t.Fatalf("screen(%q): problem %v outside the file of %d lines", data, p, lines)
			}
		}
	})
}
