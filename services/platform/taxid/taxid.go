// Package taxid validates Spanish tax identifiers: the NIF of Spanish citizens
// (the DNI number with its control letter), the NIE of foreign residents and
// the NIF of organisations (still called CIF in everyday use).
//
// Validation checks the format and the control character. It cannot tell
// whether the identifier was ever issued.
package taxid

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrFormat is returned (wrapped) when a string does not have the shape of any
// Spanish tax identifier.
var ErrFormat = errors.New("taxid: invalid format")

// ErrControl is returned (wrapped) when the shape is right but the control
// character does not match the rest of the identifier. The message gives the
// character found and the one expected.
var ErrControl = errors.New("taxid: wrong control character")

// Kind is the kind of a tax identifier.
type Kind int

// The kinds of tax identifier. The zero Kind is not a valid kind.
const (
	// NIF is the tax number of a Spanish citizen: the 8 DNI digits and a
	// control letter, for example "12345678Z".
	NIF Kind = iota + 1
	// NIE is the number of a foreign resident: X, Y or Z, 7 digits and a
	// control letter, for example "X1234567L".
	NIE
	// CIF is the tax number of an organisation: an entity letter, 7 digits and
	// a control digit or letter, for example "B39493978" or "Q3900738J".
	CIF
)

// String returns "NIF", "NIE" or "CIF".
func (k Kind) String() string {
	switch k {
	case NIF:
		return "NIF"
	case NIE:
		return "NIE"
	case CIF:
		return "CIF"
	default:
		return fmt.Sprintf("Kind(%d)", int(k))
	}
}

// ID is a validated tax identifier.
type ID struct {
	// Value is the normalised identifier: upper case, without spaces, dashes,
	// dots or "ES" VAT prefix, for example "B39493978".
	Value string
	// Kind says whether Value is a NIF, a NIE or a CIF.
	Kind Kind
}

// String returns the normalised identifier.
func (id ID) String() string {
	return id.Value
}

// dniLetters are the NIF and NIE control letters, indexed by number mod 23.
const dniLetters = "TRWAGMYFPDXBNJZSQVHLCKE"

// cifLetters are the CIF control letters, indexed by the control digit.
const cifLetters = "JABCDEFGHI"

// Entity letters of CIFs, by the form of control character they take.
const (
	// cifLetterControl: public bodies (P, Q, S), religious bodies (R),
	// foreign entities (N) and permanent establishments of non-residents (W).
	cifLetterControl = "PQRSNW"
	// cifDigitControl: public and limited companies (A, B), communities of
	// property (E) and horizontal-property communities (H).
	cifDigitControl = "ABEH"
	// cifEitherControl: the other entity letters accept either form.
	cifEitherControl = "CDFGJUV"
)

// Validate normalises s and checks that it is a valid NIF, NIE or CIF. It
// accepts lower case, spaces, dashes and dots ("b-39.493.978") and an "ES"
// VAT prefix ("ESB39493978"). It fails with an error wrapping ErrFormat if the
// shape is wrong, or ErrControl if the control character does not match.
func Validate(s string) (ID, error) {
	v := normalize(s)
	if len(v) == 11 && strings.HasPrefix(v, "ES") {
		v = v[2:]
	}
	if len(v) != 9 {
		return ID{}, fmt.Errorf("%w: %q: want 9 characters like 12345678Z (NIF), X1234567L (NIE) or B12345674 (CIF), optionally after \"ES\"", ErrFormat, s)
	}

	first := v[0]
	switch {
	case isDigit(first):
		return validateNIF(s, v)
	case strings.IndexByte("XYZ", first) >= 0:
		return validateNIE(s, v)
	case strings.IndexByte(cifLetterControl+cifDigitControl+cifEitherControl, first) >= 0:
		return validateCIF(s, v)
	default:
		return ID{}, fmt.Errorf("%w: %q: %q does not start a NIF (digit), NIE (X, Y, Z) or CIF (A-H, J, N, P-S, U-W)", ErrFormat, s, string(first))
	}
}

// validateNIF checks v, 9 characters starting with a digit. s is the input.
func validateNIF(s, v string) (ID, error) {
	if !allDigits(v[:8]) || !isUpper(v[8]) {
		return ID{}, fmt.Errorf("%w: %q: a NIF is 8 digits and a letter", ErrFormat, s)
	}
	want := dniLetters[mod23(v[:8])]
	if v[8] != want {
		return ID{}, controlError(NIF, v, string(want))
	}
	return ID{Value: v, Kind: NIF}, nil
}

// validateNIE checks v, 9 characters starting with X, Y or Z. s is the input.
// The letter stands for the digit 0, 1 or 2 in the control calculation.
func validateNIE(s, v string) (ID, error) {
	if !allDigits(v[1:8]) || !isUpper(v[8]) {
		return ID{}, fmt.Errorf("%w: %q: a NIE is X, Y or Z, 7 digits and a letter", ErrFormat, s)
	}
	prefix := string(rune('0' + strings.IndexByte("XYZ", v[0])))
	want := dniLetters[mod23(prefix+v[1:8])]
	if v[8] != want {
		return ID{}, controlError(NIE, v, string(want))
	}
	return ID{Value: v, Kind: NIE}, nil
}

// validateCIF checks v, 9 characters starting with an entity letter. s is the
// input.
func validateCIF(s, v string) (ID, error) {
	control := v[8]
	if !allDigits(v[1:8]) || !(isDigit(control) || isUpper(control)) {
		return ID{}, fmt.Errorf("%w: %q: a CIF is an entity letter, 7 digits and a control digit or letter", ErrFormat, s)
	}

	digit := cifControlDigit(v[1:8])
	wantDigit := string(rune('0' + digit))
	wantLetter := string(cifLetters[digit])
	got := string(control)

	entity := v[0]
	switch {
	case strings.IndexByte(cifLetterControl, entity) >= 0:
		if got != wantLetter {
			return ID{}, controlError(CIF, v, wantLetter)
		}
	case strings.IndexByte(cifDigitControl, entity) >= 0:
		if got != wantDigit {
			return ID{}, controlError(CIF, v, wantDigit)
		}
	default:
		if got != wantDigit && got != wantLetter {
			return ID{}, controlError(CIF, v, wantDigit, wantLetter)
		}
	}
	return ID{Value: v, Kind: CIF}, nil
}

// cifControlDigit computes the CIF control digit of 7 digits: the digits at
// even positions (2nd, 4th, 6th) are added; those at odd positions (1st, 3rd,
// 5th, 7th) are doubled and the digits of the product added; the control is
// (10 - sum%10) % 10.
func cifControlDigit(digits string) int {
	sum := 0
	for i := 0; i < len(digits); i++ {
		d := int(digits[i] - '0')
		if i%2 == 0 {
			d *= 2
			d = d/10 + d%10
		}
		sum += d
	}
	return (10 - sum%10) % 10
}

// controlError builds the ErrControl error for identifier v of kind k, whose
// control character should be one of want.
func controlError(k Kind, v string, want ...string) error {
	quoted := make([]string, len(want))
	for i, w := range want {
		quoted[i] = strconv.Quote(w)
	}
	return fmt.Errorf("%w: %s %s: control character: got %q, want %s", ErrControl, k, v, v[8:], strings.Join(quoted, " or "))
}

// mod23 returns the decimal number in digits modulo 23.
func mod23(digits string) int {
	r := 0
	for i := 0; i < len(digits); i++ {
		r = (r*10 + int(digits[i]-'0')) % 23
	}
	return r
}

// normalize upper-cases s and removes white space, dashes and dots.
func normalize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range strings.ToUpper(s) {
		switch r {
		case ' ', '\t', '\n', '\r', '\u00a0', '-', '.':
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isDigit(b byte) bool {
	return b >= '0' && b <= '9'
}

func isUpper(b byte) bool {
	return b >= 'A' && b <= 'Z'
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}
