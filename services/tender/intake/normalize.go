package intake

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Madrid must resolve even on hosts without a zoneinfo database.
)

// NormalizeCPV returns the 8-digit CPV code in s, without check digit.
//
// It accepts "72000000", "72000000-5" and the "45233130.0" that spreadsheet
// round trips produce. It reports false for anything else (too short, letters,
// empty), so the caller can skip the junk.
func NormalizeCPV(s string) (string, bool) {
	s = strings.TrimSpace(s)
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	if n != 8 {
		return "", false
	}
	rest := s[n:]
	switch {
	case rest == "":
	case rest[0] == '-' && len(rest) == 2 && rest[1] >= '0' && rest[1] <= '9':
	case strings.Trim(rest, "0") == ".":
	default:
		return "", false
	}
	return s[:n], true
}

// AppendCPV normalizes code and appends it to list unless it is junk or
// already present. It reports whether code was a valid CPV code.
func AppendCPV(list []string, code string) ([]string, bool) {
	c, ok := NormalizeCPV(code)
	if !ok {
		return list, false
	}
	return AppendUnique(list, c), true
}

// AppendUnique appends s to list unless s is empty or already present.
func AppendUnique(list []string, s string) []string {
	if s == "" {
		return list
	}
	for _, v := range list {
		if v == s {
			return list
		}
	}
	return append(list, s)
}

// NormalizeNUTS returns the NUTS code in s ("ES130", "es13", "ES130 - Cantabria")
// in upper case, or false when s does not start with one.
func NormalizeNUTS(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, " -"); i >= 0 {
		s = s[:i]
	}
	s = strings.ToUpper(s)
	if len(s) < 2 || len(s) > 5 {
		return "", false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		letter := c >= 'A' && c <= 'Z'
		digit := c >= '0' && c <= '9'
		if i < 2 && !letter || !letter && !digit {
			return "", false
		}
	}
	return s, true
}

// ErrAmount is wrapped by ParseCents for values that are not amounts.
var ErrAmount = errors.New("invalid amount")

// decimalPattern is a plain decimal number with an optional exponent of at
// most three digits.
var decimalPattern = regexp.MustCompile(`^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]{1,3})?$`)

// maxCents bounds amounts to about 92 thousand billion: far above any real
// contract, and safely inside int64.
var maxCents = big.NewRat(math.MaxInt64/100, 1)

// ParseCents parses a decimal amount ("274380.17", "5.256434302E7", "-3")
// into cents, rounding half away from zero. An empty string is 0.
//
// It parses the decimal exactly (no float rounding), so "0.29" is 29 cents.
func ParseCents(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	// Check the shape first: big.Rat also reads fractions and hexadecimal,
	// and would spend minutes on an exponent such as 1e999999999.
	if len(s) > 64 || !decimalPattern.MatchString(s) {
		return 0, fmt.Errorf("%w: %q", ErrAmount, s)
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return 0, fmt.Errorf("%w: %q", ErrAmount, s)
	}
	if new(big.Rat).Abs(r).Cmp(maxCents) > 0 {
		return 0, fmt.Errorf("%w: %q is out of range", ErrAmount, s)
	}
	r.Mul(r, big.NewRat(100, 1))
	num, den := r.Num(), r.Denom()
	q, m := new(big.Int).QuoRem(num, den, new(big.Int))
	// Round half away from zero: compare 2*|remainder| with the denominator.
	m.Abs(m).Lsh(m, 1)
	if m.Cmp(den) >= 0 {
		if num.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return q.Int64(), nil
}

// FormatCents renders cents as a decimal string with two decimals ("1234.50").
func FormatCents(c int64) string {
	sign := ""
	u := uint64(c)
	if c < 0 {
		sign = "-"
		u = uint64(-(c + 1)) + 1
	}
	return fmt.Sprintf("%s%d.%02d", sign, u/100, u%100)
}

// DaysPerMonth is the average length of a month (365.25 / 12 days), used to
// convert durations given in days: 365 days is 12 months, 90 days is 3.
const DaysPerMonth = 30.4375

// DurationMonths converts a duration in the given unit into whole months,
// rounding up (24 days is 1 month). Units are the UN/ECE and eForms codes used
// by the sources: DAY, WEEK/WEE, MONTH/MON, YEAR/ANN. It returns 0 for unknown
// units and for values that are not positive.
func DurationMonths(value float64, unit string) int {
	if !(value > 0) || value > 12000 { // also rejects NaN
		return 0
	}
	var months float64
	switch strings.ToUpper(strings.TrimSpace(unit)) {
	case "DAY", "D", "DAYS":
		months = value / DaysPerMonth
	case "WEEK", "WEE", "WK":
		months = value * 7 / DaysPerMonth
	case "MONTH", "MON", "MTH", "M":
		months = value
	case "YEAR", "ANN", "Y", "YEARS":
		months = value * 12
	default:
		return 0
	}
	// Trim float noise before rounding up, so 36.0000000001 stays 36.
	return int(math.Ceil(months - 1e-9))
}

// ParseDuration parses a duration value and unit as published ("24", "DAY").
func ParseDuration(value, unit string) int {
	v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
	if err != nil {
		return 0
	}
	return DurationMonths(v, unit)
}

// MonthsBetween returns the calendar months from start to end, where end is
// the last day of the period (2024-01-01 to 2028-12-31 is 60 months); partial
// months count as whole ones. It returns 0 when either is zero or end is
// before start.
func MonthsBetween(start, end time.Time) int {
	if start.IsZero() || end.IsZero() || end.Before(start) {
		return 0
	}
	end = end.AddDate(0, 0, 1) // the day after the last day
	months := (end.Year()-start.Year())*12 + int(end.Month()) - int(start.Month())
	if months < 0 {
		return 0
	}
	for months > 0 && start.AddDate(0, months, 0).After(end) {
		months--
	}
	if start.AddDate(0, months, 0).Before(end) {
		months++
	}
	return months
}

// Madrid is the Europe/Madrid time zone: PLACSP dates and times without an
// offset are Spanish local time.
var Madrid = mustLoadLocation("Europe/Madrid")

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		// time/tzdata is embedded, so this cannot happen; fail loudly if it does.
		panic(fmt.Sprintf("intake: load time zone %s: %v", name, err))
	}
	return loc
}

// ErrDate is wrapped by the date parsers for values that are not dates.
var ErrDate = errors.New("invalid date")

// ParseXSDDate parses an XML Schema date with an optional zone:
// "2025-12-22", "2023-04-28Z", "2023-05-30+03:00". Dates without a zone are
// taken in loc.
func ParseXSDDate(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if len(s) < 10 {
		return time.Time{}, fmt.Errorf("%w: %q", ErrDate, s)
	}
	d, err := time.ParseInLocation("2006-01-02", s[:10], time.UTC)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: %q", ErrDate, s)
	}
	zone, err := parseZone(s[10:], loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: %q", ErrDate, s)
	}
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, zone), nil
}

// ParseXSDDateTime combines an XML Schema date and an optional time
// ("09:30:00", "10:00:00.000+03:00", "07:03:25.187719Z") into one instant.
// The time's zone wins over the date's; without either, loc is used. An empty
// time means the end of that day (23:59:59), the usual reading of a deadline
// given as a date only.
func ParseXSDDateTime(date, clock string, loc *time.Location) (time.Time, error) {
	d, err := ParseXSDDate(date, loc)
	if err != nil {
		return time.Time{}, err
	}
	clock = strings.TrimSpace(clock)
	if clock == "" {
		return time.Date(d.Year(), d.Month(), d.Day(), 23, 59, 59, 0, d.Location()), nil
	}
	if len(clock) < 8 {
		return time.Time{}, fmt.Errorf("%w: time %q", ErrDate, clock)
	}
	hms, err := time.Parse("15:04:05", clock[:8])
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: time %q", ErrDate, clock)
	}
	rest := clock[8:]
	nanos := 0
	if strings.HasPrefix(rest, ".") {
		i := 1
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		frac := rest[1:i]
		if len(frac) > 9 {
			frac = frac[:9]
		}
		if frac != "" {
			n, _ := strconv.Atoi(frac + strings.Repeat("0", 9-len(frac)))
			nanos = n
		}
		rest = rest[i:]
	}
	zone := d.Location()
	if rest != "" {
		if zone, err = parseZone(rest, loc); err != nil {
			return time.Time{}, fmt.Errorf("%w: time %q", ErrDate, clock)
		}
	}
	return time.Date(d.Year(), d.Month(), d.Day(), hms.Hour(), hms.Minute(), hms.Second(), nanos, zone), nil
}

// parseZone parses "", "Z" or "+hh:mm"/"-hh:mm"; "" yields def.
func parseZone(s string, def *time.Location) (*time.Location, error) {
	switch {
	case s == "":
		return def, nil
	case s == "Z":
		return time.UTC, nil
	}
	t, err := time.Parse("-07:00", s)
	if err != nil {
		return nil, err
	}
	_, off := t.Zone()
	if off == 0 {
		return time.UTC, nil
	}
	return time.FixedZone(s, off), nil
}

// ExcelSerialTime converts an Excel serial date (1900 date system: days since
// 1899-12-30, the fraction being the time of day) into a wall-clock time in
// loc, rounded to the millisecond. Serials before 1900-03-01 (where Excel's
// fictitious 1900-02-29 makes them ambiguous) are rejected.
func ExcelSerialTime(serial float64, loc *time.Location) (time.Time, error) {
	if math.IsNaN(serial) || serial < 61 || serial > 2958465 { // 2958465 is 9999-12-31
		return time.Time{}, fmt.Errorf("%w: Excel serial %v", ErrDate, serial)
	}
	const msPerDay = 86400 * 1000
	ms := int64(math.Round(serial * msPerDay))
	base := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	t := base.AddDate(0, 0, int(ms/msPerDay)).Add(time.Duration(ms%msPerDay) * time.Millisecond)
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), loc), nil
}
