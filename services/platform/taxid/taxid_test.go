package taxid

import (
	"errors"
	"strings"
	"testing"
)

// Examples computed by hand from the algorithms.
//
// NIF: 12345678 = 23*536768 + 14, letter 14 of TRWAGMYFPDXBNJZSQVHLCKE is Z.
//
//	00000000 mod 23 = 0 gives T.
//
// NIE: X, Y, Z stand for 0, 1, 2.
//
//	X1234567: 01234567 = 23*53676 + 19 gives L.
//	Y1234567: 11234567 = 23*488459 + 10 gives X.
//	Z1234567: 21234567 = 23*923242 + 1 gives R.
//
// CIF: for the 7 digits 1234567, positions 1,3,5,7 (1,3,5,7) doubled are
// 2,6,10,14 whose digits add to 2+6+1+5 = 14; positions 2,4,6 add 2+4+6 = 12;
// the sum is 26, so the control is (10-6)%10 = 4, or letter 4 of JABCDEFGHI,
// D: B12345674, P1234567D.
//
//	0000000: sum 0, control 0 or J: A00000000, Q0000000J.
//	5000000: 5*2=10 gives 1; control 9 or I: B50000009, S5000000I.
func TestValidateComputed(t *testing.T) {
	tests := []struct {
		in   string
		want string
		kind Kind
	}{
		{in: "12345678Z", want: "12345678Z", kind: NIF},
		{in: "00000000T", want: "00000000T", kind: NIF},
		{in: "12345678z", want: "12345678Z", kind: NIF},
		{in: "12.345.678-Z", want: "12345678Z", kind: NIF},
		{in: " 12345678 Z ", want: "12345678Z", kind: NIF},
		{in: "ES12345678Z", want: "12345678Z", kind: NIF},
		{in: "X1234567L", want: "X1234567L", kind: NIE},
		{in: "Y1234567X", want: "Y1234567X", kind: NIE},
		{in: "Z1234567R", want: "Z1234567R", kind: NIE},
		{in: "x-1234567-l", want: "X1234567L", kind: NIE},
		{in: "B12345674", want: "B12345674", kind: CIF},
		{in: "P1234567D", want: "P1234567D", kind: CIF},
		{in: "A00000000", want: "A00000000", kind: CIF},
		{in: "Q0000000J", want: "Q0000000J", kind: CIF},
		{in: "B50000009", want: "B50000009", kind: CIF},
		{in: "S5000000I", want: "S5000000I", kind: CIF},
		// C, D, F, G, J, U, V accept both forms.
		{in: "G12345674", want: "G12345674", kind: CIF},
		{in: "G1234567D", want: "G1234567D", kind: CIF},
		{in: "U1234567D", want: "U1234567D", kind: CIF},
		{in: "V12345674", want: "V12345674", kind: CIF},
		{in: "ESB12345674", want: "B12345674", kind: CIF},
		{in: "es b-1234567-4", want: "B12345674", kind: CIF},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Validate(tt.in)
			if err != nil {
				t.Fatalf("Validate(%q) error: %v", tt.in, err)
			}
			if got.Value != tt.want || got.Kind != tt.kind {
				t.Errorf("Validate(%q) = %+v, want %s %s", tt.in, got, tt.kind, tt.want)
			}
			if got.String() != tt.want {
				t.Errorf("String() = %q, want %q", got.String(), tt.want)
			}
		})
	}
}

// Identifiers of contracting authorities ("NIF OC") and winners
// ("Identificador Adjudicatario") in placsp/datos_sind_643.xlsx, written as
// they appear there. Of the 1,520 distinct authority identifiers, 1,513 are
// valid (one of them a personal NIF); of the 3,136 distinct winner
// identifiers, 3,053 are valid, 3 fail the control check and 80 are not Spanish
// identifiers (foreign VAT numbers, UTE reference numbers, masked NIFs). The
// failures are in TestValidateRealInvalid.
func TestValidateReal(t *testing.T) {
	tests := []struct {
		in   string
		want string
		kind Kind
		who  string
	}{
		// Contracting authorities in Cantabria.
		// Q3900738J: odd positions 3,0,7,8 doubled give 6+0+(1+4)+(1+6) = 18,
		// even positions 9+0+3 = 12, sum 30, control 0 = J.
		{in: "Q3900738J", want: "Q3900738J", kind: CIF, who: "Servicio Cántabro de Salud"},
		// P3908700B: 6+0+(1+4)+0 = 11 and 9+8+0 = 17, sum 28, control 2 = B.
		{in: "P3908700B", want: "P3908700B", kind: CIF, who: "Ayuntamiento de Torrelavega"},
		{in: "S3933002B", want: "S3933002B", kind: CIF, who: "Consejería de Presidencia, Interior, Justicia y Acción Exterior (Gobierno de Cantabria)"},
		{in: "P3900554A", want: "P3900554A", kind: CIF, who: "Instituto Municipal de Deportes, Ayuntamiento de Santander"},
		{in: "P3902000C", want: "P3902000C", kind: CIF, who: "Ayuntamiento de Castro-Urdiales"},
		{in: "P3905200F", want: "P3905200F", kind: CIF, who: "Ayuntamiento de Piélagos"},
		{in: "P3900800H", want: "P3900800H", kind: CIF, who: "Ayuntamiento de Astillero"},
		{in: "A39289632", want: "A39289632", kind: CIF, who: "Medio Ambiente, Agua, Residuos y Energía de Cantabria, S.A. (MARE)"},
		{in: "A39356803", want: "A39356803", kind: CIF, who: "Aguas de Torrelavega"},
		{in: "Q3918001C", want: "Q3918001C", kind: CIF, who: "Universidad de Cantabria"},
		{in: "Q3900824H", want: "Q3900824H", kind: CIF, who: "Consorcio de la Zona Franca de Santander"},
		// Other contracting authorities.
		{in: "V36611580", want: "V36611580", kind: CIF, who: "Consorcio de la Zona Franca de Vigo"},
		{in: "G81939217", want: "G81939217", kind: CIF, who: "IBERMUTUA"},
		{in: "s2812001B", want: "S2812001B", kind: CIF, who: "authority written in lower case"},
		// Winners of Cantabrian tenders.
		// B39493978: 6+8+6+(1+4) = 25 and 9+9+9 = 27, sum 52, control 8.
		{in: "B39493978", want: "B39493978", kind: CIF, who: "Rucecan, S.L."},
		{in: "B39448147", want: "B39448147", kind: CIF, who: "Archivos Cantabria S.L."},
		{in: "A39024179", want: "A39024179", kind: CIF, who: "Vidroplast Puente, S.A."},
		{in: "J39633425", want: "J39633425", kind: CIF, who: "Fisioterapia Morán S.C.P."},
		{in: "G39565387", want: "G39565387", kind: CIF, who: "Asociación Nanda Gram"},
		{in: "a82733262", want: "A82733262", kind: CIF, who: "Sistemas Informáticos Abiertos SA"},
		// Other entity letters among the winners.
		{in: "E27453448", want: "E27453448", kind: CIF, who: "Panadería Fernández de Villaoscura, C.B."},
		{in: "F20025318", want: "F20025318", kind: CIF, who: "Orona S. Coop."},
		{in: "U16683815", want: "U16683815", kind: CIF, who: "UTE TEA CEGOS TEA Ediciones y Croma"},
		{in: "N0047964B", want: "N0047964B", kind: CIF, who: "Heckler & Koch GmbH"},
		{in: "W3030098B", want: "W3030098B", kind: CIF, who: "Sony Europe B.V. Sucursal en España"},
		{in: "R7900049C", want: "R7900049C", kind: CIF, who: "Comunidad de la Clínica Santa Elena"},
		{in: "B-34233809", want: "B34233809", kind: CIF, who: "winner written with a dash"},
		{in: "B28882777 ", want: "B28882777", kind: CIF, who: "winner written with a trailing space"},
		{in: " B99245441", want: "B99245441", kind: CIF, who: "winner written with a leading space"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Validate(tt.in)
			if err != nil {
				t.Fatalf("Validate(%q) (%s) error: %v", tt.in, tt.who, err)
			}
			if got.Value != tt.want || got.Kind != tt.kind {
				t.Errorf("Validate(%q) (%s) = %+v, want %s %s", tt.in, tt.who, got, tt.kind, tt.want)
			}
		})
	}
}

// Identifiers in placsp/datos_sind_643.xlsx that are wrong in the source data.
func TestValidateRealInvalid(t *testing.T) {
	tests := []struct {
		in      string
		wantErr error
		wantMsg string
		why     string
	}{
		{in: "P0601600B", wantErr: ErrControl, wantMsg: `got "B", want "J"`,
			why: "Ayuntamiento de Badajoz (17 tenders): 0,0,6,0 doubled give 3, plus 6+1+0 = 10, control 0 = J"},
		{in: "P14000000", wantErr: ErrControl, wantMsg: `got "0", want "D"`,
			why: "Diputación Provincial de Córdoba: P1400000D with the letter written as a digit"},
		{in: "Q28780221", wantErr: ErrControl, wantMsg: `got "1", want "I"`,
			why: "Real Federación Española de Hockey: Q2878022I with the I typed as 1"},
		{in: "P4621500A", wantErr: ErrControl, wantMsg: `got "A", want "J"`,
			why: "Ayuntamiento de Favara"},
		{in: "Q9680009E", wantErr: ErrControl, wantMsg: `got "E", want "I"`,
			why: "Instituto Valenciano de Investigaciones Agrarias (IVIA)"},
		{in: "P4010100G", wantErr: ErrControl, wantMsg: `got "G", want "H"`,
			why: "Ayuntamiento de Villaverde del Río, Sevilla (province 41, not 40)"},
		{in: "A11758546", wantErr: ErrControl, wantMsg: `got "6", want "7"`,
			why: "ARCGISA, an S.A. needs a digit control"},
		{in: "66628355B", wantErr: ErrControl, wantMsg: `NIF 66628355B`,
			why: "Macleods Pharma España S.L.U.: the CIF B66628355 written letter last, which reads as a DNI"},
		{in: "L01120846", wantErr: ErrFormat, wantMsg: `"L"`,
			why: "Ayuntamiento de Onda: the DIR3 code in the NIF column"},
		{in: "B038736336", wantErr: ErrFormat, wantMsg: "9 characters",
			why: "one digit too many"},
		{in: "***7396**", wantErr: ErrFormat, wantMsg: `"*" does not start`,
			why: "natural person's NIF masked by PLACSP"},
		{in: "GB355567231", wantErr: ErrFormat, wantMsg: "9 characters",
			why: "British VAT number"},
		{in: "---------------", wantErr: ErrFormat, wantMsg: "9 characters",
			why: "placeholder"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Validate(tt.in)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Validate(%q) (%s) = %+v, %v; want error %v", tt.in, tt.why, got, err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("Validate(%q) error %q does not contain %q", tt.in, err, tt.wantMsg)
			}
		})
	}
}

func TestValidateInvalid(t *testing.T) {
	tests := []struct {
		in      string
		wantErr error
		wantMsg string
	}{
		// Control mismatches name the expected character.
		{in: "12345678A", wantErr: ErrControl, wantMsg: `NIF 12345678A: control character: got "A", want "Z"`},
		{in: "X1234567T", wantErr: ErrControl, wantMsg: `NIE X1234567T: control character: got "T", want "L"`},
		{in: "Y1234567L", wantErr: ErrControl, wantMsg: `got "L", want "X"`},
		{in: "Z1234567L", wantErr: ErrControl, wantMsg: `got "L", want "R"`},
		{in: "B12345675", wantErr: ErrControl, wantMsg: `CIF B12345675: control character: got "5", want "4"`},
		// A, B, E, H need the digit; P, Q, R, S, N, W need the letter.
		{in: "B1234567D", wantErr: ErrControl, wantMsg: `got "D", want "4"`},
		{in: "A0000000J", wantErr: ErrControl, wantMsg: `got "J", want "0"`},
		{in: "E1234567D", wantErr: ErrControl, wantMsg: `want "4"`},
		{in: "H1234567D", wantErr: ErrControl, wantMsg: `want "4"`},
		{in: "P12345674", wantErr: ErrControl, wantMsg: `got "4", want "D"`},
		{in: "Q00000000", wantErr: ErrControl, wantMsg: `got "0", want "J"`},
		{in: "R12345674", wantErr: ErrControl, wantMsg: `want "D"`},
		{in: "S12345674", wantErr: ErrControl, wantMsg: `want "D"`},
		{in: "N12345674", wantErr: ErrControl, wantMsg: `want "D"`},
		{in: "W12345674", wantErr: ErrControl, wantMsg: `want "D"`},
		// The others accept either, but it must be the right one.
		{in: "G12345675", wantErr: ErrControl, wantMsg: `got "5", want "4" or "D"`},
		{in: "J1234567E", wantErr: ErrControl, wantMsg: `got "E", want "4" or "D"`},
		{in: "B1234567Z", wantErr: ErrControl, wantMsg: `want "4"`},
		// Shape errors.
		{in: "", wantErr: ErrFormat, wantMsg: "9 characters"},
		{in: "1234567Z", wantErr: ErrFormat, wantMsg: "9 characters"},
		{in: "123456789Z", wantErr: ErrFormat, wantMsg: "9 characters"},
		{in: "123456789", wantErr: ErrFormat, wantMsg: "8 digits and a letter"},
		{in: "1234567AZ", wantErr: ErrFormat, wantMsg: "8 digits and a letter"},
		{in: "X12345678", wantErr: ErrFormat, wantMsg: "X, Y or Z, 7 digits and a letter"},
		{in: "XA234567L", wantErr: ErrFormat, wantMsg: "X, Y or Z, 7 digits and a letter"},
		{in: "B1234567-", wantErr: ErrFormat, wantMsg: "9 characters"},
		{in: "B123456X4", wantErr: ErrFormat, wantMsg: "entity letter, 7 digits"},
		{in: "B1234567*", wantErr: ErrFormat, wantMsg: "entity letter, 7 digits"},
		{in: "I12345674", wantErr: ErrFormat, wantMsg: `"I" does not start`},
		{in: "K1234567L", wantErr: ErrFormat, wantMsg: `"K" does not start`},
		{in: "ÑB1234567", wantErr: ErrFormat, wantMsg: "9 characters"},
		{in: "ESES1234567", wantErr: ErrFormat, wantMsg: "entity letter, 7 digits"},
		{in: "FR12345678Z", wantErr: ErrFormat, wantMsg: "9 characters"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Validate(tt.in)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Validate(%q) = %+v, %v; want error %v", tt.in, got, err, tt.wantErr)
			}
			if other := otherSentinel(tt.wantErr); errors.Is(err, other) {
				t.Errorf("Validate(%q) error %v matches both sentinels", tt.in, err)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("Validate(%q) error %q does not contain %q", tt.in, err, tt.wantMsg)
			}
			if got != (ID{}) {
				t.Errorf("Validate(%q) returned %+v with the error, want zero ID", tt.in, got)
			}
		})
	}
}

func otherSentinel(err error) error {
	if err == ErrFormat {
		return ErrControl
	}
	return ErrFormat
}

// Every wrong control character is rejected: for each identifier exactly one
// character in the control position is accepted (two for the entity letters
// that allow both forms).
func TestExactlyOneControl(t *testing.T) {
	tests := []struct {
		body     string
		accepted int
	}{
		{body: "12345678", accepted: 1},
		{body: "39493978", accepted: 1},
		{body: "X1234567", accepted: 1},
		{body: "Z7654321", accepted: 1},
		{body: "B3949397", accepted: 1},
		{body: "Q3900738", accepted: 1},
		{body: "G3956538", accepted: 2},
	}
	const candidates = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	for _, tt := range tests {
		var ok []string
		for _, c := range candidates {
			if _, err := Validate(tt.body + string(c)); err == nil {
				ok = append(ok, string(c))
			}
		}
		if len(ok) != tt.accepted {
			t.Errorf("%s: accepted controls %v, want %d", tt.body, ok, tt.accepted)
		}
	}
}

func TestKindString(t *testing.T) {
	tests := []struct {
		k    Kind
		want string
	}{
		{NIF, "NIF"},
		{NIE, "NIE"},
		{CIF, "CIF"},
		{Kind(0), "Kind(0)"},
	}
	for _, tt := range tests {
		if got := tt.k.String(); got != tt.want {
			t.Errorf("Kind(%d).String() = %q, want %q", int(tt.k), got, tt.want)
		}
	}
}
