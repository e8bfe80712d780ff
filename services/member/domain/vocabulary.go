package domain

import "github.com/consortia-dev/consortia/services/platform/vocab"

// The vocabularies are shared with the tender service (platform/vocab).
var (
	Capabilities       = vocab.Capabilities
	CertificationKinds = vocab.CertificationKinds
	ENSLevels          = vocab.ENSLevels
)

// Capability is an entry of the controlled capability vocabulary.
type Capability = vocab.Capability

// IsCapability reports whether id is in the vocabulary.
func IsCapability(id string) bool { return vocab.IsCapability(id) }
