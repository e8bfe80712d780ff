package domain

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/consortia-dev/consortia/services/platform/domainerr"
)

// SecretPrefix starts every webhook secret (Standard Webhooks).
const SecretPrefix = "whsec_"

// Endpoint is an organisation's webhook receiver.
type Endpoint struct {
	ID, OrganizationID string
	URL, Description   string
	Types              []Type
	Enabled, Deleted   bool
	Secret             string
	PreviousSecret     string
	PreviousExpires    time.Time
	Created            time.Time
	Version            uint64
}

// Wants reports whether the endpoint subscribed to t (no types: all).
func (e Endpoint) Wants(t Type) bool { return len(e.Types) == 0 || slices.Contains(e.Types, t) }

// Secrets returns the secrets that sign a delivery at now: the current one and,
// during a rotation, the previous one (so receivers can switch without a gap).
func (e Endpoint) Secrets(now time.Time) []string {
	out := []string{e.Secret}
	if e.PreviousSecret != "" && now.Before(e.PreviousExpires) {
		out = append(out, e.PreviousSecret)
	}
	return out
}

// NewSecret returns a fresh "whsec_" secret: base64 of 32 random bytes.
func NewSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand panics on a broken source)
	return SecretPrefix + base64.StdEncoding.EncodeToString(b)
}

// SecretBytes decodes a secret's key (the base64 after the prefix).
func SecretBytes(secret string) ([]byte, error) {
	raw, ok := strings.CutPrefix(secret, SecretPrefix)
	if !ok {
		return nil, fmt.Errorf("webhook secret does not start with %s", SecretPrefix)
	}
	return base64.StdEncoding.DecodeString(raw)
}

// EndpointInput is what a user sends to create or change an endpoint.
type EndpointInput struct {
	URL, Description string
	Types            []Type
	Enabled          bool
}

// ValidateEndpoint checks an endpoint's settings. Whether its host may be
// reached is decided when connecting (the SSRF guard), because DNS can change.
func ValidateEndpoint(in EndpointInput) error {
	var v domainerr.Violations
	u, err := url.Parse(in.URL)
	switch {
	case in.URL == "":
		v.Add("url", "required")
	case err != nil:
		v.Add("url", "not a URL: %v", err)
	case u.Scheme != "https" && u.Scheme != "http":
		v.Add("url", "must be an http or https URL, got scheme %q", u.Scheme)
	case u.Hostname() == "":
		v.Add("url", "has no host")
	case u.User != nil:
		v.Add("url", "must not carry user credentials")
	case len(in.URL) > 2048:
		v.Add("url", "longer than 2048 characters")
	}
	seen := map[Type]bool{}
	for i, t := range in.Types {
		if !t.Valid() {
			v.Add(fmt.Sprintf("types[%d]", i), "must be a notification type other than unspecified and digest, got %d", t)
		} else if seen[t] {
			v.Add(fmt.Sprintf("types[%d]", i), "%s is listed twice", t)
		}
		seen[t] = true
	}
	if len(in.Description) > 500 {
		v.Add("description", "longer than 500 characters")
	}
	return v.Err()
}

// InboxState is where an inbox item is.
type InboxState int

// Inbox states.
const (
	InboxAny InboxState = iota
	InboxUnread
	InboxRead
	InboxArchived
)

// InboxItem is one notification in an organisation's inbox.
type InboxItem struct {
	ID             string // the notification key
	OrganizationID string
	Type           Type
	MessageID      string
	Args           map[string]string
	Link           string
	State          InboxState
	Created        time.Time
	Sequence       uint64 // stream sequence of the intent (newest first = highest)
}

// DeliveryStatus is where a delivery is.
type DeliveryStatus int

// Delivery statuses.
const (
	DeliveryUnspecified DeliveryStatus = iota
	DeliveryPending
	DeliveryDelivered
	DeliveryDeadLettered
)

// Delivery is one intent's way through e-mail or a webhook.
type Delivery struct {
	Key            string
	Channel        Channel
	OrganizationID string
	EndpointID     string
	UserID, Email  string
	Type           Type
	Status         DeliveryStatus
	Attempts       int
	LastError      string
	LastHTTPStatus int
	NextAttempt    time.Time
	Created        time.Time
	Finished       time.Time
	Resends        int
	Sequence       uint64 // stream sequence of the intent
}

// Target is the endpoint id (webhooks) or address (e-mail).
func (d Delivery) Target() string {
	if d.Channel == ChannelWebhook {
		return d.EndpointID
	}
	return d.Email
}

// DigestItem is an e-mail held for a user's daily digest.
type DigestItem struct {
	Key, UserID string
	Type        Type
	MessageID   string
	Args        map[string]string
	Link        string
	Created     time.Time
	Sent        bool
	Sequence    uint64
}
