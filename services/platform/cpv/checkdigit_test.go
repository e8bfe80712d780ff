package cpv

import (
	"errors"
	"strings"
	"testing"
)

// A code given with a check digit other than the catalogue's is refused, and
// the error names the right one (issue 10 §4: 72212000-9 was accepted and the
// digit silently dropped); without a digit, or with the right one, it passes.
func TestValidateRefusesAWrongCheckDigit(t *testing.T) {
	c := catalog(t)
	want := c.byID["72212000"].Full()
	_, err := c.Validate("72212000-9")
	if !errors.Is(err, ErrCheckDigit) || !strings.Contains(err.Error(), want) {
		t.Fatalf("Validate(72212000-9) = %v, want ErrCheckDigit naming %s", err, want)
	}
	for _, ok := range []string{"72212000", want, " " + want + " "} {
		if got, err := c.Validate(ok); err != nil || got != "72212000" {
			t.Errorf("Validate(%q) = %q, %v", ok, got, err)
		}
	}
	// Format-only mode has no catalogue to compare with: it never recomputes.
	var none *Catalog
	if got, err := none.Validate("72212000-9"); err != nil || got != "72212000" {
		t.Errorf("nil catalogue: %q, %v", got, err)
	}
	// The official list is the authority even where the usual formula disagrees.
	for id, code := range c.byID {
		if _, err := c.Validate(code.Full()); err != nil {
			t.Fatalf("the catalogue's own %s is refused: %v (%s)", code.Full(), err, id)
		}
	}
}
