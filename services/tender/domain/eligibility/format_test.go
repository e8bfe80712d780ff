package eligibility

import (
	"math"
	"testing"
)

func TestFormatEuros(t *testing.T) {
	tests := []struct {
		cents int64
		want  string
	}{
		{0, "0 €"},
		{5, "0.05 €"},
		{22_500_000, "225,000 €"},
		{123_456, "1,234.56 €"},
		{100_000_010, "1,000,000.10 €"},
		{-1_500_00, "-1,500 €"},
		{math.MinInt64, "-92,233,720,368,547,758.08 €"},
	}
	for _, tt := range tests {
		if got := FormatEuros(tt.cents); got != tt.want {
			t.Errorf("FormatEuros(%d) = %q, want %q", tt.cents, got, tt.want)
		}
	}
}

func TestFormatShare(t *testing.T) {
	tests := []struct {
		bp   int64
		want string
	}{
		{10000, "100%"},
		{9950, "99.5%"},
		{3333, "33.33%"},
		{5, "0.05%"},
		{0, "0%"},
		{-50, "-0.5%"},
	}
	for _, tt := range tests {
		if got := FormatShare(tt.bp); got != tt.want {
			t.Errorf("FormatShare(%d) = %q, want %q", tt.bp, got, tt.want)
		}
	}
}
