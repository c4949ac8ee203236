package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/scopekeeper/scopekeeper/internal/awsenv"
	"github.com/scopekeeper/scopekeeper/reconcile"
)

// validation is the JSON of validate -o json.
type validation struct {
	File            string        `json:"file"`
	Valid           bool          `json:"valid"`
	UserPoolID      string        `json:"userPoolId,omitempty"`
	ResourceServers int           `json:"resourceServers"`
	Scopes          int           `json:"scopes"`
	AppClients      int           `json:"appClients"`
	Problems        []problemJSON `json:"problems"`
}

// problemJSON is a reconcile.Problem in JSON.
type problemJSON struct {
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
	Path   string `json:"path,omitempty"`
	Rule   string `json:"rule"`
	Detail string `json:"detail"`
	Value  string `json:"value,omitempty"`
}

func (a *app) validateCmd() *cobra.Command {
	var file string
	c := &cobra.Command{
		Use:   "validate -f FILE",
		Short: "Check a desired-state file offline, without reading the user pool",
		Long: `validate parses the desired-state file (YAML or JSON; "-" for standard input) and
checks every entry against Cognito's rules and the file's own (unknown keys,
duplicates, quotas, the form of granted scopes), reporting every problem at once as
file:line:col. It needs no credentials and sends nothing: for a pre-commit hook or the
first step of CI. What only the pool can tell (an app client name that matches none,
a granted scope defined neither in the file nor in the pool) is checked by plan.`,
		Example: `  scopekeeper validate -f scopes.yaml
  scopekeeper validate -f scopes.yaml -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			name := file
			if name == "-" {
				name = "<stdin>"
			}
			f, err := a.readFile(file)
			var fe *reconcile.FileError
			if err != nil && !errors.As(err, &fe) {
				return err
			}
			v := validation{File: name, Valid: err == nil, Problems: []problemJSON{}}
			if fe != nil {
				for _, p := range fe.Problems {
					v.Problems = append(v.Problems, problemJSON{p.Line, p.Column, p.Path, string(p.Rule), p.Detail, p.Value})
				}
			} else {
				v.UserPoolID, v.ResourceServers, v.AppClients = f.UserPoolID, len(f.ResourceServers), len(f.AppClients)
				for _, s := range f.ResourceServers {
					v.Scopes += len(s.Scopes)
				}
			}
			switch {
			case a.json():
				if werr := a.writeJSON(v); werr != nil {
					return werr
				}
				if err != nil {
					return &exitCodeError{code: exitError}
				}
				return nil
			case err != nil:
				return err
			}
			pool := "no userPoolId: the pool comes from --pool or " + awsenv.EnvPoolID
			if v.UserPoolID != "" {
				pool = "user pool " + v.UserPoolID
			}
			_, err = fmt.Fprintf(a.stdout, "%s is valid: %d resource server(s), %d scope(s), %d app client(s); %s.\n",
				name, v.ResourceServers, v.Scopes, v.AppClients, pool)
			return err
		},
	}
	c.Flags().StringVarP(&file, "file", "f", "", "desired-state file, YAML or JSON (\"-\" for standard input)")
	_ = c.MarkFlagRequired("file")
	return c
}
