package main

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/scopekeeper/scopekeeper/reconcile"
)

// writeMarkdown writes p for a pull-request comment: a heading with the
// counts, what apply will refuse unless allowed (by allowed), and the
// text plan in a fenced diff block, so that a code host colors "+" and
// "-" lines. The fence is longer than any run of backticks in the plan,
// so a scope description cannot end it.
func writeMarkdown(w io.Writer, p *reconcile.Plan, allowed reconcile.ApplyOptions) error {
	bw := bufio.NewWriter(w)
	add, change, destroy := p.Counts()
	fmt.Fprintf(bw, "### scopekeeper plan for user pool `%s`\n\n", p.UserPoolID)
	if !p.HasChanges() {
		fmt.Fprintf(bw, "**No changes.** The user pool matches the file.\n")
		return bw.Flush()
	}
	fmt.Fprintf(bw, "**Plan: %d to add, %d to change, %d to destroy.**\n\n", add, change, destroy)
	if err := p.Allowed(allowed); err != nil {
		fmt.Fprintf(bw, "> [!WARNING]\n> apply refuses this plan as it stands:\n")
		if !allowed.AllowDangling {
			for _, im := range p.Dangling {
				fmt.Fprintf(bw, "> - removing `%s` leaves it inactive on %s: allow with `--allow-dangling`\n", im.Scope, refs(im.Clients))
			}
		}
		if !allowed.AllowRegrant {
			for _, im := range p.Regrants {
				fmt.Fprintf(bw, "> - adding `%s` grants it again to %s: allow with `--allow-regrant`\n", im.Scope, refs(im.Clients))
			}
		}
		bw.WriteString("\n")
	}
	text := diffMarkers(p.String())
	fence := strings.Repeat("`", max(3, longestRun(text, '`')+1))
	fmt.Fprintf(bw, "<details open><summary>Details</summary>\n\n%sdiff\n%s%s\n\n</details>\n", fence, text, fence)
	return bw.Flush()
}

// diffMarkers moves the marker of each indented "+", "-", "~" or "!" line
// of a text plan to the first column, where a diff block colors it.
func diffMarkers(text string) string {
	var b strings.Builder
	for line := range strings.Lines(text) {
		t := strings.TrimLeft(line, " ")
		if indent := len(line) - len(t); indent > 0 && len(t) > 1 && strings.IndexByte("+-~!", t[0]) >= 0 && t[1] == ' ' {
			line = t[:1] + line[:indent] + t[1:]
		}
		b.WriteString(line)
	}
	return b.String()
}

// refs lists app clients for markdown.
func refs(cs []reconcile.ClientRef) string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = "`" + c.String() + "`"
	}
	return strings.Join(out, ", ")
}

// longestRun returns the length of the longest run of c in s.
func longestRun(s string, c byte) int {
	longest, n := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			n++
			longest = max(longest, n)
		} else {
			n = 0
		}
	}
	return longest
}

// ANSI colors of the text plan.
const (
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiBold   = "\x1b[1m"
	ansiReset  = "\x1b[0m"
)

// writeColored writes the text of a plan with each line colored by its
// marker: "+" green, "-" red, "~" yellow, "!" bold red, the summary bold.
func writeColored(w io.Writer, text string) error {
	bw := bufio.NewWriter(w)
	for line := range strings.Lines(text) {
		body := strings.TrimRight(line, "\n")
		color := ""
		switch t := strings.TrimLeft(body, " "); {
		case strings.HasPrefix(t, "+ "):
			color = ansiGreen
		case strings.HasPrefix(t, "- "):
			color = ansiRed
		case strings.HasPrefix(t, "~ "):
			color = ansiYellow
		case strings.HasPrefix(t, "! "):
			color = ansiBold + ansiRed
		case strings.HasPrefix(t, "Plan: "), strings.HasPrefix(t, "No changes."):
			color = ansiBold
		}
		if color == "" || body == "" {
			bw.WriteString(line)
			continue
		}
		bw.WriteString(color + body + ansiReset + line[len(body):])
	}
	return bw.Flush()
}
