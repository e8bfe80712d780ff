package intake

import (
	"errors"
	"testing"
	"time"
)

func TestNormalizeCPV(t *testing.T) {
	tests := []struct {
		in     string
		want   string
		wantOK bool
	}{
		{"72000000", "72000000", true},
		{"72000000-5", "72000000", true},
		{" 48820000 ", "48820000", true},
		{"45233130.0", "45233130", true}, // as in the OCDS sample's classification id
		{"03142500", "03142500", true},
		{"4523313", "", false},
		{"720000001", "", false},
		{"7200000A", "", false},
		{"72000000-55", "", false},
		{"72000000.5", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, ok := NormalizeCPV(tt.in)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("NormalizeCPV(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestAppendCPVDeduplicatesInOrder(t *testing.T) {
	var list []string
	for _, c := range []string{"48000000", "48820000-2", "junk", "48000000-0", "80500000"} {
		list, _ = AppendCPV(list, c)
	}
	want := []string{"48000000", "48820000", "80500000"}
	if len(list) != len(want) {
		t.Fatalf("got %v, want %v", list, want)
	}
	for i := range want {
		if list[i] != want[i] {
			t.Fatalf("got %v, want %v", list, want)
		}
	}
}

func TestNormalizeNUTS(t *testing.T) {
	tests := []struct {
		in     string
		want   string
		wantOK bool
	}{
		{"ES130 - Cantabria", "ES130", true},
		{"ES13 - Cantabria", "ES13", true},
		{"ES - España", "ES", true},
		{"es521", "ES521", true},
		{"FI1B1", "FI1B1", true},
		{"E", "", false},
		{"123", "", false},
		{"ES1234", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, ok := NormalizeNUTS(tt.in)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("NormalizeNUTS(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestParseCents(t *testing.T) {
	tests := []struct {
		in      string
		want    int64
		wantErr bool
	}{
		{"274380.17", 27438017, false},
		{"5.256434302E7", 5256434302, false}, // OpenPLACSP writes amounts from 10 million with an exponent
		{"332000.0", 33200000, false},
		{"0.29", 29, false},
		{"1.005", 101, false}, // half away from zero
		{"-1.005", -101, false},
		{"1.004", 100, false},
		{"9693759000.00", 969375900000, false},
		{"", 0, false},
		{"abc", 0, true},
		{"1e30", 0, true},
		{"NaN", 0, true},
		{"1/3", 0, true},
		{"0x10", 0, true},
		{"1e999999999", 0, true}, // must fail fast, not compute 10^999999999
		{"1e-999", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseCents(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseCents(%q) = %d, %v; want %d, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
		if err != nil && !errors.Is(err, ErrAmount) {
			t.Errorf("ParseCents(%q) error %v does not wrap ErrAmount", tt.in, err)
		}
	}
}

func TestFormatCents(t *testing.T) {
	tests := []struct {
		in   int64
		want string
	}{
		{19500000, "195000.00"},
		{5, "0.05"},
		{-150, "-1.50"},
		{0, "0.00"},
	}
	for _, tt := range tests {
		if got := FormatCents(tt.in); got != tt.want {
			t.Errorf("FormatCents(%d) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestDurationMonths(t *testing.T) {
	tests := []struct {
		value float64
		unit  string
		want  int
	}{
		{24, "DAY", 1}, // the RTVE entry of the PLACSP sample
		{90, "DAY", 3},
		{365, "DAY", 12},
		{1, "MON", 1}, // the Cádiz entry
		{60, "MONTH", 60},
		{38, "MONTH", 38},
		{2, "ANN", 24},
		{3, "YEAR", 36},
		{2, "WEEK", 1},
		{0, "DAY", 0},
		{-3, "MONTH", 0},
		{5, "FORTNIGHT", 0},
	}
	for _, tt := range tests {
		if got := DurationMonths(tt.value, tt.unit); got != tt.want {
			t.Errorf("DurationMonths(%v, %q) = %d, want %d", tt.value, tt.unit, got, tt.want)
		}
	}
}

func TestMonthsBetween(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	tests := []struct {
		start, end time.Time
		want       int
	}{
		{day(2024, 1, 1), day(2028, 12, 31), 60}, // 574413-2023's lot period
		{day(2023, 1, 1), day(2023, 5, 23), 5},
		{day(2023, 1, 15), day(2023, 2, 14), 1},
		{day(2023, 1, 15), day(2023, 2, 15), 2},
		{day(2023, 5, 1), day(2023, 4, 1), 0},
		{time.Time{}, day(2023, 4, 1), 0},
	}
	for _, tt := range tests {
		if got := MonthsBetween(tt.start, tt.end); got != tt.want {
			t.Errorf("MonthsBetween(%s, %s) = %d, want %d", tt.start.Format(time.DateOnly), tt.end.Format(time.DateOnly), got, tt.want)
		}
	}
}

func TestParseXSDDateTime(t *testing.T) {
	tests := []struct {
		date, clock string
		want        string // RFC 3339 in UTC
		wantErr     bool
	}{
		{"2025-12-22", "09:30:00", "2025-12-22T08:30:00Z", false}, // PLACSP: Madrid local time, CET
		{"2025-07-01", "09:30:00", "2025-07-01T07:30:00Z", false}, // CEST
		{"2023-05-30+03:00", "10:00:00.000+03:00", "2023-05-30T07:00:00Z", false},
		{"2023-04-28Z", "07:03:25.187719Z", "2023-04-28T07:03:25.187719Z", false},
		{"2023-11-10+02:00", "14:00:00+02:00", "2023-11-10T12:00:00Z", false},
		{"2025-12-22", "", "2025-12-22T22:59:59Z", false}, // date only: end of that day
		{"22/12/2025", "", "", true},
		{"2025-12-22", "9h30", "", true},
		{"2025-12-22+25:00", "", "", true},
	}
	for _, tt := range tests {
		got, err := ParseXSDDateTime(tt.date, tt.clock, Madrid)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseXSDDateTime(%q, %q) error = %v, want error %v", tt.date, tt.clock, err, tt.wantErr)
			continue
		}
		if err == nil && got.UTC().Format(time.RFC3339Nano) != tt.want {
			t.Errorf("ParseXSDDateTime(%q, %q) = %s, want %s", tt.date, tt.clock, got.UTC().Format(time.RFC3339Nano), tt.want)
		}
	}
}

func TestExcelSerialTime(t *testing.T) {
	tests := []struct {
		serial  float64
		want    string // wall clock in Madrid
		wantErr bool
	}{
		// "Fecha actualización" of tender 8237180 in the OpenPLACSP export,
		// which Excel displays as 03/09/2021 16:19.
		{44442.68028840278, "2021-09-03 16:19:36.918", false},
		{44433.0, "2021-08-25 00:00:00.000", false},
		{-1, "", true},
		{0, "", true},
	}
	for _, tt := range tests {
		got, err := ExcelSerialTime(tt.serial, Madrid)
		if (err != nil) != tt.wantErr {
			t.Errorf("ExcelSerialTime(%v) error = %v, want error %v", tt.serial, err, tt.wantErr)
			continue
		}
		if err == nil && got.Format("2006-01-02 15:04:05.000") != tt.want {
			t.Errorf("ExcelSerialTime(%v) = %s, want %s", tt.serial, got.Format("2006-01-02 15:04:05.000"), tt.want)
		}
	}
}
