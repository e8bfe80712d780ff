// Package domain holds the notification service's rules: what a user chose
// (preferences, quiet hours, digest time), an organisation's webhook endpoints
// and their secrets, inbox items and deliveries, the notification key that makes
// delivery exactly once in effect, and the retry schedule. No I/O.
package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"time"
)

// Type is what a notification is about (numbers as in consortia.notification.v1).
type Type int

// Notification types.
const (
	TypeUnspecified Type = iota
	TypeTenderMatched
	TypeConsortiumInvited
	TypeMemberResponded
	TypeSharesChanged
	TypeEligibilityChanged
	TypeConsortiumSubmitted
	TypeAwardResult
	TypeDeadlineReminder
	TypeCertificationExpiring
	TypeDigest
)

// Selectable are the types a user sets preferences for (not the digest itself).
var Selectable = []Type{TypeTenderMatched, TypeConsortiumInvited, TypeMemberResponded, TypeSharesChanged,
	TypeEligibilityChanged, TypeConsortiumSubmitted, TypeAwardResult, TypeDeadlineReminder, TypeCertificationExpiring}

var typeNames = map[Type]string{
	TypeTenderMatched: "tender_matched", TypeConsortiumInvited: "consortium_invited", TypeMemberResponded: "member_responded",
	TypeSharesChanged: "shares_changed", TypeEligibilityChanged: "eligibility_changed", TypeConsortiumSubmitted: "consortium_submitted",
	TypeAwardResult: "award_result", TypeDeadlineReminder: "deadline_reminder", TypeCertificationExpiring: "certification_expiring",
	TypeDigest: "digest",
}

// String is the type's short name ("tender_matched"), used in CloudEvents types and templates.
func (t Type) String() string {
	if n, ok := typeNames[t]; ok {
		return n
	}
	return "unspecified"
}

// Valid reports whether t is a known, selectable type.
func (t Type) Valid() bool { return slices.Contains(Selectable, t) }

// Channel is how a notification reaches its recipient.
type Channel int

// Channels.
const (
	ChannelUnspecified Channel = iota
	ChannelInbox
	ChannelEmail
	ChannelWebhook
)

// String is the channel's subject token ("inbox", "email", "webhook").
func (c Channel) String() string {
	switch c {
	case ChannelInbox:
		return "inbox"
	case ChannelEmail:
		return "email"
	case ChannelWebhook:
		return "webhook"
	}
	return "unspecified"
}

// Key identifies one notification: one source event, told to one recipient on
// one channel. It is the intent's Nats-Msg-Id, the inbox item id, the
// webhook-id and the e-mail Message-ID's local part, so every retry, redelivery
// or restart of the same notification carries the same key.
func Key(sourceEventID, recipient string, ch Channel) string {
	h := sha256.New()
	h.Write([]byte(sourceEventID))
	h.Write([]byte{0})
	h.Write([]byte(recipient))
	h.Write([]byte{0})
	h.Write([]byte(ch.String()))
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// ValidKey reports whether s looks like a Key (32 lowercase hex digits), so it
// can go into a NATS subject.
func ValidKey(s string) bool {
	if len(s) != 32 {
		return false
	}
	for _, r := range s {
		if (r < '0' || r > '9') && (r < 'a' || r > 'f') {
			return false
		}
	}
	return true
}

// UserKey is the subject token of a user (token subjects may hold characters
// NATS subjects cannot).
func UserKey(userID string) string {
	h := sha256.Sum256([]byte(userID))
	return hex.EncodeToString(h[:])[:32]
}

// Source is the event (or timer) a notification comes from.
type Source struct {
	EventID, EventType, Subject string
	Time                        time.Time
}

// Notice is what the planner decided to tell one organisation, before channels
// and users are chosen.
type Notice struct {
	Type           Type
	OrganizationID string
	MessageID      string
	Args           map[string]string
	Link           string
	Source         Source
}

// Intent is one notification to deliver on one channel (the NotificationIntended event).
type Intent struct {
	Key            string
	Type           Type
	Channel        Channel
	OrganizationID string
	UserID, Email  string
	Language       string
	EndpointID     string
	MessageID      string
	Args           map[string]string
	Link           string
	Source         Source
	Digest         bool
	DigestKeys     []string
}

// Plan turns a notice into intents: always one for the organisation's inbox;
// one e-mail per user of the organisation who wants this type by e-mail
// (immediately, or held for their digest); one per enabled webhook endpoint of
// the organisation subscribed to the type, when at least one of its users has
// not turned webhooks off for it (webhooks are organisation-wide).
func Plan(n Notice, users []Preferences, endpoints []Endpoint) []Intent {
	base := Intent{Type: n.Type, OrganizationID: n.OrganizationID, MessageID: n.MessageID, Args: n.Args, Link: n.Link, Source: n.Source}
	out := []Intent{withChannel(base, ChannelInbox, "org:"+n.OrganizationID)}
	webhookOff := len(users) > 0
	for _, u := range users {
		tp := u.For(n.Type)
		if tp.Webhook {
			webhookOff = false
		}
		if !tp.Email || u.Email == "" {
			continue
		}
		in := withChannel(base, ChannelEmail, "user:"+u.UserID)
		in.UserID, in.Email, in.Language = u.UserID, u.Email, u.Lang()
		in.Digest = tp.Mode == ModeDailyDigest
		out = append(out, in)
	}
	if !webhookOff {
		for _, e := range endpoints {
			if !e.Enabled || e.Deleted || !e.Wants(n.Type) {
				continue
			}
			in := withChannel(base, ChannelWebhook, "endpoint:"+e.ID)
			in.EndpointID = e.ID
			out = append(out, in)
		}
	}
	return out
}

func withChannel(in Intent, ch Channel, recipient string) Intent {
	in.Channel = ch
	in.Key = Key(in.Source.EventID, recipient, ch)
	return in
}
