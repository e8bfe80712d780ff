// Package cpv holds the official CPV 2008 catalogue (Common Procurement
// Vocabulary, 9,454 codes) with English and Spanish labels, and helpers to
// normalise, validate and compare CPV codes.
//
// A CPV code has 8 digits and, in official documents, a check digit after a
// dash: "72000000-5". This package always works with the 8-digit form. The
// hierarchy is by prefix: division (2 digits), group (3), class (4) and
// category (5); the last 3 digits refine a category further. Trailing zeros
// mean "this level is not used": 72000000 is a division, 72260000 a class.
//
// The official hierarchy stops at the category level: the last 3 digits refine
// a category but do not form reliable sub-levels (30192100 is "Erasers",
// 30192121 "Ballpoint pens"), so Code.Parent of such codes is the category.
//
// The check digit is never recomputed from a formula: the catalogue's own check
// digit is the only reliable source. Catalog.Validate refuses an input check
// digit that differs from the catalogue's; Normalize and Lookup ignore it.
//
// A nil *Catalog is valid and works in "format-only" mode: Validate only checks
// the format, Lookup finds nothing and Search returns nil. Services use this
// mode when the data files are missing.
package cpv

import (
	"errors"
	"fmt"
	"strings"
)

// ErrFormat is returned (wrapped) when a string is not a CPV code in the form
// "72000000" or "72000000-5".
var ErrFormat = errors.New("cpv: invalid code format")

// ErrUnknown is returned (wrapped) when a well-formed code is not in the CPV
// 2008 catalogue.
var ErrUnknown = errors.New("cpv: unknown code")

// ErrCheckDigit is returned (wrapped) when a code of the catalogue is given
// with a check digit other than the catalogue's ("72212000-9" for 72212000-4).
var ErrCheckDigit = errors.New("cpv: wrong check digit")

// Type is the kind of contract a CPV code describes, as given in the catalogue.
type Type int

// The CPV code types. The numbers are those of the source data.
const (
	// TypeSupplies marks goods (supplies), for example 30200000 computer equipment.
	TypeSupplies Type = 1
	// TypeWorks marks construction works (division 45).
	TypeWorks Type = 2
	// TypeServices marks services, for example 72000000 IT services.
	TypeServices Type = 3
)

// String returns "supplies", "works" or "services".
func (t Type) String() string {
	switch t {
	case TypeSupplies:
		return "supplies"
	case TypeWorks:
		return "works"
	case TypeServices:
		return "services"
	default:
		return fmt.Sprintf("Type(%d)", int(t))
	}
}

// Code is one entry of the CPV 2008 catalogue.
type Code struct {
	// ID is the 8-digit code, for example "72000000".
	ID string
	// CheckDigit is the official check digit, for example "5".
	CheckDigit string
	// Parent is the 8-digit code of the parent entry as given by the source
	// file, or "" for a division. Below the category level (5 digits) the
	// parent is always the category: 30192121 "Ballpoint pens" has parent
	// 30192000, not 30192100 "Erasers" (see Significant).
	Parent string
	// Type says whether the code is for supplies, works or services.
	Type Type
	// NameEN is the English label.
	NameEN string
	// NameES is the Spanish label.
	NameES string
}

// Full returns the code with its check digit, for example "72000000-5".
func (c Code) Full() string {
	return c.ID + "-" + c.CheckDigit
}

// Normalize returns the 8-digit form of a CPV code. It accepts "72000000",
// "72000000-5" and the same with surrounding spaces. It checks the format only:
// the check digit, when given, is dropped without being verified. Any other
// input gives an error wrapping ErrFormat.
func Normalize(s string) (string, error) {
	t := strings.TrimSpace(s)
	digits := t
	if len(t) == 10 && t[8] == '-' && isDigit(t[9]) {
		digits = t[:8]
	}
	if len(digits) != 8 || !allDigits(digits) {
		return "", fmt.Errorf("%w: %q: want 8 digits with an optional check digit, like 72000000 or 72000000-5", ErrFormat, s)
	}
	return digits, nil
}

// SharePrefix reports whether a and b are well-formed CPV codes with the same
// first n digits. n is clamped to the range 0..8; with n == 0 any two
// well-formed codes share the prefix. Malformed codes never share a prefix.
func SharePrefix(a, b string, n int) bool {
	x, err := Normalize(a)
	if err != nil {
		return false
	}
	y, err := Normalize(b)
	if err != nil {
		return false
	}
	n = max(0, min(n, 8))
	return x[:n] == y[:n]
}

// Division returns the first 2 digits of a CPV code (its division, for example
// "72" for IT services), or "" if the code is malformed.
func Division(code string) string {
	c, err := Normalize(code)
	if err != nil {
		return ""
	}
	return c[:2]
}

// Significant returns the digits of a CPV code that place it in the hierarchy:
// the code without the trailing zeros that mean "level not used", but never
// shorter than the 2-digit division. For example Significant("72000000") is
// "72", Significant("72260000") is "7226" and Significant("48820000") is
// "4882". It returns "" if the code is malformed.
//
// Down to the category level (5 digits), a code c lies in the subtree of a code
// a exactly when c starts with Significant(a). Below it the prefix is not a
// reliable hierarchy: the last 3 digits only add "precision within the
// category", so 30192121 "Ballpoint pens" starts with Significant("30192100")
// = "301921" although 30192100 is "Erasers".
func Significant(code string) string {
	c, err := Normalize(code)
	if err != nil {
		return ""
	}
	s := strings.TrimRight(c, "0")
	if len(s) < 2 {
		return c[:2]
	}
	return s
}

func isDigit(b byte) bool {
	return b >= '0' && b <= '9'
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}
