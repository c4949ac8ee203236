package main

import (
	"strings"
	"testing"
	"testing/synctest"
)

// TestHostileFiles: a file that would alter bytes, explode or hide its
// problems is refused in one run, with a bounded message, and nothing is
// written.
func TestHostileFiles(t *testing.T) {
	t.Parallel()
	var bomb strings.Builder
	bomb.WriteString("userPoolId: " + pool + "\nresourceServers:\n  - &s\n    identifier: a\n    name: a\n    scopes:\n      - &c {name: r, description: d}\n")
	bomb.WriteString(strings.Repeat("      - *c\n", 400) + strings.Repeat("  - *s\n", 400))
	latin1 := strings.Replace(ordersFile, "Read orders", "Caf\xe9 orders", 1)
	for _, tc := range []struct {
		name   string
		stdin  string
		args   []string
		code   int
		stderr []string
	}{
		{"alias bomb", bomb.String(), []string{"plan", "-f", "-"}, 1,
			[]string{"<stdin>:8:9: resourceServers[0].scopes[1]: alias: ", "... and 701 more"}},
		{"invalid UTF-8, apply", latin1, []string{"apply", "-f", "-", "--auto-approve"}, 1,
			[]string{"<stdin>:7:25: utf8: "}},
		{"too large", strings.Repeat("#\n", 1<<20), []string{"plan", "-f", "-"}, 1,
			[]string{"<stdin>: limit: "}},
		{"byte-order mark, YAML", "\ufeff" + ordersFile, []string{"plan", "-f", "-"}, 0, nil},
		{"byte-order mark, JSON", "\ufeff" + `{"userPoolId": "` + pool + `", "resourceServers": []}`, []string{"plan", "-f", "-"}, 0, nil},
		{"every problem in one run", ordersFile + "    colour: blue\nappClients:\n  - clientName: nobody\n    scopes: [https://nowhere.example.com/x]\n", []string{"plan", "-f", "-"}, 1,
			[]string{"reconcile: <stdin>: 3 problems\n  <stdin>:10:5: resourceServers[0].colour: unknown field: ",
				"\n  <stdin>:12:17: appClients[0].clientName: unknown app client: ",
				"\n  <stdin>:13:14: appClients[0].scopes[0]: undefined scope: "}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				c := newCLI(t)
				code, _, errOut := c.run(tc.stdin, tc.args...)
				if code != tc.code {
					t.Errorf("run(%q) = %d, want %d; stderr:\n%s", tc.args, code, tc.code, errOut)
				}
				if len(errOut) > 64<<10 {
					t.Errorf("run(%q) wrote %d bytes to stderr, want a bounded message", tc.args, len(errOut))
				}
				for _, s := range tc.stderr {
					if !strings.Contains(errOut, s) {
						t.Errorf("run(%q) stderr = %q, want it to hold %q", tc.args, errOut, s)
					}
				}
				if tc.code != 0 {
					if rs := c.srv.ResourceServers(pool); len(rs) != 0 {
						t.Errorf("run(%q) wrote %v, want nothing written", tc.args, rs)
					}
				}
			})
		})
	}
}
