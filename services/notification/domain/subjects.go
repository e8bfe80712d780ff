package domain

import (
	"fmt"

	"github.com/consortia-dev/consortia/services/platform/domainerr"
)

// Subjects of the NOTIFICATION stream.
const (
	SubjectPrefix          = "notification."
	RecipientSubjectPrefix = "notification.recipient."
	EndpointSubjectPrefix  = "notification.endpoint."
	IntentSubjectPrefix    = "notification.intent."
	DeliverySubjectPrefix  = "notification.delivery."
	InboxSubjectPrefix     = "notification.inbox."
)

// RecipientSubject is the subject of a user's events.
func RecipientSubject(userID string) string { return RecipientSubjectPrefix + UserKey(userID) }

// EndpointSubject is the subject of an endpoint's events.
func EndpointSubject(id string) string { return EndpointSubjectPrefix + id }

// IntentSubject is the subject of an intent (and its resend requests); workers
// filter on the channel token.
func IntentSubject(ch Channel, key string) string {
	return IntentSubjectPrefix + ch.String() + "." + key
}

// DeliverySubject is the subject of a delivery's outcomes.
func DeliverySubject(key string) string { return DeliverySubjectPrefix + key }

// InboxSubject is the subject of an organisation's inbox changes.
func InboxSubject(org string) string { return InboxSubjectPrefix + org }

// ValidID reports whether id (an organisation, endpoint, tender or
// certification id) is safe as one NATS subject token: 1 to 64 letters,
// digits, '-' or '_'.
func ValidID(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && (r < '0' || r > '9') && r != '-' && r != '_' {
			return false
		}
	}
	return true
}

// CheckID returns an InvalidArgument naming field when id is not ValidID.
func CheckID(field, id string) error {
	if id == "" {
		return domainerr.Invalid(field, "required")
	}
	if !ValidID(id) {
		return domainerr.Invalid(field, "%s", fmt.Sprintf("%q is not an id (1-64 letters, digits, '-' or '_')", id))
	}
	return nil
}
