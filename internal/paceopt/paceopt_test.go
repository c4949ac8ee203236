package paceopt_test

import (
	"fmt"
	"log/slog"
	"math"
	"strings"
	"testing"

	"github.com/scopekeeper/scopekeeper/internal/paceopt"
	"github.com/scopekeeper/scopekeeper/pace"
)

func options(read, update float64) paceopt.Options {
	return paceopt.Options{
		Package: "pkg",
		Default: 5,
		Rates: []paceopt.Rate{
			{Option: "ReadRate", Value: read, Categories: []pace.Category{pace.ResourceRead, pace.ClientRead}},
			{Option: "UpdateRate", Value: update, Categories: []pace.Category{pace.ClientUpdate}},
		},
	}
}

func TestPacerPanics(t *testing.T) {
	t.Parallel()
	shared, err := pace.New(pace.Config{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		o      paceopt.Options
		option string // named in the panic
	}{
		{"negative read", options(-1, 0), "Options.ReadRate"},
		{"NaN update", options(0, math.NaN()), "Options.UpdateRate"},
		{"infinite read", options(math.Inf(1), 0), "Options.ReadRate"},
		{"negative read with pacing off", func() paceopt.Options { o := options(-5, 0); o.Disable = true; return o }(), "Options.ReadRate"},
		{"Pacer and a rate", func() paceopt.Options { o := options(0, 2); o.Pacer = shared; return o }(), "Options.UpdateRate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			defer func() {
				msg := fmt.Sprint(recover())
				if !strings.HasPrefix(msg, "pkg: ") || !strings.Contains(msg, tt.option) {
					t.Errorf("Pacer panicked with %q, want a message of package pkg naming %s", msg, tt.option)
				}
			}()
			paceopt.Pacer(tt.o)
		})
	}
}

func TestPacer(t *testing.T) {
	t.Parallel()
	shared, err := pace.New(pace.Config{Ceilings: map[pace.Category]float64{pace.ResourceRead: 7}})
	if err != nil {
		t.Fatal(err)
	}
	const pool = "us-east-1_x"
	tests := []struct {
		name string
		o    paceopt.Options
		want *pace.Pacer               // when not nil, the Pacer expected
		rate map[pace.Category]float64 // else the rates expected
	}{
		{name: "default: the process's Pacer", o: options(0, 0), want: pace.Default()},
		{name: "Options.Pacer", o: func() paceopt.Options { o := options(0, 0); o.Pacer = shared; return o }(), want: shared},
		{name: "pacing off", o: func() paceopt.Options { o := options(3, 0); o.Disable = true; return o }(),
			rate: map[pace.Category]float64{pace.ResourceRead: math.Inf(1), pace.ClientUpdate: math.Inf(1)}},
		{name: "deprecated rates: a Pacer of its own", o: options(3, 0),
			rate: map[pace.Category]float64{pace.ResourceRead: 3 * 0.97, pace.ClientRead: 3 * 0.97, pace.ClientUpdate: 5 * 0.97, pace.ResourceUpdate: math.Inf(1)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := paceopt.Pacer(tt.o)
			if tt.want != nil && got != tt.want {
				t.Errorf("Pacer = %p, want %p", got, tt.want)
			}
			for c, want := range tt.rate {
				if r := got.Rate(pool, c); r != want {
					t.Errorf("Rate(%s) = %v, want %v", c, r, want)
				}
			}
		})
	}
}

// TestPacerLogger checks that a Client's Logger gets a Pacer that shares
// the limiters of the one it was given.
func TestPacerLogger(t *testing.T) {
	t.Parallel()
	shared, err := pace.New(pace.Config{})
	if err != nil {
		t.Fatal(err)
	}
	o := options(0, 0)
	o.Pacer, o.Logger = shared, slog.New(slog.DiscardHandler)
	got := paceopt.Pacer(o)
	if got == nil || got == shared {
		t.Fatalf("Pacer = %p, want a Pacer of shared.WithLogger", got)
	}
}
