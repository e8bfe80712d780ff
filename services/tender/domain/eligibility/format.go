package eligibility

import (
	"strconv"
	"strings"
	"time"
)

// FormatEuros formats cents as euros for a person: "225,000 €", "1,234.56 €".
// Whole amounts drop the cents.
func FormatEuros(cents int64) string {
	sign := ""
	u := uint64(cents)
	if cents < 0 {
		sign = "-"
		u = uint64(-(cents + 1)) + 1 // safe for MinInt64
	}
	s := sign + groupThousands(u/100)
	if c := u % 100; c != 0 {
		s += "." + strconv.FormatUint(c/10, 10) + strconv.FormatUint(c%10, 10)
	}
	return s + " €"
}

// groupThousands writes n with a comma every three digits.
func groupThousands(n uint64) string {
	digits := strconv.FormatUint(n, 10)
	var b strings.Builder
	for i := 0; i < len(digits); i++ {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(digits[i])
	}
	return b.String()
}

// FormatShare formats a share in hundredths of a percent: 9950 → "99.5%",
// 10000 → "100%", 3333 → "33.33%".
func FormatShare(bp int64) string {
	sign := ""
	if bp < 0 {
		sign = "-"
		bp = -bp
	}
	s := sign + strconv.FormatInt(bp/100, 10)
	switch frac := bp % 100; {
	case frac == 0:
	case frac%10 == 0:
		s += "." + strconv.FormatInt(frac/10, 10)
	default:
		s += "." + strconv.FormatInt(frac/10, 10) + strconv.FormatInt(frac%10, 10)
	}
	return s + "%"
}

// formatDate formats a calendar date as 2006-01-02.
func formatDate(t time.Time) string { return t.Format(time.DateOnly) }
