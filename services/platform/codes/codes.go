// Package codes bundles the official code lists (CPV 2008, NUTS) the services
// validate input against. When the lists cannot be read the services still start
// and check format only, with a warning.
package codes

import (
	"log/slog"

	"github.com/consortia-dev/consortia/services/platform/cpv"
	"github.com/consortia-dev/consortia/services/platform/nuts"
)

// Lists validates codes. A zero Lists checks format only.
type Lists struct {
	Catalog *cpv.Catalog
	Regions *nuts.Regions
}

// Load reads the lists from the shared data folder dir ("" = locate it).
func Load(dir string, log *slog.Logger) Lists {
	var l Lists
	var err error
	if dir == "" {
		l.Catalog, err = cpv.LoadDefault()
	} else {
		l.Catalog, err = cpv.Load(dir)
	}
	if err != nil {
		log.Warn("CPV list not available: checking CPV code format only", "err", err)
		l.Catalog = nil
	}
	if dir == "" {
		l.Regions, err = nuts.LoadDefault()
	} else {
		l.Regions, err = nuts.Load(dir)
	}
	if err != nil {
		log.Warn("NUTS list not available: checking NUTS code format only", "err", err)
		l.Regions = nil
	}
	return l
}

// CPV returns the 8-digit code or an error naming what is wrong.
func (l Lists) CPV(code string) (string, error) { return l.Catalog.Validate(code) }

// NUTS returns the normalised region code or an error.
func (l Lists) NUTS(code string) (string, error) { return l.Regions.Validate(code) }
