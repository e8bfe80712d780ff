package domain

import (
	"fmt"
	"slices"
	"time"

	"github.com/consortia-dev/consortia/services/platform/domainerr"
)

// Mode says when e-mails of a type are sent.
type Mode int

// Modes.
const (
	ModeUnspecified Mode = iota
	ModeImmediate
	ModeDailyDigest
)

// TypePreference is a user's choice for one type.
type TypePreference struct {
	Type    Type
	Email   bool
	Webhook bool
	Mode    Mode
}

// QuietHours is a daily window (local time) without immediate e-mails.
type QuietHours struct {
	StartMinute, EndMinute int
	TimeZone               string
}

// DefaultTimeZone is the zone of quiet hours and digests when none is given.
const DefaultTimeZone = "Europe/Madrid"

// DefaultDigestMinute is 08:00 local time.
const DefaultDigestMinute = 8 * 60

// Preferences are one user's settings, with what the service knows of the user
// from their token (organisation, e-mail, name, token language).
type Preferences struct {
	UserID         string
	OrganizationID string
	Email, Name    string
	// TokenLanguage is the language of the user's token; Language overrides it.
	TokenLanguage string
	Language      string
	Types         []TypePreference
	Quiet         *QuietHours
	DigestMinute  int
	Version       uint64
}

// Lang is the language to write to the user in: their choice, else their
// token's, else Spanish.
func (p Preferences) Lang() string {
	for _, l := range []string{p.Language, p.TokenLanguage} {
		if l == "es" || l == "en" {
			return l
		}
	}
	return "es"
}

// For returns the choice for t; a type never set gets the defaults: e-mail
// immediately and webhooks on.
func (p Preferences) For(t Type) TypePreference {
	for _, tp := range p.Types {
		if tp.Type == t {
			if tp.Mode == ModeUnspecified {
				tp.Mode = ModeImmediate
			}
			return tp
		}
	}
	return TypePreference{Type: t, Email: true, Webhook: true, Mode: ModeImmediate}
}

// Location returns the user's time zone (quiet hours and digest).
func (p Preferences) Location() *time.Location {
	tz := DefaultTimeZone
	if p.Quiet != nil && p.Quiet.TimeZone != "" {
		tz = p.Quiet.TimeZone
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return time.UTC
	}
	return loc
}

// ValidatePreferences checks what a user sends (every bad field at once).
func ValidatePreferences(p Preferences) error {
	var v domainerr.Violations
	if p.Language != "" && p.Language != "es" && p.Language != "en" {
		v.Add("preferences.language", "must be \"es\" or \"en\", got %q", p.Language)
	}
	seen := map[Type]bool{}
	for i, tp := range p.Types {
		f := fmt.Sprintf("preferences.types[%d]", i)
		if !tp.Type.Valid() {
			v.Add(f+".type", "must be a notification type other than unspecified and digest, got %d", tp.Type)
		} else if seen[tp.Type] {
			v.Add(f+".type", "%s is listed twice", tp.Type)
		}
		seen[tp.Type] = true
		if tp.Mode < ModeUnspecified || tp.Mode > ModeDailyDigest {
			v.Add(f+".mode", "unknown delivery mode %d", tp.Mode)
		}
	}
	if q := p.Quiet; q != nil {
		if q.StartMinute < 0 || q.StartMinute > 1439 {
			v.Add("preferences.quiet_hours.start_minute", "must be between 0 and 1439, got %d", q.StartMinute)
		}
		if q.EndMinute < 0 || q.EndMinute > 1439 {
			v.Add("preferences.quiet_hours.end_minute", "must be between 0 and 1439, got %d", q.EndMinute)
		}
		if q.StartMinute == q.EndMinute {
			v.Add("preferences.quiet_hours.end_minute", "must differ from start_minute (%d)", q.StartMinute)
		}
		if q.TimeZone != "" {
			if _, err := time.LoadLocation(q.TimeZone); err != nil {
				v.Add("preferences.quiet_hours.time_zone", "unknown IANA time zone %q", q.TimeZone)
			}
		}
	}
	if p.DigestMinute < 0 || p.DigestMinute > 1439 {
		v.Add("preferences.digest_minute", "must be between 0 and 1439, got %d", p.DigestMinute)
	}
	return v.Err()
}

// QuietUntil returns when the user's quiet hours end if t falls inside them,
// and the zero time otherwise.
func (p Preferences) QuietUntil(t time.Time) time.Time {
	q := p.Quiet
	if q == nil || q.StartMinute == q.EndMinute {
		return time.Time{}
	}
	local := t.In(p.Location())
	m := local.Hour()*60 + local.Minute()
	inside := false
	if q.StartMinute < q.EndMinute {
		inside = m >= q.StartMinute && m < q.EndMinute
	} else {
		inside = m >= q.StartMinute || m < q.EndMinute
	}
	if !inside {
		return time.Time{}
	}
	end := atMinute(local, q.EndMinute)
	if !end.After(local) {
		end = atMinute(local.AddDate(0, 0, 1), q.EndMinute)
	}
	return end
}

// NextDigest returns the first digest time after t.
func (p Preferences) NextDigest(t time.Time) time.Time {
	minute := p.DigestMinute
	if minute == 0 {
		minute = DefaultDigestMinute
	}
	local := t.In(p.Location())
	next := atMinute(local, minute)
	if !next.After(local) {
		next = atMinute(local.AddDate(0, 0, 1), minute)
	}
	return next
}

func atMinute(day time.Time, minute int) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day(), minute/60, minute%60, 0, 0, day.Location())
}

// Normalize sorts the per-type choices (stable storage and comparison).
func (p *Preferences) Normalize() {
	p.Types = slices.Clone(p.Types)
	slices.SortFunc(p.Types, func(a, b TypePreference) int { return int(a.Type) - int(b.Type) })
}
